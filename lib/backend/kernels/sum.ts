/**
 * Sum for wasm, fast for reductions over leading axes — every conv bias gradient sums dY [N, H, W, C]
 * over N, H, W. The stock kernel first transposes the whole tensor so the reduced axes come last
 * (~10% of a SAC-AE update at batch 128); a JS pass adding rows into C float64 accumulators reads the
 * data once, in order. Other reductions keep the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { alloc, f32Index, heapF32, type TensorInfo, type WasmBackend } from './wasm_heap';

type SumArgs = {
  inputs: { x: TensorInfo };
  backend: WasmBackend;
  attrs: { axis: number | number[]; keepDims: boolean };
};

/** Smallest leading-prefix reduction worth the JS path (below it the stock kernel's overhead is nothing). */
const MIN_VALUES = 1 << 14;

export function makeSum(stock: tf.KernelFunc): tf.KernelFunc {
  return ((args: SumArgs) => {
    const { inputs, backend, attrs } = args;
    const { x } = inputs;
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(attrs.axis, x.shape).sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
    const size = x.shape.reduce((p, d) => p * d, 1);
    if (!leading || x.dtype !== 'float32' || size < MIN_VALUES)
      return stock(args as unknown as Parameters<tf.KernelFunc>[0]);
    const inner = x.shape.slice(axes.length).reduce((p, d) => p * d, 1);
    const rows = size / inner;
    const outShape = attrs.keepDims ? x.shape.map((d, i) => (i < axes.length ? 1 : d)) : x.shape.slice(axes.length);
    const out = alloc(backend, outShape);
    const h = heapF32(backend);
    const acc = new Float64Array(inner);
    let i = f32Index(backend, x);
    for (let r = 0; r < rows; r++) for (let c = 0; c < inner; c++) acc[c] += h[i++];
    h.set(acc, f32Index(backend, out));
    return out;
  }) as unknown as tf.KernelFunc;
}
