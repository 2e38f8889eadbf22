/**
 * FLOPs accounting by component, accumulated per update, per action and per encoded observation so that
 * any curve can be drawn against cumulative FLOPs. Formulas: lib/nets/flops.ts (forward = 2 × MACs,
 * backward = 2 × forward; elementwise work is not counted unless asked).
 *
 * Components:
 * - encoderForward / encoderBackward: online encoder passes inside updates (convs and, for CURL, the fc
 *   layer; the LayerNorm has no MACs);
 * - heads: MLP / dueling heads and CURL's bilinear W, forward and backward;
 * - target: target-network forward passes (target encoder, target heads, CURL's momentum key);
 * - augmentation: encoder forwards that turn stored observations into SEER latents (K per observation);
 * - acting: the forward pass that picks an action each environment step.
 */

export const FLOP_COMPONENTS = [
  'encoderForward',
  'encoderBackward',
  'heads',
  'target',
  'augmentation',
  'acting',
] as const;
export type FlopComponent = (typeof FLOP_COMPONENTS)[number];
export type FlopBreakdown = Record<FlopComponent, number>;

export function emptyBreakdown(): FlopBreakdown {
  return { encoderForward: 0, encoderBackward: 0, heads: 0, target: 0, augmentation: 0, acting: 0 };
}

export function addInto(into: FlopBreakdown, b: Partial<FlopBreakdown>, times = 1): FlopBreakdown {
  for (const k of FLOP_COMPONENTS) into[k] += (b[k] ?? 0) * times;
  return into;
}

export function totalOf(b: Partial<FlopBreakdown>): number {
  let s = 0;
  for (const k of FLOP_COMPONENTS) s += b[k] ?? 0;
  return s;
}

export type FlopEvent = 'update' | 'act' | 'encode';

export interface FlopSnapshot {
  cumulative: FlopBreakdown;
  total: number;
  updates: number;
  acts: number;
  encoded: number;
}

/** Running totals; one per agent (the agent adds, the runner reads `snapshot()` when it logs). */
export class FlopCounter {
  private cum = emptyBreakdown();
  private counts = { update: 0, act: 0, encode: 0 };
  /** The breakdown of the most recent event of each kind. */
  readonly last: Record<FlopEvent, FlopBreakdown> = {
    update: emptyBreakdown(),
    act: emptyBreakdown(),
    encode: emptyBreakdown(),
  };

  /** `count`: how many events this is (observations for 'encode'). */
  add(event: FlopEvent, b: Partial<FlopBreakdown>, count = 1): void {
    addInto(this.cum, b);
    this.last[event] = addInto(emptyBreakdown(), b);
    this.counts[event] += count;
  }

  total(): number {
    return totalOf(this.cum);
  }

  snapshot(): FlopSnapshot {
    return {
      cumulative: { ...this.cum },
      total: this.total(),
      updates: this.counts.update,
      acts: this.counts.act,
      encoded: this.counts.encode,
    };
  }

  /** For checkpoints. */
  toScalars(prefix = 'flops'): Record<string, number> {
    const out: Record<string, number> = {};
    for (const k of FLOP_COMPONENTS) out[`${prefix}/${k}`] = this.cum[k];
    out[`${prefix}/updates`] = this.counts.update;
    out[`${prefix}/acts`] = this.counts.act;
    out[`${prefix}/encoded`] = this.counts.encode;
    return out;
  }

  fromScalars(s: Record<string, unknown>, prefix = 'flops'): void {
    for (const k of FLOP_COMPONENTS) this.cum[k] = Number(s[`${prefix}/${k}`] ?? 0);
    this.counts.update = Number(s[`${prefix}/updates`] ?? 0);
    this.counts.act = Number(s[`${prefix}/acts`] ?? 0);
    this.counts.encode = Number(s[`${prefix}/encoded`] ?? 0);
  }
}
