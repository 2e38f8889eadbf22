/**
 * The noisy layer keeps its formed w = μ + σ ⊙ (ε_in ⊗ ε_out) and b between uses (lib/nets/noisy.ts, issue 21):
 * every use must still see the current μ, σ and ε, and gradients must be the inline composition's, bit for bit.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { makeNoisyLinear, type NoisyLinear } from '../../lib/nets/noisy';
import { Rng } from '../../lib/envs/rng';
import { bitwiseEqual, setup } from '../agents/helpers';

before(setup);

/** The layer's noisy output written inline, as the layer computed it before it kept w and b. */
function inline(l: NoisyLinear, x: tf.Tensor2D, activation: 'linear' | 'relu'): tf.Tensor2D {
  const { epsIn, epsOut } = l.noise();
  const w = tf.add(l.weightMu, tf.mul(l.weightSigma, tf.mul(epsIn, epsOut))) as tf.Tensor2D;
  const b = tf.add(l.biasMu, tf.mul(l.biasSigma, epsOut));
  return tf.fused.matMul({ a: x, b: w, bias: b, activation }) as tf.Tensor2D;
}

function input(seed: number): tf.Tensor2D {
  const r = new Rng(seed);
  return tf.tensor2d(
    Float32Array.from({ length: 6 * 40 }, () => r.normal()),
    [6, 40],
  );
}

test('noisy layer: every use sees the current μ, σ and ε (after noise draws and assignments)', () => {
  const l = makeNoisyLinear({ name: 'noisy_cache_current', inDim: 40, outDim: 24, seed: 2 });
  const rng = new Rng(3);
  const x = input(1);
  const same = (label: string) => {
    const got = tf.tidy(() => l.apply(x, { activation: 'relu' }).dataSync() as Float32Array);
    const want = tf.tidy(() => inline(l, x, 'relu').dataSync() as Float32Array);
    assert.ok(bitwiseEqual(got, want), `${label}: output differs from the inline composition`);
  };
  l.resetNoise(() => rng.normal());
  same('first use');
  same('second use');
  l.resetNoise(() => rng.normal());
  same('after a noise draw');
  tf.tidy(() => l.weightMu.assign(tf.mul(l.weightMu, 1.5)));
  same('after assigning weight_mu');
  tf.tidy(() => l.weightSigma.assign(tf.add(l.weightSigma, 0.25)));
  same('after assigning weight_sigma');
  tf.tidy(() => l.biasMu.assign(tf.add(l.biasMu, 1)));
  tf.tidy(() => l.biasSigma.assign(tf.mul(l.biasSigma, -2)));
  same('after assigning the biases');
  tf.tidy(() => l.noise().epsOut.assign(tf.neg(l.noise().epsOut)));
  same('after assigning eps_out');
  x.dispose();
  l.dispose();
});

test('noisy layer: gradients equal the inline composition bit for bit, also when w was formed before the tape', () => {
  const l = makeNoisyLinear({ name: 'noisy_cache_grads', inDim: 40, outDim: 24, seed: 4 });
  const rng = new Rng(5);
  l.resetNoise(() => rng.normal());
  const x = input(2);
  tf.tidy(() => void l.apply(x)); // forms w and b outside any tape, as an exploring act does
  for (const activation of ['relu', 'linear'] as const) {
    // Unequal weights per output, so every unit's gradient differs.
    const loss = (f: () => tf.Tensor2D) => () => tf.sum(tf.mul(f(), tf.range(1, 25).reshape([1, 24]))) as tf.Scalar;
    const got = tf.variableGrads(
      loss(() => l.apply(x, { activation })),
      l.variables(),
    );
    const want = tf.variableGrads(
      loss(() => inline(l, x, activation)),
      l.variables(),
    );
    const [lg, lw] = [got.value, want.value].map((v) => v.dataSync() as Float32Array);
    assert.ok(bitwiseEqual(lg, lw), `${activation}: loss`);
    for (const v of l.variables()) {
      const g = got.grads[v.name].dataSync() as Float32Array;
      assert.ok(bitwiseEqual(g, want.grads[v.name].dataSync() as Float32Array), `${activation}: gradient of ${v.name}`);
      assert.ok(
        g.some((e) => e !== 0),
        `${activation}: gradient of ${v.name} is zero`,
      );
    }
    tf.dispose([got.value, want.value, ...Object.values(got.grads), ...Object.values(want.grads)]);
  }
  x.dispose();
  l.dispose();
});

test('noisy layer: the kept w and b do not pile up, and dispose frees them', () => {
  const before = tf.memory().numTensors;
  const l = makeNoisyLinear({ name: 'noisy_cache_memory', inDim: 8, outDim: 4, seed: 6 });
  const rng = new Rng(7);
  const x = tf.ones([2, 8]) as tf.Tensor2D;
  l.resetNoise(() => rng.normal());
  tf.tidy(() => void l.apply(x));
  const kept = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) {
    l.resetNoise(() => rng.normal());
    tf.tidy(() => void l.apply(x));
    const g = tf.variableGrads(() => tf.sum(l.apply(x)) as tf.Scalar, l.variables());
    tf.dispose([g.value, ...Object.values(g.grads)]);
  }
  assert.equal(tf.memory().numTensors, kept);
  l.dispose();
  x.dispose();
  assert.equal(tf.memory().numTensors, before);
});
