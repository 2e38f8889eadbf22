/**
 * Conv2D gradients on wasm (our Conv2DBackpropFilter / Conv2DBackpropInput) against a float64 JS
 * reference — itself checked by finite differences — and against the tfjs cpu backend, on seeded random
 * shapes: kernel 3 and 5, stride 1, 2 and 5, 'valid' and 'same', batch 1–64, channels 1–64.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend/select';
import { conv2dBackpropFilter, conv2dBackpropInput, convGradOptions } from '../../lib/backend/kernels/conv2d_grads';
import { maxPoolGrad } from '../../lib/backend/kernels/max_pool_grad';
import { WASM_TRAINING_KERNELS } from '../../lib/backend/kernels';
import { convForward, convGrads, outputShape, randomValues, relError, type RefConv } from './conv_reference';

const TOL = 1e-4;

before(async () => {
  await initBackend('wasm');
});

function gradsOn(backend: 'wasm' | 'cpu', p: RefConv, x: Float32Array, w: Float32Array, r: Float32Array) {
  if (!tf.setBackend(backend)) throw new Error(`backend ${backend} unavailable`);
  return tf.tidy(() => {
    const xt = tf.tensor4d(x, [p.n, p.h, p.w, p.c]);
    const wt = tf.tensor4d(w, [p.k, p.k, p.c, p.co]);
    const rt = tf.tensor4d(r, outputShape(p));
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, p.stride, p.pad), rt)),
    )([xt, wt]);
    return { dx: dx.dataSync() as Float32Array, dw: dw.dataSync() as Float32Array };
  });
}

function data(p: RefConv, seed: number) {
  const [, oh, ow, co] = outputShape(p);
  return {
    x: randomValues(p.n * p.h * p.w * p.c, seed),
    w: randomValues(p.k * p.k * p.c * p.co, seed + 1),
    r: randomValues(p.n * oh * ow * co, seed + 2),
  };
}

/** Seeded cases: every (kernel, stride, pad) with small random sizes, plus the batch/channel extremes. */
function cases(): RefConv[] {
  const rand = randomValues(1000, 12345).map((v) => (v + 1) / 2);
  let i = 0;
  const pick = (lo: number, hi: number) => lo + Math.floor(rand[i++] * (hi - lo + 1));
  const out: RefConv[] = [];
  for (const k of [3, 5])
    for (const stride of [1, 2, 5])
      for (const pad of ['valid', 'same'] as const) {
        out.push({
          n: pick(1, 4),
          h: pick(k, k + 9),
          w: pick(k, k + 9),
          c: pick(1, 8),
          k,
          co: pick(1, 8),
          stride,
          pad,
        });
      }
  out.push({ n: 64, h: 7, w: 6, c: 2, k: 3, co: 3, stride: 1, pad: 'valid' });
  out.push({ n: 64, h: 11, w: 10, c: 3, k: 5, co: 2, stride: 5, pad: 'same' });
  out.push({ n: 1, h: 6, w: 7, c: 64, k: 3, co: 64, stride: 2, pad: 'same' });
  out.push({ n: 2, h: 6, w: 5, c: 64, k: 5, co: 17, stride: 1, pad: 'same' });
  out.push({ n: 3, h: 9, w: 9, c: 1, k: 5, co: 64, stride: 2, pad: 'valid' });
  return out;
}

test('our kernels are the ones registered on wasm', () => {
  for (const name of WASM_TRAINING_KERNELS) assert.ok(tf.getKernel(name, 'wasm'), `${name} missing`);
  assert.equal(tf.getKernel('Conv2DBackpropFilter', 'wasm')!.kernelFunc, conv2dBackpropFilter);
  assert.equal(tf.getKernel('Conv2DBackpropInput', 'wasm')!.kernelFunc, conv2dBackpropInput);
  assert.equal(tf.getKernel('MaxPoolGrad', 'wasm')!.kernelFunc, maxPoolGrad);
});

test('float64 reference gradients agree with central finite differences', () => {
  const p: RefConv = { n: 2, h: 7, w: 6, c: 3, k: 3, co: 2, stride: 2, pad: 'same' };
  const { x, w, r } = data(p, 7);
  const xs = Float64Array.from(x);
  const ws = Float64Array.from(w);
  const loss = () => convForward(p, xs, ws).reduce((s, v, j) => s + v * r[j], 0);
  const { dx, dw } = convGrads(p, xs, ws, r);
  const eps = 1e-3;
  for (const [arr, grad] of [
    [xs, dx],
    [ws, dw],
  ] as const) {
    for (let t = 0; t < 6; t++) {
      const j = Math.floor(((t + 0.5) / 6) * arr.length);
      const keep = arr[j];
      arr[j] = keep + eps;
      const up = loss();
      arr[j] = keep - eps;
      const down = loss();
      arr[j] = keep;
      const fd = (up - down) / (2 * eps);
      assert.ok(Math.abs(fd - grad[j]) <= 1e-8 * Math.max(1, Math.abs(fd)), `fd ${fd} vs analytic ${grad[j]} at ${j}`);
    }
  }
});

for (const [idx, p] of cases().entries()) {
  const label = `n${p.n} ${p.h}x${p.w}x${p.c} k${p.k} s${p.stride} ${p.pad} → ${p.co}`;
  test(`conv grads wasm vs float64 and cpu: ${label}`, () => {
    const { x, w, r } = data(p, 100 + 10 * idx);
    const ref = convGrads(p, x, w, r);
    const wasm = gradsOn('wasm', p, x, w, r);
    assert.ok(relError(wasm.dx, ref.dx) < TOL, `dx vs float64: ${relError(wasm.dx, ref.dx)}`);
    assert.ok(relError(wasm.dw, ref.dw) < TOL, `dw vs float64: ${relError(wasm.dw, ref.dw)}`);
    const cpu = gradsOn('cpu', p, x, w, r);
    assert.ok(relError(wasm.dx, cpu.dx) < TOL, `dx vs cpu: ${relError(wasm.dx, cpu.dx)}`);
    assert.ok(relError(wasm.dw, cpu.dw) < TOL, `dw vs cpu: ${relError(wasm.dw, cpu.dw)}`);
  });
}

test('strided input gradient is the same when built in many chunks', () => {
  const p: RefConv = { n: 5, h: 10, w: 10, c: 3, k: 5, co: 4, stride: 2, pad: 'same' };
  const { x, w, r } = data(p, 999);
  const whole = gradsOn('wasm', p, x, w, r);
  const saved = convGradOptions.chunkFloats;
  convGradOptions.chunkFloats = 1; // one sample per chunk
  try {
    const chunked = gradsOn('wasm', p, x, w, r);
    assert.ok(relError(chunked.dx, whole.dx) < 1e-6);
    assert.ok(relError(chunked.dx, convGrads(p, x, w, r).dx) < TOL);
  } finally {
    convGradOptions.chunkFloats = saved;
  }
});

test('filter gradient is the same when the batch is split into uneven chunks', () => {
  const p: RefConv = { n: 7, h: 9, w: 8, c: 3, k: 3, co: 5, stride: 1, pad: 'same' };
  const q: RefConv = { ...p, k: 5, stride: 2, pad: 'valid' };
  const saved = convGradOptions.filterChunkSamples;
  try {
    for (const conv of [p, q]) {
      const { x, w, r } = data(conv, 4242);
      convGradOptions.filterChunkSamples = 3; // chunks of 3, 3, 1
      const chunked = gradsOn('wasm', conv, x, w, r);
      convGradOptions.filterChunkSamples = 64;
      const whole = gradsOn('wasm', conv, x, w, r);
      assert.ok(relError(chunked.dw, whole.dw) < 1e-6);
      assert.ok(relError(chunked.dw, convGrads(conv, x, w, r).dw) < TOL);
    }
  } finally {
    convGradOptions.filterChunkSamples = saved;
  }
});

test('gradient kernels leave no tensors behind', () => {
  tf.setBackend('wasm');
  const p: RefConv = { n: 2, h: 9, w: 9, c: 3, k: 3, co: 4, stride: 2, pad: 'valid' };
  const { x, w, r } = data(p, 5);
  gradsOn('wasm', p, x, w, r);
  const before = tf.memory().numTensors;
  const bytes = tf.memory().numBytes;
  gradsOn('wasm', p, x, w, r);
  assert.equal(tf.memory().numTensors, before);
  assert.equal(tf.memory().numBytes, bytes);
});

test('bad data format is rejected with a clear error', () => {
  tf.setBackend('wasm');
  const dy = tf.ones([1, 3, 3, 2]);
  const filter = tf.ones([3, 3, 2, 2]);
  assert.throws(
    () =>
      tf
        .engine()
        .runKernel(
          'Conv2DBackpropInput',
          { dy, filter },
          { strides: 1, pad: 'valid', dataFormat: 'NCHW', inputShape: [1, 5, 5, 2] },
        ),
    /NHWC/,
  );
  tf.dispose([dy, filter]);
});
