/**
 * `seer queue status`: how many jobs are in each state, and one line per job that is not finished (and per failed
 * job, with the first line of its error): its run directory, state, and the progress its worker last reported.
 */
import { Queue, type Job } from 'bullmq';
import { formatSeconds } from '../run/progress';
import { KEY_PREFIX, QUEUE_NAME, type QueueTarget } from './connection';
import type { RunProgress } from './worker';

export const STATES = [
  'active',
  'waiting',
  'waiting-children',
  'delayed',
  'prioritized',
  'completed',
  'failed',
] as const;
export type JobStateName = (typeof STATES)[number];

export interface QueueStatus {
  counts: Record<JobStateName, number>;
  jobs: {
    state: JobStateName;
    name: string;
    id: string;
    progress?: Partial<RunProgress>;
    error?: string;
    attempts: number;
  }[];
}

export async function queueStatus(
  target: QueueTarget,
  opts: { all?: boolean; limit?: number } = {},
): Promise<QueueStatus> {
  const queue = new Queue(QUEUE_NAME, { connection: target.connection, prefix: KEY_PREFIX });
  try {
    const counts = (await queue.getJobCounts(...STATES)) as Record<JobStateName, number>;
    const shown = STATES.filter((s) => opts.all || s !== 'completed');
    const jobs: QueueStatus['jobs'] = [];
    for (const state of shown) {
      const list: Job[] = await queue.getJobs([state], 0, (opts.limit ?? 500) - 1, true);
      for (const j of list) {
        if (!j) continue;
        const progress =
          typeof j.progress === 'object' && j.progress ? (j.progress as Partial<RunProgress>) : undefined;
        // A finished run's summary (its processor's return value) says more than the last progress report.
        const r =
          state === 'completed' ? (j.returnvalue as { steps?: number; finalReturn?: number | null } | null) : null;
        const final =
          r?.steps !== undefined
            ? { ...progress, step: r.steps, steps: r.steps, lastReturn: r.finalReturn ?? null }
            : progress;
        jobs.push({
          state,
          name: j.name,
          id: j.id ?? '',
          progress: final,
          error: j.failedReason?.split('\n')[0],
          attempts: j.attemptsMade,
        });
      }
    }
    return { counts, jobs };
  } finally {
    await queue.close();
  }
}

export function formatStatus(s: QueueStatus): string {
  const lines = [STATES.map((k) => `${k} ${s.counts[k] ?? 0}`).join(' · ')];
  for (const j of s.jobs) {
    const p = j.progress;
    const prog =
      p?.step !== undefined
        ? ` step ${p.step}/${p.steps}${p.lastReturn != null ? `, return ${Number(p.lastReturn).toFixed(2)}` : ''}` +
          `${p.etaSeconds != null && j.state === 'active' ? `, ETA ${formatSeconds(p.etaSeconds)}` : ''}` +
          `${p.worker ? ` (${p.worker})` : ''}`
        : '';
    const err = j.error ? `  ${j.error}` : '';
    lines.push(`${j.state.padEnd(16)} ${j.name}${prog}${j.attempts > 1 ? ` [attempt ${j.attempts}]` : ''}${err}`);
  }
  return lines.join('\n');
}
