/**
 * `seer worker`: takes jobs off the queue and runs each in its own process (a BullMQ sandboxed processor,
 * processor.ts), `jobs` at a time with the cores split between them. BullMQ keeps a lock on each running job and
 * renews it from this process, which stays responsive while the runs compute; when a worker dies its lock
 * expires, the job is found stalled and another worker takes it, resuming the run from its last checkpoint in the
 * shared run directory. This process also reports each run's progress (step, last return, ETA) to its job, read
 * from the run's log.jsonl, so `seer queue status` and the dashboard show it.
 */
import * as os from 'os';
import * as path from 'path';
import { Worker, type Job } from 'bullmq';
import { readLog } from '../run/log';
import { KEY_PREFIX, QUEUE_NAME, type QueueTarget } from './connection';
import { ENV_QUEUE, ENV_RECHECK, ENV_ROOT } from './processor';
import { absoluteInRoot, checkRootUsable } from './run-root';
import type { RunJobData } from './job-spec';

export interface WorkerOptions {
  url: string;
  target: QueueTarget;
  root: string;
  /** Runs at a time (default 1). */
  jobs?: number;
  /** BullMQ lock duration: how long after its worker died a job is taken by another (default 30 s). */
  lockMs?: number;
  /** How often to look for stalled jobs (default 15 s). */
  stalledMs?: number;
  /** How often to report progress (default 10 s). */
  progressMs?: number;
  /** How often a job whose needed run is still going checks again (default 30 s). */
  recheckMs?: number;
  onEvent?: (line: string) => void;
}

export interface RunProgress {
  step: number;
  steps: number;
  updates: number;
  lastReturn: number | null;
  etaSeconds: number | null;
  worker: string;
}

/** Progress of a run from its log: the last record's step, the last evaluation, and an ETA from this worker's rate. */
export function progressFromLog(
  logFile: string,
  steps: number,
  since: { at: number; step: number },
  now = Date.now(),
): Omit<RunProgress, 'worker'> {
  const records = readLog(logFile);
  const last = records[records.length - 1] as { agentSteps?: number; updates?: number } | undefined;
  const evals = records.filter((r) => r.type === 'eval');
  const step = last?.agentSteps ?? 0;
  const rate = (step - since.step) / Math.max(1e-3, (now - since.at) / 1000);
  return {
    step,
    steps,
    updates: last?.updates ?? 0,
    lastReturn: evals.length ? ((evals[evals.length - 1].evalReturn as number) ?? null) : null,
    etaSeconds: rate > 0 ? Math.round((steps - step) / rate) : null,
  };
}

export function startWorker(opts: WorkerOptions): { worker: Worker; close: (force?: boolean) => Promise<void> } {
  checkRootUsable(opts.root);
  const concurrency = Math.max(1, opts.jobs ?? 1);
  const threads = process.env.SEER_NATIVE_THREADS ?? String(Math.max(1, Math.floor(os.cpus().length / concurrency)));
  const me = `${os.hostname()}:${process.pid}`;
  const say = opts.onEvent ?? (() => {});
  const worker = new Worker(QUEUE_NAME, path.join(__dirname, 'processor.cjs'), {
    connection: opts.target.connection,
    prefix: KEY_PREFIX,
    concurrency,
    useWorkerThreads: false,
    lockDuration: opts.lockMs ?? 30_000,
    stalledInterval: opts.stalledMs ?? 15_000,
    // A run may outlive several dead workers; each time it resumes from its checkpoint.
    maxStalledCount: 5,
    workerForkOptions: {
      env: {
        ...process.env,
        [ENV_QUEUE]: opts.url,
        [ENV_ROOT]: opts.root,
        [ENV_RECHECK]: String(opts.recheckMs ?? 30_000),
        SEER_QUIET: '1',
        SEER_NATIVE_THREADS: threads,
      },
    },
  });
  const timers = new Map<string, NodeJS.Timeout>();
  const stopProgress = (job?: Job): void => {
    if (!job?.id) return;
    clearInterval(timers.get(job.id));
    timers.delete(job.id);
  };
  worker.on('active', (job: Job) => {
    say(`start ${job.name} (${job.id}, attempt ${job.attemptsMade + 1})`);
    const data = job.data as RunJobData;
    const logFile = path.join(absoluteInRoot(opts.root, String(data.dir ?? '')), 'log.jsonl');
    const steps = Number(data.config?.steps) || 0;
    let since: { at: number; step: number } | undefined;
    const report = (): void => {
      try {
        const p = progressFromLog(logFile, steps, since ?? { at: Date.now(), step: 0 });
        if (!since) {
          since = { at: Date.now(), step: p.step }; // the rate is this worker's own, from its first look on
          p.etaSeconds = null;
        }
        void job.updateProgress({ ...p, worker: me } satisfies RunProgress).catch(() => {});
      } catch {
        // an unreadable log (not started yet) reports nothing this time
      }
    };
    report();
    timers.set(job.id!, setInterval(report, opts.progressMs ?? 10_000));
  });
  worker.on('completed', (job) => {
    stopProgress(job);
    say(`done ${job.name}`);
  });
  worker.on('failed', (job, err) => {
    stopProgress(job);
    if (err?.name === 'DelayedError') say(`wait ${job?.name}: ${err.message}`);
    else say(`failed ${job?.name}: ${err?.message.split('\n')[0]}`);
  });
  worker.on('stalled', (id) => say(`stalled job ${id}: taken again`));
  worker.on('error', (err) => say(`error: ${err.message}`));
  return {
    worker,
    close: async (force = false) => {
      for (const t of timers.values()) clearInterval(t);
      await worker.close(force);
    },
  };
}
