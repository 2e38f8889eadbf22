/**
 * Whole-encoder gradients on wasm against the tfjs cpu backend for the three encoders (small inputs),
 * plus the transposed matrix products every Linear layer's backward uses.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend/select';
import { makeEncoder, type EncoderConfig } from '../../lib/nets/encoders';
import { randomValues, relError } from './conv_reference';

const TOL = 1e-4;

before(async () => {
  await initBackend('wasm');
});

/** Gradients of Σ out·r for every variable, as plain arrays keyed by variable name. */
function encoderGrads(backend: 'wasm' | 'cpu', cfg: EncoderConfig, batch: number): Record<string, Float32Array> {
  tf.setBackend(backend);
  const enc = makeEncoder({ ...cfg, name: `${cfg.name}_${backend}` });
  try {
    const [h, w, c] = cfg.inputShape;
    const pixels = randomValues(batch * h * w * c, 3).map((v) => (v + 1) * 127.5);
    const r = randomValues(batch * enc.outputDim, 4);
    return tf.tidy(() => {
      const x = tf.tensor4d(pixels, [batch, h, w, c]);
      const rt = tf.tensor2d(r, [batch, enc.outputDim]);
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(enc.apply(x), rt)) as tf.Scalar, enc.variables());
      const out: Record<string, Float32Array> = {};
      for (const [name, g] of Object.entries(grads))
        out[name.slice(enc.name.length + 1)] = g.dataSync() as Float32Array;
      return out;
    });
  } finally {
    enc.dispose();
  }
}

const configs: [EncoderConfig, number][] = [
  [{ kind: 'sac-ae', inputShape: [21, 20, 6], seed: 3, name: 'sacae' }, 3],
  [{ kind: 'sac-ae', inputShape: [19, 19, 3], featureDim: 7, tanh: true, seed: 4, name: 'sacae_tanh' }, 2],
  [{ kind: 'rainbow', inputShape: [30, 34, 4], seed: 5, name: 'rainbow' }, 4],
  [{ kind: 'impala', inputShape: [12, 13, 3], seed: 6, name: 'impala' }, 2],
];

for (const [cfg, batch] of configs) {
  test(`${cfg.name}: every variable's gradient on wasm matches cpu`, () => {
    const wasm = encoderGrads('wasm', cfg, batch);
    const cpu = encoderGrads('cpu', cfg, batch);
    assert.deepEqual(Object.keys(wasm).sort(), Object.keys(cpu).sort());
    assert.ok(Object.keys(wasm).length >= 4);
    for (const name of Object.keys(cpu)) {
      const err = relError(wasm[name], cpu[name]);
      assert.ok(err < TOL, `${name}: relative error ${err}`);
      assert.ok(
        cpu[name].some((v) => v !== 0),
        `${name}: gradient is all zeros`,
      );
    }
  });
}

function matmulRef(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  ta: boolean,
  tb: boolean,
): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
      out[i * n + j] = s;
    }
  return out;
}

test('transposed matMul on wasm (both orientations, batched fallback) matches float64', () => {
  tf.setBackend('wasm');
  // [m, k, n, transposeA, transposeB, batch]
  const shapes: [number, number, number, boolean, boolean, number][] = [
    [400, 3, 5, true, false, 1], // dW = Xᵀ·dY, direct plan
    [3, 5, 400, false, true, 1], // dX = dY·Wᵀ, swapped plan
    [17, 33, 9, true, true, 1],
    [6, 7, 8, false, true, 1],
    [5, 4, 3, true, false, 2], // batched: stock kernel
  ];
  for (const [idx, [m, k, n, ta, tb, batch]] of shapes.entries()) {
    const a = randomValues(batch * m * k, 50 + idx);
    const b = randomValues(batch * k * n, 60 + idx);
    const aShape = ta ? [k, m] : [m, k];
    const bShape = tb ? [n, k] : [k, n];
    const got = tf.tidy(() =>
      tf
        .matMul(
          tf.tensor(a, batch > 1 ? [batch, ...aShape] : aShape),
          tf.tensor(b, batch > 1 ? [batch, ...bShape] : bShape),
          ta,
          tb,
        )
        .dataSync(),
    );
    for (let q = 0; q < batch; q++) {
      const ref = matmulRef(
        a.subarray(q * m * k, (q + 1) * m * k),
        b.subarray(q * k * n, (q + 1) * k * n),
        m,
        k,
        n,
        ta,
        tb,
      );
      const err = relError(got.subarray(q * m * n, (q + 1) * m * n), ref);
      assert.ok(err < 1e-5, `case ${idx} batch ${q}: relative error ${err}`);
    }
  }
});

test('Sum on wasm: leading-axis fast path and stock fallback match float64', () => {
  tf.setBackend('wasm');
  const shape = [6, 9, 11, 32];
  const x = randomValues(
    shape.reduce((a, b) => a * b),
    77,
  );
  const ref = (axes: number[]) => {
    const keep = shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const out = new Float64Array(keep.reduce((a, b) => a * b));
    const strides = [shape[1] * shape[2] * shape[3], shape[2] * shape[3], shape[3], 1];
    const kStrides = [keep[1] * keep[2] * keep[3], keep[2] * keep[3], keep[3], 1];
    for (let i = 0; i < x.length; i++) {
      let o = 0;
      for (let d = 0; d < 4; d++) {
        const coord = Math.floor(i / strides[d]) % shape[d];
        if (!axes.includes(d)) o += coord * kStrides[d];
      }
      out[o] += x[i];
    }
    return { out, keep };
  };
  for (const axes of [[0, 1, 2], [0], [0, 1], [1, 2], [3], [0, 2]]) {
    for (const keepDims of [false, true]) {
      const { out, keep } = ref(axes);
      const got = tf.tidy(() => {
        const s = tf.sum(tf.tensor(x, shape), axes, keepDims);
        assert.deepEqual(s.shape, keepDims ? keep : keep.filter((_, i) => !axes.includes(i)));
        return s.dataSync();
      });
      assert.ok(relError(got, out) < 1e-6, `axes ${axes} keepDims ${keepDims}: ${relError(got, out)}`);
    }
  }
});
