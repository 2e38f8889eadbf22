/**
 * Adam with PyTorch's semantics (per-parameter step counts, eps added to √v̂), written out so that
 * (a) moments can be checkpointed as plain Float32Arrays, (b) variables can leave an optimizer when SEER
 * freezes them, and (c) several optimizers can share a variable, as CURL's encoder is stepped by both
 * its encoder optimizer and its contrastive optimizer in the official code.
 */
import * as tf from '@tensorflow/tfjs';
import {
  ADAM_STEP,
  ADAM_STEP_MULTI,
  GLOBAL_NORM,
  type AdamStepAttrs,
  type AdamStepMultiAttrs,
} from '../backend/kernels/adam';
import type { AgentState } from './types';

export interface AdamConfig {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /**
   * Use the fused kernels (lib/backend/kernels/adam.ts) where the active backend registers them (default); false
   * forces the op composition (tests compare the two). Not part of the checkpoint.
   */
  fused?: boolean;
}

interface Slot {
  param: tf.Variable;
  m: tf.Variable;
  v: tf.Variable;
  t: number;
}

export class Adam {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly fused: boolean;
  private slots = new Map<string, Slot>();

  /** `keyOf` maps a variable to its stable checkpoint name (variable names carry an instance prefix). */
  constructor(
    readonly name: string,
    params: tf.Variable[],
    cfg: AdamConfig,
    private readonly keyOf: (v: tf.Variable) => string = (v) => v.name,
  ) {
    this.lr = cfg.lr;
    this.beta1 = cfg.beta1 ?? 0.9;
    this.beta2 = cfg.beta2 ?? 0.999;
    this.eps = cfg.eps ?? 1e-8;
    this.fused = cfg.fused ?? true;
    const check = (field: string, v: number, ok: boolean, range: string) => {
      if (!ok) throw new Error(`Adam '${name}': ${field} must be ${range}, got ${v}`);
    };
    check('lr', this.lr, this.lr > 0 && Number.isFinite(this.lr), 'a positive number');
    check('beta1', this.beta1, this.beta1 >= 0 && this.beta1 < 1, 'in [0, 1)');
    check('beta2', this.beta2, this.beta2 >= 0 && this.beta2 < 1, 'in [0, 1)');
    check('eps', this.eps, this.eps > 0, 'positive');
    for (const p of params) this.add(p);
  }

  private add(p: tf.Variable): void {
    if (this.slots.has(p.name)) return;
    this.slots.set(p.name, {
      param: p,
      m: tf.tidy(() => tf.variable(tf.zerosLike(p), false)),
      v: tf.tidy(() => tf.variable(tf.zerosLike(p), false)),
      t: 0,
    });
  }

  params(): tf.Variable[] {
    return [...this.slots.values()].map((s) => s.param);
  }

  has(p: tf.Variable): boolean {
    return this.slots.has(p.name);
  }

  /**
   * Applies one step to every owned parameter that has a gradient in `grads` (keyed by variable name).
   * With `clipNorm`, the gradients are first scaled as PyTorch's clip_grad_norm_ over the stepped ones
   * (see clipByGlobalNorm); the scale is folded into the moment updates instead of materialising clipped
   * copies, and the pre-clip norm is returned (a scalar tensor the caller disposes), else undefined.
   *
   * The update is PyTorch's
   *   p ← p − lr/bc1 · m / (√v/√bc2 + eps) = p − (lr·√bc2/bc1) · m / (√v + eps·√bc2).
   * Where the active backend registers the fused kernels (native, wasm, cpu: lib/backend/kernels/adam.ts) each
   * parameter is one fused dispatch; otherwise (e.g. tfjs-node) it is the op composition in opStep, written for
   * wasm, where mul/add/div are vectorised XNNPACK kernels but square and sqrt scalar loops (~6× slower per
   * element): g² is g·g (computed once and shared with the norm), constants are scalars made once per step.
   * Both compute the same float32 operations in the same order.
   */
  step(grads: tf.NamedTensorMap, opts: { clipNorm?: number } = {}): tf.Scalar | undefined {
    const active = [...this.slots.values()].filter((s) => grads[s.param.name]);
    if (active.length === 0) return opts.clipNorm === undefined ? undefined : tf.scalar(0);
    const backend = tf.getBackend();
    const fused =
      this.fused &&
      tf.getKernel(ADAM_STEP, backend) !== undefined &&
      tf.getKernel(GLOBAL_NORM, backend) !== undefined &&
      active.every((s) => s.param.dtype === 'float32' && grads[s.param.name].dtype === 'float32');
    return fused ? this.fusedStep(active, grads, opts.clipNorm) : this.opStep(active, grads, opts.clipNorm);
  }

  /** Bias-corrected step size and eps for step count t (see step). */
  private scalarsAt(t: number): { stepSize: number; epsHat: number } {
    const bc1 = 1 - Math.pow(this.beta1, t);
    const sq2 = Math.sqrt(1 - Math.pow(this.beta2, t));
    return { stepSize: (-this.lr * sq2) / bc1, epsHat: this.eps * sq2 };
  }

  /**
   * One ADAM_STEP dispatch per parameter (instead of ~10 ops), or one ADAM_STEP_MULTI for all of them where the
   * backend has it (native), and, with clipping, one GLOBAL_NORM dispatch for the norm and the coefficient, which
   * stay on the device as a scalar tensor input of every step.
   */
  private fusedStep(active: Slot[], grads: tf.NamedTensorMap, clipNorm: number | undefined): tf.Scalar | undefined {
    return tf.tidy(() => {
      let norm: tf.Scalar | undefined;
      let coef: tf.Scalar | undefined;
      if (clipNorm !== undefined) {
        // Inputs as an array, as tf.addN passes them.
        const gs = active.map((s) => grads[s.param.name]) as unknown as tf.NamedTensorMap;
        [norm, coef] = tf.engine().runKernel(GLOBAL_NORM, gs, { maxNorm: clipNorm }) as tf.Scalar[];
      }
      if (tf.getKernel(ADAM_STEP_MULTI, tf.getBackend())) {
        // Every parameter in one dispatch (native backend): the same per-element step as ADAM_STEP.
        const inputs: tf.Tensor[] = [];
        const attrs: AdamStepMultiAttrs = {
          beta1: this.beta1,
          beta2: this.beta2,
          stepSizes: [],
          epsHats: [],
          clip: !!coef,
        };
        for (const s of active) {
          s.t += 1;
          const { stepSize, epsHat } = this.scalarsAt(s.t);
          attrs.stepSizes.push(stepSize);
          attrs.epsHats.push(epsHat);
          inputs.push(s.param, s.m, s.v, grads[s.param.name]);
        }
        if (coef) inputs.push(coef);
        const outs = tf
          .engine()
          .runKernel(
            ADAM_STEP_MULTI,
            inputs as unknown as tf.NamedTensorMap,
            attrs as unknown as tf.NamedAttrMap,
          ) as tf.Tensor[];
        active.forEach((s, i) => {
          s.param.assign(outs[3 * i]);
          s.m.assign(outs[3 * i + 1]);
          s.v.assign(outs[3 * i + 2]);
        });
        return norm === undefined ? undefined : tf.keep(norm);
      }
      for (const s of active) {
        s.t += 1;
        const attrs: AdamStepAttrs = { beta1: this.beta1, beta2: this.beta2, ...this.scalarsAt(s.t) };
        const inputs: tf.NamedTensorMap = { param: s.param, m: s.m, v: s.v, grad: grads[s.param.name] };
        if (coef) inputs.coef = coef;
        const [p, m, v] = tf.engine().runKernel(ADAM_STEP, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        s.param.assign(p);
        s.m.assign(m);
        s.v.assign(v);
      }
      return norm === undefined ? undefined : tf.keep(norm);
    });
  }

  /** The same step as tfjs ops, for backends without the fused kernels. */
  private opStep(active: Slot[], grads: tf.NamedTensorMap, clipNorm: number | undefined): tf.Scalar | undefined {
    const b1 = this.beta1;
    const b2 = this.beta2;
    return tf.tidy(() => {
      const g2 = active.map((s) => tf.mul(grads[s.param.name], grads[s.param.name]));
      let c1: tf.Tensor = tf.scalar(1 - b1);
      let c2: tf.Tensor = tf.scalar(1 - b2);
      let norm: tf.Scalar | undefined;
      if (clipNorm !== undefined) {
        norm = tf.sqrt(g2.length === 1 ? tf.sum(g2[0]) : tf.addN(g2.map((x) => tf.sum(x)))) as tf.Scalar;
        const coef = tf.minimum(tf.div(clipNorm, tf.add(norm, 1e-6)), 1);
        c1 = tf.mul(c1, coef);
        c2 = tf.mul(c2, tf.mul(coef, coef));
      }
      const sb1 = tf.scalar(b1);
      const sb2 = tf.scalar(b2);
      // Step counts are per parameter (PyTorch); within one optimizer they normally agree, so the
      // bias-correction scalars are made once per distinct count.
      const perT = new Map<number, { size: tf.Scalar; eps: tf.Scalar }>();
      active.forEach((s, i) => {
        const g = grads[s.param.name];
        s.t += 1;
        let k = perT.get(s.t);
        if (!k) {
          const { stepSize, epsHat } = this.scalarsAt(s.t);
          k = { size: tf.scalar(stepSize), eps: tf.scalar(epsHat) };
          perT.set(s.t, k);
        }
        const m = tf.add(tf.mul(s.m, sb1), tf.mul(g, c1));
        const v = tf.add(tf.mul(s.v, sb2), tf.mul(g2[i], c2));
        s.param.assign(tf.add(s.param, tf.mul(tf.div(m, tf.add(tf.sqrt(v), k.eps)), k.size)));
        s.m.assign(m);
        s.v.assign(v);
      });
      return norm === undefined ? undefined : tf.keep(norm);
    });
  }

  /** Removes parameters (and frees their moments): SEER's frozen layers leave their optimizers. */
  remove(params: tf.Variable[]): void {
    for (const p of params) {
      const s = this.slots.get(p.name);
      if (!s) continue;
      tf.dispose([s.m, s.v]);
      this.slots.delete(p.name);
    }
  }

  async save(out: AgentState): Promise<void> {
    for (const s of this.slots.values()) {
      const key = `adam/${this.name}/${this.keyOf(s.param)}`;
      out.tensors[`${key}/m`] = { shape: s.m.shape.slice(), data: (await s.m.data()) as Float32Array };
      out.tensors[`${key}/v`] = { shape: s.v.shape.slice(), data: (await s.v.data()) as Float32Array };
      out.scalars[`${key}/t`] = s.t;
    }
  }

  load(state: AgentState): void {
    for (const s of this.slots.values()) {
      const key = `adam/${this.name}/${this.keyOf(s.param)}`;
      const m = state.tensors[`${key}/m`];
      const v = state.tensors[`${key}/v`];
      const t = state.scalars[`${key}/t`];
      if (!m || !v || typeof t !== 'number') throw new Error(`checkpoint lacks Adam state '${key}'`);
      tf.tidy(() => {
        s.m.assign(tf.tensor(m.data, m.shape));
        s.v.assign(tf.tensor(v.data, v.shape));
      });
      s.t = t;
    }
  }

  dispose(): void {
    this.remove(this.params());
  }
}

/**
 * PyTorch's clip_grad_norm_: scales all gradients by max/(‖g‖+1e-6) when that is below 1.
 * Returns new tensors (the caller disposes them) and the pre-clip norm as a scalar tensor.
 */
export function clipByGlobalNorm(
  grads: tf.NamedTensorMap,
  maxNorm: number,
): { grads: tf.NamedTensorMap; norm: tf.Scalar } {
  return tf.tidy(() => {
    const names = Object.keys(grads);
    // g·g rather than square(g): the former is a vectorised kernel on wasm.
    const sq = names.map((n) => tf.sum(tf.mul(grads[n], grads[n])));
    const norm = tf.sqrt(tf.addN(sq)) as tf.Scalar;
    const coef = tf.minimum(tf.div(maxNorm, tf.add(norm, 1e-6)), 1);
    const out: tf.NamedTensorMap = {};
    for (const n of names) out[n] = tf.mul(grads[n], coef);
    return { grads: out, norm };
  });
}
