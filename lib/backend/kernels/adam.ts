/**
 * Fused optimizer kernels (lib/agents/adam.ts uses them when the active backend has them registered):
 *
 * - ADAM_STEP: inputs {param, m, v, grad, coef?}, attrs {beta1, beta2, stepSize, epsHat}; returns NEW tensors
 *   [param', m', v'] (inputs are never written: a variable's buffer may be shared with other tensors, and the
 *   native conv caches weight layouts per buffer) with, per element, in float32 in this order
 *     m' = m·beta1 + g·c1,  v' = v·beta2 + (g·g)·c2,  p' = p + (m' / (√v' + epsHat))·stepSize,
 *   c1 = (1−beta1)·coef, c2 = (1−beta2)·(coef·coef), coef = the clip coefficient (1 without `coef`),
 *   stepSize = −lr·√bc2/bc1, epsHat = eps·√bc2: the op composition in lib/agents/adam.ts, one pass.
 * - GLOBAL_NORM: inputs = an array of tensors, attrs {maxNorm}; returns [‖g‖, min(maxNorm/(‖g‖+1e-6), 1)]
 *   as float32 scalars (PyTorch's clip_grad_norm_ coefficient), the sum of squares accumulated in double
 *   (on plain wasm, tensors of WASM_JS_MAX floats or more are first summed in float32 by wasm's Sum).
 *
 * - ADAM_STEP_MULTI (native backend only): the ADAM_STEP of several parameters in one dispatch; inputs = an array
 *   [param, m, v, grad] per parameter, then coef if attrs.clip; attrs {beta1, beta2, stepSizes[i], epsHats[i]}
 *   (per parameter: step counts may differ); returns [param', m', v'] per parameter, each element as ADAM_STEP.
 *
 * This file holds the implementations for 'cpu' and plain 'wasm'; lib/backend/native.ts replaces the wasm ones
 * with the addon's (one OpenMP pass) when the native backend is on. The JS loops emulate float32 arithmetic
 * (Math.fround after every operation, exact for +, −, ×, ÷ and √ of float32 operands), so all paths agree with
 * the op composition to the last bit, up to the order of the norm's sum.
 *
 * Measured (scratch script, median ms per Adam step, 2-vCPU VM loaded by two training runs; fused / ops):
 *   parameters                  cpu         wasm, JS loop   wasm, as registered (hybrid)
 *   double-Q MLP, 2.2M in 12    37 / 524    27 / 17         13 / 16    (clip: 18 / 18)
 *   4 small tensors, 4.7K       -           0.20 / 0.95     0.34 / 1.23 (same, other run)
 *   one of 4K / 16K / 32K       -           0.13/0.28, 0.27/0.35, 0.82/0.72
 * cpu: the op composition allocates ~10 fresh arrays per parameter, so the JS loop wins by 14×. wasm: a scalar
 * JS loop over the heap runs ~8 ns per element (fround costs ~40% of that) while XNNPACK's SIMD mul/add/div
 * need well under 1 ns each, so from WASM_JS_MAX floats on the kernel calls wasm's own kernels in the op
 * composition's order (no engine bookkeeping per op); below, dispatch overhead dominates and the loop wins 3-5×.
 */
import * as tf from '@tensorflow/tfjs';
import { alloc, callKernel, dispose, f32Index, heapF32, type TensorInfo, type WasmBackend } from './wasm_heap';

export const ADAM_STEP = 'SeerAdamStep';
export const GLOBAL_NORM = 'SeerGlobalNorm';
export const ADAM_STEP_MULTI = 'SeerAdamStepMulti';

export interface AdamStepMultiAttrs {
  beta1: number;
  beta2: number;
  stepSizes: number[];
  epsHats: number[];
  clip: boolean;
}

/** Splits and validates ADAM_STEP_MULTI inputs (an array, as tf.addN passes them) into per-parameter ADAM_STEP inputs. */
export function multiAdamInputs(inputs: TensorInfo[], attrs: AdamStepMultiAttrs): AdamStepInputs[] {
  const xs = Object.values(inputs);
  const count = attrs.stepSizes.length;
  const want = 4 * count + (attrs.clip ? 1 : 0);
  if (xs.length !== want || attrs.epsHats.length !== count) {
    throw new Error(
      `${ADAM_STEP_MULTI}: expected ${want} inputs (param, m, v, grad per parameter${attrs.clip ? ', then coef' : ''}) ` +
        `and ${count} epsHats, got ${xs.length} inputs and ${attrs.epsHats.length} epsHats`,
    );
  }
  const coef = attrs.clip ? xs[4 * count] : undefined;
  return [...Array(count)].map((_, i) => {
    const x: AdamStepInputs = { param: xs[4 * i], m: xs[4 * i + 1], v: xs[4 * i + 2], grad: xs[4 * i + 3], coef };
    checkAdamInputs(x);
    return x;
  });
}

export interface AdamStepAttrs {
  beta1: number;
  beta2: number;
  stepSize: number;
  epsHat: number;
}

export interface AdamStepInputs {
  param: TensorInfo;
  m: TensorInfo;
  v: TensorInfo;
  grad: TensorInfo;
  coef?: TensorInfo;
}

const f = Math.fround;

/** The float32 per-step scalars (c1, c2 carry the clip coefficient) exactly as the op composition forms them. */
export function adamScalars(
  a: AdamStepAttrs,
  coef: number,
): { b1: number; b2: number; c1: number; c2: number; step: number; eps: number } {
  const c = f(coef);
  return {
    b1: f(a.beta1),
    b2: f(a.beta2),
    c1: f(f(1 - a.beta1) * c),
    c2: f(f(1 - a.beta2) * f(c * c)),
    step: f(a.stepSize),
    eps: f(a.epsHat),
  };
}

/** [‖g‖, clip coefficient] in float32 from the double sum of squares, as PyTorch's clip_grad_norm_. */
export function clipFromSumSquares(sumSq: number, maxNorm: number): [number, number] {
  const norm = f(Math.sqrt(sumSq));
  return [norm, Math.min(f(f(maxNorm) / f(norm + f(1e-6))), 1)];
}

/** Validates the ADAM_STEP inputs (every implementation); returns the element count. */
export function checkAdamInputs(x: AdamStepInputs): number {
  const { param, m, v, grad, coef } = x;
  for (const [name, t] of [
    ['param', param],
    ['m', m],
    ['v', v],
    ['grad', grad],
    ['coef', coef],
  ] as const) {
    if (t && t.dtype !== 'float32') throw new Error(`${ADAM_STEP}: ${name} must be float32, got ${t.dtype}`);
  }
  const n = tf.util.sizeFromShape(param.shape);
  for (const [name, t] of [
    ['m', m],
    ['v', v],
    ['grad', grad],
  ] as const) {
    if (!tf.util.arraysEqual(t.shape, param.shape)) {
      throw new Error(`${ADAM_STEP}: ${name} shape [${t.shape}] differs from param shape [${param.shape}]`);
    }
  }
  if (coef && tf.util.sizeFromShape(coef.shape) !== 1)
    throw new Error(`${ADAM_STEP}: coef must be a scalar, got [${coef.shape}]`);
  return n;
}

/** One Adam pass over [i0, i0+n) of arrays that may all be the same heap (separate offsets per operand). */
function adamLoop(
  k: ReturnType<typeof adamScalars>,
  n: number,
  P: Float32Array,
  pi: number,
  M: Float32Array,
  mi: number,
  V: Float32Array,
  vi: number,
  G: Float32Array,
  gi: number,
  PO: Float32Array,
  poi: number,
  MO: Float32Array,
  moi: number,
  VO: Float32Array,
  voi: number,
): void {
  const { b1, b2, c1, c2, step, eps } = k;
  for (let j = 0; j < n; j++) {
    const g = G[gi + j];
    const m = f(f(M[mi + j] * b1) + f(g * c1));
    const v = f(f(V[vi + j] * b2) + f(f(g * g) * c2));
    PO[poi + j] = P[pi + j] + f(f(m / f(f(Math.sqrt(v)) + eps)) * step);
    MO[moi + j] = m;
    VO[voi + j] = v;
  }
}

/** Validates the GLOBAL_NORM inputs (an array, passed as tf.addN passes it) and returns them. */
export function checkNormInputs(inputs: TensorInfo[]): TensorInfo[] {
  const xs = Object.values(inputs);
  for (const x of xs)
    if (x.dtype !== 'float32') throw new Error(`${GLOBAL_NORM}: inputs must be float32, got ${x.dtype}`);
  return xs;
}

function sumSquares(x: Float32Array, i0: number, n: number): number {
  let s = 0;
  for (let j = i0; j < i0 + n; j++) {
    const q = f(x[j] * x[j]);
    s += q;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------------------
// wasm: tensors live in one heap; allocate every output first (makeOutput may grow and detach the heap).

type WasmArgs<I> = { inputs: I; backend: WasmBackend; attrs: Record<string, unknown> };

/**
 * Below this many floats a parameter is stepped by the JS loop; from it on, by wasm's own SIMD kernels called
 * directly (the op composition, minus the engine's per-op bookkeeping). Measurements: this file's header.
 */
export const WASM_JS_MAX = 1 << 14;

/** A float32 scalar on the heap (dispose it). */
function scalarOnHeap(backend: WasmBackend, x: number): TensorInfo {
  const t = alloc(backend, []);
  heapF32(backend)[f32Index(backend, t)] = x;
  return t;
}

export function wasmAdamStep(args: WasmArgs<AdamStepInputs>): TensorInfo[] {
  const { inputs, backend } = args;
  const n = checkAdamInputs(inputs);
  const { param, m, v, grad } = inputs;
  const shape = [...param.shape];
  const coef = inputs.coef ? heapF32(backend)[f32Index(backend, inputs.coef)] : 1;
  const k = adamScalars(args.attrs as unknown as AdamStepAttrs, coef);
  if (n >= WASM_JS_MAX) {
    // The same float32 operations as lib/agents/adam.ts's op composition, in the same order.
    const [b1, b2, c1, c2, step, eps] = [k.b1, k.b2, k.c1, k.c2, k.step, k.eps].map((x) => scalarOnHeap(backend, x));
    const temps: TensorInfo[] = [b1, b2, c1, c2, step, eps];
    const op = (name: string, a: TensorInfo, b: TensorInfo, keep = false) => {
      const out = callKernel(name, backend, name === 'Sqrt' ? { x: a } : { a, b }, {});
      if (!keep) temps.push(out);
      return out;
    };
    const m2 = op('Add', op('Multiply', m, b1), op('Multiply', grad, c1), true);
    const v2 = op('Add', op('Multiply', v, b2), op('Multiply', op('Multiply', grad, grad), c2), true);
    const q = op('RealDiv', m2, op('Add', op('Sqrt', v2, v2), eps));
    const p2 = op('Add', param, op('Multiply', q, step), true);
    dispose(backend, ...temps);
    return [p2, m2, v2];
  }
  const outs = [alloc(backend, shape), alloc(backend, shape), alloc(backend, shape)];
  if (n === 0) return outs;
  const h = heapF32(backend);
  adamLoop(
    k,
    n,
    h,
    f32Index(backend, param),
    h,
    f32Index(backend, m),
    h,
    f32Index(backend, v),
    h,
    f32Index(backend, grad),
    h,
    f32Index(backend, outs[0]),
    h,
    f32Index(backend, outs[1]),
    h,
    f32Index(backend, outs[2]),
  );
  return outs;
}

export function wasmGlobalNorm(args: WasmArgs<TensorInfo[]>): TensorInfo[] {
  const { backend } = args;
  let ss = 0;
  for (const x of checkNormInputs(args.inputs)) {
    const n = tf.util.sizeFromShape(x.shape);
    if (n === 0) continue;
    if (n < WASM_JS_MAX) {
      ss += sumSquares(heapF32(backend), f32Index(backend, x), n);
    } else {
      const sq = callKernel('Multiply', backend, { a: x, b: x }, {});
      const sum = callKernel('Sum', backend, { x: sq }, { axis: x.shape.map((_, i) => i), keepDims: false });
      ss += heapF32(backend)[f32Index(backend, sum)];
      dispose(backend, sq, sum);
    }
  }
  const outs = [alloc(backend, []), alloc(backend, [])];
  const h = heapF32(backend);
  const [norm, coef] = clipFromSumSquares(ss, args.attrs.maxNorm as number);
  h[f32Index(backend, outs[0])] = norm;
  h[f32Index(backend, outs[1])] = coef;
  return outs;
}

// ---------------------------------------------------------------------------------------------------------
// cpu: each tensor is its own typed array in backend.data.

interface CpuBackend {
  data: { get(dataId: object): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: Float32Array): TensorInfo;
}
type CpuArgs<I> = { inputs: I; backend: CpuBackend; attrs: Record<string, unknown> };

function cpuValues(backend: CpuBackend, t: TensorInfo): Float32Array {
  const vals = backend.data.get(t.dataId).values;
  if (!(vals instanceof Float32Array)) throw new Error(`${ADAM_STEP}: cpu tensor data is not a Float32Array`);
  return vals;
}

export function cpuAdamStep(args: CpuArgs<AdamStepInputs>): TensorInfo[] {
  const { inputs, backend } = args;
  const n = checkAdamInputs(inputs);
  const coef = inputs.coef ? cpuValues(backend, inputs.coef)[0] : 1;
  const po = new Float32Array(n),
    mo = new Float32Array(n),
    vo = new Float32Array(n);
  adamLoop(
    adamScalars(args.attrs as unknown as AdamStepAttrs, coef),
    n,
    cpuValues(backend, inputs.param),
    0,
    cpuValues(backend, inputs.m),
    0,
    cpuValues(backend, inputs.v),
    0,
    cpuValues(backend, inputs.grad),
    0,
    po,
    0,
    mo,
    0,
    vo,
    0,
  );
  const shape = [...inputs.param.shape];
  return [po, mo, vo].map((vals) => backend.makeTensorInfo(shape, 'float32', vals));
}

export function cpuGlobalNorm(args: CpuArgs<TensorInfo[]>): TensorInfo[] {
  const { backend } = args;
  let ss = 0;
  for (const x of checkNormInputs(args.inputs)) {
    const vals = cpuValues(backend, x);
    ss += sumSquares(vals, 0, vals.length);
  }
  const [norm, coef] = clipFromSumSquares(ss, args.attrs.maxNorm as number);
  return [norm, coef].map((x) => backend.makeTensorInfo([], 'float32', new Float32Array([x])));
}

// ---------------------------------------------------------------------------------------------------------
// Registration: 'cpu' here, when this module loads (lib/agents/adam.ts imports it); 'wasm' in
// registerWasmTrainingKernels (./index.ts), so that the native backend finds them as its fallbacks.

function registerOnce(kernelName: string, backendName: string, kernelFunc: unknown): void {
  if (!tf.getKernel(kernelName, backendName))
    tf.registerKernel({ kernelName, backendName, kernelFunc: kernelFunc as tf.KernelFunc });
}

registerOnce(ADAM_STEP, 'cpu', cpuAdamStep);
registerOnce(GLOBAL_NORM, 'cpu', cpuGlobalNorm);
