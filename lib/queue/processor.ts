/**
 * The sandboxed processor: BullMQ forks a child process per running job (processor.cjs loads this file there).
 * It validates the job's data with the same validator as `seer run` (job-spec.ts → resolveConfig), checks that
 * this worker sees the run root the job was enqueued under and that the runs it needs are finished, then runs it
 * in this process through section-run.ts's runJob — no shell, no command line — resuming from the run directory's
 * checkpoint when the job was started before (by this worker or one that died). Bad data fails the job at once
 * (UnrecoverableError: no retries); anything else is retried by BullMQ with back-off, and the error carries the
 * last lines the run printed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DelayedError, Queue, UnrecoverableError, type SandboxedJob } from 'bullmq';
import { runJob } from '../plan/section-run';
import { isDone } from '../run/done';
import type { SectionJob } from '../plan/sections';
import type { RunSummary } from '../run/train';
import { validateJobData, type RunJobData } from './job-spec';
import { absoluteInRoot, checkSameRoot } from './run-root';
import { KEY_PREFIX, QUEUE_NAME, parseQueueUrl } from './connection';
import { dieWithParent } from './orphan-guard';

/** Environment the worker hands its sandboxed children. */
export const ENV_QUEUE = 'SEER_QUEUE';
export const ENV_ROOT = 'SEER_RUN_ROOT';
/** Milliseconds before a job whose needed run is still going checks again (default 30 s). */
export const ENV_RECHECK = 'SEER_QUEUE_RECHECK_MS';

const TAIL_LINES = 20;

/** Tees this process's stdout/stderr into the run's stdout.log (as local sweeps do) and keeps the last lines. */
function captureOutput(file: string): { tail: () => string; stop: () => void } {
  const lines: string[] = [];
  const fd = fs.openSync(file, 'a');
  const originals = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  const tee = (orig: typeof originals.out) =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      fs.writeSync(fd, text);
      lines.push(...text.split('\n').filter((l) => l.trim() !== ''));
      if (lines.length > TAIL_LINES) lines.splice(0, lines.length - TAIL_LINES);
      return (orig as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write;
  process.stdout.write = tee(originals.out);
  process.stderr.write = tee(originals.err);
  return {
    tail: () => lines.join('\n'),
    stop: () => {
      process.stdout.write = originals.out;
      process.stderr.write = originals.err;
      fs.closeSync(fd);
    },
  };
}

/** Needed runs not finished on disk; fails the job when one can no longer finish (its job failed, or none). */
async function pendingNeeds(data: RunJobData, root: string): Promise<string[]> {
  const pending = data.needs.filter((n) => !isDone(absoluteInRoot(root, n.dir)));
  if (!pending.length) return [];
  const url = process.env[ENV_QUEUE];
  if (!url) return pending.map((n) => n.dir);
  const queue = new Queue(QUEUE_NAME, { connection: parseQueueUrl(url).connection, prefix: KEY_PREFIX });
  try {
    for (const n of pending) {
      const job = n.id ? await queue.getJob(n.id) : undefined;
      const state = job ? await job.getState() : 'missing';
      if (state === 'failed')
        throw new UnrecoverableError(`needs ${n.dir}, whose job failed: ${job?.failedReason?.split('\n')[0]}`);
      if (state === 'missing' || state === 'unknown')
        throw new UnrecoverableError(`needs ${n.dir}, which is not finished and not on the queue (enqueue it too)`);
    }
  } finally {
    await queue.close();
  }
  return pending.map((n) => n.dir);
}

export default async function processRun(job: SandboxedJob<unknown>, token?: string): Promise<RunSummary> {
  dieWithParent();
  let data: RunJobData;
  try {
    data = validateJobData(job.data);
  } catch (err) {
    throw new UnrecoverableError(`rejected: ${(err as Error).message}`);
  }
  const root = process.env[ENV_ROOT];
  if (!root) throw new Error(`the worker did not pass ${ENV_ROOT} (the run root) to its sandboxed processor`);
  checkSameRoot(root, data.rootId);
  const waiting = await pendingNeeds(data, root);
  if (waiting.length) {
    const ms = Number(process.env[ENV_RECHECK] ?? 30_000);
    await job.moveToDelayed(Date.now() + ms, token);
    throw new DelayedError(`waiting for ${waiting.join(', ')} to finish`);
  }
  const dir = absoluteInRoot(root, data.dir);
  fs.mkdirSync(dir, { recursive: true });
  const out = captureOutput(path.join(dir, 'stdout.log'));
  try {
    // runJob reads only these fields of a section job: how to run it and where.
    const spec = {
      config: data.config,
      dir,
      forkFrom: data.forkFrom && absoluteInRoot(root, data.forkFrom),
      pretrainedFrom: data.pretrainedFrom && absoluteInRoot(root, data.pretrainedFrom),
      snapshotEvery: data.snapshotEvery,
    } as SectionJob;
    const summary = await runJob(spec);
    if (!isDone(dir))
      throw new Error(`the run stopped before its last step (${summary.steps} of ${data.config.steps})`);
    return summary;
  } catch (err) {
    if (err instanceof UnrecoverableError) throw err;
    const e = err as Error;
    if (e.name === 'RunInterrupted') {
      // Its worker is stopping (SIGTERM): the run wrote a checkpoint; the job goes back on the queue, no try lost.
      await job.moveToDelayed(Date.now() + 1000, token);
      throw new DelayedError(e.message);
    }
    throw new Error(
      `${e.message}\n--- last lines of the run's output (${path.join(data.dir, 'stdout.log')}) ---\n${out.tail()}`,
    );
  } finally {
    out.stop();
  }
}
