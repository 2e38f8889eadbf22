import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { makeNoisyLinear, scaleNoise } from '../../lib/nets/noisy';
import { Rng } from '../../lib/envs/rng';
import { setup } from './helpers';

before(setup);

test('scaleNoise is sign(x)·sqrt(|x|)', () => {
  assert.equal(scaleNoise(4), 2);
  assert.equal(scaleNoise(-0.25), -0.5);
  assert.equal(scaleNoise(0), 0);
});

test('noisy linear init: μ within ±1/√in, σ = σ0/√in (weights) and σ0/√out (biases)', async () => {
  const l = makeNoisyLinear({ name: 'noisy_init', inDim: 64, outDim: 16, sigma0: 0.1, seed: 3 });
  const mu = await l.weightMu.data();
  const bound = 1 / Math.sqrt(64);
  assert.ok(mu.every((v) => Math.abs(v) <= bound));
  assert.ok(Math.max(...mu) > 0.9 * bound && Math.min(...mu) < -0.9 * bound, 'μ should fill the init range');
  const ws = await l.weightSigma.data();
  assert.ok(ws.every((v) => Math.abs(v - 0.1 / 8) < 1e-7));
  const bs = await l.biasSigma.data();
  assert.ok(bs.every((v) => Math.abs(v - 0.1 / 4) < 1e-7));
  l.dispose();
});

test('factorised noise statistics: E[ε] ≈ 0, E[ε²] = E|x| = √(2/π); weight noise is the outer product', async () => {
  const l = makeNoisyLinear({ name: 'noisy_stats', inDim: 200, outDim: 100, seed: 4 });
  const rng = new Rng(5);
  let sum = 0;
  let sq = 0;
  let n = 0;
  for (let r = 0; r < 50; r++) {
    l.resetNoise(() => rng.normal());
    const e = await l.noise().epsIn.data();
    for (const v of e) {
      sum += v;
      sq += v * v;
      n++;
    }
  }
  assert.ok(Math.abs(sum / n) < 0.03, `mean ${sum / n}`);
  assert.ok(Math.abs(sq / n - Math.sqrt(2 / Math.PI)) < 0.02, `second moment ${sq / n}`);
  // Noisy output − mean output = x·(σ_w ⊙ ε_in ε_outᵀ) + σ_b ε_out, checked on a one-hot input.
  const x = tf.oneHot(tf.tensor1d([7], 'int32'), 200).toFloat() as tf.Tensor2D;
  const diff = tf.sub(l.apply(x, { noisy: true }), l.apply(x, { noisy: false }));
  const d = await diff.data();
  const ein = (await l.noise().epsIn.data())[7];
  const eout = await l.noise().epsOut.data();
  const sw = 0.1 / Math.sqrt(200);
  const sb = 0.1 / Math.sqrt(100);
  for (let o = 0; o < 100; o++) assert.ok(Math.abs(d[o] - (sw * ein * eout[o] + sb * eout[o])) < 1e-5);
  tf.dispose([x, diff]);
  l.dispose();
});

test('gradients reach μ and σ; eval mode ignores σ', () => {
  const l = makeNoisyLinear({ name: 'noisy_grad', inDim: 5, outDim: 3, seed: 6 });
  const rng = new Rng(1);
  l.resetNoise(() => rng.normal());
  const x = tf.ones([2, 5]) as tf.Tensor2D;
  const g = tf.variableGrads(() => tf.sum(l.apply(x)) as tf.Scalar, l.variables());
  for (const v of l.variables()) assert.ok(Math.abs(tf.sum(tf.abs(g.grads[v.name])).dataSync()[0]) > 0, v.name);
  const ge = tf.variableGrads(() => tf.sum(l.apply(x, { noisy: false })) as tf.Scalar, l.variables());
  assert.equal(ge.grads[l.weightSigma.name], undefined);
  tf.dispose([x, g.value, ge.value, ...Object.values(g.grads), ...Object.values(ge.grads)]);
  l.dispose();
});
