/**
 * BatchMatMul for wasm that keeps transposed products on XNNPACK.
 *
 * tfjs-backend-wasm sends any product with transposeA/transposeB (every Linear layer's backward:
 * dX = dY·Wᵀ, dW = Xᵀ·dY) to a scalar blocked loop at ~1–2 GFLOP/s; only the no-transpose, batch-1 case
 * reaches XNNPACK's fully-connected operator (~25 GFLOP/s). XNNPACK packs the right operand ("weights")
 * on every call with a fresh tensor, at ~8 ns per value, while a wasm transpose costs ~1.5 ns per value.
 * So we materialise transposes and pick the orientation — C = A·B, or Cᵀ = Bᵀ·Aᵀ then transpose — with
 * the smaller estimated cost. Batched products (batch > 1) keep the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { callKernel, dispose, reshaped as as, type TensorInfo, type WasmBackend } from './wasm_heap';

/** Estimated costs in ns per value (measured on the wasm SIMD build, 1 thread). */
const TRANSPOSE_NS = 1.5;
const PACK_NS = 8;

type MatMulArgs = {
  inputs: { a: TensorInfo; b: TensorInfo };
  backend: WasmBackend;
  attrs: { transposeA: boolean; transposeB: boolean };
};

const size = (s: number[]) => s.reduce((p, d) => p * d, 1);

function transpose2d(backend: WasmBackend, t: TensorInfo, rows: number, cols: number): TensorInfo {
  return callKernel('Transpose', backend, { x: as(t, [rows, cols]) }, { perm: [1, 0] });
}

export function makeBatchMatMul(stock: tf.KernelFunc): tf.KernelFunc {
  const product = (backend: WasmBackend, a: TensorInfo, b: TensorInfo): TensorInfo =>
    stock({
      inputs: { a, b },
      backend: backend as unknown as tf.KernelBackend,
      attrs: { transposeA: false, transposeB: false },
    }) as TensorInfo;

  return ((args: MatMulArgs) => {
    const { inputs, backend, attrs } = args;
    const { a, b } = inputs;
    const { transposeA, transposeB } = attrs;
    const batchA = size(a.shape.slice(0, -2));
    const batchB = size(b.shape.slice(0, -2));
    if (
      (!transposeA && !transposeB) ||
      batchA !== 1 ||
      batchB !== 1 ||
      a.dtype !== 'float32' ||
      b.dtype !== 'float32'
    ) {
      return stock(args as unknown as Parameters<tf.KernelFunc>[0]);
    }
    const [ra, ca] = a.shape.slice(-2);
    const [rb, cb] = b.shape.slice(-2);
    const m = transposeA ? ca : ra;
    const k = transposeA ? ra : ca;
    const n = transposeB ? rb : cb;
    if ((transposeB ? cb : rb) !== k) {
      throw new Error(
        `matMul inner dimensions differ: a ${a.shape} (transposeA=${transposeA}), b ${b.shape} (transposeB=${transposeB})`,
      );
    }
    const outShape = [...(a.shape.length >= b.shape.length ? a.shape : b.shape).slice(0, -2), m, n];
    const sizeA = m * k;
    const sizeB = k * n;
    const direct = ((transposeA ? sizeA : 0) + (transposeB ? sizeB : 0)) * TRANSPOSE_NS + sizeB * PACK_NS;
    const swapped = ((transposeA ? 0 : sizeA) + (transposeB ? 0 : sizeB) + m * n) * TRANSPOSE_NS + sizeA * PACK_NS;
    const temps: TensorInfo[] = [];
    try {
      if (direct <= swapped) {
        const a2 = transposeA ? transpose2d(backend, a, ra, ca) : as(a, [m, k]);
        if (transposeA) temps.push(a2);
        const b2 = transposeB ? transpose2d(backend, b, rb, cb) : as(b, [k, n]);
        if (transposeB) temps.push(b2);
        const out = product(backend, as(a2, [1, m, k]), as(b2, [1, k, n]));
        return { dataId: out.dataId, shape: outShape, dtype: out.dtype };
      }
      // Cᵀ [n, m] = Bᵀ [n, k] · Aᵀ [k, m]
      const bt = transposeB ? as(b, [n, k]) : transpose2d(backend, b, rb, cb);
      if (!transposeB) temps.push(bt);
      const at = transposeA ? as(a, [k, m]) : transpose2d(backend, a, ra, ca);
      if (!transposeA) temps.push(at);
      const outT = product(backend, as(bt, [1, n, k]), as(at, [1, k, m]));
      temps.push(outT);
      const out = transpose2d(backend, outT, n, m);
      return { dataId: out.dataId, shape: outShape, dtype: out.dtype };
    } finally {
      dispose(backend, ...temps);
    }
  }) as unknown as tf.KernelFunc;
}
