/**
 * Two arms' per-seed scores on one task, compared with interval estimates as rliable recommends (Agarwal et al.
 * 2021): the difference of means and of interquartile means, each with a stratified-bootstrap percentile interval
 * (each arm's seeds resampled on their own), and the probability of improvement P(X > Y) with its interval.
 * With 3 seeds per arm a bootstrap interval is rough (at most 10 distinct resamples per arm) and tends to be
 * narrower than the truth; it still says more than a point estimate, and whether 0 is inside it is what a verdict
 * may rest on.
 */
import { BOOTSTRAP_DEFAULTS, percentileInterval, stratifiedBootstrap, type BootstrapOptions } from './bootstrap';
import { interquartileMean, mean } from './descriptive';
import { probabilityOfImprovement } from './improvement';

/** A point estimate and its confidence interval. */
export interface Interval {
  estimate: number;
  low: number;
  high: number;
}

export interface ScoreComparison {
  /** Seeds of X and of Y. */
  seeds: [number, number];
  /** Confidence level of every interval (0.95 by default). */
  level: number;
  /** mean(X) − mean(Y). */
  meanDiff: Interval;
  /** IQM(X) − IQM(Y). */
  iqmDiff: Interval;
  /** P(X > Y), ties counting one half; 0.5 means no difference. */
  improvement: Interval;
}

export interface CompareOptions extends BootstrapOptions {
  /** Confidence level (default 0.95). */
  level?: number;
}

/** The smallest number of seeds per arm for which an interval is computed. */
export const MIN_SEEDS_FOR_INTERVAL = 2;

/** X against Y: point estimates on the scores as given, intervals from one stratified bootstrap of both arms. */
export function compareScores(x: readonly number[], y: readonly number[], opts: CompareOptions = {}): ScoreComparison {
  if (x.length < MIN_SEEDS_FOR_INTERVAL || y.length < MIN_SEEDS_FOR_INTERVAL) {
    const got = `${x.length} and ${y.length}`;
    throw new Error(`an interval estimate needs at least ${MIN_SEEDS_FOR_INTERVAL} seeds per arm, got ${got}`);
  }
  const level = opts.level ?? 0.95;
  const stats = (a: readonly number[], b: readonly number[]): number[] => [
    mean(a) - mean(b),
    interquartileMean(a) - interquartileMean(b),
    probabilityOfImprovement(a, b),
  ];
  const boot = { reps: opts.reps ?? BOOTSTRAP_DEFAULTS.reps, seed: opts.seed ?? BOOTSTRAP_DEFAULTS.seed };
  const reps = stratifiedBootstrap([x, y], ([a, b]) => stats(a, b), boot);
  const point = stats(x, y);
  const interval = (j: number): Interval => {
    const [low, high] = percentileInterval(reps[j], level);
    return { estimate: point[j], low, high };
  };
  return { seeds: [x.length, y.length], level, meanDiff: interval(0), iqmDiff: interval(1), improvement: interval(2) };
}

/**
 * One arm's mean with its stratified-bootstrap percentile interval (the seeds resampled with replacement): where an
 * arm stands against a published number rather than against another arm.
 */
export function meanInterval(x: readonly number[], opts: CompareOptions = {}): Interval {
  if (x.length < MIN_SEEDS_FOR_INTERVAL) {
    throw new Error(`an interval estimate needs at least ${MIN_SEEDS_FOR_INTERVAL} seeds, got ${x.length}`);
  }
  const boot = { reps: opts.reps ?? BOOTSTRAP_DEFAULTS.reps, seed: opts.seed ?? BOOTSTRAP_DEFAULTS.seed };
  const [reps] = stratifiedBootstrap([x], ([a]) => [mean(a)], boot);
  const [low, high] = percentileInterval(reps, opts.level ?? 0.95);
  return { estimate: mean(x), low, high };
}

/** Where 0 (or `at`) lies with respect to an interval: a difference is established only when it lies outside. */
export function intervalSide(i: Interval, at = 0): 'above' | 'below' | 'covers' {
  if (i.low > at) return 'above';
  if (i.high < at) return 'below';
  return 'covers';
}
