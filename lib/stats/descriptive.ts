/**
 * Summaries of a handful of per-seed scores: mean, sample standard deviation, interquartile mean, and the
 * percentile rule the bootstrap intervals use. Pure functions on plain arrays; an empty array is an error, since a
 * summary of no runs is always a caller's mistake.
 */

function nonEmpty(v: readonly number[], what: string): void {
  if (!v.length) throw new Error(`${what} of no values: pass at least one score`);
}

export function mean(v: readonly number[]): number {
  nonEmpty(v, 'mean');
  let s = 0;
  for (const x of v) s += x;
  return s / v.length;
}

/**
 * Sample standard deviation (divisor n − 1), the spread every "± sd" in the workbook shows. NaN for a single value:
 * one seed has no spread to report, and a "± 0" would claim one.
 */
export function sampleStd(v: readonly number[]): number {
  nonEmpty(v, 'standard deviation');
  if (v.length < 2) return NaN;
  const m = mean(v);
  let s = 0;
  for (const x of v) s += (x - m) ** 2;
  return Math.sqrt(s / (v.length - 1));
}

/**
 * Interquartile mean (Agarwal et al. 2021, "Deep RL at the Edge of the Statistical Precipice", §4.2): the mean of the
 * middle 50% of the scores. As in rliable, which calls scipy.stats.trim_mean(x, 0.25), floor(n / 4) scores are cut
 * from each end, so up to 3 scores nothing is cut and the IQM equals the mean.
 */
export function interquartileMean(v: readonly number[]): number {
  nonEmpty(v, 'interquartile mean');
  const sorted = [...v].sort((a, b) => a - b);
  const cut = Math.floor(v.length / 4);
  return mean(sorted.slice(cut, sorted.length - cut));
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of `v` with linear interpolation between order statistics (numpy's default method,
 * which rliable's percentile intervals use): position q · (n − 1) in the sorted values.
 */
export function quantile(v: ArrayLike<number>, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile: q must be in [0, 1], got ${q}`);
  if (!v.length) throw new Error('quantile of no values: pass at least one score');
  const sorted = Float64Array.from(v).sort();
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}
