/**
 * The `native` backend: tfjs-backend-wasm with its heavy kernels replaced by a Node addon (native/) running
 * convolutions in oneDNN, matmuls in OpenBLAS and the big memory-bound ops of a training step on all cores.
 *
 * Design, and why (numbers measured on this 2-vCPU VM):
 * - The kernels are registered on the *wasm* backend and work in place on its heap: inputs and outputs are
 *   Float32Array views at `memoryOffset` in wasm memory, handed to the addon with zero copies. The alternative,
 *   a separate tfjs backend keeping tensors in native memory, must copy activations across for every op it
 *   does not implement: a 26 MB SAC-AE activation (B=128) takes ≥3 ms to copy into a warm buffer and ~10 ms
 *   into fresh memory, each way, against ~9 ms for the oneDNN conv that produced it. Wasm keeps its own SIMD
 *   kernels for the small and uncommon ops.
 * - Heap growth detaches views: every kernel first allocates all its outputs (makeOutput may grow the heap),
 *   then takes the views, then calls the addon, which never allocates on the wasm heap.
 * - Cases the addon does not cover (prelu, odd bias shapes, general batch broadcasting, empty tensors,
 *   non-float32) are delegated to the kernel that was registered before ours.
 *
 * Environment: SEER_NATIVE_THREADS (default: all cores), SEER_NATIVE_ADDON (path to the .node file),
 * OMP_WAIT_POLICY and GOMP_SPINCOUNT (default here: chosen from the machine's load at start,
 * lib/backend/wait-policy.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { backend_util } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as os from 'os';
import * as path from 'path';
import {
  ADAM_STEP,
  ADAM_STEP_MULTI,
  GLOBAL_NORM,
  adamScalars,
  multiAdamInputs,
  type AdamStepMultiAttrs,
  checkAdamInputs,
  checkNormInputs,
  clipFromSumSquares,
  type AdamStepAttrs,
  type AdamStepInputs,
} from './kernels/adam';
import { applyWaitPolicy, type WaitPolicy } from './wait-policy';
import { C51_PROJECT, checkC51Inputs, type C51Attrs, type C51Inputs } from './kernels/c51';
import { poolInfo, type PoolAttrs } from './kernels/max_pool_grad';
import {
  NOISY_PARAMS,
  NOISY_SIGMA_GRAD,
  checkNoisyParamsInputs,
  checkNoisySigmaGradInputs,
  type NoisyParamsInputs,
  type NoisySigmaGradInputs,
} from './kernels/noisy';
import {
  RAINBOW_LOSS,
  RAINBOW_LOSS_GRAD,
  checkRainbowLossGradInputs,
  checkRainbowLossInputs,
  type RainbowLossGradInputs,
  type RainbowLossInputs,
} from './kernels/rainbow_loss';

/** The addon's JS surface (native/src/addon.cc). All calls are synchronous and in place. */
export interface NativeAddon {
  /** geom: Int32Array(17) = n,h,w,c, oc,kh,kw, oh,ow, sh,sw, dh,dw, padTop,padLeft,padBottom,padRight. */
  conv2dForward(
    x: Float32Array,
    filter: Float32Array,
    bias: Float32Array | null,
    out: Float32Array,
    geom: Int32Array,
    activation?: number,
    alpha?: number,
  ): void;
  conv2dBackwardData(dy: Float32Array, filter: Float32Array, dx: Float32Array, geom: Int32Array): void;
  conv2dBackwardWeights(x: Float32Array, dy: Float32Array, dw: Float32Array, geom: Int32Array): void;
  /** geom: Int32Array(8) = batch, batchA, batchB, m, n, k, transposeA, transposeB. */
  matmul(
    a: Float32Array,
    b: Float32Array,
    bias: Float32Array | null,
    out: Float32Array,
    geom: Int32Array,
    activation?: number,
    alpha?: number,
  ): void;
  /** out[o,i] = sum_r x[o,r,i] over x viewed as [outer, reduce, inner]. */
  reduceSum(x: Float32Array, out: Float32Array, outer: number, reduce: number, inner: number): void;
  /**
   * op 0 add, 1 sub, 2 mul, 3 div, 4 relu_grad (a * step(b)); a and b repeat to out's length
   * (scalar, same shape or trailing broadcast).
   */
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array): void;
  /** op 0 relu, 1 step (x > 0 ? 1 : alpha). */
  unary(op: number, x: Float32Array, out: Float32Array, alpha?: number): void;
  /** geom: Int32Array(12) = n,h,w,c, oh,ow, kh,kw, sh,sw, padTop,padLeft (NHWC; windows clipped to the input). */
  maxPool(x: Float32Array, out: Float32Array, geom: Int32Array): void;
  /** dx = gradient of max pooling: each dy goes to the first input of its window (row-major) equal to y. */
  maxPoolGrad(x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array, geom: Int32Array): void;
  /** One fused Adam update into fresh outputs (lib/backend/kernels/adam.ts gives the formula); same lengths. */
  adamStep(
    p: Float32Array,
    m: Float32Array,
    v: Float32Array,
    g: Float32Array,
    pOut: Float32Array,
    mOut: Float32Array,
    vOut: Float32Array,
    beta1: number,
    beta2: number,
    c1: number,
    c2: number,
    step: number,
    eps: number,
  ): void;
  /** A factorised noisy layer's w [in, out] and b [out] (lib/backend/kernels/noisy.ts gives the formula). */
  noisyParams(
    wMu: Float32Array,
    wSigma: Float32Array,
    bMu: Float32Array,
    bSigma: Float32Array,
    epsIn: Float32Array,
    epsOut: Float32Array,
    w: Float32Array,
    b: Float32Array,
  ): void;
  /** Rainbow's projected target distribution (lib/backend/kernels/c51.ts gives the formula). */
  c51Project(
    probs: Float32Array,
    returns: Float32Array,
    discounts: Float32Array,
    z: Float32Array,
    out: Float32Array,
    vMin: number,
    vMax: number,
    dz: number,
  ): void;
  /** Rainbow's online loss (lib/backend/kernels/rainbow_loss.ts gives the formula); B = weights.length. */
  rainbowLossForward(
    v: Float32Array,
    a: Float32Array,
    actions: Int32Array,
    target: Float32Array,
    weights: Float32Array,
    loss: Float32Array,
    perSample: Float32Array,
    logp: Float32Array,
  ): void;
  /** Its gradients with respect to v and a; dyPerSample null when none. */
  rainbowLossBackward(
    dy: number,
    dyPerSample: Float32Array | null,
    logp: Float32Array,
    actions: Int32Array,
    target: Float32Array,
    weights: Float32Array,
    dv: Float32Array,
    da: Float32Array,
  ): void;
  /** out[j] = src[j] / divisor in float32 (n = out.length). */
  pixelsToFloat(src: Uint8Array, out: Float32Array, divisor: number): void;
  /** dSigma = dy ⊙ (epsIn ⊗ epsOut). */
  noisySigmaGrad(dy: Float32Array, epsIn: Float32Array, epsOut: Float32Array, dSigma: Float32Array): void;
  /**
   * adamStep for several parameters in one parallel pass: `arrays` holds p, m, v, g, pOut, mOut, vOut per parameter,
   * `scalars` beta1, beta2, c1, c2, step, eps per parameter.
   */
  adamStepMulti(arrays: Float32Array[], scalars: Float32Array): void;
  /**
   * A batch of the image replay's frame stacks: stack s, frame j is `pixels`·`channels` bytes of
   * payloads[refs[2(s·frames + j)]] at byte refs[2(s·frames + j) + 1]; out holds the stacks, frames interleaved per pixel.
   */
  stackFrames(
    out: Uint8Array,
    payloads: Uint8Array[],
    refs: Float64Array,
    pixels: number,
    channels: number,
    frames: number,
  ): void;
  /** Σ x², accumulated in double. */
  sumSquares(x: Float32Array): number;
  /** The oneDNN implementations chosen for a conv shape, e.g. "fwd=brgconv:avx512_core ...". */
  convImpls(geom: Int32Array): string;
  setThreads(n: number): void;
  info(): { onednn: string; openblas: string; threads: number; openblasThreads: number; cachedConvPrimitives: number };
}

/** Where node-gyp puts the addon; SEER_NATIVE_ADDON overrides it. */
export function addonPath(): string {
  const built = path.join(__dirname, '..', '..', 'native', 'build', 'Release', 'seer_native.node');
  return process.env.SEER_NATIVE_ADDON ?? built;
}

let addon: NativeAddon | undefined;
let waitPolicy: WaitPolicy | undefined;

/** Loads the addon once and applies SEER_NATIVE_THREADS; throws a one-line reason and the fix if it can't. */
export function loadNativeAddon(): NativeAddon {
  if (addon) return addon;
  const file = addonPath();
  // libgomp reads its wait policy once, when the addon loads it: spin briefly on idle cores, else passive
  // (lib/backend/wait-policy.ts has the measurements).
  const threads = nativeThreads();
  const wait = applyWaitPolicy(threads);
  let mod: NativeAddon;
  try {
    mod = require(file) as NativeAddon;
  } catch (err) {
    wait.restore();
    const msg = (err as Error).message.split('\n')[0];
    throw new Error(
      `native addon not usable (${msg}); build it with 'bash scripts/build-native.sh' ` +
        `(needs g++, make, python3, libdnnl-dev, libopenblas-dev)`,
    );
  }
  wait.restore();
  waitPolicy = wait.choice;
  mod.setThreads(threads);
  addon = mod;
  return mod;
}

/** SEER_NATIVE_THREADS, default: all cores this process may use. */
export function nativeThreads(value: string | undefined = process.env.SEER_NATIVE_THREADS): number {
  if (value === undefined || value === '') return os.availableParallelism();
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`SEER_NATIVE_THREADS='${value}' is not a thread count. Accepted values: an integer >= 1`);
  }
  return n;
}

/** Sets the thread count of the shared OpenMP pool (oneDNN and OpenBLAS). */
export function setNativeThreads(n: number): void {
  loadNativeAddon().setThreads(nativeThreads(String(n)));
}

// ---------------------------------------------------------------------------------------------------------
// kernels

type Inputs = Record<string, tf.TensorInfo | undefined>;
type Attrs = Record<string, unknown>;
interface KernelArgs {
  inputs: Inputs;
  backend: BackendWasm;
  attrs?: Attrs;
}
type Kernel = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[];

/** Activation codes shared with tfjs-backend-wasm's FusableActivation and native/src/conv.h. */
const ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, relu6: 2, leakyrelu: 4, sigmoid: 5, elu: 6 };

const convGeom = new Int32Array(17);
const gemmGeom = new Int32Array(8);

function fillConvGeom(c: backend_util.Conv2DInfo): Int32Array {
  const p = c.padInfo;
  convGeom.set([
    c.batchSize,
    c.inHeight,
    c.inWidth,
    c.inChannels,
    c.outChannels,
    c.filterHeight,
    c.filterWidth,
    c.outHeight,
    c.outWidth,
    c.strideHeight,
    c.strideWidth,
    c.dilationHeight,
    c.dilationWidth,
    p.top,
    p.left,
    p.bottom,
    p.right,
  ]);
  return convGeom;
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function allFloat(...ts: (tf.TensorInfo | undefined)[]): boolean {
  return ts.every((t) => t === undefined || t.dtype === 'float32');
}

/** A zero-copy view on a tensor's wasm memory. Take views only after all makeOutput calls of the kernel. */
function view(backend: BackendWasm, t: tf.TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

type ConvAttrs = Record<string, unknown>;

/** Geometry of a forward convolution from its kernel attributes. */
function forwardInfo(x: tf.TensorInfo, filter: tf.TensorInfo, a: ConvAttrs): backend_util.Conv2DInfo {
  return backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    a.strides as [number, number],
    a.dilations as [number, number],
    a.pad as 'valid',
    a.dimRoundingMode as 'floor' | undefined,
  );
}

/** Geometry of a convolution gradient (no dilation); `dy` must have the convolution's output shape. */
function gradientInfo(
  kernel: string,
  inShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  a: ConvAttrs,
  dy: tf.TensorInfo,
): backend_util.Conv2DInfo {
  const info = backend_util.computeConv2DInfo(
    inShape,
    filterShape,
    a.strides as [number, number],
    1,
    a.pad as 'valid',
    a.dimRoundingMode as 'floor' | undefined,
  );
  if (!sameShape(info.outShape, dy.shape)) {
    throw new Error(`${kernel}: dy shape [${dy.shape}] does not match the conv output [${info.outShape}]`);
  }
  return info;
}

function conv2D(lib: NativeAddon, fallback: Kernel): Kernel {
  return (args) => {
    const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
    const a = args.attrs ?? {};
    if (a.dataFormat !== 'NHWC' || !allFloat(x, filter) || size(x.shape) === 0) return fallback(args);
    const info = forwardInfo(x, filter, a);
    const { backend } = args;
    const out = backend.makeOutput(info.outShape, 'float32');
    if (size(info.outShape) === 0) return out;
    lib.conv2dForward(view(backend, x), view(backend, filter), null, view(backend, out), fillConvGeom(info));
    return out;
  };
}

function fusedConv2D(lib: NativeAddon, fallback: Kernel): Kernel {
  return (args) => {
    const { x, filter, bias } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo; bias?: tf.TensorInfo };
    const a = args.attrs ?? {};
    const act = ACTIVATIONS[(a.activation as string | undefined) ?? 'linear'];
    const outChannels = filter.shape[3];
    const biasOk = bias == null || (bias.shape.length === 1 && bias.shape[0] === outChannels);
    if (act === undefined || !biasOk || a.dataFormat !== 'NHWC' || !allFloat(x, filter, bias) || size(x.shape) === 0) {
      return fallback(args);
    }
    const info = forwardInfo(x, filter, a);
    const { backend } = args;
    const out = backend.makeOutput(info.outShape, 'float32');
    if (size(info.outShape) === 0) return out;
    lib.conv2dForward(
      view(backend, x),
      view(backend, filter),
      bias ? view(backend, bias) : null,
      view(backend, out),
      fillConvGeom(info),
      act,
      (a.leakyreluAlpha as number | undefined) ?? 0,
    );
    return out;
  };
}

function conv2DBackpropInput(lib: NativeAddon, fallback: Kernel): Kernel {
  return (args) => {
    const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const a = args.attrs ?? {};
    const inputShape = a.inputShape as [number, number, number, number];
    if (a.dataFormat !== 'NHWC' || !allFloat(dy, filter) || size(inputShape) === 0 || size(dy.shape) === 0) {
      return fallback(args);
    }
    const info = gradientInfo(
      'Conv2DBackpropInput',
      inputShape,
      filter.shape as [number, number, number, number],
      a,
      dy,
    );
    const { backend } = args;
    const dx = backend.makeOutput(inputShape, 'float32');
    lib.conv2dBackwardData(view(backend, dy), view(backend, filter), view(backend, dx), fillConvGeom(info));
    return dx;
  };
}

function conv2DBackpropFilter(lib: NativeAddon, fallback: Kernel | undefined): Kernel {
  return (args) => {
    const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const a = args.attrs ?? {};
    const filterShape = a.filterShape as [number, number, number, number];
    if (a.dataFormat !== 'NHWC' || !allFloat(x, dy) || size(x.shape) === 0 || size(dy.shape) === 0) {
      if (fallback) return fallback(args);
      throw new Error(`Conv2DBackpropFilter: only float32 NHWC with non-empty tensors is supported natively`);
    }
    const info = gradientInfo('Conv2DBackpropFilter', x.shape as [number, number, number, number], filterShape, a, dy);
    const { backend } = args;
    const dw = backend.makeOutput(filterShape, 'float32');
    lib.conv2dBackwardWeights(view(backend, x), view(backend, dy), view(backend, dw), fillConvGeom(info));
    return dw;
  };
}

/**
 * Shapes of a (batched) matmul, or undefined when the addon can't run it (general broadcasting of batch dims,
 * which tfjs allows but our networks never use).
 */
function gemmShape(a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean) {
  const ra = a.shape.length,
    rb = b.shape.length;
  if (ra < 2 || rb < 2) return undefined;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb) {
    throw new Error(
      `matMul: inner dimensions ${k} and ${kb} of shapes [${a.shape}] and [${b.shape}] ` +
        `(transposeA=${transposeA}, transposeB=${transposeB}) must match`,
    );
  }
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batch = size(outer),
    batchA = size(a.shape.slice(0, -2)),
    batchB = size(b.shape.slice(0, -2));
  if ((batchA !== 1 && batchA !== batch) || (batchB !== 1 && batchB !== batch)) return undefined;
  if (batch * m * n * k === 0) return undefined;
  return { outShape: [...outer, m, n], batch, batchA, batchB, m, n, k };
}

function batchMatMul(lib: NativeAddon, fallback: Kernel, fused: boolean): Kernel {
  return (args) => {
    const { a, b, bias } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo; bias?: tf.TensorInfo };
    const at = args.attrs ?? {};
    const transposeA = Boolean(at.transposeA),
      transposeB = Boolean(at.transposeB);
    const act = fused ? ACTIVATIONS[(at.activation as string | undefined) ?? 'linear'] : 0;
    const g = allFloat(a, b, bias) && act !== undefined ? gemmShape(a, b, transposeA, transposeB) : undefined;
    const biasOk = bias == null || (bias.shape.length <= 1 && (size(bias.shape) === 1 || size(bias.shape) === g?.n));
    if (!g || !biasOk) return fallback(args);
    const { backend } = args;
    const out = backend.makeOutput(g.outShape, 'float32');
    gemmGeom.set([g.batch, g.batchA, g.batchB, g.m, g.n, g.k, transposeA ? 1 : 0, transposeB ? 1 : 0]);
    lib.matmul(
      view(backend, a),
      view(backend, b),
      bias ? view(backend, bias) : null,
      view(backend, out),
      gemmGeom,
      act,
      (at.leakyreluAlpha as number | undefined) ?? 0,
    );
    return out;
  };
}

// ---------------------------------------------------------------------------------------------------------
// The work tfjs does around the kernels. Profiling the SAC-AE encoder update at B=128 with native convs on
// stock wasm showed these costing more than the convolutions: every tensor saved for backprop is cloned
// (Identity, a full copy on stock wasm, ~46 per step; lib/backend/kernels now shares the buffer instead),
// the clone's gradient is a same-dtype Cast (another copy), each bias gradient is a Sum over [B,H,W]
// (stock wasm transposes first: 261 ms of a 2.1 s step vs 33 ms native, both under heavy load), and
// ReLU's forward and gradient are single-threaded passes over the activation.

/** Same-dtype Cast shares the input's buffer (tensors are immutable), as the cpu backend does. */
function shareData(backend: BackendWasm, x: tf.TensorInfo): tf.TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

function cast(fallback: Kernel): Kernel {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    return x.dtype !== 'string' && args.attrs?.dtype === x.dtype ? shareData(args.backend, x) : fallback(args);
  };
}

/** Sum over a contiguous run of axes, as [outer, reduce, inner] -> [outer, inner]; others go to wasm. */
function sum(lib: NativeAddon, fallback: Kernel): Kernel {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const a = args.attrs ?? {};
    if (x.dtype !== 'float32' || size(x.shape) === 0 || x.shape.length === 0) return fallback(args);
    const axes = tf.util.parseAxisParam(a.axis as number | number[], x.shape).sort((p, q) => p - q);
    if (axes.length === 0 || axes.some((v, i) => i > 0 && v !== axes[i - 1] + 1)) return fallback(args);
    const first = axes[0],
      last = axes[axes.length - 1];
    const outer = size(x.shape.slice(0, first));
    const reduce = size(x.shape.slice(first, last + 1));
    const inner = size(x.shape.slice(last + 1));
    const kept = x.shape.filter((_, i) => i < first || i > last);
    const outShape = a.keepDims ? x.shape.map((d, i) => (i < first || i > last ? d : 1)) : kept;
    const { backend } = args;
    const out = backend.makeOutput(outShape, 'float32');
    lib.reduceSum(view(backend, x), view(backend, out), outer, reduce, inner);
    return out;
  };
}

/** Whether `t` broadcasts to `out` by plain repetition: a scalar, or `out`'s trailing dims after leading 1s. */
function repeats(t: readonly number[], out: readonly number[]): boolean {
  let i = 0;
  while (i < t.length && t[i] === 1) i++;
  const rest = t.slice(i);
  return rest.length <= out.length && sameShape(rest, out.slice(out.length - rest.length));
}

function binary(lib: NativeAddon, fallback: Kernel, op: number): Kernel {
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (!(a.dtype === 'float32' && b.dtype === 'float32')) return fallback(args);
    const outShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
    if (size(outShape) === 0 || !repeats(a.shape, outShape) || !repeats(b.shape, outShape)) return fallback(args);
    const { backend } = args;
    const out = backend.makeOutput(outShape, 'float32');
    lib.binary(op, view(backend, a), view(backend, b), view(backend, out));
    return out;
  };
}

function unary(lib: NativeAddon, fallback: Kernel, op: number): Kernel {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype !== 'float32' || size(x.shape) === 0) return fallback(args);
    const { backend } = args;
    const out = backend.makeOutput(x.shape, 'float32');
    lib.unary(op, view(backend, x), view(backend, out), (args.attrs?.alpha as number | undefined) ?? 0);
    return out;
  };
}

/**
 * ReLU's gradient in one pass. tfjs computes it as mul(dy, cast(step(x))): two full passes and an extra
 * activation-sized allocation per ReLU layer. This kernel exists only on 'wasm' under the native backend; the
 * gradient below uses it there and tfjs's own formula everywhere else.
 */
const RELU_GRAD = 'SeerNativeReluGrad';

function reluGrad(lib: NativeAddon): Kernel {
  return (args) => {
    const { dy, x } = args.inputs as { dy: tf.TensorInfo; x: tf.TensorInfo };
    const { backend } = args;
    const out = backend.makeOutput(x.shape, 'float32');
    lib.binary(4, view(backend, dy), view(backend, x), view(backend, out));
    return out;
  };
}

let reluGradientPatched = false;

/** Routes Relu's gradient to RELU_GRAD when the native kernels are active on wasm (second-order grads of
 * Relu are then unavailable there; no agent here needs them). */
function patchReluGradient(): void {
  const orig = tf.getGradient('Relu');
  if (reluGradientPatched || !orig) return;
  tf.registerGradient({
    ...orig,
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const dyT = dy as tf.Tensor;
      const native =
        nativeActive &&
        tf.getBackend() === 'wasm' &&
        x.dtype === 'float32' &&
        dyT.dtype === 'float32' &&
        sameShape(x.shape, dyT.shape) &&
        x.size > 0;
      if (!native) return orig.gradFunc(dy, saved, attrs);
      return { x: () => tf.engine().runKernel(RELU_GRAD, { dy: dyT, x }) as tf.Tensor };
    },
  });
  reluGradientPatched = true;
}

// ---------------------------------------------------------------------------------------------------------
// Max pooling. The gradient replaces lib/backend/kernels/max_pool_grad.ts (stock wasm's misroutes 'same'
// padding) with the same search, vectorised and multi-threaded, bit-identical results: per IMPALA fwd+bwd step at
// B=32, 37 ms of JS became 6.6 ms (loaded 2-vCPU VM, tf.profile). The forward replaces wasm's single-threaded
// one (3.4 -> 3.1 ms per step; 2.2 vs 2.7 ms alone on the 84x84x16 pool).

const poolGeom = new Int32Array(12);

function fillPoolGeom(p: backend_util.Conv2DInfo): Int32Array {
  poolGeom.set([
    p.batchSize,
    p.inHeight,
    p.inWidth,
    p.inChannels,
    p.outHeight,
    p.outWidth,
    p.filterHeight,
    p.filterWidth,
    p.strideHeight,
    p.strideWidth,
    p.padInfo.top,
    p.padInfo.left,
  ]);
  return poolGeom;
}

function maxPool(lib: NativeAddon, fallback: Kernel): Kernel {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype !== 'float32' || x.shape.length !== 4 || size(x.shape) === 0) return fallback(args);
    const info = poolInfo(x, args.attrs as unknown as PoolAttrs);
    if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return fallback(args);
    const { backend } = args;
    const out = backend.makeOutput(info.outShape, 'float32');
    if (size(info.outShape) === 0) return out;
    lib.maxPool(view(backend, x), view(backend, out), fillPoolGeom(info));
    return out;
  };
}

function maxPoolGrad(lib: NativeAddon, fallback: Kernel): Kernel {
  return (args) => {
    const { dy, input, output } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo; output: tf.TensorInfo };
    if (!allFloat(dy, input, output) || input.shape.length !== 4 || size(input.shape) === 0 || size(dy.shape) === 0) {
      return fallback(args);
    }
    const info = poolInfo(input, args.attrs as unknown as PoolAttrs);
    for (const [name, t] of [
      ['dy', dy],
      ['output', output],
    ] as const) {
      if (!sameShape(t.shape, info.outShape)) {
        throw new Error(`MaxPoolGrad: ${name} shape [${t.shape}] does not match the pool output [${info.outShape}]`);
      }
    }
    const { backend } = args;
    const dx = backend.makeOutput([...input.shape], 'float32');
    lib.maxPoolGrad(
      view(backend, input),
      view(backend, output),
      view(backend, dy),
      view(backend, dx),
      fillPoolGeom(info),
    );
    return dx;
  };
}

// ---------------------------------------------------------------------------------------------------------
// Optimizer. lib/agents/adam.ts as tfjs ops is ~10 dispatches and passes per parameter, sqrt single-threaded
// (Adam was about half of the double-Q MLP update); the fused kernel is one OpenMP pass: 3.2 ms against 14.4 ms
// for one step over that MLP's 2.2M parameters (4.0 / 16.6 ms with clipping; loaded 2-vCPU VM). The clip
// coefficient is a scalar tensor on the heap (from GLOBAL_NORM), read without a sync: wasm memory is host memory.

function adamStep(lib: NativeAddon): Kernel {
  return (args) => {
    const inputs = args.inputs as unknown as AdamStepInputs;
    checkAdamInputs(inputs);
    const { param, m, v, grad, coef } = inputs;
    const { backend } = args;
    const outs = [0, 1, 2].map(() => backend.makeOutput([...param.shape], 'float32'));
    if (size(param.shape) === 0) return outs;
    const k = adamScalars(args.attrs as unknown as AdamStepAttrs, coef ? view(backend, coef)[0] : 1);
    lib.adamStep(
      view(backend, param),
      view(backend, m),
      view(backend, v),
      view(backend, grad),
      view(backend, outs[0]),
      view(backend, outs[1]),
      view(backend, outs[2]),
      k.b1,
      k.b2,
      k.c1,
      k.c2,
      k.step,
      k.eps,
    );
    return outs;
  };
}

/**
 * All parameters of an optimizer step in one dispatch and one OpenMP pass (issue 21: Rainbow's 20 ADAM_STEP
 * dispatches and their 8 thread wake-ups per update became one); each element as adamStep computes it.
 */
function adamStepMulti(lib: NativeAddon): Kernel {
  return (args) => {
    const attrs = args.attrs as unknown as AdamStepMultiAttrs;
    const params = multiAdamInputs(args.inputs as unknown as tf.TensorInfo[], attrs);
    const { backend } = args;
    const outs = params.map((x) => [0, 1, 2].map(() => backend.makeOutput([...x.param.shape], 'float32')));
    const arrays: Float32Array[] = [];
    const scalars: number[] = [];
    params.forEach((x, i) => {
      if (size(x.param.shape) === 0) return;
      const coef = x.coef ? view(backend, x.coef)[0] : 1;
      const { beta1, beta2 } = attrs;
      const k = adamScalars({ beta1, beta2, stepSize: attrs.stepSizes[i], epsHat: attrs.epsHats[i] }, coef);
      scalars.push(k.b1, k.b2, k.c1, k.c2, k.step, k.eps);
      for (const t of [x.param, x.m, x.v, x.grad, ...outs[i]]) arrays.push(view(backend, t));
    });
    if (arrays.length) lib.adamStepMulti(arrays, Float32Array.from(scalars));
    return outs.flat();
  };
}

function globalNorm(lib: NativeAddon): Kernel {
  return (args) => {
    const xs = checkNormInputs(args.inputs as unknown as tf.TensorInfo[]);
    const { backend } = args;
    const outs = [backend.makeOutput([], 'float32'), backend.makeOutput([], 'float32')];
    let ss = 0;
    for (const x of xs) if (size(x.shape) > 0) ss += lib.sumSquares(view(backend, x));
    const [norm, coef] = clipFromSumSquares(ss, args.attrs?.maxNorm as number);
    view(backend, outs[0])[0] = norm;
    view(backend, outs[1])[0] = coef;
    return outs;
  };
}

// ---------------------------------------------------------------------------------------------------------
// Noisy layers (lib/backend/kernels/noisy.ts). Forming a noisy weight from tfjs ops is three passes over [in, out],
// two temporaries of that size and five dispatches with the bias; Rainbow's 1.1M-parameter head forms its target
// layers every update and its online layers after every optimizer step (issue 21). One pass here.

function noisyParams(lib: NativeAddon): Kernel {
  return (args) => {
    const inputs = args.inputs as unknown as NoisyParamsInputs;
    const [inDim, outDim] = checkNoisyParamsInputs(inputs);
    const { backend } = args;
    const w = backend.makeOutput([inDim, outDim], 'float32');
    const b = backend.makeOutput([outDim], 'float32');
    if (inDim * outDim === 0) return [w, b];
    const v = (t: tf.TensorInfo) => view(backend, t);
    lib.noisyParams(
      v(inputs.wMu),
      v(inputs.wSigma),
      v(inputs.bMu),
      v(inputs.bSigma),
      v(inputs.epsIn),
      v(inputs.epsOut),
      v(w),
      v(b),
    );
    return [w, b];
  };
}

function noisySigmaGrad(lib: NativeAddon): Kernel {
  return (args) => {
    const inputs = args.inputs as unknown as NoisySigmaGradInputs;
    const [inDim, outDim] = checkNoisySigmaGradInputs(inputs);
    const { backend } = args;
    const out = backend.makeOutput([inDim, outDim], 'float32');
    if (inDim * outDim === 0) return out;
    lib.noisySigmaGrad(
      view(backend, inputs.dy),
      view(backend, inputs.epsIn),
      view(backend, inputs.epsOut),
      view(backend, out),
    );
    return out;
  };
}

/** The C51 projection (lib/backend/kernels/c51.ts): ~20 dispatches as ops, one here. */
function c51Project(lib: NativeAddon): Kernel {
  return (args) => {
    const inputs = args.inputs as unknown as C51Inputs;
    const [B, J] = checkC51Inputs(inputs);
    const { vMin, vMax } = args.attrs as unknown as C51Attrs;
    const { backend } = args;
    const out = backend.makeOutput([B, J], 'float32');
    if (B * J === 0) return out;
    const v = (t: tf.TensorInfo) => view(backend, t);
    // The scalars as the composition's scalar tensors hold them (float32); dz computed in double first, as there.
    const dz = (vMax - vMin) / (J - 1);
    lib.c51Project(v(inputs.probs), v(inputs.returns), v(inputs.discounts), v(inputs.z), v(out), vMin, vMax, dz);
    return out;
  };
}

/** Rainbow's online loss (lib/backend/kernels/rainbow_loss.ts): ~25 dispatches as ops, one here; its gradient too. */
function rainbowLoss(lib: NativeAddon): Kernel {
  return (args) => {
    const inputs = args.inputs as unknown as RainbowLossInputs;
    const [B, A, J] = checkRainbowLossInputs(inputs);
    const { backend } = args;
    const loss = backend.makeOutput([], 'float32');
    const perSample = backend.makeOutput([B], 'float32');
    const logp = backend.makeOutput([B, A, J], 'float32');
    const v = (t: tf.TensorInfo) => view(backend, t);
    const actions = backend.typedArrayFromHeap(inputs.actions) as Int32Array;
    const { target, weights } = inputs;
    lib.rainbowLossForward(v(inputs.v), v(inputs.a), actions, v(target), v(weights), v(loss), v(perSample), v(logp));
    return [loss, perSample, logp];
  };
}

function rainbowLossGrad(lib: NativeAddon): Kernel {
  return (args) => {
    const inputs = args.inputs as unknown as RainbowLossGradInputs;
    const [B, A, J] = checkRainbowLossGradInputs(inputs);
    const { backend } = args;
    const dv = backend.makeOutput([B, J], 'float32');
    const da = backend.makeOutput([B, A * J], 'float32');
    const v = (t: tf.TensorInfo) => view(backend, t);
    const actions = backend.typedArrayFromHeap(inputs.actions) as Int32Array;
    const dy = v(inputs.dy)[0];
    const { logp, target, weights } = inputs;
    lib.rainbowLossBackward(dy, v(inputs.dyPerSample), v(logp), actions, v(target), v(weights), v(dv), v(da));
    return [dv, da];
  };
}

/** The kernels this module replaces on 'wasm', and how each is built from the addon and the previous kernel. */
const OVERRIDES: Record<string, (lib: NativeAddon, prev: Kernel | undefined) => Kernel | undefined> = {
  Conv2D: (lib, prev) => conv2D(lib, required('Conv2D', prev)),
  FusedConv2D: (lib, prev) => fusedConv2D(lib, required('FusedConv2D', prev)),
  Conv2DBackpropInput: (lib, prev) => conv2DBackpropInput(lib, required('Conv2DBackpropInput', prev)),
  Conv2DBackpropFilter: (lib, prev) => conv2DBackpropFilter(lib, prev),
  BatchMatMul: (lib, prev) => batchMatMul(lib, required('BatchMatMul', prev), false),
  _FusedMatMul: (lib, prev) => batchMatMul(lib, required('_FusedMatMul', prev), true),
  Cast: (_lib, prev) => cast(required('Cast', prev)),
  Sum: (lib, prev) => sum(lib, required('Sum', prev)),
  Add: (lib, prev) => binary(lib, required('Add', prev), 0),
  Sub: (lib, prev) => binary(lib, required('Sub', prev), 1),
  Multiply: (lib, prev) => binary(lib, required('Multiply', prev), 2),
  RealDiv: (lib, prev) => binary(lib, required('RealDiv', prev), 3),
  Relu: (lib, prev) => unary(lib, required('Relu', prev), 0),
  Step: (lib, prev) => unary(lib, required('Step', prev), 1),
  [RELU_GRAD]: (lib) => reluGrad(lib),
  // An addon built before these entry points existed keeps wasm's kernels (rebuild to get them).
  MaxPool: (lib, prev) =>
    typeof lib.maxPool === 'function' ? maxPool(lib, required('MaxPool', prev)) : required('MaxPool', prev),
  MaxPoolGrad: (lib, prev) =>
    typeof lib.maxPoolGrad === 'function'
      ? maxPoolGrad(lib, required('MaxPoolGrad', prev))
      : required('MaxPoolGrad', prev),
  [ADAM_STEP]: (lib, prev) => (typeof lib.adamStep === 'function' ? adamStep(lib) : required(ADAM_STEP, prev)),
  [GLOBAL_NORM]: (lib, prev) => (typeof lib.sumSquares === 'function' ? globalNorm(lib) : required(GLOBAL_NORM, prev)),
  [ADAM_STEP_MULTI]: (lib) => (typeof lib.adamStepMulti === 'function' ? adamStepMulti(lib) : undefined),
  // New kernels, absent on plain wasm: lib/nets/noisy.ts uses them only when registered (an addon built before
  // they existed registers none, and the layer keeps its op composition).
  [NOISY_PARAMS]: (lib) => (typeof lib.noisyParams === 'function' ? noisyParams(lib) : undefined),
  [NOISY_SIGMA_GRAD]: (lib) => (typeof lib.noisySigmaGrad === 'function' ? noisySigmaGrad(lib) : undefined),
  [C51_PROJECT]: (lib) => (typeof lib.c51Project === 'function' ? c51Project(lib) : undefined),
  [RAINBOW_LOSS]: (lib) => (typeof lib.rainbowLossForward === 'function' ? rainbowLoss(lib) : undefined),
  [RAINBOW_LOSS_GRAD]: (lib) => (typeof lib.rainbowLossBackward === 'function' ? rainbowLossGrad(lib) : undefined),
};

function required(name: string, k: Kernel | undefined): Kernel {
  return (
    k ??
    (() => {
      throw new Error(`${name}: no wasm kernel to fall back to for this case`);
    })
  );
}

/** Per kernel: our config and the one it replaced (undefined where wasm had none), for useNativeKernels. */
const swaps = new Map<string, { ours: tf.KernelConfig; prev: tf.KernelConfig | undefined }>();
let nativeActive = false;

function install(name: string, config: tf.KernelConfig | undefined): void {
  if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
  if (config) tf.registerKernel(config);
}

/**
 * Brings up wasm (with the gradient kernels lib/backend/wasm.ts adds), then replaces its heavy kernels with the
 * addon's. Throws, with the reason and the fix, when the addon is not built or cannot load its libraries.
 */
export async function registerNativeKernels(): Promise<void> {
  if (swaps.size) return useNativeKernels(true);
  const lib = loadNativeAddon();
  const wasm = require('./wasm') as { setupWasm(): Promise<void> };
  await wasm.setupWasm();
  require('@tensorflow/tfjs-backend-wasm'); // registers the stock wasm kernels we delegate to
  for (const [name, make] of Object.entries(OVERRIDES)) {
    const prev = tf.getKernel(name, 'wasm');
    const kernelFunc = make(lib, prev?.kernelFunc as Kernel | undefined);
    if (!kernelFunc) continue;
    const ours: tf.KernelConfig = {
      kernelName: name,
      backendName: 'wasm',
      kernelFunc: kernelFunc as unknown as tf.KernelFunc,
      // The previous kernel's setup (its cwrap of the wasm function) must still run for the fallback path.
      setupFunc: prev?.setupFunc,
      disposeFunc: prev?.disposeFunc,
    };
    swaps.set(name, { ours, prev });
  }
  patchReluGradient();
  useNativeKernels(true);
}

/**
 * Switches the 'wasm' backend between the native kernels and the ones they replaced, in place (for A/B tests
 * and benchmarks within one process). Requires registerNativeKernels() first.
 */
export function useNativeKernels(on: boolean): void {
  if (!swaps.size) throw new Error('useNativeKernels: call registerNativeKernels() first');
  if (on === nativeActive) return;
  for (const [name, { ours, prev }] of swaps) install(name, on ? ours : prev);
  nativeActive = on;
}

/** Whether the native kernels are active on the current backend (they replace wasm's while on). */
export function nativeKernelsActive(): boolean {
  return nativeActive && tf.getBackend() === 'wasm';
}

/**
 * The addon's uint8 → float32 pixel conversion (out[j] = src[j] / divisor, multi-threaded) while the native kernels
 * are active on 'wasm', for lib/backend/kernels/pixels.ts; undefined otherwise (or with an addon built before it).
 */
export function nativePixelsToFloat(): NativeAddon['pixelsToFloat'] | undefined {
  if (!nativeActive || !addon || typeof addon.pixelsToFloat !== 'function' || tf.getBackend() !== 'wasm')
    return undefined;
  return addon.pixelsToFloat;
}

/** The addon's batch frame stacker for lib/replay/image-replay.ts, while the native kernels are on. */
export function nativeStackFrames(): NativeAddon['stackFrames'] | undefined {
  if (!nativeActive || !addon || typeof addon.stackFrames !== 'function') return undefined;
  return addon.stackFrames;
}

/** Names of the kernels the native backend provides on top of wasm. */
export const NATIVE_KERNELS: readonly string[] = Object.keys(OVERRIDES);

/** Library versions, thread counts and the threads' wait policy, for benchmark and run manifests. */
export function nativeInfo(): ReturnType<NativeAddon['info']> & { waitPolicy: WaitPolicy } {
  const info = loadNativeAddon().info();
  return { ...info, waitPolicy: waitPolicy as WaitPolicy };
}
