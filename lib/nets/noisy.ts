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
 */
import * as tf from '@tensorflow/tfjs';
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

  // The formed noisy parameters and the data ids they were formed from (see the header).
  let formed: { key: object[]; outer: tf.Tensor; w: tf.Tensor; b: tf.Tensor } | undefined;
  const current = (): object[] => [weightMu, weightSigma, biasMu, biasSigma, epsIn, epsOut].map((v) => v.dataId);
  const noisyParams = () => {
    const key = current();
    if (formed && formed.key.every((id, i) => id === key[i])) return formed;
    if (formed) tf.dispose([formed.outer, formed.w, formed.b]);
    formed = undefined;
    // The composition as before: ε_in ⊗ ε_out by broadcasting [in,1]·[out] → [in,out], then μ + σ ⊙ ε.
    const [outer, w, b] = tf.tidy(() => {
      const o = tf.mul(epsIn, epsOut);
      const w = tf.add(weightMu, tf.mul(weightSigma, o));
      return [o, w, tf.add(biasMu, tf.mul(biasSigma, epsOut))].map((t) => tf.keep(t));
    });
    formed = { key, outer, w, b };
    return formed;
  };
  // Custom ops (their forward runs with the tape off): a clone of the formed tensor, so each use is its own tape node.
  const noisyWeight = tf.customGrad((mu, sigma) => {
    const f = noisyParams();
    return { value: tf.clone(f.w), gradFunc: (dy: tf.Tensor) => [dy, tf.mul(dy, f.outer)] };
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
        if (!noisy)
          return tf.fused.matMul({
            a: x,
            b: weightMu as unknown as tf.Tensor2D,
            bias: biasMu,
            activation,
          }) as tf.Tensor2D;
        // Without a tape (acting, target passes) the formed tensors are used as they are.
        const taped = (tf.engine() as unknown as { isTapeOn(): boolean }).isTapeOn();
        const f = taped ? undefined : noisyParams();
        const w = (f ? f.w : noisyWeight(weightMu, weightSigma)) as tf.Tensor2D;
        const b = (f ? f.b : noisyBias(biasMu, biasSigma)) as tf.Tensor1D;
        return tf.fused.matMul({ a: x, b: w, bias: b, activation }) as tf.Tensor2D;
      });
    },
    dispose: () => {
      if (formed) tf.dispose([formed.outer, formed.w, formed.b]);
      formed = undefined;
      tf.dispose([weightMu, weightSigma, biasMu, biasSigma, epsIn, epsOut]);
    },
  };
}
