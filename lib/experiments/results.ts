/**
 * Reading finished (or running) experiments back: every run directory holds manifest.json and log.jsonl.
 * Curves are aggregated across seeds (mean ± std at each evaluation), and summarised per environment and variant.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Manifest } from './manifest';
import type { ExperimentConfig } from './config';
import { readLog, type LogRecord } from './log';

export interface RunResult {
  dir: string;
  manifest: Manifest & { config: ExperimentConfig };
  log: LogRecord[];
  evals: { envSteps: number; updates: number; flops: number; wallSeconds: number; evalReturn: number; replayBytes: number }[];
  /** Cumulative FLOPs and env steps at the freeze, when the run froze. */
  freeze?: { envSteps: number; flops: number };
  done: boolean;
  /** The curve a section run belongs to, when not its parent folder's name (a run shared with another section). */
  arm?: string;
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
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) if (e.isDirectory() && e.name !== 'checkpoints') walk(path.join(dir, e.name));
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
      wallSeconds: r.wallSeconds,
      evalReturn: Number(r.evalReturn),
      replayBytes: Number(r.replayBytes ?? 0),
    }));
  const f = log.find((r) => r.type === 'freeze');
  const freeze = f ? { envSteps: f.envSteps, flops: flopsAt(f) } : undefined;
  return { dir, manifest, log, evals, freeze, done: fs.existsSync(path.join(dir, 'DONE')) };
}

/** Cumulative FLOPs at a log record (every record the runner writes with FLOPs carries the total). */
function flopsAt(rec: LogRecord): number {
  return Number(rec.cumulativeFlops ?? 0);
}

export interface Curve {
  env: string;
  variant: string;
  seeds: number;
  x: number[];
  mean: number[];
  std: number[];
}

export type XAxis = 'envSteps' | 'flops' | 'wallSeconds' | 'updates';

/**
 * Mean ± std across seeds at each evaluation step that every seed of the group has (seeds evaluate at the same env
 * steps; a run still going, or one from before the runner evaluated at step 0, only contributes the common steps);
 * x is the seeds' mean of `xAxis` there.
 */
export function aggregate(runs: RunResult[], xAxis: XAxis): Curve[] {
  const groups = new Map<string, RunResult[]>();
  for (const r of runs) {
    const key = `${r.manifest.config.env}\u0000${r.manifest.config.variant}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const curves: Curve[] = [];
  for (const [key, rs] of groups) {
    const [env, variant] = key.split('\u0000');
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
    curves.push({ env, variant, seeds: rs.length, x, mean, std });
  }
  return curves;
}

export function meanOf(v: number[]): number {
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
}

/** Population standard deviation (0 for one seed). */
export function stdOf(v: number[]): number {
  if (v.length < 2) return 0;
  const m = meanOf(v);
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
}

/** The last evaluation at or below a FLOPs budget (Table 1 left: scores at a fixed compute budget). */
export function returnAtFlops(run: RunResult, budget: number): number {
  let best = NaN;
  for (const e of run.evals) if (e.flops <= budget) best = e.evalReturn;
  return best;
}
