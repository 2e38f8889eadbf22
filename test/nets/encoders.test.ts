import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend/select';
import { composeEncoder, makeConvTrunk, makeEncoder, makeFcHead, type Encoder } from '../../lib/nets/encoders';

before(async () => {
  await initBackend();
});

function withEncoder<T>(e: Encoder, f: (e: Encoder) => T): T {
  try {
    return f(e);
  } finally {
    e.dispose();
  }
}

const pixels = (shape: number[], seed: number) =>
  tf.randomUniform(shape as [number, number, number, number], 0, 255, 'float32', seed) as tf.Tensor4D;

test('output sizes at every input size and channel count', () => {
  // [kind, H, C, expected outputDim]; sac-ae outputs its fc feature (50), the others flattened convs.
  const cases: ['sac-ae' | 'rainbow' | 'impala', number, number, number][] = [
    ['sac-ae', 84, 9, 50],
    ['sac-ae', 100, 9, 50],
    ['sac-ae', 42, 3, 50],
    ['rainbow', 84, 4, 3 * 3 * 64],
    ['rainbow', 100, 1, 4 * 4 * 64],
    ['rainbow', 64, 4, 2 * 2 * 64],
    ['rainbow', 50, 2, 2 * 2 * 64],
    ['rainbow', 42, 4, 1 * 1 * 64],
    ['impala', 84, 4, 11 * 11 * 32],
    ['impala', 64, 9, 8 * 8 * 32],
    ['impala', 50, 3, 7 * 7 * 32],
    ['impala', 42, 1, 6 * 6 * 32],
  ];
  for (const [kind, h, c, dim] of cases) {
    withEncoder(makeEncoder({ kind, inputShape: [h, h, c] }), (e) => {
      assert.equal(e.outputDim, dim, `${kind} ${h}×${h}×${c}`);
      const y = e.apply(pixels([2, h, h, c], 1));
      assert.deepEqual(y.shape, [2, dim]);
      y.dispose();
    });
  }
  withEncoder(makeEncoder({ kind: 'sac-ae', inputShape: [100, 100, 9] }), (e) =>
    assert.equal(e.trunk.outputDim, 43 * 43 * 32),
  );
  withEncoder(makeEncoder({ kind: 'sac-ae', inputShape: [84, 84, 9] }), (e) => assert.equal(e.trunk.outputDim, 39200));
});

test('stable layer and variable names', () => {
  withEncoder(makeEncoder({ kind: 'sac-ae', inputShape: [84, 84, 9], name: 'critic' }), (e) => {
    assert.deepEqual(
      e.layers.map((l) => l.name),
      ['conv1', 'conv2', 'conv3', 'conv4', 'fc', 'ln'],
    );
    assert.deepEqual(
      e.variables().map((v) => v.name),
      ['conv1', 'conv2', 'conv3', 'conv4']
        .flatMap((l) => [`critic/${l}/kernel`, `critic/${l}/bias`])
        .concat(['critic/fc/kernel', 'critic/fc/bias', 'critic/ln/gamma', 'critic/ln/beta']),
    );
  });
  withEncoder(makeEncoder({ kind: 'sac-ae', inputShape: [84, 84, 9], tanh: true, name: 'agent/enc' }), (e) => {
    assert.equal(e.layers[e.layers.length - 1].name, 'tanh');
    assert.equal(e.variables()[0].name, 'agent/enc/conv1/kernel');
  });
  withEncoder(makeEncoder({ kind: 'rainbow', inputShape: [84, 84, 4], name: 'q' }), (e) =>
    assert.deepEqual(
      e.layers.map((l) => l.name),
      ['conv1', 'conv2'],
    ),
  );
  withEncoder(makeEncoder({ kind: 'impala', inputShape: [84, 84, 4], name: 'imp' }), (e) => {
    const convs = e.layers.filter((l) => l.kind === 'conv2d').map((l) => l.name);
    assert.equal(convs.length, 15);
    assert.deepEqual(convs.slice(0, 5), [
      'stack1/conv',
      'stack1/res1/conv1',
      'stack1/res1/conv2',
      'stack1/res2/conv1',
      'stack1/res2/conv2',
    ]);
    assert.ok(e.layers.some((l) => l.name === 'stack3/pool' && l.kind === 'maxpool'));
    assert.ok(e.layers.some((l) => l.name === 'stack2/res1' && l.kind === 'residual'));
    assert.equal(e.variables()[0].name, 'imp/stack1/conv/kernel');
  });
});

test('per-sample forward FLOPs match hand counts (seer-reference §5)', () => {
  withEncoder(makeEncoder({ kind: 'sac-ae', inputShape: [84, 84, 9] }), (e) => {
    const convMacs = 41 * 41 * 32 * 81 + 39 * 39 * 32 * 288 + 37 * 37 * 32 * 288 + 35 * 35 * 32 * 288;
    assert.equal(convMacs, 42_280_992); // 42.28M MACs
    const byName = Object.fromEntries(e.layers.map((l) => [l.name, l.forwardFlops]));
    assert.equal(byName.conv1 + byName.conv2 + byName.conv3 + byName.conv4, 2 * convMacs);
    assert.equal(byName.fc, 2 * 39200 * 50);
    assert.equal(e.forwardFlops(1), 2 * (convMacs + 1_960_000));
    assert.equal(e.forwardFlops(32), 32 * e.forwardFlops(1));
    assert.equal(e.trainingFlops(128), 3 * e.forwardFlops(128));
    assert.equal(e.trainingFlops(1, { firstLayerBackward: 'weights-only' }), 3 * e.forwardFlops(1) - byName.conv1);
  });
  withEncoder(makeEncoder({ kind: 'rainbow', inputShape: [84, 84, 4] }), (e) => {
    assert.equal(e.forwardFlops(1), 2 * (16 * 16 * 32 * 100 + 3 * 3 * 64 * 800));
    assert.equal(e.forwardFlops(1) / 2, 1_280_000);
  });
  withEncoder(makeEncoder({ kind: 'impala', inputShape: [84, 84, 4] }), (e) => {
    const s1 = 84 * 84 * 16 * 9 * 4 + 4 * (42 * 42 * 16 * 9 * 16);
    const s2 = 42 * 42 * 32 * 9 * 16 + 4 * (21 * 21 * 32 * 9 * 32);
    const s3 = 21 * 21 * 32 * 9 * 32 + 4 * (11 * 11 * 32 * 9 * 32);
    assert.equal(e.forwardFlops(1), 2 * (s1 + s2 + s3));
    assert.ok(Math.abs((s1 + s2 + s3) / 1e6 - 53.2) < 0.05); // ≈53.2M MACs
    assert.ok(e.forwardFlops(1, { elementwise: true }) > e.forwardFlops(1));
  });
});

test('CURL init: delta-orthogonal convs with ReLU gain, orthogonal fc, zero biases, LN identity', () => {
  withEncoder(makeEncoder({ kind: 'sac-ae', inputShape: [84, 84, 9], seed: 7 }), (e) => {
    const [k1, b1] = e.layers[0].variables;
    const w = k1.dataSync(); // [3, 3, 9, 32]
    for (let t = 0; t < 9; t++) {
      const block = w.subarray(t * 288, (t + 1) * 288);
      if (t === 4) continue;
      assert.ok(
        block.every((v) => v === 0),
        `tap ${t} should be zero`,
      );
    }
    const centre = w.subarray(4 * 288, 5 * 288); // [ci=9][co=32]
    for (let i = 0; i < 9; i++)
      for (let j = 0; j < 9; j++) {
        let dot = 0;
        for (let o = 0; o < 32; o++) dot += centre[i * 32 + o] * centre[j * 32 + o];
        assert.ok(Math.abs(dot - (i === j ? 2 : 0)) < 1e-5, `centreᵀ·centre[${i},${j}] = ${dot}`);
      }
    assert.ok(b1.dataSync().every((v) => v === 0));
    const fc = e.layers.find((l) => l.name === 'fc')!.variables[0].dataSync(); // [39200, 50]
    for (const [i, j] of [
      [0, 0],
      [0, 1],
      [17, 17],
      [3, 49],
    ]) {
      let dot = 0;
      for (let r = 0; r < 39200; r++) dot += fc[r * 50 + i] * fc[r * 50 + j];
      assert.ok(Math.abs(dot - (i === j ? 1 : 0)) < 1e-4, `fc column dot [${i},${j}] = ${dot}`);
    }
    const [gamma, beta] = e.layers.find((l) => l.name === 'ln')!.variables;
    assert.ok(gamma.dataSync().every((v) => v === 1) && beta.dataSync().every((v) => v === 0));
  });
  withEncoder(makeEncoder({ kind: 'rainbow', inputShape: [84, 84, 4], seed: 7 }), (e) => {
    const w = e.layers[0].variables[0].dataSync();
    const bound = 1 / Math.sqrt(5 * 5 * 4);
    assert.ok(w.every((v) => Math.abs(v) <= bound));
    assert.ok(Math.max(...w) > 0.9 * bound); // uniform over the whole range
  });
});

test('seeded: same seed same weights, different seed different weights', () => {
  const values = (seed: number) =>
    withEncoder(makeEncoder({ kind: 'impala', inputShape: [16, 16, 3], seed }), (e) =>
      e.variables().map((v) => Array.from(v.dataSync())),
    );
  assert.deepEqual(values(3), values(3));
  assert.notDeepEqual(values(3), values(4));
});

test('apply scales pixels by 1/255; taps give post-ReLU conv outputs and the pre-LN fc feature', () => {
  withEncoder(makeEncoder({ kind: 'sac-ae', inputShape: [20, 20, 3], seed: 2 }), (e) => {
    const x = pixels([2, 20, 20, 3], 5);
    const { output, taps } = e.applyWithTaps(x, ['conv1', 'fc']);
    const [k, b] = e.layers[0].variables;
    const manual = tf.tidy(() =>
      tf.relu(tf.add(tf.conv2d(tf.div(x, 255) as tf.Tensor4D, k as unknown as tf.Tensor4D, 2, 'valid'), b)),
    );
    assert.deepEqual(taps.conv1.shape, [2, 9, 9, 32]);
    assert.ok(tf.tidy(() => tf.max(tf.abs(tf.sub(manual, taps.conv1))).dataSync()[0]) < 1e-5);
    // Starting the head from the stored fc feature reproduces the output (SEER's latent path).
    const fromFc = e.head!.apply(taps.fc as tf.Tensor2D, { from: 'fc' });
    assert.ok(tf.tidy(() => tf.max(tf.abs(tf.sub(fromFc, output))).dataSync()[0]) < 1e-6);
    const same = e.apply(x);
    assert.ok(tf.tidy(() => tf.max(tf.abs(tf.sub(same, output))).dataSync()[0]) === 0);
    tf.dispose([x, output, manual, fromFc, same, ...Object.values(taps)]);
  });
  withEncoder(makeEncoder({ kind: 'impala', inputShape: [16, 16, 2] }), (e) => {
    const x = pixels([1, 16, 16, 2], 6);
    const { output, taps } = e.applyWithTaps(x, ['stack1/pool', 'stack2/res2/conv1', 'relu']);
    assert.deepEqual(taps['stack1/pool'].shape, [1, 8, 8, 16]);
    assert.deepEqual(taps['stack2/res2/conv1'].shape, [1, 4, 4, 32]);
    assert.deepEqual(output.shape, [1, 2 * 2 * 32]);
    tf.dispose([x, output, ...Object.values(taps)]);
  });
});

test('CURL sharing: one trunk, two heads; disposing the actor keeps the shared trunk', () => {
  const before = tf.memory().numTensors;
  const trunk = makeConvTrunk({ kind: 'sac-ae', inputShape: [84, 84, 9], name: 'shared', seed: 1 });
  const critic = composeEncoder(trunk, makeFcHead({ inputDim: trunk.outputDim, name: 'critic', seed: 2 }));
  const actor = composeEncoder(trunk, makeFcHead({ inputDim: trunk.outputDim, name: 'actor', seed: 3 }), {
    ownsTrunk: false,
  });
  assert.equal(critic.variables()[0], actor.variables()[0]);
  assert.equal(actor.variables().length, 12);
  assert.equal(actor.variables()[8].name, 'actor/fc/kernel');
  actor.dispose();
  assert.ok(!trunk.variables()[0].isDisposed);
  const x = pixels([1, 84, 84, 9], 2);
  const y = critic.apply(x);
  assert.deepEqual(y.shape, [1, 50]);
  tf.dispose([x, y]);
  critic.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('bad configurations and inputs fail with clear errors', () => {
  assert.throws(
    () => makeEncoder({ kind: 'resnet' as 'impala', inputShape: [84, 84, 4] }),
    /Accepted values: sac-ae, rainbow, impala/,
  );
  assert.throws(
    () => makeEncoder({ kind: 'rainbow', inputShape: [84, 84] as unknown as [number, number, number] }),
    /\[H, W, C\]/,
  );
  assert.throws(() => makeEncoder({ kind: 'rainbow', inputShape: [84, 84, 4], featureDim: 50 }), /'sac-ae' only/);
  assert.throws(() => makeEncoder({ kind: 'rainbow', inputShape: [20, 20, 4] }), /too small/);
  withEncoder(makeEncoder({ kind: 'rainbow', inputShape: [84, 84, 4] }), (e) => {
    const wrong = tf.zeros([1, 84, 84, 3]) as tf.Tensor4D;
    const right = tf.zeros([1, 84, 84, 4]) as tf.Tensor4D;
    assert.throws(() => e.apply(wrong), /expects input \[N, 84, 84, 4\]/);
    assert.throws(() => e.applyWithTaps(right, ['conv9']), /unknown layer\(s\) conv9.*conv1, conv2/);
    tf.dispose([wrong, right]);
  });
});
