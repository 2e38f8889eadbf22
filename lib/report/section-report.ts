/**
 * What the section notebooks compute from a section's runs: per-arm summaries, scores at a fixed FLOPs budget
 * (Table 1 left), final scores (Table 1 right), and verdicts on "arm A beats arm B" that rest on interval estimates
 * (lib/stats: rliable's stratified bootstrap) and say when the seeds cannot tell. Runs are grouped by environment
 * and arm (lib/plan/sections.ts `armOf`).
 */
import * as aq from 'arquero';
import { meanOf, returnAtFlops, type RunResult } from './results';
import { armOf, sectionJobs, type SectionJob, type SectionName } from '../plan/sections';
import { notebookScale, type Scale } from '../run/scale';
import { interquartileMean, mean, sampleStd } from '../stats/descriptive';
import { compareScores, intervalSide, MIN_SEEDS_FOR_INTERVAL } from '../stats/compare';
import type { Interval, ScoreComparison } from '../stats/compare';
import * as os from 'os';
import * as path from 'path';

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

function groups(runs: RunResult[]): Map<string, RunResult[]> {
  const out = new Map<string, RunResult[]>();
  for (const r of runs) {
    if (armOf(r) === 'pretrain' || !r.evals.length) continue;
    const key = `${r.manifest.config.env}\u0000${armOf(r)}`;
    out.set(key, [...(out.get(key) ?? []), r]);
  }
  return out;
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
  const rows = [...groups(runs)].map(([key, rs]) => {
    const [env, arm] = key.split('\u0000');
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
  for (const [key, rs] of groups(runs)) {
    const [env, arm] = key.split('\u0000');
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
  for (const [key, rs] of groups(runs)) {
    const [env, arm] = key.split('\u0000');
    const budget = budgets.get(env);
    if (budget === undefined || !arms.includes(arm)) continue;
    const v = rs.map((r) => returnAtFlops(r, budget)).filter((x) => !Number.isNaN(x));
    out.push(statsOf(env, arm, v, learnedOf(rs)));
  }
  return out;
}

/** Final return of each arm per environment, over seeds. */
export function finalReturns(runs: RunResult[], arms?: string[]): ArmStats[] {
  return [...groups(runs)]
    .map(([key, rs]) => {
      const [env, arm] = key.split('\u0000');
      return statsOf(
        env,
        arm,
        rs.map((r) => last(r).evalReturn),
        learnedOf(rs),
      );
    })
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
}

/**
 * Does `better` beat `worse`? Decided by the 95% stratified-bootstrap interval of the difference of means
 * (lib/stats/compare.ts): 'holds' when it lies above 0, 'does not hold' when below, 'inconclusive' when it covers
 * 0, and with fewer than 2 seeds in an arm (no interval). 'neither learned' when neither arm's return rose above its
 * start (ArmStats.learned): no test of the claim, whatever the interval.
 */
export function compareArmStats(better: ArmStats, worse: ArmStats): ArmComparison {
  const enough = better.seeds >= MIN_SEEDS_FOR_INTERVAL && worse.seeds >= MIN_SEEDS_FOR_INTERVAL;
  const interval = enough ? compareScores(better.values, worse.values) : undefined;
  let v: Verdict = 'inconclusive';
  if (better.learned === false && worse.learned === false) v = 'neither learned';
  else if (interval) {
    const side = intervalSide(interval.meanDiff);
    v = side === 'above' ? 'holds' : side === 'below' ? 'does not hold' : 'inconclusive';
  }
  return { env: better.env, better, worse, interval, verdict: v };
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

/** Decimals for a row of scores: 2 below 10, 1 below 1,000, else 0. */
function decimalsFor(values: number[]): number {
  const m = Math.max(0, ...values.filter(Number.isFinite).map(Math.abs));
  return m < 10 ? 2 : m < 1000 ? 1 : 0;
}

function cell(s: ArmStats, d: number): string {
  if (!s.seeds) return 'no evaluation within budget';
  if (s.seeds === 1) return `${s.mean.toFixed(d)} (1 seed)`;
  return `${s.mean.toFixed(d)} ± ${s.std.toFixed(d)}`;
}

const span = (i: Interval, d: number): string => `[${i.low.toFixed(d)}, ${i.high.toFixed(d)}]`;

/**
 * One row per environment where both arms have runs: each arm's mean ± sample std (n − 1), the difference of means
 * with its 95% interval, the IQM difference and P(a > b) with theirs, and the verdict (compareArmStats).
 */
export function comparisonTable(stats: ArmStats[], a: string, b: string): aq.ColumnTable {
  const comparisons = compareArms(stats, a, b);
  // No environment with both arms yet (a campaign under way): an empty table that still has its columns.
  if (!comparisons.length) return aq.table(Object.fromEntries(comparisonColumns(a, b).map((c) => [c, []])));
  return aq.from(
    comparisons.map((c) => {
      const d = decimalsFor([c.better.mean, c.worse.mean]);
      const iv = c.interval;
      return {
        env: c.env,
        [`${a}: mean ± sd`]: cell(c.better, d),
        [`${b}: mean ± sd`]: cell(c.worse, d),
        seeds: `${c.better.seeds} / ${c.worse.seeds}`,
        [`${a} − ${b}`]: c.better.mean - c.worse.mean,
        '95% CI': iv ? span(iv.meanDiff, d) : '–',
        'IQM diff [95% CI]': iv ? `${iv.iqmDiff.estimate.toFixed(d)} ${span(iv.iqmDiff, d)}` : '–',
        [`P(${a} > ${b}) [95% CI]`]: iv ? `${iv.improvement.estimate.toFixed(2)} ${span(iv.improvement, 2)}` : '–',
        [`${a} > ${b}?`]: c.verdict,
      };
    }),
  );
}

/** The columns of `comparisonTable`, in order. */
function comparisonColumns(a: string, b: string): string[] {
  return [
    'env',
    `${a}: mean ± sd`,
    `${b}: mean ± sd`,
    'seeds',
    `${a} − ${b}`,
    '95% CI',
    'IQM diff [95% CI]',
    `P(${a} > ${b}) [95% CI]`,
    `${a} > ${b}?`,
  ];
}

/**
 * One Markdown bullet per comparison, stating the verdict with its interval: what a notebook's conclusion lists.
 * `names` renames the arms in the text (e.g. { seer: 'SEER' }).
 */
export function verdictLines(stats: ArmStats[], a: string, b: string, names: Record<string, string> = {}): string[] {
  const na = names[a] ?? a;
  const nb = names[b] ?? b;
  return compareArms(stats, a, b).map((c) => {
    const d = decimalsFor([c.better.mean, c.worse.mean]);
    const iv = c.interval;
    const diff = `${na} − ${nb} = ${(c.better.mean - c.worse.mean).toFixed(d)}`;
    const head = `- **${c.env}**: ${diff}`;
    const seeds = `${c.better.seeds} and ${c.worse.seeds} seeds`;
    if (!iv) return `${head} with ${seeds}, too few for an interval: **inconclusive**.`;
    const why: Record<Verdict, string> = {
      holds: 'the interval lies above 0',
      'does not hold': 'the interval lies below 0',
      inconclusive: 'the interval covers 0',
      'neither learned': 'neither arm learned, so this tests nothing',
    };
    const iqm = `IQM ${iv.iqmDiff.estimate.toFixed(d)} ${span(iv.iqmDiff, d)}`;
    const pi = `P(${na} > ${nb}) = ${iv.improvement.estimate.toFixed(2)} ${span(iv.improvement, 2)}`;
    return `${head} (95% CI ${span(iv.meanDiff, d)}; ${iqm}), ${pi}: **${c.verdict}** (${why[c.verdict]}).`;
  });
}

/** A table of ArmStats for display: mean, sample std, IQM, and the per-seed values as text. */
export function armStatsTable(stats: ArmStats[]): aq.ColumnTable {
  return aq.from(
    stats.map((s) => ({
      env: s.env,
      arm: s.arm,
      seeds: s.seeds,
      mean: s.mean,
      'sd (n−1)': s.std,
      IQM: s.iqm,
      'per seed': s.values.map((v) => v.toFixed(decimalsFor(s.values))).join(', '),
      learned: s.learned === undefined ? '–' : s.learned ? 'yes' : 'no',
    })),
  );
}

/** Counts of verdicts, for one sentence of conclusion. */
export function tally(table: aq.ColumnTable, column: string): Record<Verdict, number> {
  const out = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  for (const v of table.array(column) as Verdict[]) out[v] += 1;
  return out;
}

/** A conclusion's sentence naming the environments where neither arm learned ('' when there are none). */
export function noLearningClause(table: aq.ColumnTable, column: string): string {
  const envs = (table.objects() as Record<string, unknown>[])
    .filter((r) => r[column] === 'neither learned')
    .map((r) => String(r.env));
  if (!envs.length) return '';
  const where = envs.map((e) => `**${e}**`).join(', ');
  return (
    ` In ${where} neither arm learned at this scale (final return not above the first evaluation by more than` +
    " the seeds' sample std), so there the comparison tests nothing."
  );
}

/** The sentence every section notebook opens its results with: what this scale can and cannot show. */
export function scaleCaveat(scale: Scale, runs: RunResult[]): string {
  const steps = runs.length ? Math.max(...runs.map((r) => r.manifest.config.steps)) : 0;
  if (scale === 'smoke') {
    return `**Scale smoke** (at most ${steps} agent steps per run): these numbers only check that the code path runs end to end. They say nothing about whether SEER's claims hold — open the notebook at laptop scale (\`SEER_SCALE=laptop\`, results in \`data/runs/\`) for that.`;
  }
  const seeds = new Set(runs.map((r) => r.manifest.config.seed)).size;
  return `**Scale ${scale}**: ${steps.toLocaleString('en')} agent steps per run at most, ${seeds} seeds — ${scale === 'laptop' ? "far shorter than the paper's runs (80K–500K steps), so early-training behaviour only" : "the paper's budget"}.`;
}

/**
 * Which runs of the plan are not in data/ yet, per arm and environment, and the command that makes them — or ''
 * when none is missing. Notebooks show it under partial results.
 */
export function missingNote(name: SectionName, scale: Scale, missing: SectionJob[]): string {
  if (!missing.length) return '';
  const total = sectionJobs(name, scale, '.').length;
  const byGroup = new Map<string, number[]>();
  for (const j of missing) {
    const key = `\`${j.arm}\` on ${j.env}`;
    byGroup.set(key, [...(byGroup.get(key) ?? []), j.seed]);
  }
  const lines = [...byGroup].map(([k, seeds]) => `- ${k}: seed${seeds.length > 1 ? 's' : ''} ${seeds.join(', ')}`);
  return [
    `**Partial results: ${total - missing.length} of ${total} runs of this plan are finished.** Everything below uses only those; the missing ones are:`,
    ...lines,
    `Make them with \`npm run seer -- section ${name}\` (resumable; two processes), or re-open this notebook with \`SEER_MISSING=run\`.`,
  ].join('\n');
}

/** The runs a section makes at a scale: per arm, its variant, environments, seeds and config overrides. */
export function planTable(name: SectionName, scale: Scale): aq.ColumnTable {
  const jobs = sectionJobs(name, scale, '.');
  const arms = [...new Set(jobs.map((j) => j.arm))];
  return aq.from(
    arms.map((a) => {
      const js = jobs.filter((j) => j.arm === a);
      const overridesOf = (j: SectionJob): string => {
        const { env: _e, seed: _s, scale: _c, variant: _v, ...o } = j.config;
        return JSON.stringify(o);
      };
      // Per environment where they differ (e.g. memory's budget override applies to its games only).
      const distinct = [...new Set(js.map(overridesOf))];
      const overrides =
        distinct.length === 1 ? distinct[0] : [...new Set(js.map((j) => `${j.env}: ${overridesOf(j)}`))].join('; ');
      return {
        arm: a,
        variant: js[0].config.variant ?? 'baseline',
        environments: [...new Set(js.map((j) => j.env))].join(', '),
        seeds: [...new Set(js.map((j) => j.seed))].join(', '),
        overrides,
      };
    }),
  );
}

/**
 * Call before `setupNotebook`: at smoke scale, figures and tables go to a temporary folder (unless
 * SEER_FIGURES_DIR / SEER_TABLES_DIR say otherwise), so a code-path check never overwrites data/.
 */
export function keepSmokeOutOfData(scale: Scale = notebookScale()): void {
  if (scale !== 'smoke') return;
  const root = path.join(os.tmpdir(), 'seer-smoke-outputs');
  process.env.SEER_FIGURES_DIR ||= path.join(root, 'figures');
  process.env.SEER_TABLES_DIR ||= path.join(root, 'tables');
}
