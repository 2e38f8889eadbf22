/**
 * When to freeze. A rule is asked once per update by the runner; the first `true` triggers the switch (the
 * runner freezes once and stops asking). The fixed rule is the paper's T_f; lib/seer/adaptive.ts adds an
 * SVCCA-based rule behind the same interface.
 */
export interface FreezeContext {
  /** Gradient updates done so far (T_f counts updates, as the official code: agent steps after init). */
  update: number;
  /** Environment steps so far (agent steps × action repeat), for logging. */
  envStep?: number;
  /** Total updates the run will do, when known (used to validate T_f). */
  totalUpdates?: number;
  /** Anything else a rule needs (encoder snapshots for adaptive rules, …). */
  [key: string]: unknown;
}

export interface FreezeRule {
  shouldFreeze(ctx: FreezeContext): boolean;
  describe(): string;
}

/** Freeze once `update ≥ T_f`. T_f must be an integer ≥ 0 and, when the run length is known, ≤ it. */
export class FixedFreezeRule implements FreezeRule {
  readonly tf: number;

  constructor(tf: number, totalUpdates?: number) {
    if (!Number.isInteger(tf) || tf < 0) throw new Error(`T_f must be an integer ≥ 0 (updates), got ${tf}`);
    if (totalUpdates !== undefined && tf > totalUpdates) {
      throw new Error(
        `T_f = ${tf} is beyond the run (${totalUpdates} updates): it must be in [0, ${totalUpdates}]; use NeverFreeze for the baseline`,
      );
    }
    this.tf = tf;
  }

  shouldFreeze(ctx: FreezeContext): boolean {
    if (ctx.totalUpdates !== undefined && this.tf > ctx.totalUpdates) {
      throw new Error(`T_f = ${this.tf} is beyond the run (${ctx.totalUpdates} updates)`);
    }
    return ctx.update >= this.tf;
  }

  describe(): string {
    return `freeze at T_f = ${this.tf} updates`;
  }
}

/** The baseline: never freeze. */
export class NeverFreeze implements FreezeRule {
  shouldFreeze(): boolean {
    return false;
  }

  describe(): string {
    return 'never freeze (baseline)';
  }
}

/** T_f of the official example scripts: cartpole 10,000 updates (seer-reference §1.2), Alien 50,004 (§1.8). */
export const OFFICIAL_TF = { 'cartpole-swingup': 10_000, alien: 50_004 } as const;
