/**
 * MaxPool gradient on wasm against a float64 reference (the stock 4.22 kernel misroutes it for 'same'
 * padding on shapes like 84×84 and 13×13; ours must not).
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend/select';
import { outSize, padBefore, randomValues, relError } from './conv_reference';

before(async () => {
  await initBackend('wasm');
});

/** Gradient of Σ maxpool(x)·r: each output's r goes to the first maximum of its window. */
function refGrad(x: Float32Array, s: number[], k: number, stride: number, pad: 'valid' | 'same', r: Float32Array) {
  const [n, h, w, c] = s;
  const oh = outSize(h, k, stride, pad);
  const ow = outSize(w, k, stride, pad);
  const pt = padBefore(h, k, stride, pad);
  const pl = padBefore(w, k, stride, pad);
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
          dx[at] += r[((b * oh + oy) * ow + ox) * c + ch];
        }
  return { dx, outShape: [n, oh, ow, c] };
}

const cases: [number[], number, number, 'valid' | 'same'][] = [
  [[2, 84, 84, 2], 3, 2, 'same'],
  [[2, 13, 13, 3], 3, 2, 'same'],
  [[3, 12, 13, 4], 3, 2, 'same'],
  [[2, 11, 11, 2], 3, 2, 'same'],
  [[2, 10, 9, 3], 3, 2, 'valid'],
  [[1, 9, 9, 5], 2, 2, 'valid'],
];

for (const [shape, k, stride, pad] of cases) {
  test(`maxPool ${k}/${stride} ${pad} gradient on ${shape.join('×')}`, () => {
    tf.setBackend('wasm');
    const x = randomValues(shape.reduce((a, b) => a * b), 11);
    const probe = refGrad(x, shape, k, stride, pad, new Float32Array(0));
    const r = randomValues(probe.outShape.reduce((a, b) => a * b), 12);
    const { dx } = refGrad(x, shape, k, stride, pad, r);
    const got = tf.tidy(() =>
      tf
        .grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, k, stride, pad), tf.tensor(r, probe.outShape))))(tf.tensor(x, shape))
        .dataSync(),
    );
    assert.ok(relError(got, dx) < 1e-6, `relative error ${relError(got, dx)}`);
  });
}
