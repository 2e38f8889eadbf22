/**
 * Adaptive freezing (beyond the paper, which names choosing T_f by hand as its main limitation): freeze
 * once every watched encoder layer's SVCCA similarity between consecutive checks, Δ updates apart, has
 * stayed ≥ τ for m checks in a row. Encoders converge bottom-up (SEER Fig. 8b), so in practice the top
 * watched layer decides.
 *
 * The rule only counts; the similarity comes from a `SimilaritySource` called once per check — live
 * (lib/analysis/similarity.ts `probeSimilaritySource`: the encoder now vs Δ updates ago on a fixed probe)
 * or synthetic in tests.
 */
import type { LayerSimilarityOptions, Probe, TappedNet, TensorRecord } from '../analysis/similarity';
import { defaultLayers, probeSimilaritySource } from '../analysis/similarity';
import type { FreezeContext, FreezeRule } from './rules';

/**
 * Layer → similarity of the encoder now with itself at the previous check; undefined when there is no
 * previous. A source with state (the previous activations) may expose it for checkpoints.
 */
export type SimilaritySource = ((ctx: FreezeContext) => Record<string, number> | undefined) & {
  exportState?(): TensorRecord;
  importState?(tensors: TensorRecord): void;
};

/** The rule's checkpoint: counters as scalars, the source's previous activations as tensors. */
export interface AdaptiveFreezeState {
  tensors: TensorRecord;
  scalars: { lastCheck: number; streak: number; frozenAt: number; reason: string };
}

export interface AdaptiveFreezeOptions {
  /** τ: similarity every watched layer must reach. */
  tau?: number;
  /** m: consecutive passing checks needed. */
  checks?: number;
  /** Δ: updates between checks. */
  interval?: number;
  /** Never freeze before this update (guards against a stalled early encoder looking "converged"). */
  minUpdate?: number;
  /** Optional cap: freeze here whatever the similarity (a fixed T_f as fallback). */
  maxUpdate?: number;
  /** Layers that must pass (default: every layer the source reports). */
  layers?: string[];
  /** Called after every check (e.g. to append it to the run log). */
  onCheck?: (check: AdaptiveCheck) => void;
}

/**
 * Defaults, from Figure 8b data of this workbook's laptop runs (`seer analyze`, data/figures/encoder-analysis-*):
 * - τ depends on the encoder, because SVCCA between consecutive snapshots settles at different levels:
 *   - data-efficient Rainbow (2 convs, Breakout, 3 seeds): every layer scores ≥ 0.96 from the first pair on and
 *     ≥ 0.993 from update 1,000; replayed, τ = 0.9 (m = 3, Δ = 500) fires at update 1,500, when each layer already
 *     scores ≥ 0.986 against its final snapshot. Live runs with it (3 seeds) ended at 2.37 ± 0.49 with 1,276 GFLOPs
 *     against 2.60 ± 0.24 with 1,479 GFLOPs for the fixed T_f = 2,000: within the seeds' spread, 14% less compute.
 *   - CURL's SAC-AE encoder (4 convs + fc, cartpole-swingup, 1 seed): the top conv layer keeps moving; its
 *     consecutive score stays between 0.87 and 0.96 through update 8,500, so τ = 0.9 sits inside that band and
 *     fires only by chance (never over the baseline's snapshots; at update 5,000 in a live run). τ = 0.85 is just
 *     below the band: replayed, it fires at update 4,000 (44% of training).
 * - m = 3: one lucky check is not enough; three in a row span 3Δ of stable training.
 * - Δ = 1,000 updates at paper scale (a tenth of the only documented DMC T_f, cartpole's 10,000); the laptop scale
 *   uses 500 (config.ts).
 * - minUpdate = 2Δ: the first comparison needs a previous check anyway.
 * The random-representation baseline (randomBaseline: 0.03–0.05 for 32 channels over 10,000–20,000 datapoints,
 * 0.19 for a 50-wide fc layer over 1,000 probe observations) is far below every τ here.
 */
/** τ per agent (see above). */
export const ADAPTIVE_TAU = { rainbow: 0.9, curl: 0.85 } as const;

/** The rule's defaults when no agent is named: Rainbow's τ. */
export const ADAPTIVE_DEFAULTS = { tau: ADAPTIVE_TAU.rainbow, checks: 3, interval: 1_000 } as const;

export interface AdaptiveCheck {
  update: number;
  similarity?: Record<string, number>;
  /** Lowest similarity over the watched layers (NaN when there was nothing to compare). */
  worst: number;
  pass: boolean;
  streak: number;
}

export class AdaptiveFreezeRule implements FreezeRule {
  readonly tau: number;
  readonly checks: number;
  readonly interval: number;
  readonly minUpdate: number;
  readonly maxUpdate?: number;
  readonly layers?: string[];
  private readonly onCheck?: (check: AdaptiveCheck) => void;
  private readonly log: AdaptiveCheck[] = [];
  private lastCheck?: number;
  private streak = 0;
  private frozenAt?: number;
  private reason?: 'converged' | 'cap';

  constructor(
    private readonly source: SimilaritySource,
    opts: AdaptiveFreezeOptions = {},
  ) {
    this.tau = opts.tau ?? ADAPTIVE_DEFAULTS.tau;
    this.checks = opts.checks ?? ADAPTIVE_DEFAULTS.checks;
    this.interval = opts.interval ?? ADAPTIVE_DEFAULTS.interval;
    this.minUpdate = opts.minUpdate ?? 2 * this.interval;
    this.maxUpdate = opts.maxUpdate;
    this.layers = opts.layers;
    this.onCheck = opts.onCheck;
    if (typeof source !== 'function')
      throw new Error('AdaptiveFreezeRule needs a similarity source function (ctx) => {layer: similarity} | undefined');
    if (!(this.tau > 0 && this.tau <= 1)) throw new Error(`tau must be in (0, 1], got ${this.tau}`);
    if (!Number.isInteger(this.checks) || this.checks < 1)
      throw new Error(`checks (m) must be an integer ≥ 1, got ${this.checks}`);
    if (!Number.isInteger(this.interval) || this.interval < 1)
      throw new Error(`interval (Δ) must be an integer ≥ 1 (updates), got ${this.interval}`);
    if (!Number.isInteger(this.minUpdate) || this.minUpdate < 0)
      throw new Error(`minUpdate must be an integer ≥ 0, got ${this.minUpdate}`);
    if (this.maxUpdate !== undefined && (!Number.isInteger(this.maxUpdate) || this.maxUpdate < this.minUpdate)) {
      throw new Error(`maxUpdate must be an integer ≥ minUpdate (${this.minUpdate}), got ${this.maxUpdate}`);
    }
    if (this.layers && this.layers.length === 0) throw new Error('layers, when given, must name at least one layer');
  }

  shouldFreeze(ctx: FreezeContext): boolean {
    if (this.frozenAt !== undefined) return true;
    if (!Number.isInteger(ctx.update) || ctx.update < 0)
      throw new Error(`ctx.update must be an integer ≥ 0, got ${ctx.update}`);
    if (this.lastCheck === undefined || ctx.update - this.lastCheck >= this.interval) this.check(ctx);
    if (this.frozenAt === undefined && this.maxUpdate !== undefined && ctx.update >= this.maxUpdate) {
      this.frozenAt = ctx.update;
      this.reason = 'cap';
    }
    return this.frozenAt !== undefined;
  }

  private check(ctx: FreezeContext): void {
    this.lastCheck = ctx.update;
    const sims = this.source(ctx);
    let worst = NaN;
    let pass = false;
    if (sims) {
      const names = this.layers ?? Object.keys(sims);
      if (names.length === 0) throw new Error('the similarity source reported no layers');
      const missing = names.filter((n) => !(n in sims));
      if (missing.length)
        throw new Error(
          `similarity source lacks layer(s) ${missing.join(', ')}; it reports ${Object.keys(sims).join(', ')}`,
        );
      worst = Math.min(...names.map((n) => sims[n]));
      pass = worst >= this.tau; // NaN fails
    }
    this.streak = pass ? this.streak + 1 : 0;
    const check: AdaptiveCheck = { update: ctx.update, similarity: sims, worst, pass, streak: this.streak };
    this.log.push(check);
    if (this.streak >= this.checks && ctx.update >= this.minUpdate) {
      this.frozenAt = ctx.update;
      this.reason = 'converged';
    }
    this.onCheck?.(check);
  }

  /** For checkpoints: with it, a resumed run checks and fires exactly as an uninterrupted one. */
  exportState(): AdaptiveFreezeState {
    return {
      tensors: this.source.exportState?.() ?? {},
      scalars: {
        lastCheck: this.lastCheck ?? -1,
        streak: this.streak,
        frozenAt: this.frozenAt ?? -1,
        reason: this.reason ?? '',
      },
    };
  }

  importState(state: AdaptiveFreezeState): void {
    const { lastCheck, streak, frozenAt, reason } = state.scalars;
    if (Object.keys(state.tensors).length && !this.source.importState) {
      throw new Error(
        'this similarity source keeps no state, but the checkpoint holds some: build the rule with the same source kind',
      );
    }
    this.source.importState?.(state.tensors);
    this.lastCheck = lastCheck >= 0 ? lastCheck : undefined;
    this.streak = streak;
    this.frozenAt = frozenAt >= 0 ? frozenAt : undefined;
    this.reason = reason === 'converged' || reason === 'cap' ? reason : undefined;
  }

  /** Every check so far (for logs and plots of the rule's decision). */
  history(): readonly AdaptiveCheck[] {
    return this.log;
  }

  /** Update at which the rule fired, if it has. */
  get freezeUpdate(): number | undefined {
    return this.frozenAt;
  }

  describe(): string {
    const base = `adaptive freeze: every ${this.layers ? `layer of [${this.layers.join(', ')}]` : 'encoder layer'} with SVCCA(t, t+Δ) ≥ τ = ${this.tau} for m = ${this.checks} checks, Δ = ${this.interval} updates, not before ${this.minUpdate}${this.maxUpdate !== undefined ? `, at ${this.maxUpdate} at the latest` : ''}`;
    if (this.frozenAt === undefined) return base;
    return `${base} — fired at update ${this.frozenAt} (${this.reason === 'cap' ? 'cap reached' : 'converged'})`;
  }
}

/**
 * The wiring the agents use: watch `encoder`'s conv and linear layers on a fixed probe of observations.
 * Each check is one forward pass of the probe plus one SVCCA per layer (datapoints capped at
 * `similarity.maxDatapoints`, default 20,000 here to keep checks cheap).
 */
export function adaptiveFreezeForEncoder(
  encoder: TappedNet,
  probe: Probe,
  opts: AdaptiveFreezeOptions & { similarity?: LayerSimilarityOptions } = {},
): AdaptiveFreezeRule {
  const simOpts: LayerSimilarityOptions = { maxDatapoints: 20_000, ...opts.similarity };
  const layers = opts.layers ?? simOpts.layers ?? defaultLayers(encoder);
  const live = probeSimilaritySource(encoder, probe, { ...simOpts, layers });
  const source: SimilaritySource = Object.assign(() => live(), {
    exportState: live.exportState,
    importState: live.importState,
  });
  return new AdaptiveFreezeRule(source, { ...opts, layers });
}
