/**
 * Adam with PyTorch's semantics (per-parameter step counts, eps added to √v̂), written out so that
 * (a) moments can be checkpointed as plain Float32Arrays, (b) variables can leave an optimizer when SEER
 * freezes them, and (c) several optimizers can share a variable, as CURL's encoder is stepped by both
 * its encoder optimizer and its contrastive optimizer in the official code.
 */
import * as tf from '@tensorflow/tfjs';
import type { AgentState } from './types';

export interface AdamConfig {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
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

  /** Applies one step to every owned parameter that has a gradient in `grads` (keyed by variable name). */
  step(grads: tf.NamedTensorMap): void {
    const b1 = this.beta1;
    const b2 = this.beta2;
    for (const s of this.slots.values()) {
      const g = grads[s.param.name];
      if (!g) continue;
      s.t += 1;
      const bc1 = 1 - Math.pow(b1, s.t);
      const bc2 = 1 - Math.pow(b2, s.t);
      tf.tidy(() => {
        const m = tf.add(tf.mul(s.m, b1), tf.mul(g, 1 - b1));
        const v = tf.add(tf.mul(s.v, b2), tf.mul(tf.square(g), 1 - b2));
        const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(bc2)), this.eps);
        s.param.assign(tf.sub(s.param, tf.mul(tf.div(m, denom), this.lr / bc1)));
        s.m.assign(m);
        s.v.assign(v);
      });
    }
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
export function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): { grads: tf.NamedTensorMap; norm: tf.Scalar } {
  return tf.tidy(() => {
    const names = Object.keys(grads);
    const sq = names.map((n) => tf.sum(tf.square(grads[n])));
    const norm = tf.sqrt(tf.addN(sq)) as tf.Scalar;
    const coef = tf.minimum(tf.div(maxNorm, tf.add(norm, 1e-6)), 1);
    const out: tf.NamedTensorMap = {};
    for (const n of names) out[n] = tf.mul(grads[n], coef);
    return { grads: out, norm };
  });
}
