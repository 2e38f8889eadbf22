/**
 * Puts runs on the queue. Each run is one job whose id comes from its configuration (job-spec.ts), so enqueuing
 * the same sweep twice adds nothing the second time. A run that needs another one first (a SEER run forking from
 * its baseline, a transfer run loading its pre-training run) becomes the parent of that run in a BullMQ flow: the
 * parent waits in 'waiting-children' until its child has completed. A BullMQ job has one parent, so a run needed
 * by several (one constrained-images run feeds three constrained-seer variants) is the flow child of the first;
 * the others list it in `needs` and their worker re-checks it on disk later (processor.ts).
 */
import { FlowProducer, Queue, type FlowJob } from 'bullmq';
import { resolveConfig, type ExperimentConfig } from '../run/config';
import { jobIdOf, type JobKind, type RunJobData } from './job-spec';
import { KEY_PREFIX, QUEUE_NAME, type QueueTarget } from './connection';
import { ensureRootId, relativeToRoot } from './run-root';

/** One run to enqueue (a SectionJob fits): absolute directories on this machine, inside the run root. */
export interface QueueRun {
  config: Partial<ExperimentConfig> & { env: string };
  dir: string;
  forkFrom?: string;
  pretrainedFrom?: string;
  snapshotEvery?: number;
}

export interface EnqueueOptions {
  root: string;
  /** Tries per run before it is marked failed (default 3), with exponential back-off from `backoffMs` (30 s). */
  attempts?: number;
  backoffMs?: number;
}

export interface EnqueueReport {
  /** Jobs new on the queue. */
  added: string[];
  /** Jobs already there (waiting, running or finished): left as they are. */
  existing: string[];
  /** Jobs that had failed: put back to be tried again. */
  retried: string[];
  /** Wall time of the whole enqueue, for the README's overhead numbers. */
  seconds: number;
}

interface Planned {
  id: string;
  name: string;
  data: RunJobData;
  children: Planned[];
  parent?: Planned;
}

function kindOf(r: QueueRun): JobKind {
  return r.pretrainedFrom ? 'transfer' : r.snapshotEvery ? 'snapshots' : 'run';
}

/** Job data for each run, with ids, in the given order. */
export function planJobs(runs: QueueRun[], root: string, rootId: string): Planned[] {
  const planned = runs.map((r): Planned => {
    const kind = kindOf(r);
    const config = resolveConfig(r.config);
    const dir = relativeToRoot(root, r.dir);
    const pretrainedFrom = r.pretrainedFrom ? relativeToRoot(root, r.pretrainedFrom) : undefined;
    const data: RunJobData = {
      kind,
      config,
      dir,
      ...(r.forkFrom ? { forkFrom: relativeToRoot(root, r.forkFrom) } : {}),
      ...(pretrainedFrom ? { pretrainedFrom } : {}),
      ...(r.snapshotEvery ? { snapshotEvery: r.snapshotEvery } : {}),
      needs: [],
      rootId,
    };
    return { id: jobIdOf(data), name: dir, data, children: [] };
  });
  const byDir = new Map(planned.map((p) => [p.data.dir, p]));
  for (const p of planned) {
    for (const dep of [p.data.forkFrom, p.data.pretrainedFrom]) {
      if (!dep) continue;
      const child = byDir.get(dep);
      // A needed run that is not in this batch: its id is unknown here; the worker checks it on disk.
      p.data.needs.push({ dir: dep, id: child?.id ?? '' });
      if (child && !child.parent && child !== p) {
        child.parent = p;
        p.children.push(child);
      }
    }
  }
  return planned;
}

function flowOf(p: Planned, opts: Required<Omit<EnqueueOptions, 'root'>>): FlowJob {
  return {
    name: p.name,
    queueName: QUEUE_NAME,
    data: p.data,
    opts: {
      jobId: p.id,
      attempts: opts.attempts,
      backoff: { type: 'exponential', delay: opts.backoffMs },
      // A parent whose needed run failed for good fails too, with the reason, instead of waiting forever.
      ...(p.parent ? { failParentOnFailure: true } : {}),
      // Finished jobs stay: their ids are what makes a second enqueue add nothing.
      removeOnComplete: false,
      removeOnFail: false,
    },
    ...(p.children.length ? { children: p.children.map((c) => flowOf(c, opts)) } : {}),
  } as FlowJob;
}

/** Enqueues runs (a sweep, a section, several sections); returns what was added, already there, or retried. */
export async function enqueueRuns(
  target: QueueTarget,
  runs: QueueRun[],
  options: EnqueueOptions,
): Promise<EnqueueReport> {
  const t0 = Date.now();
  const opts = { attempts: options.attempts ?? 3, backoffMs: options.backoffMs ?? 30_000 };
  const rootId = ensureRootId(options.root);
  const planned = planJobs(runs, options.root, rootId);
  const queue = new Queue(QUEUE_NAME, { connection: target.connection, prefix: KEY_PREFIX });
  const flows = new FlowProducer({ connection: target.connection, prefix: KEY_PREFIX });
  try {
    const existing = new Map<string, Awaited<ReturnType<Queue['getJob']>>>();
    for (const p of planned) {
      const job = await queue.getJob(p.id);
      if (job) existing.set(p.id, job);
    }
    // A child already on the queue under another parent cannot take a second one: its new dependant checks it
    // on disk instead (it stays in `needs`).
    for (const p of planned) {
      const job = existing.get(p.id);
      if (p.parent && job?.parentKey && job.parentKey !== `${queue.qualifiedName}:${p.parent.id}`) {
        p.parent.children = p.parent.children.filter((c) => c !== p);
        p.parent = undefined;
      }
    }
    const roots = planned.filter((p) => !p.parent);
    await flows.addBulk(roots.map((r) => flowOf(r, opts)));
    const retried: string[] = [];
    // Failed jobs are tried again, needed runs before the runs that need them.
    for (const p of [...planned].reverse()) {
      const job = existing.get(p.id);
      if (job && (await job.getState()) === 'failed') {
        await job.retry('failed');
        retried.push(p.name);
      }
    }
    return {
      added: planned.filter((p) => !existing.has(p.id)).map((p) => p.name),
      existing: planned.filter((p) => existing.has(p.id)).map((p) => p.name),
      retried,
      seconds: (Date.now() - t0) / 1000,
    };
  } finally {
    await flows.close();
    await queue.close();
  }
}
