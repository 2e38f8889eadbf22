/**
 * The native backend's fused noisy-layer kernels (lib/backend/kernels/noisy.ts) against the tfjs op composition they
 * replace: formed w and b, the layer's output and every gradient, bit for bit, and one dispatch per formation.
 * Skips, saying why, when the native addon is not built.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { hasNoisyKernels, NOISY_PARAMS, NOISY_SIGMA_GRAD } from '../../lib/backend/kernels/noisy';
import { loadNativeAddon } from '../../lib/backend/native';
import { initBackend } from '../../lib/backend/select';
import { Rng } from '../../lib/envs/rng';
import { makeNoisyLinear, type NoisyLinear } from '../../lib/nets/noisy';
import { bitwiseEqual } from '../agents/helpers';

let skip: string | false = false;
try {
  loadNativeAddon();
} catch (err) {
  skip = `native addon not built: ${(err as Error).message}`;
  console.log(`# skipping fused noisy-layer tests: ${skip}`);
}

before(async () => {
  process.env.SEER_QUIET = '1';
  if (!skip) await initBackend('native');
});

/** The layer's noisy output as the op composition, with the fused kernels out of the way. */
function composition(l: NoisyLinear, x: tf.Tensor2D): tf.Tensor2D {
  const { epsIn, epsOut } = l.noise();
  const w = tf.add(l.weightMu, tf.mul(l.weightSigma, tf.mul(epsIn, epsOut))) as tf.Tensor2D;
  const b = tf.add(l.biasMu, tf.mul(l.biasSigma, epsOut));
  return tf.fused.matMul({ a: x, b: w, bias: b, activation: 'relu' }) as tf.Tensor2D;
}

/** A layer whose σ differ per element (a constant σ would hide a wrong index) and fresh noise. */
function layer(name: string, inDim: number, outDim: number, seed: number): NoisyLinear {
  const l = makeNoisyLinear({ name, inDim, outDim, seed });
  const r = new Rng(seed + 1);
  tf.tidy(() =>
    l.weightSigma.assign(
      tf.tensor2d(
        Float32Array.from({ length: inDim * outDim }, () => r.normal()),
        [inDim, outDim],
      ),
    ),
  );
  tf.tidy(() => l.biasSigma.assign(tf.tensor1d(Float32Array.from({ length: outDim }, () => r.normal()))));
  l.resetNoise(() => r.normal());
  return l;
}

test('native noisy kernels: w and b equal μ + σ ⊙ (ε_in ⊗ ε_out) formed by ops, bit for bit', { skip }, () => {
  assert.ok(hasNoisyKernels(), 'the native backend registers the fused noisy kernels');
  // 576×256 is Rainbow's hidden layer (multi-threaded pass); 7×5 stays on one thread.
  for (const [inDim, outDim] of [
    [576, 256],
    [7, 5],
  ]) {
    const l = layer(`noisy_fused_${inDim}`, inDim, outDim, inDim);
    const { epsIn, epsOut } = l.noise();
    const inputs = { wMu: l.weightMu, wSigma: l.weightSigma, bMu: l.biasMu, bSigma: l.biasSigma, epsIn, epsOut };
    const [w, b] = tf.engine().runKernel(NOISY_PARAMS, inputs) as tf.Tensor[];
    const wOps = tf.add(l.weightMu, tf.mul(l.weightSigma, tf.mul(epsIn, epsOut)));
    const bOps = tf.add(l.biasMu, tf.mul(l.biasSigma, epsOut));
    assert.ok(bitwiseEqual(w.dataSync() as Float32Array, wOps.dataSync() as Float32Array), `w ${inDim}×${outDim}`);
    assert.ok(bitwiseEqual(b.dataSync() as Float32Array, bOps.dataSync() as Float32Array), `b ${inDim}×${outDim}`);
    const dy = tf.randomNormal([inDim, outDim], 0, 1, 'float32', 3);
    const g = tf.engine().runKernel(NOISY_SIGMA_GRAD, { dy, epsIn, epsOut }) as tf.Tensor;
    const gOps = tf.mul(dy, tf.mul(epsIn, epsOut));
    assert.ok(bitwiseEqual(g.dataSync() as Float32Array, gOps.dataSync() as Float32Array), `dσ ${inDim}×${outDim}`);
    tf.dispose([w, b, wOps, bOps, dy, g, gOps]);
    l.dispose();
  }
});

test(
  'native noisy kernels: a layer forms w in one dispatch; output and gradients equal the composition',
  { skip },
  async () => {
    const l = layer('noisy_fused_layer', 40, 24, 9);
    const r = new Rng(2);
    const x = tf.tensor2d(
      Float32Array.from({ length: 6 * 40 }, () => r.normal()),
      [6, 40],
    );
    const formed = await tf.profile(() => tf.tidy(() => void l.apply(x)));
    const names = formed.kernels.map((k) => k.name);
    assert.equal(names.filter((n) => n === NOISY_PARAMS).length, 1, `one fused formation, got ${names}`);
    assert.ok(!names.includes('Multiply') && !names.includes('Add'), `no element-wise ops, got ${names}`);
    const weights = tf.range(1, 25).reshape([1, 24]);
    const loss = (f: () => tf.Tensor2D) => () => tf.sum(tf.mul(f(), weights)) as tf.Scalar;
    const got = tf.variableGrads(
      loss(() => l.apply(x, { activation: 'relu' })),
      l.variables(),
    );
    const want = tf.variableGrads(
      loss(() => composition(l, x)),
      l.variables(),
    );
    assert.ok(bitwiseEqual(got.value.dataSync() as Float32Array, want.value.dataSync() as Float32Array), 'loss');
    for (const v of l.variables()) {
      const gv = got.grads[v.name].dataSync() as Float32Array;
      assert.ok(bitwiseEqual(gv, want.grads[v.name].dataSync() as Float32Array), `gradient of ${v.name}`);
      assert.ok(
        gv.some((e) => e !== 0),
        `gradient of ${v.name} is zero`,
      );
    }
    const grad = await tf.profile(() => {
      const g = tf.variableGrads(
        loss(() => l.apply(x, { activation: 'relu' })),
        l.variables(),
      );
      tf.dispose([g.value, ...Object.values(g.grads)]);
    });
    assert.ok(
      grad.kernels.some((k) => k.name === NOISY_SIGMA_GRAD),
      'dσ through the fused kernel',
    );
    tf.dispose([x, weights, got.value, want.value, ...Object.values(got.grads), ...Object.values(want.grads)]);
    l.dispose();
  },
);

test('native noisy kernels: drawing new noise between a forward pass and its gradient is refused', { skip }, () => {
  const l = layer('noisy_fused_redraw', 8, 4, 5);
  const x = tf.ones([2, 8]) as tf.Tensor2D;
  const r = new Rng(6);
  assert.throws(
    () =>
      tf.variableGrads(() => {
        const y = tf.sum(l.apply(x)) as tf.Scalar;
        l.resetNoise(() => r.normal());
        return y;
      }, l.variables()),
    /new noise was drawn between a forward pass and its gradient/,
  );
  x.dispose();
  l.dispose();
});

test(
  'native: off the tape a layer is one fused matmul on its 2-D operands, equal to tf.fused.matMul',
  { skip },
  async () => {
    const l = layer('noisy_fused_direct', 40, 24, 12);
    const r = new Rng(3);
    const x = tf.tensor2d(
      Float32Array.from({ length: 6 * 40 }, () => r.normal()),
      [6, 40],
    );
    for (const noisy of [true, false]) {
      const prof = await tf.profile(() => tf.tidy(() => void l.apply(x, { noisy, activation: 'relu' })));
      const names = prof.kernels.map((k) => k.name);
      assert.ok(!names.includes('Reshape'), `noisy=${noisy}: no reshapes, got ${names}`);
      const got = tf.tidy(() => l.apply(x, { noisy, activation: 'relu' }).dataSync() as Float32Array);
      const want = tf.tidy(() => {
        const w = noisy
          ? composition(l, x)
          : tf.fused.matMul({ a: x, b: l.weightMu as unknown as tf.Tensor2D, bias: l.biasMu, activation: 'relu' });
        return w.dataSync() as Float32Array;
      });
      assert.ok(bitwiseEqual(got, want), `noisy=${noisy}: output`);
      assert.ok(
        got.some((v) => v > 0),
        `noisy=${noisy}: output is not all zero`,
      );
    }
    x.dispose();
    l.dispose();
  },
);
