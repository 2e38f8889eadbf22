/**
 * The benchmark-scale campaign (issue 18) as it stands: what a section's `data/runs/benchmark/<section>` holds,
 * finished or not, beside the learning references the field publishes for these budgets. Notebooks show it next to
 * their laptop-scale results; runs still in progress are marked as such and never enter a verdict.
 */
import * as aq from 'arquero';
import { loadSection, sectionDir, sectionJobs, withoutPretraining, type SectionName } from '../plan/sections';
import { groupByEnvArm, type RunResult } from '../report/results';
import { mean, sampleStd } from '../stats/descriptive';

/** A published learning curve's value at (about) the benchmark budget, to judge whether an agent learns like it. */
export interface LearningReference {
  env: string;
  what: string;
  mean: number;
  std?: number;
  source: string;
}

/**
 * CURL at 100K environment steps: CURL paper (Srinivas et al. 2020), Table 1, "100K step scores" (mean ± std, 10
 * seeds, batch 512 per MishaLaskin/curl#15). MinAtar DQN near 1M frames: the MinAtar README's learning curves
 * (Young & Tian 2019), ten times the benchmark's 100K steps, so an upper mark, not a target.
 */
export const LEARNING_REFERENCES: LearningReference[] = [
  { env: 'cartpole-swingup', what: 'CURL at 100K env steps', mean: 582, std: 146, source: 'CURL paper, Table 1' },
  { env: 'walker-walk', what: 'CURL at 100K env steps', mean: 403, std: 24, source: 'CURL paper, Table 1' },
  { env: 'minatar/breakout', what: 'DQN at ~1M frames', mean: 9, source: 'MinAtar README curves' },
  { env: 'minatar/space_invaders', what: 'DQN at ~1M frames', mean: 33, source: 'MinAtar README curves' },
];

/** Runs of a section at benchmark scale so far (none when the folder does not exist). */
export function benchmarkRuns(name: SectionName, root: string = sectionDir(name, 'benchmark')): RunResult[] {
  return loadSection(root, { name, scale: 'benchmark' });
}

const fmt = (v: number[]): string =>
  !v.length ? '' : v.length === 1 ? `${v[0].toFixed(2)} (1 run)` : `${mean(v).toFixed(2)} ± ${sampleStd(v).toFixed(2)}`;

/**
 * One row per environment and arm: runs planned, started and finished; agent steps reached (mean over runs) of the
 * run length; the step-0 return (the untrained agent) and the latest evaluation (mean ± sample std over runs, or
 * one run's value); and the field's learning reference for the environment.
 */
export function benchmarkProgressTable(name: SectionName, runs: RunResult[] = benchmarkRuns(name)): aq.ColumnTable {
  const started = groupByEnvArm(runs);
  const rows = groupByEnvArm(sectionJobs(name, 'benchmark'), (j) => j).map(({ env, arm, items: planned }) => {
    const rs = started.find((g) => g.env === env && g.arm === arm)?.items ?? [];
    const ref = LEARNING_REFERENCES.find((x) => x.env === env);
    const steps = rs.map((r) => Number(r.log[r.log.length - 1]?.agentSteps ?? 0));
    return {
      env,
      arm,
      planned: planned.length,
      started: rs.length,
      finished: rs.filter((r) => r.done).length,
      'agent steps reached': steps.length
        ? `${Math.round(mean(steps)).toLocaleString('en')} of ${rs[0].manifest.config.steps.toLocaleString('en')}`
        : '',
      'return at step 0': fmt(rs.map((r) => r.evals[0].evalReturn)),
      'latest return': fmt(rs.map((r) => r.evals[r.evals.length - 1].evalReturn)),
      reference: ref ? `${ref.mean}${ref.std !== undefined ? ` ± ${ref.std}` : ''} (${ref.what}; ${ref.source})` : '',
    };
  });
  return aq.from(rows);
}

/** A sentence for the notebook: how far the section's benchmark campaign is, and where its plan lives. */
export function benchmarkProgressNote(name: SectionName, runs: RunResult[] = benchmarkRuns(name)): string {
  const jobs = sectionJobs(name, 'benchmark');
  const finished = runs.filter((r) => r.done).length;
  const plan = 'data/runs/benchmark/plan.md';
  if (!runs.length)
    return `**Benchmark scale:** none of the ${jobs.length} runs has started yet (plan and costs: \`${plan}\`).`;
  return (
    `**Benchmark scale** (100K steps, the SEER authors' settings; plan and costs: \`${plan}\`): ${finished} of ` +
    `${jobs.length} runs finished, ${runs.length - finished} in progress. Runs in progress show their latest ` +
    'evaluation and enter no verdict; the comparison below uses finished runs only.'
  );
}

/** The section's finished benchmark runs (DONE written), pre-training runs left out: what a verdict may use. */
export function finishedBenchmarkRuns(name: SectionName, runs: RunResult[] = benchmarkRuns(name)): RunResult[] {
  return withoutPretraining(runs.filter((r) => r.done));
}

/**
 * Two comparison tables of the same claim (lib/report/section-report.ts `comparisonTable`, arms a vs b) side by side,
 * one row per environment of either: each scale's two means ± sd, its seeds and its verdict. An environment one
 * scale lacks shows blanks there ("not yet" for a campaign under way).
 */
export function scalesSideBySide(tables: Record<string, aq.ColumnTable>, a: string, b: string): aq.ColumnTable {
  const columns = [`${a}: mean ± sd`, `${b}: mean ± sd`, 'seeds', `${a} > ${b}?`];
  const rows = new Map<string, Record<string, unknown>>();
  for (const [scale, table] of Object.entries(tables)) {
    for (const row of table.objects() as Record<string, unknown>[]) {
      const env = String(row.env);
      const out = rows.get(env) ?? { env };
      for (const c of columns) out[`${scale} · ${c}`] = row[c];
      rows.set(env, out);
    }
  }
  const header = ['env', ...Object.keys(tables).flatMap((scale) => columns.map((c) => `${scale} · ${c}`))];
  const filled = [...rows.values()].map((r) =>
    Object.fromEntries(header.map((h) => [h, r[h] ?? (h.endsWith('?') ? 'not yet' : '')])),
  );
  if (!filled.length) return aq.table(Object.fromEntries(header.map((h) => [h, []])));
  return aq.from(filled);
}
