/**
 * The benchmark-scale campaign (issue 18) as it stands: what a section's `data/runs/benchmark/<section>` holds,
 * finished or not, beside the learning references the field publishes for these budgets. Notebooks show it next to
 * their laptop-scale results; runs still in progress are marked as such and never enter a verdict.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as aq from 'arquero';
import { loadSection, sectionDir, sectionJobs, withoutPretraining, type SectionName } from '../plan/sections';
import { groupByEnvArm, type RunResult } from '../report/results';
import { mean, sampleStd } from '../stats/descriptive';
import { compareScores, intervalSide, meanInterval, MIN_SEEDS_FOR_INTERVAL, type Interval } from '../stats/compare';
import { line, markers, type FigureSpec } from '../plots';
import { curvesFigure, seedCount } from '../report/report';
import { MIN_SEEDS_FOR_VERDICT } from '../report/section-stats';
import { REPO_ROOT } from '../util/paths';

/** A published learning curve's value at (about) the benchmark budget, to judge whether an agent learns like it. */
export interface LearningReference {
  env: string;
  what: string;
  mean: number;
  std?: number;
  source: string;
  /**
   * 'same budget': a score at the benchmark's own budget, which a baseline should land near (within mean ± std);
   * 'upper mark': a much longer run's score, which a 100K-step agent is not expected to reach.
   */
  kind: 'same budget' | 'upper mark';
  /** Environment steps the reference was measured at. */
  envSteps: number;
}

/**
 * CURL at 100K environment steps: CURL paper (Srinivas et al. 2020), Table 1, "100K step scores" (mean ± std, 10
 * seeds, batch 512 per MishaLaskin/curl#15). MinAtar DQN near 1M frames: the MinAtar README's learning curves
 * (Young & Tian 2019), ten times the benchmark's 100K steps, so an upper mark, not a target.
 */
export const LEARNING_REFERENCES: LearningReference[] = [
  ...[
    { env: 'cartpole-swingup', mean: 582, std: 146 },
    { env: 'walker-walk', mean: 403, std: 24 },
  ].map((r) => ({
    ...r,
    what: 'CURL at 100K env steps',
    source: 'CURL paper, Table 1',
    kind: 'same budget' as const,
    envSteps: 100_000,
  })),
  ...[
    { env: 'minatar/breakout', mean: 9 },
    { env: 'minatar/space_invaders', mean: 33 },
  ].map((r) => ({
    ...r,
    what: 'DQN at ~1M frames',
    source: 'MinAtar README curves',
    kind: 'upper mark' as const,
    envSteps: 1_000_000,
  })),
];

/** Runs of a section at benchmark scale so far (none when the folder does not exist). */
export function benchmarkRuns(name: SectionName, root: string = sectionDir(name, 'benchmark')): RunResult[] {
  return loadSection(root, { name, scale: 'benchmark' });
}

/** '582 ± 146 (CURL at 100K env steps; CURL paper, Table 1)'. */
export const referenceText = (ref: LearningReference): string =>
  `${ref.mean}${ref.std !== undefined ? ` ± ${ref.std}` : ''} (${ref.what}; ${ref.source})`;

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
      reference: ref ? referenceText(ref) : '',
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
    'evaluation and enter no verdict: verdicts use finished runs only.'
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

/** The baselines of the section that finished: the runs learning parity is judged on. */
function finishedBaselines(name: SectionName, runs: RunResult[]): RunResult[] {
  return finishedBenchmarkRuns(name, runs).filter((r) => r.arm === 'baseline');
}

/**
 * Learning parity (issue 18): does the baseline learn like the reference at this budget? A same-budget reference
 * asks where the seeds' mean final return stands against the published mean ± std, with its 95% bootstrap
 * interval: below or above when the whole interval is, within when the mean is, inconclusive when the mean is
 * outside but its interval reaches in. An upper mark only asks whether the agent learns at all (final − untrained,
 * its 95% bootstrap interval above 0). Fewer than 3 finished seeds give the position with the seed count and no
 * verdict. Returns the intervals too (from 2 seeds), which the table shows.
 */
function parity(
  ref: LearningReference,
  finals: number[],
  untrained: number[],
): Omit<ParityResult, 'ref' | 'untrained' | 'finals'> {
  const n = finals.length;
  const gain = n >= MIN_SEEDS_FOR_INTERVAL ? compareScores(finals, untrained).meanDiff : undefined;
  const final = n >= MIN_SEEDS_FOR_INTERVAL ? meanInterval(finals) : undefined;
  const out = (verdict: string, decided?: string) => ({ gain, final, verdict, decided });
  if (n === 0) return out('not yet');
  const short = n < MIN_SEEDS_FOR_VERDICT ? ` (${seedCount(n)}; a verdict needs ${MIN_SEEDS_FOR_VERDICT})` : '';
  if (ref.kind === 'same budget' && ref.std !== undefined) {
    const [lo, hi] = [ref.mean - ref.std, ref.mean + ref.std];
    const m = mean(finals);
    const where = m < lo ? 'below' : m > hi ? 'above' : 'within';
    if (short || !final) return out(`${where} the published mean ± std${short}`);
    if (final.high < lo)
      return out('below the published mean ± std (its 95% CI too)', 'below the published mean ± std');
    if (final.low > hi) return out('above the published mean ± std (its 95% CI too)', 'above the published mean ± std');
    if (where === 'within') return out('within the published mean ± std', 'within the published mean ± std');
    return out(`inconclusive: the mean is ${where} the published mean ± std, its 95% CI reaches into it`);
  }
  if (short || !gain) return out(`inconclusive${short}`);
  if (intervalSide(gain) === 'above') return out('learns (final above the untrained agent)', 'learns');
  return out('not shown to learn', 'not shown to learn');
}

/** `parity`'s verdict alone. */
export function parityVerdict(ref: LearningReference, finals: number[], untrained: number[]): string {
  return parity(ref, finals, untrained).verdict;
}

/** Learning parity on one environment: its reference, the finished baselines' scores, intervals and verdict. */
export interface ParityResult {
  ref: LearningReference;
  /** Return of each finished baseline at step 0 (the untrained agent) and at its end. */
  untrained: number[];
  finals: number[];
  /** final − untrained and the final mean, with 95% stratified-bootstrap intervals (from 2 seeds). */
  gain?: Interval;
  final?: Interval;
  verdict: string;
  /** The verdict in short form when the seeds decide it ('learns', 'within the published mean ± std', …); undefined when not. */
  decided?: string;
}

/** `parity` for every environment of the section that has a learning reference, from its finished baselines. */
export function learningParity(name: SectionName, runs: RunResult[] = benchmarkRuns(name)): ParityResult[] {
  const baselines = finishedBaselines(name, runs);
  const envs = [...new Set(sectionJobs(name, 'benchmark').map((j) => j.env))];
  return LEARNING_REFERENCES.filter((ref) => envs.includes(ref.env)).map((ref) => {
    const rs = baselines.filter((r) => r.manifest.config.env === ref.env);
    const untrained = rs.map((r) => r.evals[0].evalReturn);
    const finals = rs.map((r) => r.evals[r.evals.length - 1].evalReturn);
    return { ref, untrained, finals, ...parity(ref, finals, untrained) };
  });
}

/**
 * One row per environment of the section with a learning reference (`learningParity`): the finished baseline runs'
 * return at step 0 (the untrained agent) and at the end (mean ± sample std, and the mean with its 95%
 * stratified-bootstrap interval), the gain with its interval (both from 2 seeds), the reference, and the verdict.
 */
export function learningParityTable(name: SectionName, runs: RunResult[] = benchmarkRuns(name)): aq.ColumnTable {
  const withCi = (i: Interval) => `${i.estimate.toFixed(2)} [${i.low.toFixed(2)}, ${i.high.toFixed(2)}]`;
  const rows = learningParity(name, runs).map(({ ref, untrained, finals, gain, final, verdict }) => ({
    env: ref.env,
    'finished seeds': finals.length,
    'untrained (step 0)': fmt(untrained),
    final: fmt(finals),
    'final mean (95% CI)': final ? withCi(final) : '',
    'final − untrained (95% CI)': gain
      ? withCi(gain)
      : finals.length === 1
        ? (finals[0] - untrained[0]).toFixed(2)
        : '',
    reference: referenceText(ref),
    verdict,
  }));
  return aq.from(rows);
}

/** Checks of the agents beside the campaign's runs (bench/agents-learning.ts outputs, each with its command). */
export const PARITY_DIR = path.join(REPO_ROOT, 'data', 'runs', 'benchmark', 'parity');

/**
 * SAC from state on `env` at the pixel runs' settings (`sac-state-<env>.json`, bench/agents-learning.ts), when that
 * check was run and kept: its evaluations as [env steps, return].
 */
export function stateSacCurve(env: string, dir: string = PARITY_DIR): [number, number][] | null {
  const file = path.join(dir, `sac-state-${env}.json`);
  if (!fs.existsSync(file)) return null;
  const check = JSON.parse(fs.readFileSync(file, 'utf8')) as { result?: { curve?: [number, number][] } };
  return check.result?.curve ?? null;
}

/**
 * The finished baselines' learning curves against environment steps, with each same-budget reference drawn at its
 * budget as a marker with its ± std (upper marks lie ten times further out and are left to the table), and SAC
 * from state where that check was kept (`stateSacCurve`): what the same RL part reaches without pixels.
 */
export function learningParityFigure(
  name: SectionName,
  runs: RunResult[] = benchmarkRuns(name),
  parityDir: string = PARITY_DIR,
): FigureSpec | null {
  const baselines = finishedBaselines(name, runs);
  if (!baselines.length) return null;
  const fig = curvesFigure(baselines, 'envSteps', 'Learning parity: the baselines at 100K steps');
  let withState = false;
  const panels = fig.panels.map((p) => {
    const env = p.title?.split('<br>')[0] ?? '';
    const ref = LEARNING_REFERENCES.find((x) => x.kind === 'same budget' && x.env === env);
    if (!ref) return p;
    const label = `${ref.what} (${ref.source})`;
    const series = [
      ...p.series,
      markers(label, [ref.envSteps], [ref.mean], { error: [ref.std ?? 0], color: '#444444' }),
    ];
    const state = stateSacCurve(env, parityDir);
    if (state) {
      withState = true;
      const [xs, ys] = [state.map((q) => q[0]), state.map((q) => q[1])];
      series.push(line('SAC from state, same settings (1 seed)', xs, ys, { dash: 'dash', color: '#888888' }));
    }
    return { ...p, series };
  });
  const notes = [fig.note ?? '', 'Marker: the published score at its budget, ± its std.'];
  if (withState) notes.push('Dashed: SAC from state, the same actor, critic and settings without pixels.');
  return { ...fig, panels, note: notes.join(' ').trim() };
}
