/**
 * MaxPoolGrad for wasm. The stock 4.22 kernel routes the gradient to the wrong input position for
 * 'same' padding on many shapes (e.g. 3×3/2 on 84×84: the IMPALA pools); checked against cpu and a
 * float64 reference in test/backend/pool_grad.test.ts. Each output's gradient goes to the first
 * maximum of its window in row-major order, as on the cpu backend.
 *
 * (wasm's MaxPoolWithArgmax has the same fault, so it cannot serve as a fast path.) The scan looks for
 * the first input equal to the forward output, which wasm's MaxPool computes correctly, and stops there.
 * The native backend replaces this kernel with the addon's (native/src/pool.cc: the same search on all
 * threads, identical results) and keeps it as the fallback for non-float32 inputs.
 */
import * as tf from '@tensorflow/tfjs';
import { alloc, f32Index, heapF32, type TensorInfo, type WasmBackend } from './wasm_heap';

/** The attributes of tfjs's MaxPool and MaxPoolGrad kernels. */
export interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** The pooling geometry of an NHWC input (shared with the native kernels). */
export function poolInfo(x: TensorInfo, a: PoolAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    a.filterSize,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
}

export function maxPoolGrad(args: {
  inputs: { dy: TensorInfo; input: TensorInfo; output: TensorInfo };
  backend: WasmBackend;
  attrs: PoolAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, input } = inputs;
  const info = poolInfo(input, attrs);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { filterHeight, filterWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const dx = alloc(backend, [...input.shape]);
  const h = heapF32(backend);
  const xAt = f32Index(backend, input);
  const dyAt = f32Index(backend, dy);
  const dxAt = f32Index(backend, dx);
  h.fill(0, dxAt, dxAt + batchSize * inHeight * inWidth * inChannels);
  const yAt = f32Index(backend, inputs.output);
  let g = 0;
  for (let n = 0; n < batchSize; n++) {
    const nBase = n * inHeight * inWidth;
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = Math.max(0, oy * strideHeight - top);
      const y1 = Math.min(inHeight, oy * strideHeight - top + filterHeight);
      for (let ox = 0; ox < outWidth; ox++) {
        const x0 = Math.max(0, ox * strideWidth - left);
        const x1 = Math.min(inWidth, ox * strideWidth - left + filterWidth);
        for (let c = 0; c < inChannels; c++, g++) {
          // The forward output is an exact copy of the window's maximum: the first equal input is it.
          const target = h[yAt + g];
          search: for (let y = y0; y < y1; y++) {
            let i = xAt + (nBase + y * inWidth + x0) * inChannels + c;
            for (let x = x0; x < x1; x++, i += inChannels) {
              if (h[i] === target) {
                h[dxAt + i - xAt] += h[dyAt + g];
                break search;
              }
            }
          }
        }
      }
    }
  }
  return dx;
}
