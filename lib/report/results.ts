/**
 * Reading finished (or running) experiments back: every run directory holds manifest.json and log.jsonl.
 * Curves are aggregated across seeds (mean ± sample std at each evaluation), and summarised per environment and
 * arm (`RunResult.arm`: the curve a run belongs to).
 *
 * Two FLOPs measures per evaluation. `flops` is everything the agent computed (the log's `cumulativeFlops`), the
 * x-axis of the return-vs-FLOPs curves. `trainingFlops` is what fixed-budget scores compare (Table 1 left): the
 * paper counts the compute of training, so evaluation must not count, and the log's components (lib/flops/counter.ts)
 * allow that only by leaving out `acting` as a whole, since it holds every action's forward pass, evaluation and
 * exploration alike. What is left: the updates' online and target passes and SEER's re-encoding. Exploration acting
 * goes with it: one forward pass per environment step, the same for both arms at a step, about 1–3% of a laptop-scale
 * run's FLOPs. Evaluation episodes end when the game does, so counting them would make a run's total depend on how
 * long its policy survived.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Manifest } from '../run/manifest';
import type { ExperimentConfig } from '../run/config';
import { readLog, type LogRecord } from '../run/log';
import { mean as meanOfScores, sampleStd } from '../stats/descriptive';

export interface EvalPoint {
  envSteps: number;
  updates: number;
  /** Cumulative FLOPs of everything, evaluation included. */
  flops: number;
  /** Cumulative training FLOPs: `flops` less the acting component (see the file comment); NaN without a breakdown. */
  trainingFlops: number;
  wallSeconds: number;
  evalReturn: number;
  replayBytes: number;
}

export interface RunResult {
  dir: string;
  manifest: Manifest & { config: ExperimentConfig };
  log: LogRecord[];
  evals: EvalPoint[];
  /** Cumulative FLOPs and env steps at the freeze, when the run froze. */
  freeze?: { envSteps: number; flops: number };
  done: boolean;
  /**
   * The curve the run belongs to. A section run's is its plan's arm (lib/plan/sections.ts `loadSection`), e.g.
   * 'constrained-seer@int8' or 'baseline@half'; a plain run's (`seer run`, `seer sweep`) is its SEER variant. Never
   * written into the manifest's config, which stays what the run was made with.
   */
  arm: string;
}

/** Every run directory below `root` (any depth) that has a manifest and a log. */
export function loadRuns(root: string): RunResult[] {
  const out: RunResult[] = [];
  const walk = (dir: string): void => {
    if (!fs.existsSync(dir)) return;
    const manifest = path.join(dir, 'manifest.json');
    if (fs.existsSync(manifest) && fs.existsSync(path.join(dir, 'log.jsonl'))) {
      out.push(loadRun(dir));
      return;
    }
    for (const e of fs.readdirSync(dir, { withFileTypes: true }))
      if (e.isDirectory() && e.name !== 'checkpoints') walk(path.join(dir, e.name));
  };
  walk(root);
  return out.sort((a, b) => a.dir.localeCompare(b.dir));
}

export function loadRun(dir: string): RunResult {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as RunResult['manifest'];
  const log = readLog(path.join(dir, 'log.jsonl'));
  const evals = log
    .filter((r) => r.type === 'eval')
    .map((r) => ({
      envSteps: r.envSteps,
      updates: r.updates,
      flops: Number(r.cumulativeFlops ?? 0),
      trainingFlops: trainingFlopsAt(r),
      wallSeconds: r.wallSeconds,
      evalReturn: Number(r.evalReturn),
      replayBytes: Number(r.replayBytes ?? 0),
    }));
  const f = log.find((r) => r.type === 'freeze');
  const freeze = f ? { envSteps: f.envSteps, flops: flopsAt(f) } : undefined;
  const arm = manifest.config.variant ?? 'baseline';
  return { dir, manifest, log, evals, freeze, done: fs.existsSync(path.join(dir, 'DONE')), arm };
}

/** Items of one environment and one arm, in the order their first item came. */
export interface EnvArmGroup<T> {
  env: string;
  arm: string;
  items: T[];
}

/**
 * Groups items by (environment, arm), groups in the order of their first item: runs for curves and tables, a
 * plan's jobs for counts. `of` says where an item's environment and arm are (default: a RunResult's).
 */
export function groupByEnvArm<T>(items: T[], of: (item: T) => { env: string; arm: string }): EnvArmGroup<T>[];
export function groupByEnvArm(items: RunResult[]): EnvArmGroup<RunResult>[];
export function groupByEnvArm<T>(
  items: T[],
  of: (item: T) => { env: string; arm: string } = (r) => envArmOf(r as RunResult),
): EnvArmGroup<T>[] {
  const byEnv = new Map<string, Map<string, EnvArmGroup<T>>>();
  const groups: EnvArmGroup<T>[] = [];
  for (const item of items) {
    const { env, arm } = of(item);
    const arms = byEnv.get(env) ?? byEnv.set(env, new Map()).get(env)!;
    let g = arms.get(arm);
    if (!g) {
      g = { env, arm, items: [] };
      arms.set(arm, g);
      groups.push(g);
    }
    g.items.push(item);
  }
  return groups;
}

const envArmOf = (r: RunResult): { env: string; arm: string } => ({ env: r.manifest.config.env, arm: r.arm });

/** Cumulative FLOPs at a log record (every record the runner writes with FLOPs carries the total). */
function flopsAt(rec: LogRecord): number {
  return Number(rec.cumulativeFlops ?? 0);
}

/** Cumulative FLOPs at a record less its `acting` component; NaN when the record has no breakdown by component. */
export function trainingFlopsAt(rec: LogRecord): number {
  const parts = rec.flops as Record<string, unknown> | undefined;
  if (!parts || typeof parts !== 'object' || parts.acting === undefined) return NaN;
  return flopsAt(rec) - Number(parts.acting);
}

export interface Curve {
  env: string;
  arm: string;
  seeds: number;
  x: number[];
  mean: number[];
  std: number[];
}

export type XAxis = 'envSteps' | 'flops' | 'trainingFlops' | 'wallSeconds' | 'updates';

/**
 * Per environment and arm: mean ± sample std across seeds at each evaluation step that every seed of the group has (seeds evaluate at the
 * same env steps; a run still going, or one from before the runner evaluated at step 0, only contributes the common
 * steps); x is the seeds' mean of `xAxis` there.
 */
export function aggregate(runs: RunResult[], xAxis: XAxis): Curve[] {
  const curves: Curve[] = [];
  for (const { env, arm, items: rs } of groupByEnvArm(runs)) {
    const bySteps = rs.map((r) => new Map(r.evals.map((e) => [e.envSteps, e])));
    const steps = [...bySteps[0].keys()].filter((st) => bySteps.every((m) => m.has(st))).sort((a, b) => a - b);
    const x: number[] = [];
    const mean: number[] = [];
    const std: number[] = [];
    for (const st of steps) {
      const es = bySteps.map((m) => m.get(st)!);
      x.push(meanOf(es.map((e) => e[xAxis])));
      mean.push(meanOf(es.map((e) => e.evalReturn)));
      std.push(stdOf(es.map((e) => e.evalReturn)));
    }
    curves.push({ env, arm, seeds: rs.length, x, mean, std });
  }
  return curves;
}

/** Mean, NaN for no values. */
export function meanOf(v: number[]): number {
  return v.length ? meanOfScores(v) : NaN;
}

/**
 * Sample standard deviation (n − 1) for curve bands, 0 for fewer than two seeds (a curve without a band). Tables
 * that print "± sd" use lib/stats `sampleStd`, which gives NaN there instead: one seed has no spread.
 */
export function stdOf(v: number[]): number {
  return v.length < 2 ? 0 : sampleStd(v);
}

/**
 * The return of the last evaluation whose training FLOPs are within `budget` (Table 1 left: scores at a fixed compute
 * budget), NaN when none is. No interpolation between evaluations: a run is scored by a policy it really had.
 */
export function returnAtFlops(run: RunResult, budget: number): number {
  let best = NaN;
  for (const e of run.evals) {
    if (Number.isNaN(e.trainingFlops)) {
      const where = `${run.dir}: the evaluation at env step ${e.envSteps}`;
      throw new Error(`${where} has no FLOPs breakdown by component, so its training FLOPs are unknown`);
    }
    if (e.trainingFlops <= budget) best = e.evalReturn;
  }
  return best;
}
