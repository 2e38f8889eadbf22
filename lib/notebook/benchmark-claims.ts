/**
 * The benchmark campaign's results per claim of the paper, as the README leads with them (issue 18): each claim, the
 * paper's number, the workbook's finished runs with their intervals, and the verdict. Computed from the runs in
 * data/runs/benchmark with the notebooks' own statistics (learning parity, scores at SEER's FLOPs budget, final
 * scores under the memory budget), so the README cannot drift from the data: `npm run readme:claims` writes the
 * table into the README, and a test fails when the README's copy differs from what the committed runs give.
 * Finished runs only: a run still training changes nothing here.
 */
import * as path from 'node:path';
import { isGame, SECTIONS, sectionDir, sectionJobs, type PaperNumber, type SectionName } from '../plan/sections';
import type { RunResult } from '../report/results';
import { seedCount } from '../report/report';
import { decimalsFor } from '../report/section-report';
import {
  compareArms,
  finalReturns,
  flopsBudgets,
  MIN_SEEDS_FOR_VERDICT,
  returnsAtBudget,
  type ArmComparison,
} from '../report/section-stats';
import { mean, sampleStd } from '../stats/descriptive';
import type { Interval } from '../stats/compare';
import {
  benchmarkRuns,
  finishedBenchmarkRuns,
  learningParity,
  referenceText,
  type ParityResult,
} from './benchmark-progress';

export interface ClaimRow {
  claim: string;
  paper: string;
  workbook: string;
  verdict: string;
}

/** The finished runs of each section the claims read (the default: data/runs/benchmark/<section>). */
export type ClaimRuns = Partial<Record<SectionName, RunResult[]>>;

/** 'minatar/space_invaders' → 'Space Invaders'; a control task keeps its name. */
export function envLabel(env: string): string {
  if (!isGame(env)) return env;
  return env
    .slice('minatar/'.length)
    .split('_')
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join(' ');
}

const num = (v: number, d: number): string => v.toFixed(d).replace('-', '−');
const ci = (i: Interval, d: number): string => `95% CI [${num(i.low, d)}, ${num(i.high, d)}]`;
const meanStd = (v: number[], d: number): string =>
  v.length === 1 ? num(v[0], d) : `${num(mean(v), d)} ± ${num(sampleStd(v), d)}`;

/**
 * 'Breakout, 5 seeds[, at …]: SEER 4.68 ± 0.68 vs baseline 4.46 ± 1.17 (difference 0.22, 95% CI [−0.80, 1.32];
 * ratio 1.05; P(SEER > baseline) 0.52)'.
 */
function comparisonText(c: ArmComparison, a: string, b: string, where = ''): string {
  const d = decimalsFor([c.better.mean, c.worse.mean]);
  const n =
    c.better.seeds === c.worse.seeds ? seedCount(c.better.seeds) : `${c.better.seeds} and ${c.worse.seeds} seeds`;
  const arms = `${a} ${meanStd(c.better.values, d)} vs ${b} ${meanStd(c.worse.values, d)}`;
  const head = `${envLabel(c.env)}, ${n}${where ? `, ${where}` : ''}: ${arms}`;
  const ratio = `ratio ${(c.better.mean / c.worse.mean).toFixed(2)}`;
  const iv = c.interval;
  if (!iv) return `${head} (difference ${num(c.better.mean - c.worse.mean, d)}; ${ratio})`;
  const p = `P(${a} > ${b}) ${iv.improvement.estimate.toFixed(2)}`;
  return `${head} (difference ${num(iv.meanDiff.estimate, d)}, ${ci(iv.meanDiff, d)}; ${ratio}; ${p})`;
}

/** 'Breakout: inconclusive; Space Invaders: **holds**' (the verdict in bold where it decides). */
function verdictText(cs: ArmComparison[]): string {
  if (!cs.length) return 'not yet';
  const one = (c: ArmComparison) => {
    const n = Math.min(c.better.seeds, c.worse.seeds);
    if (n < MIN_SEEDS_FOR_VERDICT) return `${c.verdict} (${seedCount(n)}; a verdict needs ${MIN_SEEDS_FOR_VERDICT})`;
    return c.verdict === 'inconclusive' ? c.verdict : `**${c.verdict}**`;
  };
  if (cs.length === 1) return one(cs[0]);
  return cs.map((c) => `${envLabel(c.env)}: ${one(c)}`).join('; ');
}

/**
 * A claim's row from its comparisons, one per environment: each as `comparisonText` with the arms named `a` and `b`
 * and placed by `where(env)`, and their verdicts.
 */
function comparisonRow(
  claim: string,
  paper: string,
  cs: ArmComparison[],
  [a, b]: [string, string],
  where: (env: string) => string = () => '',
): ClaimRow {
  const workbook = cs.length
    ? cs.map((c) => comparisonText(c, a, b, where(c.env))).join('; ')
    : 'no environment with both arms finished yet';
  return { claim, paper, workbook, verdict: verdictText(cs) };
}

/** 'SEER / Rainbow 1.14–1.90 over 8 games': the range of the paper's ratios of `a` to `b` per environment. */
function paperRatios(ref: PaperNumber[], a: string, b: string): string {
  const ratios = [...new Set(ref.map((p) => p.env))].flatMap((env) => {
    const pa = ref.find((p) => p.env === env && p.arm === a);
    const pb = ref.find((p) => p.env === env && p.arm === b);
    return pa && pb ? [pa.mean / pb.mean] : [];
  });
  const [lo, hi] = [Math.min(...ratios), Math.max(...ratios)];
  return `SEER / Rainbow ${lo.toFixed(2)}–${hi.toFixed(2)} over ${ratios.length} games`;
}

function parityText(p: ParityResult): string {
  const d = decimalsFor(p.finals);
  const n = p.finals.length;
  const head = `${envLabel(p.ref.env)}, ${seedCount(n)}: ${meanStd(p.untrained, d)} → ${meanStd(p.finals, d)}`;
  if (p.ref.kind === 'same budget') return p.final ? `${head} (final mean ${ci(p.final, d)})` : head;
  return p.gain ? `${head} (gain ${num(p.gain.estimate, d)}, ${ci(p.gain, d)})` : head;
}

/** A decided parity verdict in its short form, in bold; an undecided one whole (with its seed count or reason). */
function parityVerdicts(ps: ParityResult[]): string {
  const one = (p: ParityResult) => (p.decided ? `**${p.decided}**` : p.verdict);
  if (ps.length === 1) return one(ps[0]);
  return ps.map((p) => `${envLabel(p.ref.env)}: ${one(p)}`).join('; ');
}

/** The sections after priorities 1-2 (data/runs/benchmark/plan.md), with the claim each tests. */
const LATER_CLAIMS: [SectionName, string][] = [
  ['resolution', 'Fig. 9: half resolution saves compute without hurting return on DMC (not on Atari)'],
  ['impala', 'Fig. 6: with a larger encoder (IMPALA) SEER saves more'],
  ['transfer', 'Fig. 7: an encoder frozen after walker-stand pre-training fine-tunes with less compute'],
];

/** A section's own benchmark jobs: those whose directory lies in its folder (not another section's it shares). */
function ownJobs(name: SectionName) {
  const root = sectionDir(name, 'benchmark') + path.sep;
  return sectionJobs(name, 'benchmark').filter((j) => j.dir.startsWith(root));
}

function ownRuns(name: SectionName, runs: RunResult[]): RunResult[] {
  const root = sectionDir(name, 'benchmark') + path.sep;
  return runs.filter((r) => path.resolve(r.dir).startsWith(root));
}

/** One row per claim: learning parity, Figures 2–5 and Table 1, and the sections not yet run at this scale. */
export function benchmarkClaims(runs: ClaimRuns = {}): ClaimRow[] {
  const of = (name: SectionName) => runs[name] ?? benchmarkRuns(name);
  return [...computeClaims(of('compute')), ...memoryClaims(of('memory')), ...laterClaims(runs)];
}

/**
 * Learning parity, Figures 2–3 and Table 1 (left), and §5.2's final return at equal env steps, from the compute
 * section's runs (finished ones only count).
 */
export function computeClaims(runs: RunResult[] = benchmarkRuns('compute')): ClaimRow[] {
  const compute = finishedBenchmarkRuns('compute', runs);
  const rows: ClaimRow[] = [];

  const parity = learningParity('compute', compute);
  const games = parity.filter((p) => isGame(p.ref.env) && p.finals.length);
  const control = parity.filter((p) => !isGame(p.ref.env) && p.finals.length);
  const gameRefs = parity.filter((p) => isGame(p.ref.env)).map((p) => p.ref);
  rows.push({
    claim: 'Learning parity: Rainbow learns on MinAtar (untrained → final)',
    paper: `${gameRefs[0].what} (${gameRefs[0].source}): ${gameRefs.map((r) => `${envLabel(r.env)} ≈ ${r.mean}`).join(', ')}`,
    workbook: games.length ? games.map(parityText).join('; ') : 'no finished baseline yet',
    verdict: games.length ? parityVerdicts(games) : 'not yet',
  });
  for (const ref of parity.filter((p) => !isGame(p.ref.env)).map((p) => p.ref)) {
    const p = control.find((x) => x.ref.env === ref.env);
    rows.push({
      claim: `Learning parity: CURL ${ref.env} (untrained → final)`,
      paper: referenceText(ref),
      workbook: p ? parityText(p) : 'no finished baseline yet',
      verdict: p ? parityVerdicts([p]) : 'not yet',
    });
  }

  // The mean over an environment's finished baselines of a field of their last evaluation.
  const baselinesEnd = (env: string, field: 'trainingFlops' | 'envSteps'): number =>
    mean(
      compute
        .filter((r) => r.manifest.config.env === env && r.arm === 'baseline')
        .map((r) => r.evals[r.evals.length - 1][field]),
    );

  // Table 1 left and Figures 2-3: each arm's return at SEER's training-FLOPs budget.
  const budgets = flopsBudgets(compute, ['baseline', 'seer']);
  const atBudget = compareArms(returnsAtBudget(compute, budgets, ['baseline', 'seer']), 'seer', 'baseline');
  const share = (env: string): string =>
    `at ${((100 * budgets.get(env)!) / baselinesEnd(env, 'trainingFlops')).toFixed(1)}% of the baseline's training FLOPs`;
  rows.push(
    comparisonRow(
      'Fig. 3, Table 1 left: SEER reaches more return at a fixed FLOPs budget (Rainbow)',
      `Atari at 45T FLOPs: ${paperRatios(SECTIONS.compute.reference, 'seer', 'baseline')}`,
      atBudget.filter((c) => isGame(c.env)),
      ['SEER', 'baseline'],
      share,
    ),
    comparisonRow(
      'Fig. 2: SEER reaches more return at a fixed FLOPs budget (CURL)',
      'cartpole-swingup return against FLOPs, SEER above CURL',
      atBudget.filter((c) => !isGame(c.env)),
      ['SEER', 'baseline'],
      share,
    ),
  );

  // §5.2 (paper line 140): the FLOPs saved should not cost final return at the same number of env steps; then the
  // same question with the freeze at half the run (arm seer-late, cartpole only; plan.md, eighth session).
  const endSteps = (env: string): string => `at ${Math.round(baselinesEnd(env, 'envSteps') / 1000)}K env steps`;
  const atEnd = (arm: string) => compareArms(finalReturns(compute, [arm, 'baseline']), arm, 'baseline');
  rows.push(
    comparisonRow(
      "§5.2: SEER keeps the baseline's final return (same env steps; below it, the claim does not hold)",
      '"maintaining the agent\'s final performance and comparable sample-efficiency" (best T_f of several)',
      atEnd('seer'),
      ['SEER', 'baseline'],
      endSteps,
    ),
    comparisonRow(
      "§5.2 with a later freeze (arm seer-late, T_f at half the run): SEER keeps the baseline's final return",
      'the best of several T_f (§5.1, line 136)',
      atEnd('seer-late'),
      ['SEER', 'baseline'],
      endSteps,
    ),
  );

  return rows;
}

/** Figures 4–5 and Table 1 (right): final return under the paper's memory budget, from the memory section's runs. */
export function memoryClaims(runs: RunResult[] = benchmarkRuns('memory')): ClaimRow[] {
  const memory = finishedBenchmarkRuns('memory', runs);
  const underBudget = compareArms(
    finalReturns(memory, ['constrained-seer', 'constrained-images']),
    'constrained-seer',
    'constrained-images',
  );
  const budgetOf = (env: string) =>
    memory.find((r) => r.manifest.config.env === env && r.arm === 'constrained-images')?.manifest.config.memoryBudget;
  return [
    comparisonRow(
      'Fig. 4, Table 1 right: under a 0.07 GB budget SEER beats image replay (Rainbow)',
      `Atari at 0.07 GB: ${paperRatios(SECTIONS.memory.reference, 'constrained-seer', 'constrained-images')}`,
      underBudget.filter((c) => isGame(c.env)),
      ['SEER', 'images'],
    ),
    comparisonRow(
      'Fig. 5: under a 0.03 GB budget SEER beats image replay (CURL)',
      'cartpole-swingup at 0.03 GB, SEER above CURL',
      underBudget.filter((c) => !isGame(c.env)),
      ['SEER', 'images'],
      (env) => `at ${budgetOf(env)}`,
    ),
  ];
}

/** The later priorities: how far each section is, counting its own runs (resolution shares compute's baselines). */
function laterClaims(runs: ClaimRuns): ClaimRow[] {
  const rows: ClaimRow[] = [];
  const of = (name: SectionName) => finishedBenchmarkRuns(name, runs[name] ?? benchmarkRuns(name));
  for (const [name, claim] of LATER_CLAIMS) {
    const planned = ownJobs(name).length;
    const done = ownRuns(name, of(name)).length;
    rows.push({
      claim,
      paper: `§${SECTIONS[name].paperSection}`,
      workbook: done ? `${done} of ${planned} runs finished` : `not started at this scale (${planned} runs planned)`,
      verdict: 'not yet',
    });
  }
  return rows;
}

/** The claims as a Markdown table (`|` in a cell escaped). */
export function claimsMarkdown(rows: ClaimRow[]): string {
  const esc = (t: string) => t.replace(/\|/g, '\\|');
  const head = '| claim (paper) | the paper | this workbook, benchmark scale | verdict |\n|---|---|---|---|';
  return [head, ...rows.map((r) => `| ${[r.claim, r.paper, r.workbook, r.verdict].map(esc).join(' | ')} |`)].join('\n');
}

/** The README block's markers: what `npm run readme:claims` rewrites between them. */
export const CLAIMS_BEGIN = '<!-- benchmark-claims: written by `npm run readme:claims` from data/runs/benchmark -->';
export const CLAIMS_END = '<!-- /benchmark-claims -->';

/** The README block: how many finished runs it rests on, then the table. */
export function claimsBlock(runsIn: ClaimRuns = {}): string {
  const names = ['compute', 'memory', 'resolution', 'impala', 'transfer'] as const;
  // Each section's runs read once, for the count and the table.
  const runs: ClaimRuns = Object.fromEntries(names.map((name) => [name, runsIn[name] ?? benchmarkRuns(name)]));
  // Each run counted once, in the section whose folder holds it (memory and resolution share compute's baselines).
  const counted = names.map((name) => [name, ownRuns(name, finishedBenchmarkRuns(name, runs[name]!)).length] as const);
  const total = counted.reduce((a, [, n]) => a + n, 0);
  const parts = counted.filter(([, n]) => n > 0).map(([name, n]) => `${name} ${n}`);
  const from = `From the ${total} finished benchmark runs in \`data/runs/benchmark\` (${parts.join(', ')}).`;
  return [CLAIMS_BEGIN, from, '', claimsMarkdown(benchmarkClaims(runs)), CLAIMS_END].join('\n');
}

/** `readme` with its claims block replaced by `block`; an error when the markers are missing or out of order. */
export function withClaimsBlock(readme: string, block: string): string {
  const i = readme.indexOf(CLAIMS_BEGIN);
  const j = readme.indexOf(CLAIMS_END);
  if (i < 0 || j < i) {
    throw new Error(`README: the benchmark claims need the markers '${CLAIMS_BEGIN}' and then '${CLAIMS_END}'`);
  }
  return readme.slice(0, i) + block + readme.slice(j + CLAIMS_END.length);
}
