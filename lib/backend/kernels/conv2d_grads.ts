/**
 * Convolution gradients for the wasm backend, built on wasm's own XNNPACK kernels.
 *
 * - Conv2DBackpropFilter (missing in tfjs-backend-wasm 4.22): one XNNPACK matrix product per filter tap,
 *   dW[ky, kx] = Xshift[inC, rows] · dYpad[rows, outC], where Xshift is a zero-copy view into a
 *   channel-planar, stride-phase-split copy of x (see conv_layouts.ts `phaseGeometry`) and dYpad is dY on the
 *   same grid with zeros. dYpad keeps one tensor id for all taps, so XNNPACK packs it once. No im2col:
 *   an explicit patch matrix cost more in JS copying than the products themselves. When kernel = stride
 *   the planes are the patch matrix and one product covers all taps. Batches go in chunks of samples.
 * - Conv2DBackpropInput (wasm has one, but it is a naive loop at ~1.3 GFLOP/s): stride 1 becomes a
 *   forward Conv2D (XNNPACK) of dY with the spatially flipped, in/out-swapped filter and explicit padding;
 *   other strides use dP = dY · Wᵀ (BatchMatMul) followed by a col2im scatter-add in JS.
 */
import * as tf from '@tensorflow/tfjs';
import { col2imAdd, fillPhasePlanes, padOutputGrad, phaseGeometry, type ConvGeom } from './conv_layouts';
import {
  alloc,
  callKernel,
  dispose,
  f32Index,
  heapF32,
  makeView,
  releaseView,
  reshaped,
  type TensorInfo,
  type WasmBackend,
} from './wasm_heap';

/**
 * Tunables: `chunkFloats` bounds the patch-gradient matrix of a strided input gradient (8M floats =
 * 32 MiB); a filter-gradient pass handles `filterChunkSamples` samples, or more where needed to bring its
 * products' reduction length (samples × padded plane) up to `filterMinRows` (tiny products are all overhead).
 */
export const convGradOptions = { chunkFloats: 8 * 1024 * 1024, filterChunkSamples: 8, filterMinRows: 16384 };

type ConvAttrs = {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

function geometry(info: tf.backend_util.Conv2DInfo): ConvGeom {
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) {
    throw new Error(`wasm conv gradients support dilation 1 only, got ${info.dilationHeight}×${info.dilationWidth}`);
  }
  return {
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    kh: info.filterHeight,
    kw: info.filterWidth,
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/** Geometry of the convolution behind a gradient kernel (NHWC only, no dilation). */
function nhwcConvInfo(
  kernel: string,
  inShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  attrs: ConvAttrs,
): tf.backend_util.Conv2DInfo {
  if (attrs.dataFormat !== 'NHWC')
    throw new Error(`${kernel} on wasm supports dataFormat 'NHWC' only, got '${attrs.dataFormat}'`);
  return tf.backend_util.computeConv2DInfo(
    inShape,
    filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
}

function samplesPerChunk(n: number, floatsPerSample: number): number {
  return Math.max(1, Math.min(n, Math.floor(convGradOptions.chunkFloats / Math.max(1, floatsPerSample))));
}

export function conv2dBackpropFilter(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: WasmBackend;
  attrs: ConvAttrs & { filterShape: [number, number, number, number] };
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  const info = nhwcConvInfo(
    'Conv2DBackpropFilter',
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs,
  );
  const g = geometry(info);
  const n = info.batchSize;
  const xSample = g.inH * g.inW * g.inC;
  const dySample = g.outH * g.outW * info.outChannels;
  const dw = alloc(backend, [...attrs.filterShape]);
  try {
    // Sample chunks keep each product's operands closer to the caches: at batch 128 the whole batch in one
    // pass took ~1.4× as long (CPU time) as chunks of 8–32; among those the differences were within noise.
    const plane = phaseGeometry(g, 1, info.padInfo.bottom, info.padInfo.right).rowLen;
    const chunk = Math.max(1, convGradOptions.filterChunkSamples, Math.ceil(convGradOptions.filterMinRows / plane));
    for (let n0 = 0; n0 < n; n0 += chunk) {
      const nc = Math.min(chunk, n - n0);
      const xs = makeView(backend, x, n0 * xSample, [nc, g.inH, g.inW, g.inC]);
      const dys = makeView(backend, dy, n0 * dySample, [nc, g.outH, g.outW, info.outChannels]);
      try {
        filterGradChunk(backend, xs, dys, g, info, dw, n0 > 0);
      } finally {
        releaseView(backend, xs);
        releaseView(backend, dys);
      }
    }
  } catch (err) {
    dispose(backend, dw);
    throw err;
  }
  return dw;
}

/** Copies or adds `count` values of `src` into `dst` at element `at`, then disposes `src`. */
function addOrCopy(
  backend: WasmBackend,
  src: TensorInfo,
  dst: TensorInfo,
  at: number,
  count: number,
  accumulate: boolean,
): void {
  const h = heapF32(backend);
  const s = f32Index(backend, src);
  const d = f32Index(backend, dst) + at;
  if (accumulate) for (let i = 0; i < count; i++) h[d + i] += h[s + i];
  else h.copyWithin(d, s, s + count);
  dispose(backend, src);
}

/** Writes (accumulate = false) or adds the filter gradient of one batch chunk into `dw`. */
function filterGradChunk(
  backend: WasmBackend,
  x: TensorInfo,
  dy: TensorInfo,
  g: ConvGeom,
  info: tf.backend_util.Conv2DInfo,
  dw: TensorInfo,
  accumulate: boolean,
): void {
  const n = x.shape[0];
  const outC = info.outChannels;
  const { top, bottom, left, right } = info.padInfo;
  const pg = phaseGeometry(g, n, bottom, right);
  // Stride 1 has one phase, so the planes are padded x transposed to channel-major: two wasm kernels.
  // One extra all-zero channel becomes the last plane and serves as the slack. Other strides: a JS pass.
  let planes: TensorInfo;
  if (g.strideH === 1 && g.strideW === 1) {
    const paddings = [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 1],
    ];
    const padded = callKernel('PadV2', backend, { x }, { paddings, constantValue: 0 });
    try {
      planes = callKernel('Transpose', backend, { x: reshaped(padded, [pg.rowLen, g.inC + 1]) }, { perm: [1, 0] });
    } finally {
      dispose(backend, padded);
    }
  } else {
    planes = alloc(backend, [pg.phases * g.inC * pg.rowLen + pg.slack]);
    const h = heapF32(backend);
    fillPhasePlanes(h, f32Index(backend, x), h, f32Index(backend, planes), g, pg, n);
  }
  let dyPad: TensorInfo | undefined;
  try {
    dyPad = alloc(backend, [pg.rowLen, outC]);
    {
      const h = heapF32(backend);
      padOutputGrad(h, f32Index(backend, dy), h, f32Index(backend, dyPad), g, pg, n, outC);
    }
    if (pg.slack === 0 && g.kh === g.strideH && g.kw === g.strideW) {
      // Non-overlapping patches (kernel = stride, e.g. Rainbow's 5×5/5): no tap is shifted and the phase
      // planes, ordered (ky, kx, c), are exactly Pᵀ [K, rows] — one product gives the whole dW [K, outC].
      const k = g.kh * g.kw * g.inC;
      const a = makeView(backend, planes, 0, [1, k, pg.rowLen]);
      let prod: TensorInfo;
      try {
        prod = callKernel('BatchMatMul', backend, { a, b: dyPad }, { transposeA: false, transposeB: false });
      } finally {
        releaseView(backend, a);
      }
      addOrCopy(backend, prod, dw, 0, k * outC, accumulate);
      return;
    }
    const taps = g.inC * outC;
    for (let ky = 0; ky < g.kh; ky++) {
      for (let kx = 0; kx < g.kw; kx++) {
        const a = makeView(backend, planes, pg.tapOffset(ky, kx), [1, g.inC, pg.rowLen]);
        let prod: TensorInfo;
        try {
          // dyPad keeps its tensor id across taps, so XNNPACK packs it once per chunk.
          prod = callKernel('BatchMatMul', backend, { a, b: dyPad }, { transposeA: false, transposeB: false });
        } finally {
          releaseView(backend, a);
        }
        addOrCopy(backend, prod, dw, (ky * g.kw + kx) * taps, taps, accumulate);
      }
    }
  } finally {
    dispose(backend, planes);
    if (dyPad) dispose(backend, dyPad);
  }
}

export function conv2dBackpropInput(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: WasmBackend;
  attrs: ConvAttrs & { inputShape: [number, number, number, number] };
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs;
  const info = nhwcConvInfo(
    'Conv2DBackpropInput',
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs,
  );
  const g = geometry(info);
  const outC = info.outChannels;
  const k = g.kh * g.kw * g.inC;
  if (g.strideH === 1 && g.strideW === 1) {
    // dX = conv(dY, flip(W) with in/out swapped), padded so the output is inH × inW.
    const flipped = alloc(backend, [g.kh, g.kw, outC, g.inC]);
    {
      const h = heapF32(backend);
      const src = f32Index(backend, filter);
      const dst = f32Index(backend, flipped);
      for (let ky = 0; ky < g.kh; ky++)
        for (let kx = 0; kx < g.kw; kx++) {
          const s = src + ((g.kh - 1 - ky) * g.kw + (g.kw - 1 - kx)) * g.inC * outC;
          const d = dst + (ky * g.kw + kx) * outC * g.inC;
          for (let c = 0; c < g.inC; c++) for (let o = 0; o < outC; o++) h[d + o * g.inC + c] = h[s + c * outC + o];
        }
    }
    const top = g.kh - 1 - g.padTop;
    const left = g.kw - 1 - g.padLeft;
    const bottom = g.inH + g.padTop - g.outH;
    const right = g.inW + g.padLeft - g.outW;
    try {
      return callKernel(
        'Conv2D',
        backend,
        { x: dy, filter: flipped },
        {
          strides: [1, 1],
          pad: [
            [0, 0],
            [top, bottom],
            [left, right],
            [0, 0],
          ],
          dataFormat: 'NHWC',
          dilations: [1, 1],
          dimRoundingMode: undefined,
        },
      );
    } finally {
      dispose(backend, flipped);
    }
  }
  // Strided: dP[M, K] = dY[M, outC] · Wᵀ[outC, K], then scatter-add the patches.
  const wT = alloc(backend, [1, outC, k]);
  const dx = alloc(backend, [...attrs.inputShape]);
  {
    const h = heapF32(backend);
    const src = f32Index(backend, filter);
    const dst = f32Index(backend, wT);
    for (let i = 0; i < k; i++) for (let o = 0; o < outC; o++) h[dst + o * k + i] = h[src + i * outC + o];
    const d = f32Index(backend, dx);
    h.fill(0, d, d + info.batchSize * g.inH * g.inW * g.inC);
  }
  const n = info.batchSize;
  const perSample = g.outH * g.outW;
  const chunk = samplesPerChunk(n, k * perSample);
  try {
    for (let n0 = 0; n0 < n; n0 += chunk) {
      const n1 = Math.min(n, n0 + chunk);
      const a = makeView(backend, dy, n0 * perSample * outC, [1, (n1 - n0) * perSample, outC]);
      let dp: TensorInfo;
      try {
        dp = callKernel('BatchMatMul', backend, { a, b: wT }, { transposeA: false, transposeB: false });
      } finally {
        releaseView(backend, a);
      }
      const h = heapF32(backend);
      col2imAdd(h, f32Index(backend, dp), h, f32Index(backend, dx), g, n0, n1);
      dispose(backend, dp);
    }
  } catch (err) {
    dispose(backend, dx);
    throw err;
  } finally {
    dispose(backend, wT);
  }
  return dx;
}
