/**
 * Max pooling and its gradient against a float64 reference, on plain wasm (the stock 4.22 gradient misroutes
 * 'same' padding on shapes like 84×84 and 13×13; lib/backend/kernels/max_pool_grad.ts must not) and on native
 * (the addon's MaxPool/MaxPoolGrad, which must also agree bit for bit with the JS kernel). The native cases skip,
 * saying why, when the addon is not built.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend/select';
import { loadNativeAddon, registerNativeKernels, useNativeKernels } from '../../lib/backend/native';
import { maxPoolGrad } from '../../lib/backend/kernels/max_pool_grad';
import { outSize, padBefore, randomValues, relError } from './conv_reference';

type Pad = 'valid' | 'same';
type Shape4 = [number, number, number, number];
type Case = [shape: Shape4, k: number, stride: number, pad: Pad];

let nativeSkip: string | false = false;

before(async () => {
  await initBackend('wasm');
  try {
    await registerNativeKernels();
    useNativeKernels(false);
  } catch (err) {
    nativeSkip = (err as Error).message;
    console.log(`# skipping the native cases: ${nativeSkip}`);
  }
});

/** Plain wasm (our JS MaxPoolGrad, stock MaxPool) or native (the addon's kernels on wasm). */
function use(native: boolean): void {
  if (!nativeSkip) useNativeKernels(native);
  tf.setBackend('wasm');
  const jsGrad = tf.getKernel('MaxPoolGrad', 'wasm')!.kernelFunc === (maxPoolGrad as unknown as tf.KernelFunc);
  assert.equal(jsGrad, !native, `MaxPoolGrad on wasm should be the ${native ? 'addon' : 'JS'} kernel`);
}

/**
 * Max pooling of x and the gradient of Σ maxpool(x)·r: each output's r goes to the first maximum of its
 * window in row-major order (padding never wins).
 */
function reference(x: Float32Array, s: number[], k: number, stride: number, pad: Pad, r: Float32Array) {
  const [n, h, w, c] = s;
  const oh = outSize(h, k, stride, pad);
  const ow = outSize(w, k, stride, pad);
  const pt = padBefore(h, k, stride, pad);
  const pl = padBefore(w, k, stride, pad);
  const y = new Float64Array(n * oh * ow * c);
  const dx = new Float64Array(x.length);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let ch = 0; ch < c; ch++) {
          let best = -Infinity;
          let at = -1;
          for (let ky = 0; ky < k; ky++)
            for (let kx = 0; kx < k; kx++) {
              const iy = oy * stride + ky - pt;
              const ix = ox * stride + kx - pl;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              const i = ((b * h + iy) * w + ix) * c + ch;
              if (x[i] > best) {
                best = x[i];
                at = i;
              }
            }
          const o = ((b * oh + oy) * ow + ox) * c + ch;
          y[o] = best;
          if (r.length) dx[at] += r[o];
        }
  return { y, dx, outShape: [n, oh, ow, c] };
}

/** Inputs for a case; `ties` rounds x to 5 levels so most windows hold several equal maxima. */
function inputs([shape, k, stride, pad]: Case, seed: number, ties: boolean) {
  const x = randomValues(
    shape.reduce((a, b) => a * b),
    seed,
  );
  if (ties) for (let i = 0; i < x.length; i++) x[i] = Math.round(x[i] * 2) + 0; // + 0: no -0
  const outShape = [shape[0], outSize(shape[1], k, stride, pad), outSize(shape[2], k, stride, pad), shape[3]];
  const r = randomValues(
    outShape.reduce((a, b) => a * b),
    seed + 1,
  );
  return { x, r, outShape };
}

/** Forward output and input gradient of Σ maxpool(x)·r on the active backend. */
function run([shape, k, stride, pad]: Case, x: Float32Array, r: Float32Array, outShape: number[]) {
  return tf.tidy(() => {
    const xt = tf.tensor(x, shape) as tf.Tensor4D;
    const y = tf.maxPool(xt, k, stride, pad).dataSync() as Float32Array;
    const loss = (t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, k, stride, pad), tf.tensor(r, outShape)));
    return { y, dx: tf.grad(loss)(xt).dataSync() as Float32Array };
  });
}

function checkCase(c: Case, seed: number, ties: boolean, native: boolean): Float32Array {
  use(native);
  const { x, r, outShape } = inputs(c, seed, ties);
  const want = reference(x, c[0], c[1], c[2], c[3], r);
  const got = run(c, x, r, outShape);
  assert.ok(
    got.y.every((v, i) => v === want.y[i]),
    'forward max differs',
  );
  const e = relError(got.dx, want.dx);
  assert.ok(e < 1e-6, `relative gradient error ${e}`);
  return got.dx;
}

const label = ([shape, k, stride, pad]: Case) => `${k}/${stride} ${pad} on ${shape.join('×')}`;

const cases: Case[] = [
  [[2, 84, 84, 2], 3, 2, 'same'],
  [[2, 13, 13, 3], 3, 2, 'same'],
  [[3, 12, 13, 4], 3, 2, 'same'],
  [[2, 11, 11, 2], 3, 2, 'same'],
  [[2, 10, 9, 3], 3, 2, 'valid'],
  [[1, 9, 9, 5], 2, 2, 'valid'],
];

// The IMPALA encoder's three pools at 84×84 (smaller batch: the reference is a JS loop).
const impala: Case[] = [
  [[4, 84, 84, 16], 3, 2, 'same'],
  [[4, 42, 42, 32], 3, 2, 'same'],
  [[32, 21, 21, 32], 3, 2, 'same'],
];

/** Seeded shapes over kernel {2,3} × stride {1,2} × pad {same,valid}, batch 1..8, channels 1..32. */
function randomCases(): Case[] {
  const u = randomValues(64, 2024);
  const pick = (i: number, lo: number, hi: number) => lo + Math.floor(((u[i] + 1) / 2) * (hi - lo + 1));
  const out: Case[] = [];
  let i = 0;
  for (const k of [2, 3])
    for (const stride of [1, 2])
      for (const pad of ['same', 'valid'] as const) {
        const h = pick(i++, k, 17);
        out.push([[pick(i++, 1, 8), h, pick(i++, k, 17), pick(i++, 1, 32)], k, stride, pad]);
      }
  // Channel counts that exercise the addon's 16-wide slices and 4-wide vectors: a partial last slice, a tail.
  out.push([[3, 9, 8, 33], 3, 2, 'same'], [[2, 7, 7, 18], 3, 1, 'same'], [[1, 6, 5, 7], 2, 1, 'valid']);
  return out;
}

for (const native of [false, true]) {
  const name = native ? 'native' : 'wasm';
  for (const c of [...cases, ...impala]) {
    test(`${name}: maxPool ${label(c)} and its gradient`, (t) => {
      if (native && nativeSkip) return t.skip(nativeSkip);
      checkCase(c, 11, false, native);
    });
  }
  test(`${name}: maxPool and its gradient on seeded random shapes, with and without ties`, (t) => {
    if (native && nativeSkip) return t.skip(nativeSkip);
    let seed = 100;
    for (const c of randomCases()) {
      for (const ties of [false, true]) {
        try {
          checkCase(c, seed++, ties, native);
        } catch (err) {
          throw new Error(`${label(c)} ties=${ties}: ${(err as Error).message}`);
        }
      }
    }
  });
}

test('native MaxPoolGrad equals the JS kernel bit for bit (first maximum, same summation order)', (t) => {
  if (nativeSkip) return t.skip(nativeSkip);
  let seed = 500;
  for (const c of [...impala, ...randomCases()]) {
    const js = checkCase(c, seed, true, false);
    const nat = checkCase(c, seed++, true, true);
    assert.ok(
      js.every((v, i) => Object.is(v, nat[i])),
      `${label(c)}: native and JS gradients differ`,
    );
  }
});

test('the addon rejects bad pooling geometry and short buffers with a message', (t) => {
  if (nativeSkip) return t.skip(nativeSkip);
  const lib = loadNativeAddon();
  const geom = new Int32Array([1, 4, 4, 1, 2, 2, 2, 2, 2, 2, 0, 0]);
  assert.throws(() => lib.maxPool(new Float32Array(15), new Float32Array(4), geom), /x has 15 floats, needs 16/);
  assert.throws(
    () => lib.maxPoolGrad(new Float32Array(16), new Float32Array(4), new Float32Array(4), new Float32Array(8), geom),
    /dx has 8 floats, needs 16/,
  );
  const bad = new Int32Array(geom);
  bad[8] = 0;
  assert.throws(() => lib.maxPool(new Float32Array(16), new Float32Array(4), bad), /strides must be positive/);
});
