/**
 * The statistics behind a section's conclusions, as numbers and verdicts: per-arm summaries, scores at a fixed
 * training-FLOPs budget (Table 1 left), final scores (Table 1 right), and verdicts on "arm A beats arm B" that rest
 * on interval estimates (lib/stats: rliable's stratified bootstrap) and say when the seeds cannot tell. Runs are
 * grouped by environment and arm (`RunResult.arm`), pre-training runs left out. What notebooks show as text (tables
 * with "mean ± sd" cells, verdict sentences) is lib/report/section-report.ts.
 */
import * as aq from 'arquero';
import { groupByEnvArm, meanOf, returnAtFlops, type EnvArmGroup, type RunResult } from './results';
import { withoutPretraining } from '../plan/sections';
import { interquartileMean, mean, sampleStd } from '../stats/descriptive';
import { compareScores, intervalSide, MIN_SEEDS_FOR_INTERVAL } from '../stats/compare';
import type { ScoreComparison } from '../stats/compare';

export interface ArmStats {
  env: string;
  arm: string;
  seeds: number;
  /** The per-seed scores summarised here (one per run that has a score). */
  values: number[];
  mean: number;
  /** Sample standard deviation (n − 1); NaN for a single seed, which has no spread. */
  std: number;
  /** Interquartile mean (lib/stats; equals the mean up to 3 seeds). */
  iqm: number;
  /**
   * Did this arm learn at all? Its final evaluations (mean over seeds) beat its first ones, made before any update,
   * by more than the finals' sample std. Undefined with fewer than 2 seeds. Where neither arm learned, a comparison
   * between them tests nothing (walker-walk at laptop scale).
   */
  learned?: boolean;
}

function statsOf(env: string, arm: string, values: number[], learned?: boolean): ArmStats {
  const n = values.length;
  const of = (f: (v: number[]) => number): number => (n ? f(values) : NaN);
  return { env, arm, seeds: n, values, mean: of(mean), std: of(sampleStd), iqm: of(interquartileMean), learned };
}

/** The runs each arm's statistics are computed from, per environment: those with evaluations, no pre-training. */
function groups(runs: RunResult[]): EnvArmGroup<RunResult>[] {
  return groupByEnvArm(withoutPretraining(runs).filter((r) => r.evals.length > 0));
}

const last = (r: RunResult) => r.evals[r.evals.length - 1];

/** ArmStats.learned for one arm's runs. */
export function learnedOf(rs: RunResult[]): boolean | undefined {
  if (rs.length < 2) return undefined;
  const finals = rs.map((r) => last(r).evalReturn);
  return meanOf(finals) - meanOf(rs.map((r) => r.evals[0].evalReturn)) > sampleStd(finals);
}

/** Final evaluation return, compute, wall time and replay memory per environment and arm (over seeds). */
export function armTable(runs: RunResult[]): aq.ColumnTable {
  const rows = groups(runs).map(({ env, arm, items: rs }) => {
    const finals = rs.map((r) => last(r).evalReturn);
    const freeze = rs.filter((r) => r.freeze).map((r) => r.freeze!.envSteps);
    return {
      env,
      arm,
      seeds: rs.length,
      'final return (mean)': meanOf(finals),
      'sd (n−1)': sampleStd(finals),
      'env steps': meanOf(rs.map((r) => last(r).envSteps)),
      'freeze at env step': freeze.length ? meanOf(freeze) : NaN,
      GFLOPs: meanOf(rs.map((r) => last(r).flops)) / 1e9,
      'training GFLOPs': meanOf(rs.map((r) => last(r).trainingFlops)) / 1e9,
      'wall s': meanOf(rs.map((r) => last(r).wallSeconds)),
      'replay MB': meanOf(rs.map((r) => last(r).replayBytes)) / 2 ** 20,
    };
  });
  return aq.from(rows);
}

/**
 * Per environment, the training-FLOPs budget at which `arms` are compared (Table 1 left). The cheaper arm is the one
 * whose runs spent the fewest training FLOPs (mean over seeds); the budget is the most that any of its runs spent,
 * so every run of the cheaper arm is scored at its own final evaluation, and each run of the other arms at its last
 * evaluation within the budget (`returnsAtBudget`). Training FLOPs leave evaluation out (lib/report/results.ts),
 * yet runs of one arm can still differ slightly (SEER re-encodes the replay as it is at T_f): a budget at their mean
 * would drop the final evaluation of every run above it.
 */
export function flopsBudgets(runs: RunResult[], arms: string[]): Map<string, number> {
  const cheapest = new Map<string, { mean: number; max: number }>();
  for (const { env, arm, items: rs } of groups(runs)) {
    if (!arms.includes(arm)) continue;
    const totals = rs.map((r) => {
      const t = last(r).trainingFlops;
      if (Number.isNaN(t)) throw new Error(`${r.dir}: its last evaluation has no FLOPs breakdown (no training FLOPs)`);
      return t;
    });
    const here = { mean: mean(totals), max: Math.max(...totals) };
    const best = cheapest.get(env);
    if (!best || here.mean < best.mean) cheapest.set(env, here);
  }
  return new Map([...cheapest].map(([env, b]) => [env, b.max]));
}

/** Return of each arm at a training-FLOPs budget per environment: each run's last evaluation within the budget. */
export function returnsAtBudget(runs: RunResult[], budgets: Map<string, number>, arms: string[]): ArmStats[] {
  const out: ArmStats[] = [];
  for (const { env, arm, items: rs } of groups(runs)) {
    const budget = budgets.get(env);
    if (budget === undefined || !arms.includes(arm)) continue;
    const v = rs.map((r) => returnAtFlops(r, budget)).filter((x) => !Number.isNaN(x));
    out.push(statsOf(env, arm, v, learnedOf(rs)));
  }
  return out;
}

/** Final return of each arm per environment, over seeds. */
export function finalReturns(runs: RunResult[], arms?: string[]): ArmStats[] {
  return groups(runs)
    .map(({ env, arm, items: rs }) =>
      statsOf(
        env,
        arm,
        rs.map((r) => last(r).evalReturn),
        learnedOf(rs),
      ),
    )
    .filter((s) => !arms || arms.includes(s.arm));
}

export const VERDICTS = ['holds', 'does not hold', 'inconclusive', 'neither learned'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** One environment's comparison of two arms: the interval estimates (with 2+ seeds per arm) and the verdict. */
export interface ArmComparison {
  env: string;
  better: ArmStats;
  worse: ArmStats;
  /** Differences better − worse and P(better > worse), with 95% stratified-bootstrap intervals. */
  interval?: ScoreComparison;
  verdict: Verdict;
  /** The interval lies off 0, but an arm has fewer than MIN_SEEDS_FOR_VERDICT seeds: 'inconclusive' for that alone. */
  tooFewSeeds: boolean;
}

/**
 * Seeds per arm a verdict needs. With 2 seeds a stratified bootstrap has 3 distinct resampled means per arm, so its
 * interval excludes 0 whenever both of one arm's seeds beat both of the other's: far too narrow to decide on (the
 * benchmark campaign's 2-seed Space Invaders table read 'holds' that way). The interval is still shown.
 */
export const MIN_SEEDS_FOR_VERDICT = 3;

/**
 * Does `better` beat `worse`? Decided by the 95% stratified-bootstrap interval of the difference of means
 * (lib/stats/compare.ts): 'holds' when it lies above 0, 'does not hold' when below, 'inconclusive' when it covers
 * 0, when an arm has fewer than 2 seeds (no interval) and when it has fewer than MIN_SEEDS_FOR_VERDICT. 'neither
 * learned' when neither arm's return rose above its start (ArmStats.learned): no test of the claim, whatever the
 * interval.
 */
export function compareArmStats(better: ArmStats, worse: ArmStats): ArmComparison {
  const enough = better.seeds >= MIN_SEEDS_FOR_INTERVAL && worse.seeds >= MIN_SEEDS_FOR_INTERVAL;
  const interval = enough ? compareScores(better.values, worse.values) : undefined;
  const decidable = Math.min(better.seeds, worse.seeds) >= MIN_SEEDS_FOR_VERDICT;
  const side = interval ? intervalSide(interval.meanDiff) : 'covers';
  const neither = better.learned === false && worse.learned === false;
  let v: Verdict = 'inconclusive';
  if (neither) v = 'neither learned';
  else if (decidable) v = side === 'above' ? 'holds' : side === 'below' ? 'does not hold' : 'inconclusive';
  const tooFewSeeds = !neither && !decidable && side !== 'covers';
  return { env: better.env, better, worse, interval, verdict: v, tooFewSeeds };
}

/** The verdict alone (compareArmStats); 'inconclusive' when an arm is missing. */
export function verdict(better: ArmStats | undefined, worse: ArmStats | undefined): Verdict {
  return better && worse ? compareArmStats(better, worse).verdict : 'inconclusive';
}

/** One comparison per environment where both arms have runs, in the order the stats list them. */
export function compareArms(stats: ArmStats[], a: string, b: string): ArmComparison[] {
  const envs = [...new Set(stats.map((s) => s.env))];
  const out: ArmComparison[] = [];
  for (const env of envs) {
    const sa = stats.find((s) => s.env === env && s.arm === a);
    const sb = stats.find((s) => s.env === env && s.arm === b);
    if (sa && sb) out.push(compareArmStats(sa, sb));
  }
  return out;
}

/** How many comparisons reached each verdict (every verdict present, 0 where none did). */
export function countVerdicts(verdicts: Verdict[]): Record<Verdict, number> {
  const out = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  for (const v of verdicts) out[v] += 1;
  return out;
}
