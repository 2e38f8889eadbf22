/**
 * The README's main job: a small SEER-versus-baseline comparison that finishes in about a quarter of an hour on a
 * 2-core machine. Data-efficient Rainbow on MinAtar Breakout from 84×84×4 pixels, two seeds per variant, one
 * process per core; then a figure (return against cumulative FLOPs, steps and wall time) and a summary table.
 * Re-running resumes: finished runs are kept, interrupted ones continue from their checkpoint.
 */
import * as path from 'path';
import { runSweep, type SweepJob } from './sweep';
import { writeReport } from './report';

export const DEMO = {
  env: 'minatar/breakout',
  variants: ['baseline', 'seer'],
  seeds: [0, 1],
  /** Laptop-scale Rainbow, shortened: 4,000 agent steps, freeze after 1,000 updates. */
  overrides: ['--scale', 'laptop', '--set', 'steps=4000', '--set', 'initSteps=500', '--set', 'freezeAt=1000', '--set', 'evalEvery=500', '--set', 'evalEpisodes=5', '--set', 'capacity=4000', '--set', 'checkpointSeconds=60'],
} as const;

export async function runDemo(out: string, opts: { jobs?: number } = {}): Promise<string[]> {
  const jobs: SweepJob[] = [];
  for (const seed of DEMO.seeds) {
    for (const variant of DEMO.variants) {
      jobs.push({
        dir: path.join(out, 'runs', `${variant}__s${seed}`),
        args: ['--env', DEMO.env, '--variant', variant, '--seed', String(seed), ...DEMO.overrides],
      });
    }
  }
  const started = Date.now();
  const { failed } = await runSweep(jobs, {
    jobs: opts.jobs,
    onEvent: (e) => console.error(`[demo] ${e.status} ${path.basename(e.job.dir)} (${((Date.now() - started) / 1000).toFixed(0)} s)`),
  });
  if (failed.length) throw new Error(`demo runs failed: ${failed.map((j) => j.dir).join(', ')} (see stdout.log in each)`);
  return writeReport(path.join(out, 'runs'), path.join(out, 'report'));
}
