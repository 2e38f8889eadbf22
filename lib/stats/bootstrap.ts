/**
 * Stratified bootstrap with percentile intervals, as rliable computes its interval estimates (Agarwal et al. 2021,
 * §4.1; rliable's StratifiedBootstrap): every replicate resamples each stratum's scores with replacement, to the
 * stratum's own size, and never mixes strata. Here a stratum is one arm's seeds on one task, so a comparison of two
 * arms resamples each arm's seeds separately. Seeded (lib/envs/rng.ts), so a notebook shows the same interval on
 * every run.
 */
import { Rng } from '../envs/rng';
import { quantile } from './descriptive';

export interface BootstrapOptions {
  /** Number of bootstrap replicates (default 2,000, rliable's default for its interval estimates). */
  reps?: number;
  /** Seed of the resampling stream (default 0). */
  seed?: number;
}

export const BOOTSTRAP_DEFAULTS = { reps: 2000, seed: 0 } as const;

/**
 * The replicates of one or more statistics of stratified data: `statistics(resampled)` returns one number per
 * statistic, computed on the strata resampled with replacement. Returns one array of `reps` replicates per statistic.
 */
export function stratifiedBootstrap(
  strata: readonly (readonly number[])[],
  statistics: (resampled: number[][]) => readonly number[],
  opts: BootstrapOptions = {},
): Float64Array[] {
  const reps = opts.reps ?? BOOTSTRAP_DEFAULTS.reps;
  const seed = opts.seed ?? BOOTSTRAP_DEFAULTS.seed;
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`bootstrap reps must be a positive integer, got ${reps}`);
  if (!strata.length || strata.some((s) => !s.length)) {
    throw new Error('bootstrap: every stratum needs at least one score');
  }
  const rng = new Rng(seed);
  const resampled = strata.map((s) => new Array<number>(s.length));
  let out: Float64Array[] | undefined;
  for (let r = 0; r < reps; r++) {
    strata.forEach((s, k) => {
      for (let i = 0; i < s.length; i++) resampled[k][i] = s[rng.int(s.length)];
    });
    const values = statistics(resampled);
    out ??= values.map(() => new Float64Array(reps));
    values.forEach((v, j) => (out![j][r] = v));
  }
  return out!;
}

/** The central `level` percentile interval of bootstrap replicates: [q((1 − level) / 2), q((1 + level) / 2)]. */
export function percentileInterval(replicates: ArrayLike<number>, level = 0.95): [number, number] {
  if (!(level > 0 && level < 1)) throw new Error(`interval level must be in (0, 1), got ${level}`);
  return [quantile(replicates, (1 - level) / 2), quantile(replicates, (1 + level) / 2)];
}
