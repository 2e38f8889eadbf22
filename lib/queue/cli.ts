/**
 * What the queue's commands do once their flags are checked (lib/queue/commands.ts declares them): enqueue a
 * sweep or a section, run a worker, print the status, serve the dashboard.
 */
import * as path from 'path';
import { resolveConfig, type ExperimentConfig } from '../run/config';
import { forkProblem } from '../run/fork';
import type { Scale } from '../run/scale';
import { SECTION_NAMES, section, sectionDir, sectionJobs, type SectionJob } from '../plan/sections';
import { checkQueue, parseQueueUrl, queueUrlFrom, type QueueTarget } from './connection';
import { enqueueRuns, type QueueRun } from './enqueue';
import { DEFAULT_RUN_ROOT, runRootFrom } from './run-root';
import { formatStatus, queueStatus } from './status';
import { startWorker } from './worker';
import { startDashboard } from './dashboard';

export interface QueueChoice {
  url: string;
  target: QueueTarget;
  root: string;
}

/** --queue (or SEER_QUEUE) and --run-root (or SEER_RUN_ROOT); undefined without a queue. */
export function queueChoice(queueFlag: string | undefined, rootFlag: string | undefined): QueueChoice | undefined {
  const url = queueUrlFrom(queueFlag);
  if (!url) return undefined;
  return { url, target: parseQueueUrl(url), root: runRootFrom(rootFlag) };
}

async function connect(q: QueueChoice): Promise<void> {
  const { warnings } = await checkQueue(q.target);
  for (const w of warnings) console.error(`[queue] warning: ${w}`);
}

/**
 * Forks within a sweep: a freezing variant starts from the run of the same setting that never freezes (baseline →
 * seer, constrained-images → constrained-seer), as `seer section` does (fork.ts decides which pairs may fork).
 */
export function sweepForks(jobs: { dir: string; config: Partial<ExperimentConfig> & { env: string } }[]): QueueRun[] {
  const resolved = jobs.map((j) => resolveConfig(j.config));
  return jobs.map((j, i) => {
    const src = jobs.findIndex((_, k) => k !== i && forkProblem(resolved[k], resolved[i]) === undefined);
    return { config: j.config, dir: j.dir, ...(src >= 0 ? { forkFrom: jobs[src].dir } : {}) };
  });
}

async function enqueue(q: QueueChoice, runs: QueueRun[], what: string): Promise<number> {
  await connect(q);
  const r = await enqueueRuns(q.target, runs, { root: q.root });
  console.error(
    `[queue] ${what}: ${runs.length} runs → ${q.target.display} (run root ${q.root}): ${r.added.length} added, ` +
      `${r.existing.length} already queued or finished` +
      `${r.retried.length ? `, ${r.retried.length} failed ones retried` : ''} (${r.seconds.toFixed(2)} s)`,
  );
  console.error(
    `[queue] workers: seer worker --queue ${q.target.display} [--jobs N]; watch: seer queue status --queue …`,
  );
  return 0;
}

/** `seer sweep … --queue`: the sweep's runs (named as local sweeps name them), SEER runs forked from baselines. */
export async function enqueueSweep(
  q: QueueChoice,
  jobs: { dir: string; config: Partial<ExperimentConfig> & { env: string } }[],
): Promise<number> {
  return enqueue(q, sweepForks(jobs), 'sweep');
}

/** `seer section <name|all> --queue`: data/runs/<…> maps to <run root>/<…>, or --root (inside the run root). */
export async function enqueueSection(
  q: QueueChoice,
  name: string,
  scale: Scale,
  root: string | undefined,
): Promise<number> {
  const under = (n: (typeof SECTION_NAMES)[number]): string =>
    root ? path.resolve(root) : path.join(q.root, path.relative(DEFAULT_RUN_ROOT, sectionDir(n, scale)));
  let runs: SectionJob[];
  if (name === 'all') {
    if (root) throw new Error(`--root applies to one section; 'all' uses each section's own folder under the run root`);
    const seen = new Set<string>();
    runs = SECTION_NAMES.flatMap((n) => sectionJobs(n, scale, under(n))).filter(
      (j) => !seen.has(j.dir) && seen.add(j.dir),
    );
  } else runs = sectionJobs(section(name).name, scale, under(section(name).name));
  return enqueue(q, runs, `${name === 'all' ? 'all sections' : `section ${name}`} at scale ${scale}`);
}

export async function printStatus(q: QueueChoice, all: boolean): Promise<number> {
  await connect(q);
  console.log(formatStatus(await queueStatus(q.target, { all })));
  return 0;
}

export async function serveDashboard(
  q: QueueChoice,
  o: { host?: string; port?: number; token?: string },
): Promise<number> {
  await connect(q);
  const board = await startDashboard(q.target, { ...o, token: o.token ?? process.env.SEER_DASHBOARD_TOKEN });
  console.error(`[dashboard] ${board.url} (Ctrl-C stops it)`);
  await new Promise<void>((resolve) => process.once('SIGINT', resolve).once('SIGTERM', resolve));
  await board.close();
  return 0;
}

function envMs(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 100) throw new Error(`${name} must be milliseconds ≥ 100, got '${v}'`);
  return Number(v);
}

export async function runWorker(q: QueueChoice, jobs: number): Promise<number> {
  await connect(q);
  const log = (line: string): void => console.error(`[worker] ${new Date().toISOString().slice(11, 19)} ${line}`);
  const w = startWorker({
    url: q.url,
    target: q.target,
    root: q.root,
    jobs,
    onEvent: log,
    // Tuning (the tests use short ones): how soon a dead worker's job is taken again; progress and re-check periods.
    lockMs: envMs('SEER_QUEUE_LOCK_MS'),
    stalledMs: envMs('SEER_QUEUE_STALLED_MS'),
    progressMs: envMs('SEER_QUEUE_PROGRESS_MS'),
    recheckMs: envMs('SEER_QUEUE_RECHECK_MS'),
  });
  log(`taking runs from ${q.target.display}, ${jobs} at a time, run root ${q.root}`);
  await new Promise<void>((resolve) => process.once('SIGINT', resolve).once('SIGTERM', resolve));
  // Running runs stop at a checkpoint (SIGTERM to their processes) and their jobs go back on the queue.
  log('stopping: running runs write a checkpoint and go back on the queue');
  await w.close(true);
  return 0;
}
