/**
 * Factorised Gaussian noisy linear layer (Fortunato et al. 2018), as in Kaixhin's Rainbow:
 *   w = μ_w + σ_w ⊙ (ε_in ⊗ ε_out),  b = μ_b + σ_b ⊙ ε_out,  ε = f(x) = sign(x)·√|x|, x ~ N(0, 1).
 * Init: μ ~ U(±1/√in); σ_w = σ0/√in, σ_b = σ0/√out (σ0 = 0.1 for data-efficient Rainbow).
 * The noise is drawn in JS (`resetNoise(normals)`) so that runs are reproducible on every backend; in
 * eval mode the layer uses μ only. Variables: `${name}/weight_mu|weight_sigma|bias_mu|bias_sigma`
 * (trainable) and `${name}/eps_in|eps_out` (not trainable). Kernel layout is [in, out] like tfjs.
 *
 * The noisy w and b are formed once per (μ, σ, ε) and kept: a training step uses the online head's three times with
 * the same values (the exploring act, the update's next-state pass and its gradient pass; issue 21). Tensors are
 * immutable and `assign` gives a variable a new data id, so the cache is keyed by the six variables' data ids: any
 * optimizer step, noise draw, checkpoint load or target copy makes the next use form them afresh. Under a gradient
 * tape, w and b enter as custom ops whose gradients are the composition's own
 * (dμ = dy, dσ = dy ⊙ (ε_in ⊗ ε_out), the same float32 products), so updates are bit-identical to forming them inline (test/agents/noisy.test.ts).
 * Where the backend has the fused noisy kernels (the native backend: lib/backend/kernels/noisy.ts), w and b are
 * formed in one pass and dσ without keeping the outer product, element for element the same float32 arithmetic
 * (test/nets/noisy_fused.test.ts); elsewhere the tfjs op composition below runs.
 */
import * as tf from '@tensorflow/tfjs';
import { hasNoisyKernels, NOISY_PARAMS, NOISY_SIGMA_GRAD } from '../backend/kernels/noisy';
import { linearFlops } from './flops';
import { makeInitRng } from './layers';

export interface NoisyLinearSpec {
  name: string;
  inDim: number;
  outDim: number;
  /** σ0 (default 0.1). */
  sigma0?: number;
  seed: number;
}

export interface NoisyLinear {
  readonly name: string;
  readonly inDim: number;
  readonly outDim: number;
  readonly weightMu: tf.Variable;
  readonly weightSigma: tf.Variable;
  readonly biasMu: tf.Variable;
  readonly biasSigma: tf.Variable;
  /** Counted forward FLOPs per sample (2·in·out, as a plain Linear; forming the noisy weight is extra). */
  readonly forwardFlops: number;
  /** Elementwise work per forward pass (not per sample): forming w and b from μ, σ, ε. */
  readonly noiseFlops: number;
  /** Trainable variables. */
  variables(): tf.Variable[];
  /** New noise from `normal` (called in+out times). */
  resetNoise(normal: () => number): void;
  /** Current ε_in and ε_out (for tests and checkpoints). */
  noise(): { epsIn: tf.Variable; epsOut: tf.Variable };
  apply(x: tf.Tensor2D, opts?: { noisy?: boolean; activation?: 'linear' | 'relu' }): tf.Tensor2D;
  dispose(): void;
}

/** f(x) = sign(x)·√|x|, the factorised-noise scaling. */
export function scaleNoise(x: number): number {
  return Math.sign(x) * Math.sqrt(Math.abs(x));
}

/**
 * act(x·w + b). Off the tape on the native backend, the fused matmul kernel is called on the 2-D operands directly:
 * tf.fused.matMul would reshape both to a batch of one and back (three more dispatches per layer, ~30 per Rainbow
 * update; issue 21) for the same single sgemm call with the same geometry, so the values are the same.
 */
function linear(
  x: tf.Tensor2D,
  w: tf.Tensor,
  b: tf.Tensor,
  activation: 'linear' | 'relu',
  taped: boolean,
): tf.Tensor2D {
  const native = require('../backend/native') as typeof import('../backend/native');
  if (!taped && native.nativeKernelsActive() && x.rank === 2 && w.rank === 2 && x.dtype === 'float32') {
    const attrs = { transposeA: false, transposeB: false, activation };
    return tf.engine().runKernel('_FusedMatMul', { a: x, b: w, bias: b }, attrs) as tf.Tensor2D;
  }
  return tf.fused.matMul({ a: x, b: w as tf.Tensor2D, bias: b, activation }) as tf.Tensor2D;
}

export function makeNoisyLinear(spec: NoisyLinearSpec): NoisyLinear {
  const { name, inDim, outDim } = spec;
  if (!(Number.isInteger(inDim) && inDim > 0 && Number.isInteger(outDim) && outDim > 0)) {
    throw new Error(`NoisyLinear '${name}' needs positive integer sizes, got ${inDim}→${outDim}`);
  }
  const sigma0 = spec.sigma0 ?? 0.1;
  if (!(sigma0 >= 0 && Number.isFinite(sigma0)))
    throw new Error(`NoisyLinear '${name}': sigma0 must be >= 0, got ${sigma0}`);
  const rng = makeInitRng(spec.seed);
  const range = 1 / Math.sqrt(inDim);
  const wMu = new Float32Array(inDim * outDim);
  for (let i = 0; i < wMu.length; i++) wMu[i] = (2 * rng.uniform() - 1) * range;
  const bMu = new Float32Array(outDim);
  for (let i = 0; i < outDim; i++) bMu[i] = (2 * rng.uniform() - 1) * range;

  const mk = (t: () => tf.Tensor, suffix: string, trainable: boolean) =>
    tf.tidy(() => tf.variable(t(), trainable, `${name}/${suffix}`));
  const weightMu = mk(() => tf.tensor2d(wMu, [inDim, outDim]), 'weight_mu', true);
  const weightSigma = mk(() => tf.fill([inDim, outDim], sigma0 / Math.sqrt(inDim)), 'weight_sigma', true);
  const biasMu = mk(() => tf.tensor1d(bMu), 'bias_mu', true);
  const biasSigma = mk(() => tf.fill([outDim], sigma0 / Math.sqrt(outDim)), 'bias_sigma', true);
  const epsIn = mk(() => tf.zeros([inDim, 1]), 'eps_in', false);
  const epsOut = mk(() => tf.zeros([outDim]), 'eps_out', false);

  // The formed noisy parameters and the data ids they were formed from (see the header). The op composition keeps
  // the outer product for dσ; the fused kernels recompute it from ε_in and ε_out, which are then still the
  // variables' current values (a gradient is taken within the variableGrads call of its forward pass).
  let formed: { key: object[]; outer: tf.Tensor | undefined; w: tf.Tensor; b: tf.Tensor } | undefined;
  const current = (): object[] => [weightMu, weightSigma, biasMu, biasSigma, epsIn, epsOut].map((v) => v.dataId);
  const release = (f: NonNullable<typeof formed>) => tf.dispose([...(f.outer ? [f.outer] : []), f.w, f.b]);
  const noisyParams = () => {
    const key = current();
    if (formed && formed.key.every((id, i) => id === key[i])) return formed;
    if (formed) release(formed);
    formed = undefined;
    const [outer, w, b] = tf.tidy((): [tf.Tensor | undefined, tf.Tensor, tf.Tensor] => {
      if (hasNoisyKernels()) {
        const inputs = { wMu: weightMu, wSigma: weightSigma, bMu: biasMu, bSigma: biasSigma, epsIn, epsOut };
        const [w, b] = tf.engine().runKernel(NOISY_PARAMS, inputs) as tf.Tensor[];
        return [undefined, tf.keep(w), tf.keep(b)];
      }
      // The composition as before: ε_in ⊗ ε_out by broadcasting [in,1]·[out] → [in,out], then μ + σ ⊙ ε.
      const o = tf.mul(epsIn, epsOut);
      const w = tf.add(weightMu, tf.mul(weightSigma, o));
      const b = tf.add(biasMu, tf.mul(biasSigma, epsOut));
      return [tf.keep(o), tf.keep(w), tf.keep(b)];
    });
    formed = { key, outer, w, b };
    return formed;
  };
  /** dσ = dy ⊙ (ε_in ⊗ ε_out) for the ε the weight `f` was formed from. */
  const sigmaGrad = (dy: tf.Tensor, f: NonNullable<typeof formed>): tf.Tensor => {
    if (f.outer) return tf.mul(dy, f.outer);
    if (epsIn.dataId !== f.key[4] || epsOut.dataId !== f.key[5]) {
      throw new Error(`NoisyLinear '${name}': new noise was drawn between a forward pass and its gradient`);
    }
    if (!hasNoisyKernels()) return tf.mul(dy, tf.mul(epsIn, epsOut)); // the kernels were switched off meanwhile
    return tf.engine().runKernel(NOISY_SIGMA_GRAD, { dy, epsIn, epsOut }) as tf.Tensor;
  };
  // Custom ops (their forward runs with the tape off): a clone of the formed tensor, so each use is its own tape node.
  const noisyWeight = tf.customGrad((mu, sigma) => {
    const f = noisyParams();
    return { value: tf.clone(f.w), gradFunc: (dy: tf.Tensor) => [dy, sigmaGrad(dy, f)] };
  }) as (mu: tf.Tensor, sigma: tf.Tensor) => tf.Tensor;
  const noisyBias = tf.customGrad((mu, sigma) => {
    const f = noisyParams();
    return { value: tf.clone(f.b), gradFunc: (dy: tf.Tensor) => [dy, tf.mul(dy, epsOut)] };
  }) as (mu: tf.Tensor, sigma: tf.Tensor) => tf.Tensor;

  return {
    name,
    inDim,
    outDim,
    weightMu,
    weightSigma,
    biasMu,
    biasSigma,
    forwardFlops: linearFlops(inDim, outDim),
    noiseFlops: 3 * inDim * outDim + 2 * outDim,
    variables: () => [weightMu, weightSigma, biasMu, biasSigma],
    resetNoise(normal) {
      const a = new Float32Array(inDim);
      for (let i = 0; i < inDim; i++) a[i] = scaleNoise(normal());
      const b = new Float32Array(outDim);
      for (let i = 0; i < outDim; i++) b[i] = scaleNoise(normal());
      tf.tidy(() => {
        epsIn.assign(tf.tensor2d(a, [inDim, 1]));
        epsOut.assign(tf.tensor1d(b));
      });
    },
    noise: () => ({ epsIn, epsOut }),
    apply(x, opts = {}) {
      const noisy = opts.noisy ?? true;
      const activation = opts.activation ?? 'linear';
      return tf.tidy((): tf.Tensor2D => {
        const taped = (tf.engine() as unknown as { isTapeOn(): boolean }).isTapeOn();
        if (!noisy) return linear(x, weightMu, biasMu, activation, taped);
        // Without a tape (acting, target passes) the formed tensors are used as they are.
        const f = taped ? undefined : noisyParams();
        const w = f ? f.w : noisyWeight(weightMu, weightSigma);
        const b = f ? f.b : noisyBias(biasMu, biasSigma);
        return linear(x, w, b, activation, taped);
      });
    },
    dispose: () => {
      if (formed) release(formed);
      formed = undefined;
      tf.dispose([weightMu, weightSigma, biasMu, biasSigma, epsIn, epsOut]);
    },
  };
}
