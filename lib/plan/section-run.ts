/**
 * Schedules a section's runs (lib/plan/sections.ts): every job in its own directory, resumable — a finished job is
 * skipped, a started one continues from its checkpoint. Transfer jobs wait for their pre-training runs (run first),
 * SEER jobs for the baselines they fork from; snapshot jobs keep encoder snapshots. The command line is `seer
 * section` and, for one job in a child process, `seer section-job` (lib/cli.ts); what a notebook does with a
 * section's missing runs is lib/notebook/load-section.ts.
 */
import * as path from 'path';
import type { Scale } from '../run/scale';
import { runExperiment, type RunSummary } from '../run/train';
import { runSweep } from './sweep';
import { isDone } from '../run/done';
import { runTransfer } from './transfer';
import { forkFallbackOf } from '../run/fork';
import { resolveConfig } from '../run/config';
import { runWithSnapshots } from '../run/snapshot-run';
import { PRETRAIN_ARM, sectionDir, sectionJobs, SECTION_NAMES, type SectionJob, type SectionName } from './sections';

/** Runs one job in this process (resuming it if started). */
export async function runJob(job: SectionJob): Promise<RunSummary> {
  if (job.pretrainedFrom) {
    if (!isDone(job.pretrainedFrom))
      throw new Error(`${job.dir} needs its pre-training run ${job.pretrainedFrom} to finish first`);
    return runTransfer(job.config, job.pretrainedFrom, { out: job.dir, resume: true });
  }
  if (job.snapshotEvery) return runWithSnapshots(job.config, job.snapshotEvery, { out: job.dir });
  // A seer job starts from its baseline's fork point (identical until then); with none usable, from update 0,
  // which its manifest and log say (lib/run/fork.ts).
  return runExperiment(job.config, { out: job.dir, resume: true, forkFrom: job.forkFrom });
}

/** What happened to a job of a section queue; a 'done' run that was to fork but ran from update 0 says why. */
export interface SectionEvent {
  job: SectionJob;
  status: 'start' | 'done' | 'failed' | 'skipped';
  reason?: string;
}

export interface SectionRunOptions {
  root?: string;
  /** 0: every job in this process, one after another (notebooks at smoke scale); N ≥ 1: N child processes. */
  jobs?: number;
  onEvent?: (event: SectionEvent) => void;
}

/** Runs every unfinished job of a section; returns the jobs that failed. */
export async function runSection(name: SectionName, scale: Scale, opts: SectionRunOptions = {}): Promise<SectionJob[]> {
  return runJobs(sectionJobs(name, scale, opts.root ?? sectionDir(name, scale)), opts);
}

/**
 * Every unfinished job of every section at a scale (`seer section all`): one queue, so both cores stay busy
 * across sections. A run shared by two sections (same directory) is made once.
 */
export async function runAllSections(scale: Scale, opts: Omit<SectionRunOptions, 'root'> = {}): Promise<SectionJob[]> {
  const seen = new Set<string>();
  const jobs = SECTION_NAMES.flatMap((n) => sectionJobs(n, scale)).filter((j) => !seen.has(j.dir) && seen.add(j.dir));
  return runJobs(jobs, opts);
}

/** What must finish before a job starts: the baseline it forks from, the pre-training run it loads. */
const needs = (j: SectionJob): string[] => [j.forkFrom, j.pretrainedFrom].filter((d): d is string => d !== undefined);

/**
 * Runs jobs (of one or several sections) in child processes, each starting once what it needs has finished
 * (forks after their baselines, transfer after pre-training), or one after another in this process (`jobs: 0`).
 * A 'done' event of a run that was to fork but ran from update 0 gives the reason.
 */
export async function runJobs(all: SectionJob[], opts: SectionRunOptions): Promise<SectionJob[]> {
  if (!opts.jobs) {
    // Pre-training first (transfer runs load it); SEER runs that can fork last, so their baselines are past T_f.
    const order = [
      ...all.filter((j) => j.arm === PRETRAIN_ARM),
      ...all.filter((j) => j.arm !== PRETRAIN_ARM && !j.forkFrom),
      ...all.filter((j) => j.forkFrom),
    ];
    for (const job of order) {
      if (isDone(job.dir)) {
        opts.onEvent?.({ job, status: 'skipped' });
        continue;
      }
      opts.onEvent?.({ job, status: 'start' });
      await runJob(job);
      opts.onEvent?.({ job, status: 'done', reason: forkFallbackOf(job.dir) });
    }
    return [];
  }
  // Child processes: `seer section-job <section> <scale> <root> <run dir>`; runSweep adds --out and --resume.
  const command = [process.execPath, path.join(__dirname, '..', '..', 'bin', 'seer.js'), 'section-job'];
  const byDir = new Map(all.map((j) => [j.dir, j]));
  const res = await runSweep(
    all.map((j) => ({ dir: j.dir, args: [j.section, resolveConfig(j.config).scale, j.root, j.dir], after: needs(j) })),
    {
      jobs: opts.jobs,
      command,
      onEvent: (e) => {
        const reason = e.reason ?? (e.status === 'done' ? forkFallbackOf(e.job.dir) : undefined);
        opts.onEvent?.({ job: byDir.get(e.job.dir)!, status: e.status, reason });
      },
    },
  );
  return res.failed.map((f) => byDir.get(f.dir)!);
}

/**
 * One job of a plan, named as `seer section-job` names it: by its run directory (stable when the plan changes
 * meanwhile) or its index in sectionJobs. An error names the section, the scale and what is accepted.
 */
export function findSectionJob(name: SectionName, scale: Scale, root: string, which: string): SectionJob {
  const jobs = sectionJobs(name, scale, root);
  const job = /^\d+$/.test(which) ? jobs[Number(which)] : jobs.find((j) => path.resolve(j.dir) === path.resolve(which));
  if (!job)
    throw new Error(
      `no job '${which}' in section ${name} at scale ${scale} under ${root} ` +
        `(give an index below ${jobs.length} or a run directory of the plan)`,
    );
  return job;
}
