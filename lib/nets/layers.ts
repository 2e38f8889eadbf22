/**
 * Trainable building blocks (Conv2d, Linear, LayerNorm) that own named tf.Variables and a seeded
 * initialisation, plus the initialisers themselves.
 *
 * Layouts are tfjs's: activations NHWC, conv kernels [kh, kw, inC, outC], linear kernels [in, out].
 * Variable names are `${prefix}/kernel|bias|gamma|beta`; tfjs requires them to be unique while alive.
 *
 * Initialisers:
 * - 'orthogonal' (Linear) and 'delta-orthogonal' (conv): CURL/SAC-AE's `weight_init` — orthogonal
 *   weight matrix (Linear, gain 1) or an orthogonal [outC, inC] matrix at the kernel centre and zeros
 *   elsewhere (conv, ReLU gain √2); biases 0.
 * - 'torch-default': PyTorch's nn.Conv2d / nn.Linear default, weight and bias ~ U(±1/√fan_in)
 *   (kaiming_uniform with a=√5). Used for data-efficient Rainbow (Kaixhin's code keeps the defaults)
 *   and for IMPALA, whose TF original used a fan-in-scaled initialiser of the same scale.
 */
import * as tf from '@tensorflow/tfjs';
import { conv2dFlops, convOutSize, elementwiseFlops, layerNormFlops, linearFlops } from './flops';

// ---------------------------------------------------------------------------------------------
// Seeded randomness for initialisation (float64; independent of tfjs's global RNG state).
// ---------------------------------------------------------------------------------------------

export interface InitRng {
  uniform(): number;
  normal(): number;
}

/** mulberry32 uniform generator with Box–Muller normals; same seed → same weights on every backend. */
export function makeInitRng(seed: number): InitRng {
  if (!Number.isFinite(seed)) throw new Error(`seed must be a finite number, got ${seed}`);
  let s = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
  let spare: number | undefined;
  const uniform = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => {
    if (spare !== undefined) {
      const v = spare;
      spare = undefined;
      return v;
    }
    let u = 0;
    while (u === 0) u = uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  return { uniform, normal };
}

/** Derives a child seed so each layer's weights do not depend on how many numbers earlier layers drew. */
export function childSeed(seed: number, key: string): number {
  let h = (Math.floor(seed) * 2654435761) >>> 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/**
 * A rows×cols matrix (row-major, float64) with orthonormal rows (rows ≤ cols) or columns (rows > cols),
 * times `gain` — the distribution of torch.nn.init.orthogonal_ (QR of a Gaussian with sign-fixed R).
 * Modified Gram–Schmidt on the min(rows, cols) Gaussian vectors gives exactly that Q.
 */
export function orthogonalMatrix(rows: number, cols: number, gain: number, rng: InitRng): Float64Array {
  const n = Math.max(rows, cols);
  const m = Math.min(rows, cols);
  const vecs: Float64Array[] = [];
  for (let i = 0; i < m; i++) {
    const v = new Float64Array(n);
    for (let j = 0; j < n; j++) v[j] = rng.normal();
    for (const u of vecs) {
      let dot = 0;
      for (let j = 0; j < n; j++) dot += u[j] * v[j];
      for (let j = 0; j < n; j++) v[j] -= dot * u[j];
    }
    let norm = 0;
    for (let j = 0; j < n; j++) norm += v[j] * v[j];
    norm = Math.sqrt(norm);
    for (let j = 0; j < n; j++) v[j] /= norm;
    vecs.push(v);
  }
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < m; i++) {
    const v = vecs[i];
    for (let j = 0; j < n; j++) {
      // rows ≤ cols: vector i is row i; otherwise it is column i.
      if (rows <= cols) out[i * cols + j] = gain * v[j];
      else out[j * cols + i] = gain * v[j];
    }
  }
  return out;
}

export type ConvInit = 'delta-orthogonal' | 'torch-default';
export type LinearInit = 'orthogonal' | 'torch-default';
const CONV_INITS: readonly ConvInit[] = ['delta-orthogonal', 'torch-default'];
const LINEAR_INITS: readonly LinearInit[] = ['orthogonal', 'torch-default'];

/** ReLU gain √2 (torch.nn.init.calculate_gain('relu')). */
export const RELU_GAIN = Math.SQRT2;

function uniformArray(size: number, bound: number, rng: InitRng): Float32Array {
  const a = new Float32Array(size);
  for (let i = 0; i < size; i++) a[i] = (2 * rng.uniform() - 1) * bound;
  return a;
}

/** Conv kernel [k, k, inC, outC] and bias [outC] values for `init`. */
export function initConvValues(
  k: number,
  inC: number,
  outC: number,
  init: ConvInit,
  seed: number,
): { kernel: Float32Array; bias: Float32Array } {
  const rng = makeInitRng(seed);
  if (init === 'delta-orthogonal') {
    if (k % 2 !== 1) throw new Error(`delta-orthogonal init needs an odd kernel size, got ${k}`);
    const w = orthogonalMatrix(outC, inC, RELU_GAIN, rng); // PyTorch weight[:, :, mid, mid] is [outC, inC]
    const kernel = new Float32Array(k * k * inC * outC);
    const mid = (k - 1) / 2;
    const base = (mid * k + mid) * inC * outC;
    for (let o = 0; o < outC; o++) for (let i = 0; i < inC; i++) kernel[base + i * outC + o] = w[o * inC + i];
    return { kernel, bias: new Float32Array(outC) };
  }
  if (init === 'torch-default') {
    const bound = 1 / Math.sqrt(k * k * inC);
    return { kernel: uniformArray(k * k * inC * outC, bound, rng), bias: uniformArray(outC, bound, rng) };
  }
  throw new Error(`unknown conv init '${init}'. Accepted values: ${CONV_INITS.join(', ')}`);
}

/** Linear kernel [in, out] and bias [out] values for `init` (orthogonal: gain `gain`, default 1). */
export function initLinearValues(
  inDim: number,
  outDim: number,
  init: LinearInit,
  seed: number,
  gain = 1,
): { kernel: Float32Array; bias: Float32Array } {
  const rng = makeInitRng(seed);
  if (init === 'orthogonal') {
    // PyTorch's weight is [out, in]; ours is its transpose.
    const w = orthogonalMatrix(outDim, inDim, gain, rng);
    const kernel = new Float32Array(inDim * outDim);
    for (let o = 0; o < outDim; o++) for (let i = 0; i < inDim; i++) kernel[i * outDim + o] = w[o * inDim + i];
    return { kernel, bias: new Float32Array(outDim) };
  }
  if (init === 'torch-default') {
    const bound = 1 / Math.sqrt(inDim);
    return { kernel: uniformArray(inDim * outDim, bound, rng), bias: uniformArray(outDim, bound, rng) };
  }
  throw new Error(`unknown linear init '${init}'. Accepted values: ${LINEAR_INITS.join(', ')}`);
}

// ---------------------------------------------------------------------------------------------
// Layers
// ---------------------------------------------------------------------------------------------

/** True inside tf.grad / tf.variableGrads (tfjs exposes no public query; the engine state is stable in 4.x). */
export function recordingGradients(): boolean {
  const state = (tf.engine() as unknown as { state?: { gradientDepth?: number } }).state;
  return (state?.gradientDepth ?? 0) > 0;
}

/** A trainable variable holding `values`; tidy drops the temporary tensor tf.variable copies from. */
export function makeVariable(values: Float32Array, shape: number[], name: string): tf.Variable {
  return tf.tidy(() => tf.variable(tf.tensor(values, shape, 'float32'), true, name));
}

export interface Conv2dSpec {
  name: string;
  inShape: [number, number, number];
  outC: number;
  kernel: number;
  stride: number;
  pad: 'valid' | 'same';
  init: ConvInit;
  seed: number;
}

export interface Conv2dLayer {
  readonly name: string;
  readonly kind: 'conv2d';
  readonly spec: Conv2dSpec;
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;
  readonly outputShape: [number, number, number];
  /** Counted forward FLOPs per sample (2 × MACs). */
  readonly forwardFlops: number;
  /** Bias add + optional ReLU per sample. */
  readonly elementwiseFlops: number;
  apply(x: tf.Tensor4D, relu?: boolean): tf.Tensor4D;
}

export function makeConv2d(spec: Conv2dSpec): Conv2dLayer {
  const [h, w, c] = spec.inShape;
  if (spec.pad !== 'valid' && spec.pad !== 'same') throw new Error(`pad must be 'valid' or 'same', got '${spec.pad}'`);
  const oh = convOutSize(h, spec.kernel, spec.stride, spec.pad);
  const ow = convOutSize(w, spec.kernel, spec.stride, spec.pad);
  const values = initConvValues(spec.kernel, c, spec.outC, spec.init, spec.seed);
  const kernel = makeVariable(values.kernel, [spec.kernel, spec.kernel, c, spec.outC], `${spec.name}/kernel`);
  const bias = makeVariable(values.bias, [values.bias.length], `${spec.name}/bias`);
  const outputShape: [number, number, number] = [oh, ow, spec.outC];
  return {
    name: spec.name,
    kind: 'conv2d',
    spec,
    kernel,
    bias,
    outputShape,
    forwardFlops: conv2dFlops({
      inH: h,
      inW: w,
      inC: c,
      outC: spec.outC,
      kernel: spec.kernel,
      stride: spec.stride,
      pad: spec.pad,
    }),
    elementwiseFlops: elementwiseFlops(oh * ow * spec.outC, 2),
    apply(x, relu = false) {
      const filter = kernel as unknown as tf.Tensor4D;
      if (recordingGradients()) {
        // Separate ops under gradients: fused conv's custom gradient always computes the input gradient,
        // even for the first layer whose input is pixels (tfjs prunes it for plain conv2d).
        const y = tf.add(tf.conv2d(x, filter, spec.stride, spec.pad), bias) as tf.Tensor4D;
        return relu ? tf.relu(y) : y;
      }
      return tf.fused.conv2d({
        x,
        filter,
        bias,
        strides: spec.stride,
        pad: spec.pad,
        activation: relu ? 'relu' : 'linear',
      });
    },
  };
}

export interface LinearSpec {
  name: string;
  inDim: number;
  outDim: number;
  init: LinearInit;
  seed: number;
  gain?: number;
}

export interface LinearLayer {
  readonly name: string;
  readonly kind: 'linear';
  readonly spec: LinearSpec;
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;
  readonly outputShape: [number];
  readonly forwardFlops: number;
  readonly elementwiseFlops: number;
  apply(x: tf.Tensor2D, activation?: 'linear' | 'relu'): tf.Tensor2D;
}

export function makeLinear(spec: LinearSpec): LinearLayer {
  if (!(Number.isInteger(spec.inDim) && spec.inDim > 0 && Number.isInteger(spec.outDim) && spec.outDim > 0)) {
    throw new Error(`Linear '${spec.name}' needs positive integer sizes, got ${spec.inDim}→${spec.outDim}`);
  }
  const values = initLinearValues(spec.inDim, spec.outDim, spec.init, spec.seed, spec.gain);
  const kernel = makeVariable(values.kernel, [spec.inDim, spec.outDim], `${spec.name}/kernel`);
  const bias = makeVariable(values.bias, [values.bias.length], `${spec.name}/bias`);
  return {
    name: spec.name,
    kind: 'linear',
    spec,
    kernel,
    bias,
    outputShape: [spec.outDim],
    forwardFlops: linearFlops(spec.inDim, spec.outDim),
    elementwiseFlops: elementwiseFlops(spec.outDim),
    apply(x, activation = 'linear') {
      const w = kernel as unknown as tf.Tensor2D;
      if (recordingGradients()) {
        // As for convs: the fused op's custom gradient always computes the input gradient too.
        const y = tf.add(tf.matMul(x, w), bias) as tf.Tensor2D;
        return activation === 'relu' ? tf.relu(y) : y;
      }
      return tf.fused.matMul({ a: x, b: w, bias, activation }) as tf.Tensor2D;
    },
  };
}

export interface LayerNormLayer {
  readonly name: string;
  readonly kind: 'layernorm';
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly outputShape: [number];
  readonly forwardFlops: number;
  readonly elementwiseFlops: number;
  apply(x: tf.Tensor2D): tf.Tensor2D;
}

/** LayerNorm over the last axis with PyTorch's eps (1e-5), γ = 1 and β = 0 at init. */
export function makeLayerNorm(name: string, dim: number, eps = 1e-5): LayerNormLayer {
  const gamma = makeVariable(new Float32Array(dim).fill(1), [dim], `${name}/gamma`);
  const beta = makeVariable(new Float32Array(dim), [dim], `${name}/beta`);
  return {
    name,
    kind: 'layernorm',
    gamma,
    beta,
    outputShape: [dim],
    forwardFlops: 0,
    elementwiseFlops: layerNormFlops(dim),
    apply(x) {
      return tf.tidy(() => {
        const mean = tf.mean(x, -1, true);
        const centred = tf.sub(x, mean);
        const variance = tf.mean(tf.square(centred), -1, true);
        const normed = tf.mul(centred, tf.rsqrt(tf.add(variance, eps)));
        return tf.add(tf.mul(normed, gamma), beta) as tf.Tensor2D;
      });
    },
  };
}
