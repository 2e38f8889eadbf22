/**
 * The README's main job: a small SEER-versus-baseline comparison that finishes in about a quarter of an hour on a
 * 2-core machine. Data-efficient Rainbow on MinAtar Breakout from 84×84×4 pixels, two seeds per variant, one
 * process per core, the SEER runs forked from their baselines at T_f; then a figure (return against cumulative FLOPs, steps and wall time) and a summary table.
 * Re-running resumes: finished runs are kept, interrupted ones continue from their checkpoint. A baseline always
 * keeps its fork point; one that has none usable (e.g. finished by older code) does not stop its SEER run, which
 * then runs from update 0 and says so here, in its manifest and in its log.
 */
import * as path from 'path';
import { runSweep, type SweepJob } from './sweep';
import { writeReport } from '../report/report';
import { forkFallbackOf } from '../run/fork';

export const DEMO = {
  env: 'minatar/breakout',
  seeds: [0, 1],
  /** Laptop-scale Rainbow, shortened: 4,000 agent steps, freeze after 1,000 updates. */
  overrides: [
    '--scale',
    'laptop',
    '--set',
    'steps=4000',
    '--set',
    'initSteps=500',
    '--set',
    'freezeAt=1000',
    '--set',
    'evalEvery=500',
    '--set',
    'evalEpisodes=5',
    '--set',
    'capacity=4000',
    '--set',
    'checkpointSeconds=60',
  ],
} as const;

/** `overrides` replaces DEMO.overrides (the tests run the same job at smoke scale). */
export async function runDemo(
  out: string,
  opts: { jobs?: number; overrides?: readonly string[] } = {},
): Promise<string[]> {
  const overrides = opts.overrides ?? DEMO.overrides;
  const dir = (variant: string, seed: number) => path.join(out, 'runs', `${variant}__s${seed}`);
  const job = (variant: string, seed: number, extra: string[] = []): SweepJob => ({
    dir: dir(variant, seed),
    args: ['--env', DEMO.env, '--variant', variant, '--seed', String(seed), ...overrides, ...extra],
  });
  // Baselines first; each SEER run then starts from its baseline's fork point, the last episode end at or before
  // T_f (identical until then, lib/run/fork.ts), instead of recomputing the first T_f updates.
  const baselines = DEMO.seeds.map((seed) => job('baseline', seed));
  const seers = DEMO.seeds.map((seed) => job('seer', seed, ['--fork-from', dir('baseline', seed)]));
  const started = Date.now();
  for (const jobs of [baselines, seers]) {
    const { failed } = await runSweep(jobs, {
      jobs: opts.jobs,
      onEvent: (e) => {
        const note = e.reason ?? (e.status === 'done' ? forkFallbackOf(e.job.dir) : undefined);
        const seconds = ((Date.now() - started) / 1000).toFixed(0);
        console.error(`[demo] ${e.status} ${path.basename(e.job.dir)} (${seconds} s)${note ? `: ${note}` : ''}`);
      },
    });
    if (failed.length)
      throw new Error(`demo runs failed: ${failed.map((j) => j.dir).join(', ')} (see stdout.log in each)`);
  }
  return writeReport(path.join(out, 'runs'), path.join(out, 'report'));
}
