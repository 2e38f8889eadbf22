import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend/select';
import {
  attentionOverTime,
  attentionOverlays,
  heatColor,
  lastFrame,
  overlayAttention,
  resizeBilinear,
  saveFramePng,
  spatialAttention,
} from '../../lib/analysis/attention';
import { takeSnapshot } from '../../lib/analysis/snapshots';
import { decodePng } from '../../lib/envs/png';
import { makeEncoder } from '../../lib/nets/encoders';
import { makeInitRng } from '../../lib/nets/layers';
import { tmpDir } from '../tmp';

before(async () => {
  await initBackend();
});

const entropy = (p: ArrayLike<number>) => Array.from(p).reduce((s, v) => s - (v > 0 ? v * Math.log(v) : 0), 0);

test('spatial attention: mean |activation| over channels, softmax over positions, temperature flattens', () => {
  // One observation, 2×3 map, 2 channels; position 4 is hot through a large negative activation.
  const data = Float32Array.from([0.1, 0.1, 0.2, 0.0, 0.1, 0.3, 0.0, 0.0, -3, 1, 0.2, 0.2]);
  const act = { data, shape: [1, 2, 3, 2] };
  const m = spatialAttention(act, 1);
  assert.deepEqual(m.shape, [1, 2, 3]);
  const sum = m.data.reduce((s, v) => s + v, 0);
  assert.ok(Math.abs(sum - 1) < 1e-6, `sums to 1, got ${sum}`);
  assert.equal(m.data.indexOf(Math.max(...m.data)), 4, 'hottest position is the one with the largest |activation|');
  // softmax(mean|x|): p4/p0 = exp((2 - 0.1)/T)
  assert.ok(Math.abs(m.data[4] / m.data[0] - Math.exp(1.9)) < 1e-4);
  const hot = spatialAttention(act, 0.1);
  const flat = spatialAttention(act, 10);
  assert.ok(
    entropy(hot.data) < entropy(m.data) && entropy(m.data) < entropy(flat.data),
    'higher temperature, flatter map',
  );
  assert.throws(() => spatialAttention(act, 0), /temperature must be a finite number > 0/);
  assert.throws(() => spatialAttention({ data, shape: [2, 6] }, 1), /attention needs conv activations \[N, H, W, C\]/);
});

test('bilinear upsampling matches tf.image.resizeBilinear with half-pixel centres', () => {
  assert.deepEqual(Array.from(resizeBilinear([0, 1], 1, 2, 1, 4)), [0, 0.25, 0.75, 1]);
  const rng = makeInitRng(3);
  const map = Float32Array.from({ length: 5 * 7 }, () => rng.uniform());
  const ours = resizeBilinear(map, 5, 7, 21, 16);
  const ref = tf.tidy(() => tf.image.resizeBilinear(tf.tensor4d(map, [1, 5, 7, 1]), [21, 16], false, true).dataSync());
  let err = 0;
  for (let i = 0; i < ours.length; i++) err = Math.max(err, Math.abs(ours[i] - ref[i]));
  assert.ok(err < 1e-5, `max |Δ| = ${err}`);
});

test('overlay: alpha 0 is the frame, alpha 1 the heat colours; the hot spot is red', () => {
  const frame = {
    data: Uint8Array.from({ length: 8 * 8 }, (_, i) => i * 3),
    shape: [8, 8, 1] as [number, number, number],
  };
  const map = Float32Array.from([0, 0, 0, 1]); // 2×2, bottom-right hot
  const plain = overlayAttention(frame, map, [2, 2], 0);
  for (let p = 0; p < 64; p++) for (let c = 0; c < 3; c++) assert.equal(plain.data[p * 3 + c], frame.data[p]);
  const heat = overlayAttention(frame, map, [2, 2], 1);
  assert.deepEqual(Array.from(heat.data.subarray(63 * 3, 64 * 3)), heatColor(1));
  assert.deepEqual(Array.from(heat.data.subarray(0, 3)), heatColor(0));
  const [r, g, b] = heatColor(1);
  assert.ok(r > 100 && g === 0 && b === 0, `heatColor(1) is red: ${[r, g, b]}`);
  assert.ok(heatColor(0)[2] > 100 && heatColor(0)[0] === 0, 'heatColor(0) is blue');
});

test('lastFrame takes the last RGB frame of a stack', () => {
  // 1×2 pixels, two stacked RGB frames: channels [r0 g0 b0 r1 g1 b1].
  const obs = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  assert.deepEqual(Array.from(lastFrame(obs, [1, 2, 6], 3).data), [4, 5, 6, 10, 11, 12]);
  assert.throws(() => lastFrame(obs, [1, 2, 6], 3, 1), /needs 12/);
  assert.throws(() => lastFrame(obs, [1, 3, 4], 3), /not a stack of 3-channel frames/);
});

test('encoder attention overlays, Figure 8a grid over snapshots, saved as PNG', () => {
  const enc = makeEncoder({ kind: 'sac-ae', inputShape: [24, 24, 6], seed: 1, name: 'att_enc' });
  try {
    const rng = makeInitRng(7);
    const obs = {
      data: Uint8Array.from({ length: 3 * 24 * 24 * 6 }, () => Math.floor(rng.uniform() * 256)),
      shape: [3, 24, 24, 6] as [number, number, number, number],
    };
    const r = attentionOverlays(enc, obs, { temperature: 0.5 });
    assert.equal(r.layer, 'conv4');
    assert.deepEqual(r.maps.shape, [3, 5, 5]);
    assert.equal(r.overlays.length, 3);
    assert.deepEqual(r.overlays[0].shape, [24, 24, 3]);
    assert.throws(() => attentionOverlays(enc, obs, { layer: 'fc' }), /needs a spatial layer.*conv1, conv2/);
    // Default frame: the last RGB frame of the 6-channel stack; alpha 0 shows it untouched.
    const bare = attentionOverlays(enc, obs, { alpha: 0 });
    assert.deepEqual(bare.overlays[1].data, lastFrame(obs.data, [24, 24, 6], 3, 24 * 24 * 6).data);
    const gray = { data: new Uint8Array(24 * 24).fill(77), shape: [24, 24, 1] as [number, number, number] };
    const onGiven = attentionOverlays(enc, obs, { alpha: 0, frames: [gray, gray, gray] });
    assert.ok(onGiven.overlays[2].data.every((v) => v === 77));
    assert.throws(() => attentionOverlays(enc, obs, { frames: [gray] }), /frames holds 1 frames for 3 observations/);

    const s0 = takeSnapshot(0, { encoder: enc });
    const other = makeEncoder({ kind: 'sac-ae', inputShape: [24, 24, 6], seed: 2, name: 'att_other' });
    const s1 = takeSnapshot(100, { encoder: other });
    other.dispose();
    const fig = attentionOverTime([s0, s1], enc, obs, { layer: 'conv2' });
    assert.deepEqual(fig.updates, [0, 100]);
    const gap = 2;
    assert.deepEqual(fig.grid.shape, [2 * 24 + 3 * gap, 3 * 24 + 4 * gap, 3]);

    const dir = tmpDir('att-');
    const file = path.join(dir, 'fig8a.png');
    saveFramePng(file, fig.grid);
    const png = decodePng(fs.readFileSync(file));
    assert.deepEqual([png.height, png.width, png.channels], fig.grid.shape);
    assert.deepEqual(Buffer.from(png.pixels), Buffer.from(fig.grid.data));
    assert.deepEqual(fs.readdirSync(dir), ['fig8a.png'], 'no temporary file left behind');
    fs.rmSync(dir, { recursive: true });
  } finally {
    enc.dispose();
  }
});
