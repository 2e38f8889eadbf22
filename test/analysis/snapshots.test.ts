import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend/select';
import {
  DiskSnapshotStore,
  MemorySnapshotStore,
  SnapshotRecorder,
  loadSnapshot,
  takeSnapshot,
  type Snapshot,
} from '../../lib/analysis/snapshots';
import { layerSimilarityOverTime, probeActivations, svccaLayers, type Probe } from '../../lib/analysis/similarity';
import { toDatapoints } from '../../lib/analysis/svcca';
import { evenlySpaced, figure8 } from '../../lib/analysis/figure8';
import { decodePng } from '../../lib/envs/png';
import { makeEncoder, type Encoder } from '../../lib/nets/encoders';
import { makeInitRng } from '../../lib/nets/layers';
import { tmpDir } from '../tmp';

before(async () => {
  await initBackend();
});

const SHAPE: [number, number, number] = [20, 20, 3];
let counter = 0;
const build = (seed: number): Encoder =>
  makeEncoder({ kind: 'sac-ae', inputShape: SHAPE, seed, name: `snap_enc_${counter++}` });

function probe(n: number, seed = 5): Probe {
  const rng = makeInitRng(seed);
  return {
    data: Uint8Array.from({ length: n * 400 * 3 }, () => Math.floor(rng.uniform() * 256)),
    shape: [n, ...SHAPE],
  };
}

function outputOf(enc: Encoder, p: Probe): Float32Array {
  return tf.tidy(() => enc.apply(tf.tensor4d(Float32Array.from(p.data), p.shape)).dataSync() as Float32Array);
}

/** Adds Gaussian noise of relative size `scale` to every variable (a stand-in for training drift). */
function perturb(enc: Encoder, scale: number, seed: number): void {
  const rng = makeInitRng(seed);
  for (const v of enc.variables()) {
    const d = v.dataSync() as Float32Array;
    const std = Math.sqrt(d.reduce((s, x) => s + x * x, 0) / d.length) || 1;
    tf.tidy(() =>
      v.assign(
        tf.tensor(
          Float32Array.from(d, (x) => x + scale * std * rng.normal()),
          v.shape,
        ),
      ),
    );
  }
}

test('a snapshot is a copy that loads into a differently named encoder', () => {
  const a = build(1);
  const b = build(2);
  try {
    const p = probe(4);
    const s = takeSnapshot(10, { encoder: a, groups: { extra: [a.variables()[0]] } });
    assert.ok(
      'encoder/conv1/kernel' in s.tensors && 'encoder/fc/kernel' in s.tensors,
      Object.keys(s.tensors).join(','),
    );
    assert.ok(Object.keys(s.tensors).some((k) => k.startsWith('extra/')));
    const before = outputOf(a, p);
    perturb(a, 1, 3); // changing the source afterwards must not change the snapshot
    assert.notDeepEqual(outputOf(a, p), before);
    loadSnapshot(s, b);
    assert.deepEqual(outputOf(b, p), before);
    const rainbow = makeEncoder({ kind: 'rainbow', inputShape: [40, 40, 3], name: `snap_rb_${counter++}` });
    try {
      assert.throws(
        () => loadSnapshot(s, rainbow),
        /snapshot tensor 'encoder\/conv1\/kernel' has shape \[3,3,3,32\] but variable/,
      );
    } finally {
      rainbow.dispose();
    }
  } finally {
    a.dispose();
    b.dispose();
  }
});

test('disk store: atomic binary + JSON index round trip', () => {
  const dir = tmpDir('snap-');
  const enc = build(4);
  try {
    const store = new DiskSnapshotStore(dir);
    const rec = new SnapshotRecorder(store, 50);
    let recorded = 0;
    for (let u = 0; u <= 120; u++) {
      if (u === 60) perturb(enc, 0.5, 9);
      if (rec.maybeRecord(u, { encoder: enc })) recorded++;
    }
    assert.equal(recorded, 3);
    assert.deepEqual(store.updates(), [0, 50, 100]);
    const files = fs.readdirSync(dir).sort();
    assert.deepEqual(files, [
      'snapshot-000000000.bin',
      'snapshot-000000000.json',
      'snapshot-000000050.bin',
      'snapshot-000000050.json',
      'snapshot-000000100.bin',
      'snapshot-000000100.json',
    ]);
    const mem = takeSnapshot(100, { encoder: enc });
    const disk = store.get(100);
    assert.equal(disk.update, 100);
    assert.deepEqual(Object.keys(disk.tensors).sort(), Object.keys(mem.tensors).sort());
    for (const k of Object.keys(mem.tensors)) {
      assert.deepEqual(disk.tensors[k].shape, mem.tensors[k].shape);
      assert.deepEqual(disk.tensors[k].data, mem.tensors[k].data);
    }
    assert.notDeepEqual(store.get(0).tensors['encoder/conv1/kernel'].data, disk.tensors['encoder/conv1/kernel'].data);
    // A binary without its index (a crash between the two renames) is not listed.
    fs.writeFileSync(path.join(dir, 'snapshot-000000150.bin'), new Uint8Array(8));
    assert.deepEqual(store.updates(), [0, 50, 100]);
    assert.throws(() => store.get(75), /no snapshot at update 75.*held: 0, 50, 100/);
    assert.throws(() => new SnapshotRecorder(store, 0), /positive integer/);
  } finally {
    enc.dispose();
    fs.rmSync(dir, { recursive: true });
  }
});

test('probe activations: folded rows with a stride cap, pooled rows match toDatapoints', () => {
  const enc = build(6);
  try {
    const p = probe(6);
    const folded = probeActivations(enc, p, { layers: ['conv1', 'fc'], maxDatapoints: 200, batchSize: 4 });
    // conv1: 3×3 stride 2 valid on 20×20 → 9×9×32; 6·81 = 486 rows, stride 3 → 162.
    assert.deepEqual([folded.conv1.n, folded.conv1.d], [162, 32]);
    assert.deepEqual([folded.fc.n, folded.fc.d], [6, 50]);
    const tap = tf.tidy(() => {
      const { output, taps } = enc.applyWithTaps(tf.tensor4d(Float32Array.from(p.data), p.shape), ['conv1']);
      output.dispose();
      return taps.conv1;
    });
    const all = tap.dataSync() as Float32Array;
    for (const row of [0, 1, 100, 161]) {
      assert.deepEqual(
        folded.conv1.data.subarray(row * 32, row * 32 + 32),
        all.subarray(row * 3 * 32, row * 3 * 32 + 32),
      );
    }
    const pooled = probeActivations(enc, p, { layers: ['conv1'], conv: 'pool', batchSize: 4 });
    const ref = toDatapoints({ data: all, shape: tap.shape }, 'pool');
    tap.dispose();
    assert.equal(pooled.conv1.n, 6);
    for (let i = 0; i < ref.data.length; i++) assert.ok(Math.abs(pooled.conv1.data[i] - ref.data[i]) < 1e-5);
  } finally {
    enc.dispose();
  }
});

test('Figure 8b: similarity over time is 1 for unchanged weights and falls with drift, deeper layers more', () => {
  const enc = build(7);
  try {
    const p = probe(300);
    const snaps: Snapshot[] = [takeSnapshot(0, { encoder: enc }), takeSnapshot(10, { encoder: enc })];
    perturb(enc, 0.6, 11);
    snaps.push(takeSnapshot(20, { encoder: enc }));
    const store = new MemorySnapshotStore();
    snaps.forEach((s) => store.add(s));
    const res = layerSimilarityOverTime(store, p, () => build(99));
    assert.deepEqual(res.layers, ['conv1', 'conv2', 'conv3', 'conv4', 'fc']);
    assert.deepEqual(
      res.points.map((q) => [q.update, q.next]),
      [
        [0, 10],
        [10, 20],
      ],
    );
    for (const l of res.layers)
      assert.ok(Math.abs(res.points[0].similarity[l] - 1) < 1e-6, `${l} unchanged: ${res.points[0].similarity[l]}`);
    const drift = res.points[1].similarity;
    for (const l of res.layers) assert.ok(drift[l] < 0.999, `${l} drifted: ${drift[l]}`);
    assert.ok(drift.fc < drift.conv1, `drift compounds upwards: fc ${drift.fc} vs conv1 ${drift.conv1}`);

    const net = build(98);
    try {
      const direct = svccaLayers(snaps[1], snaps[2], p, { net });
      for (const l of res.layers) assert.ok(Math.abs(direct[l].mean - drift[l]) < 1e-12, l);
    } finally {
      net.dispose();
    }
    const lagged = layerSimilarityOverTime(snaps, p, () => build(97), { lag: 20, layers: ['conv2'] });
    assert.deepEqual(
      lagged.points.map((q) => [q.update, q.next]),
      [[0, 20]],
    );
    const toLast = layerSimilarityOverTime(snaps, p, () => build(96), { to: 20 });
    assert.deepEqual(
      toLast.points.map((q) => [q.update, q.next]),
      [
        [0, 20],
        [10, 20],
      ],
    );
    for (const l of res.layers)
      assert.ok(
        Math.abs(toLast.points[1].similarity[l] - drift[l]) < 1e-12,
        `${l}: 10 vs 20 as in the consecutive pairs`,
      );
    assert.throws(() => layerSimilarityOverTime(snaps, p, () => build(95), { to: 15 }), /no snapshot at update 15/);
  } finally {
    enc.dispose();
  }
});

test('evenlySpaced keeps the first and last', () => {
  assert.deepEqual(evenlySpaced([0, 1, 2, 3, 4, 5, 6, 7, 8], 3), [0, 4, 8]);
  assert.deepEqual(evenlySpaced([0, 1], 5), [0, 1]);
});

test('figure8 writes both panels from a snapshot store', () => {
  const dir = tmpDir('fig8-');
  const enc = build(12);
  try {
    const store = new DiskSnapshotStore(path.join(dir, 'snapshots'));
    for (let u = 0; u <= 300; u += 100) {
      store.add(takeSnapshot(u, { encoder: enc }));
      perturb(enc, 0.1, u + 1);
    }
    const fig = figure8(store, probe(120), () => build(13), path.join(dir, 'fig'), {
      attentionRows: 3,
      similarity: { layers: ['conv1', 'conv4'] },
    });
    assert.deepEqual(fig.attention.updates, [0, 200, 300]);
    assert.equal(fig.attention.layer, 'conv4');
    const png = decodePng(fs.readFileSync(fig.attention.file));
    assert.deepEqual([png.height, png.width], [3 * 20 + 4 * 2, 3 * 20 + 4 * 2]);
    const b = JSON.parse(fs.readFileSync(fig.similarity.file, 'utf8'));
    assert.deepEqual(b.layers, ['conv1', 'conv4']);
    assert.equal(b.points.length, 3);
    for (const p of b.points) {
      for (const l of b.layers) {
        assert.ok(p.similarity[l] > 0.3 && p.similarity[l] < 1, `${l}@${p.update}: ${p.similarity[l]}`);
        assert.ok(p.baseline[l] > 0 && p.baseline[l] < 0.2, `${l} baseline ${p.baseline[l]}`);
      }
    }
    assert.throws(
      () => figure8(new MemorySnapshotStore(), probe(10), () => build(14), dir),
      /at least 2 snapshots, the store holds 0/,
    );
  } finally {
    enc.dispose();
    fs.rmSync(dir, { recursive: true });
  }
});
