/**
 * What the section notebooks compute from a section's runs: per-arm summaries, scores at a fixed FLOPs budget
 * (Table 1 left), final scores (Table 1 right), and a plain verdict on "arm A beats arm B" that says when the
 * seeds cannot tell. Runs are grouped by environment and arm (lib/experiments/sections.ts `armOf`).
 */
import * as aq from 'arquero';
import { meanOf, returnAtFlops, stdOf, type RunResult } from './results';
import { armOf, sectionJobs, type SectionJob, type SectionName } from './sections';
import { notebookScale, type Scale } from './scale';
import * as os from 'os';
import * as path from 'path';

export interface ArmStats {
  env: string;
  arm: string;
  seeds: number;
  mean: number;
  std: number;
  /**
   * Did this arm learn at all? Its final evaluations (mean over seeds) beat its first ones, made before any update,
   * by more than the finals' spread. Undefined with fewer than 2 seeds. Where neither arm learned, a comparison
   * between them tests nothing (walker-walk at laptop scale).
   */
  learned?: boolean;
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
  return meanOf(finals) - meanOf(rs.map((r) => r.evals[0].evalReturn)) > stdOf(finals);
}

/** Final evaluation return, compute, wall time and replay memory per environment and arm (mean ± std over seeds). */
export function armTable(runs: RunResult[]): aq.ColumnTable {
  const rows = [...groups(runs)].map(([key, rs]) => {
    const [env, arm] = key.split('\u0000');
    const finals = rs.map((r) => last(r).evalReturn);
    const freeze = rs.filter((r) => r.freeze).map((r) => r.freeze!.envSteps);
    return {
      env,
      arm,
      seeds: rs.length,
      'final return': meanOf(finals),
      '± std': stdOf(finals),
      'env steps': meanOf(rs.map((r) => last(r).envSteps)),
      'freeze at env step': freeze.length ? meanOf(freeze) : NaN,
      GFLOPs: meanOf(rs.map((r) => last(r).flops)) / 1e9,
      'wall s': meanOf(rs.map((r) => last(r).wallSeconds)),
      'replay MB': meanOf(rs.map((r) => last(r).replayBytes)) / 2 ** 20,
    };
  });
  return aq.from(rows);
}

/** Per environment: the smallest total FLOPs any arm spent (mean over seeds) — the budget Table 1 compares at. */
export function flopsBudgets(runs: RunResult[], arms: string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, rs] of groups(runs)) {
    const [env, arm] = key.split('\u0000');
    if (!arms.includes(arm)) continue;
    const total = meanOf(rs.map((r) => last(r).flops));
    out.set(env, Math.min(out.get(env) ?? Infinity, total));
  }
  return out;
}

/** Return of each arm at a FLOPs budget per environment (last evaluation within the budget), mean ± std. */
export function returnsAtBudget(runs: RunResult[], budgets: Map<string, number>, arms: string[]): ArmStats[] {
  const out: ArmStats[] = [];
  for (const [key, rs] of groups(runs)) {
    const [env, arm] = key.split('\u0000');
    const budget = budgets.get(env);
    if (budget === undefined || !arms.includes(arm)) continue;
    const v = rs.map((r) => returnAtFlops(r, budget)).filter((x) => !Number.isNaN(x));
    out.push({ env, arm, seeds: v.length, mean: meanOf(v), std: stdOf(v), learned: learnedOf(rs) });
  }
  return out;
}

/** Final return of each arm per environment, mean ± std over seeds. */
export function finalReturns(runs: RunResult[], arms?: string[]): ArmStats[] {
  return [...groups(runs)]
    .map(([key, rs]) => {
      const [env, arm] = key.split('\u0000');
      const v = rs.map((r) => last(r).evalReturn);
      return { env, arm, seeds: rs.length, mean: meanOf(v), std: stdOf(v), learned: learnedOf(rs) };
    })
    .filter((s) => !arms || arms.includes(s.arm));
}

export const VERDICTS = ['holds', 'does not hold', 'inconclusive', 'neither learned'] as const;
export type Verdict = (typeof VERDICTS)[number];

/**
 * Does `better` beat `worse`? 'holds' when its mean is higher by more than the seeds' spread (the larger of the
 * two stds), 'does not hold' when lower by more than that, otherwise 'inconclusive' — also with fewer than 2 seeds.
 * 'neither learned' when neither arm's return rose above its start (ArmStats.learned): no test of the claim.
 */
export function verdict(better: ArmStats | undefined, worse: ArmStats | undefined): Verdict {
  if (!better || !worse || better.seeds < 2 || worse.seeds < 2) return 'inconclusive';
  if (better.learned === false && worse.learned === false) return 'neither learned';
  const spread = Math.max(better.std, worse.std);
  const d = better.mean - worse.mean;
  if (d > spread) return 'holds';
  if (d < -spread) return 'does not hold';
  return 'inconclusive';
}

function cell(s: ArmStats | undefined): string {
  if (!s) return '–';
  if (!s.seeds) return 'no evaluation within budget';
  return `${s.mean.toFixed(1)} ± ${s.std.toFixed(1)}`;
}

/** One row per environment where both arms have runs: arm A vs arm B with the difference and the verdict. */
export function comparisonTable(stats: ArmStats[], a: string, b: string): aq.ColumnTable {
  const has = (env: string, arm: string) => stats.some((s) => s.env === env && s.arm === arm);
  const envs = [...new Set(stats.map((s) => s.env))].filter((env) => has(env, a) && has(env, b));
  return aq.from(
    envs.map((env) => {
      const sa = stats.find((s) => s.env === env && s.arm === a);
      const sb = stats.find((s) => s.env === env && s.arm === b);
      return {
        env,
        [a]: cell(sa),
        [b]: cell(sb),
        [`${a} − ${b}`]: sa && sb ? sa.mean - sb.mean : NaN,
        [`${a} > ${b}?`]: verdict(sa, sb),
      };
    }),
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
  const envs = (table.objects() as Record<string, unknown>[]).filter((r) => r[column] === 'neither learned').map((r) => String(r.env));
  if (!envs.length) return '';
  return ` In ${envs.map((e) => `**${e}**`).join(', ')} neither arm learned at this scale (final return not above the first evaluation by more than the seeds' spread), so there the comparison tests nothing.`;
}

/** The sentence every section notebook opens its results with: what this scale can and cannot show. */
export function scaleCaveat(scale: Scale, runs: RunResult[]): string {
  const steps = runs.length ? Math.max(...runs.map((r) => r.manifest.config.steps)) : 0;
  if (scale === 'smoke') {
    return `**Scale smoke** (at most ${steps} agent steps per run): these numbers only check that the code path runs end to end. They say nothing about whether SEER's claims hold — open the notebook at laptop scale (\`SEER_SCALE=laptop\`, results in \`data/runs/\`) for that.`;
  }
  const seeds = new Set(runs.map((r) => r.manifest.config.seed)).size;
  return `**Scale ${scale}**: ${steps.toLocaleString('en')} agent steps per run at most, ${seeds} seeds — ${scale === 'laptop' ? 'far shorter than the paper\'s runs (80K–500K steps), so early-training behaviour only' : "the paper's budget"}.`;
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
      const overrides = distinct.length === 1 ? distinct[0] : [...new Set(js.map((j) => `${j.env}: ${overridesOf(j)}`))].join('; ');
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
