/**
 * Sweeps: seeds × environments × variants, one child process per core. The queue is the list of run
 * directories; a run's state lives in its own directory (DONE marker, checkpoints), so an interrupted sweep
 * resumes by simply running again: finished runs are skipped, started ones continue from their checkpoint. A run
 * directory whose manifest records other settings than the sweep asks for refuses the sweep
 * (test/plan/sweep.test.ts).
 */
import { spawn, type ChildProcess } from 'child_process';
import { RunInterrupted, type StopSignal } from '../run/stop';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ExperimentConfig } from '../run/config';
import { runConfigConflict } from '../run/manifest';
import { isDone } from '../run/done';

export interface SweepJob {
  /** Directory of the run (log.jsonl, manifest.json, checkpoints/, DONE). */
  dir: string;
  /** Arguments after `seer run`. */
  args: string[];
  /**
   * Run directories that must be finished (DONE) before this job starts: a SEER run forks from its baseline, a
   * transfer run loads its pre-training run. A job whose dependency fails, or is not in the queue and not
   * finished, is reported failed without running.
   */
  after?: string[];
  /**
   * The run's resolved configuration, when the caller knows it: a run directory that already holds a run (finished
   * or not) recorded with other settings makes the whole sweep refuse, naming the fields, instead of skipping it.
   */
  config?: ExperimentConfig;
}

/** Run directories of `jobs` whose manifest records other settings than the job's config, with the differences. */
export function sweepConflicts(jobs: SweepJob[]): string[] {
  return jobs.flatMap((j) => {
    const conflict = j.config && runConfigConflict(j.dir, j.config);
    return conflict ? [conflict] : [];
  });
}

/** Every combination, in a stable order (seed-major, so early results cover all variants). */
export function expand<T extends Record<string, readonly unknown[]>>(axes: T): { [K in keyof T]: T[K][number] }[] {
  let combos: Record<string, unknown>[] = [{}];
  for (const [key, values] of Object.entries(axes)) {
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  }
  return combos as { [K in keyof T]: T[K][number] }[];
}

export interface SweepOptions {
  /** Parallel processes; default one per core. */
  jobs?: number;
  /** Command that runs one job; default this package's `seer run`. */
  command?: string[];
  onEvent?: (event: {
    job: SweepJob;
    status: 'start' | 'done' | 'failed' | 'skipped';
    code?: number;
    reason?: string;
  }) => void;
}

export async function runSweep(jobsList: SweepJob[], opts: SweepOptions = {}): Promise<{ failed: SweepJob[] }> {
  const parallel = opts.jobs ?? os.cpus().length;
  const command = opts.command ?? [process.execPath, path.join(__dirname, '..', '..', 'bin', 'seer.js'), 'run'];
  // Skipping a finished run made with other settings would mix two experiments in one sweep (issue 16 §4).
  const conflicts = sweepConflicts(jobsList);
  if (conflicts.length) {
    const n = conflicts.length;
    throw new Error(
      `sweep refused: ${n} of its runs exist already, made with other settings (nothing was run):\n  ` +
        conflicts.join('\n  '),
    );
  }
  const pending = jobsList.filter((j) => {
    const done = isDone(j.dir);
    if (done) opts.onEvent?.({ job: j, status: 'skipped' });
    return !done;
  });
  const failed: SweepJob[] = [];
  // The cores are split between the parallel runs: two runs with all cores each make oneDNN's threads wait on
  // each other (measured: IMPALA fwd+bwd 150 ms with 1 thread vs 184 ms with 2 under load). SEER_NATIVE_THREADS wins.
  const threads =
    process.env.SEER_NATIVE_THREADS ??
    String(Math.max(1, Math.floor(os.cpus().length / Math.max(1, Math.min(parallel, pending.length)))));
  // A worker takes the first pending job whose dependencies are finished; with none ready it waits for a running
  // job to end. Dependencies that can no longer finish (failed, or not queued) fail their dependants.
  const running = new Set<string>();
  const queued = (dir: string): boolean => running.has(dir) || pending.some((j) => j.dir === dir);
  // Ctrl-C or SIGTERM on the sweep reaches its runs too (also when sent to this process alone, not the terminal's
  // process group): each checkpoints at its next episode end and exits; no new run starts (stop.ts).
  const children = new Set<ChildProcess>();
  let stopped: StopSignal | undefined;
  const onSignal = (signal: StopSignal): void => {
    if (!stopped) console.error(`[sweep] ${signal}: no new run starts; the running ones checkpoint and stop`);
    stopped ??= signal;
    pending.length = 0;
    for (const c of children) c.kill(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let wake: () => void = () => {};
  let ended = new Promise<void>((r) => (wake = r));
  const next = async (): Promise<SweepJob | undefined> => {
    for (;;) {
      for (let i = 0; i < pending.length; i++) {
        const job = pending[i];
        const deps = job.after ?? [];
        const blocked = deps.find((d) => !isDone(d) && !queued(d));
        if (blocked !== undefined) {
          pending.splice(i--, 1);
          failed.push(job);
          opts.onEvent?.({ job, status: 'failed', reason: `needs ${blocked}, which did not finish` });
          continue;
        }
        if (deps.every(isDone)) {
          running.add(job.dir); // before any await, so that no other worker sees it neither queued nor running
          return pending.splice(i, 1)[0];
        }
      }
      if (!pending.length || !running.size) return undefined;
      await ended;
    }
  };
  const worker = async (): Promise<void> => {
    for (let job = await next(); job; job = await next()) {
      opts.onEvent?.({ job, status: 'start' });
      fs.mkdirSync(job.dir, { recursive: true });
      const out = fs.openSync(path.join(job.dir, 'stdout.log'), 'a');
      const code = await new Promise<number>((resolve) => {
        const child = spawn(command[0], [...command.slice(1), ...job!.args, '--out', job!.dir, '--resume'], {
          stdio: ['ignore', out, out],
          env: { ...process.env, SEER_QUIET: '1', SEER_NATIVE_THREADS: threads },
        });
        children.add(child);
        child.on('exit', (c) => {
          children.delete(child);
          resolve(c ?? 1);
        });
      });
      fs.closeSync(out);
      running.delete(job.dir);
      if (code === 0 && isDone(job.dir)) opts.onEvent?.({ job, status: 'done', code });
      else {
        failed.push(job);
        opts.onEvent?.({ job, status: 'failed', code });
      }
      const w = wake;
      ended = new Promise<void>((r) => (wake = r));
      w();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, parallel) }, worker));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (stopped) throw new RunInterrupted(stopped, `sweep stopped by ${stopped}: rerun the same command to resume it`);
  return { failed };
}
