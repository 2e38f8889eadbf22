/**
 * What the section notebooks show as text, from the statistics of lib/report/section-stats.ts: comparison tables
 * with "mean ± sd" cells and intervals, one Markdown sentence per verdict, the scale caveat, the note on missing
 * runs and the plan table. Numbers are computed there; here they are only formatted.
 */
import * as aq from 'arquero';
import type { RunResult } from './results';
import { sectionJobs, type SectionJob, type SectionName } from '../plan/sections';
import type { Scale } from '../run/scale';
import type { Interval } from '../stats/compare';
import { compareArms, countVerdicts, MIN_SEEDS_FOR_VERDICT, type ArmStats, type Verdict } from './section-stats';

/** Decimals for a row of scores: 2 below 10, 1 below 1,000, else 0. */
export function decimalsFor(values: number[]): number {
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
    const reason = c.tooFewSeeds
      ? `${seeds}: fewer than ${MIN_SEEDS_FOR_VERDICT} per arm, too few to decide`
      : why[c.verdict];
    return `${head} (95% CI ${span(iv.meanDiff, d)}; ${iqm}), ${pi}: **${c.verdict}** (${reason}).`;
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
  return countVerdicts(table.array(column) as Verdict[]);
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
