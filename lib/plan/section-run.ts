/**
 * Produces a section's runs (lib/plan/sections.ts): every job in its own directory, resumable — a
 * finished job is skipped, a started one continues from its checkpoint. Transfer jobs wait for their
 * pre-training runs (run first), snapshot jobs keep encoder snapshots.
 *
 *   node --import tsx lib/plan/section-run.ts <section> [--scale laptop] [--jobs N] [--root dir]
 *   (scripts/run-section.sh wraps this; `seer section <name>` should call runSection.)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseScale, type Scale } from '../run/scale';
import { runExperiment, type RunSummary } from '../run/train';
import type { RunResult } from '../report/results';
import { runSweep, isDone } from './sweep';
import { runTransfer } from './transfer';
import { forkFallbackOf } from '../run/fork';
import { resolveConfig } from '../run/config';
import { runWithSnapshots } from '../run/snapshot-run';
import { allStatusLines, defaultSamples, sectionQueueProgress, sectionStatusLines } from './section-status';
import {
  loadSection,
  section,
  sectionComplete,
  sectionDir,
  sectionJobs,
  sectionStatus,
  SECTION_NAMES,
  type SectionJob,
  type SectionName,
} from './sections';

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

export interface SectionRunOptions {
  root?: string;
  /** 0: every job in this process, one after another (notebooks at smoke scale); N ≥ 1: N child processes. */
  jobs?: number;
  onEvent?: (event: { job: SectionJob; status: 'start' | 'done' | 'failed' | 'skipped'; reason?: string }) => void;
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
      ...all.filter((j) => j.arm === 'pretrain'),
      ...all.filter((j) => j.arm !== 'pretrain' && !j.forkFrom),
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
  // Child processes: `section-run.ts job <section> <scale> <root> <run dir>`; runSweep adds --out and --resume.
  const command = [process.execPath, '--import', 'tsx', path.join(__dirname, 'section-run.ts'), 'job'];
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

export interface LoadedSection {
  runs: RunResult[];
  root: string;
  /** 'data': loaded from disk (complete, or partial when `missing` is not empty); 'fresh': run now, into `root`. */
  source: 'data' | 'fresh';
  seconds: number;
  /** Jobs of the plan with no finished run (laptop/paper scale with SEER_MISSING=load); `runs` holds only finished ones. */
  missing: SectionJob[];
}

/** What a notebook does with a section's unfinished runs at laptop/paper scale. */
export const MISSING_MODES = ['load', 'run'] as const;
export type MissingMode = (typeof MISSING_MODES)[number];

/** SEER_MISSING: 'load' (default: show what data/ holds and list the rest) or 'run' (make the missing runs now). */
export function missingMode(env: NodeJS.ProcessEnv = process.env): MissingMode {
  const v = (env.SEER_MISSING ?? '').trim().toLowerCase();
  if (v === '') return 'load';
  if ((MISSING_MODES as readonly string[]).includes(v)) return v as MissingMode;
  throw new Error(`SEER_MISSING='${env.SEER_MISSING}' is not accepted. Accepted values: ${MISSING_MODES.join(', ')}`);
}

/**
 * What a notebook calls: the section's runs at this scale. Laptop/paper: data/runs/[<scale>/]<section>. By default
 * what is there is loaded and the rest listed (`missing`): a laptop-scale CURL run takes one to several hours here,
 * too long to start by surprise from a notebook cell. With `missing: 'run'` (SEER_MISSING=run) the missing runs are
 * made there first (two processes). Smoke: always run now, in this process, into a fresh temporary folder — never
 * into data/.
 */
export async function loadOrRunSection(
  name: SectionName,
  scale: Scale,
  opts: { missing?: MissingMode } = {},
): Promise<LoadedSection> {
  const t0 = Date.now();
  // Unfinished runs (one still training, or killed) stay out: their last evaluation is not the run's end.
  const done = (root: string, source: LoadedSection['source']): LoadedSection => ({
    runs: loadSection(root, { name, scale }).filter((r) => isDone(r.dir)),
    root,
    source,
    seconds: (Date.now() - t0) / 1000,
    missing: scale === 'smoke' ? [] : sectionStatus(name, scale, root).missing,
  });
  if (scale === 'smoke') {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), `seer-${name}-`));
    await runSection(name, scale, { root, jobs: 0 });
    return done(root, 'fresh');
  }
  const root = sectionDir(name, scale);
  const mode = opts.missing ?? missingMode();
  if (mode === 'load' || sectionComplete(name, scale, root)) return done(root, 'data');
  const failed = await runSection(name, scale, {
    root,
    jobs: 2,
    onEvent: (e) => console.log(`[section] ${e.status} ${path.relative(root, e.job.dir)}`),
  });
  if (failed.length) throw new Error(`runs failed: ${failed.map((f) => f.dir).join(', ')} (see stdout.log in each)`);
  return done(root, 'fresh');
}

/** Prints each event of a section queue with `k of n finished` and the overall ETA (section-status.ts). */
const eventLogger = (jobs: SectionJob[], parallel: number, root?: string) => {
  const progress = sectionQueueProgress(jobs, parallel, defaultSamples(root));
  return (e: { job: SectionJob; status: 'start' | 'done' | 'failed' | 'skipped'; reason?: string }): void =>
    console.error(
      `[section] ${new Date().toISOString().slice(11, 19)} ${e.status} ${path.relative(process.cwd(), e.job.dir)}` +
        `${e.reason ? ` (${e.reason})` : ''} · ${progress.event(e.job.dir, e.status)}`,
    );
};

/** `seer section <name|all> …` / scripts/run-section.sh: the command line of this module; returns the exit code. */
export async function sectionCli(argv: string[]): Promise<number> {
  if (argv[0] === 'job') {
    // `which`: the job's index in sectionJobs, or its directory (stable when the plan changes meanwhile).
    const [, name, scale, root, which] = argv;
    const jobs = sectionJobs(section(name).name, parseScale(scale), root);
    const job = /^\d+$/.test(which ?? '')
      ? jobs[Number(which)]
      : jobs.find((j) => path.resolve(j.dir) === path.resolve(which ?? ''));
    if (!job)
      throw new Error(
        `no job '${which}' in section ${name} at scale ${scale} (give an index below ${jobs.length} or a run directory of the plan)`,
      );
    await runJob(job);
    return 0;
  }
  const name = argv[0];
  if (!name || name.startsWith('--')) {
    console.error(
      `usage: section-run.ts <${SECTION_NAMES.join('|')}|all> [--scale smoke|laptop|paper] [--jobs N] [--root dir] [--status]`,
    );
    return 2;
  }
  const flag = (k: string): string | undefined => {
    const i = argv.indexOf(`--${k}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const scale = parseScale(flag('scale') ?? 'laptop');
  const jobs = flag('jobs') !== undefined ? Number(flag('jobs')) : 2;
  if (!Number.isInteger(jobs) || jobs < 0) throw new Error(`--jobs must be an integer ≥ 0, got '${flag('jobs')}'`);
  if (name === 'all') {
    if (flag('root') !== undefined)
      throw new Error(
        `--root applies to one section; 'all' uses each section's own folder (data/runs/<section> at laptop scale)`,
      );
    if (argv.includes('--status')) {
      for (const line of allStatusLines(scale, defaultSamples())) console.log(line);
      return 0;
    }
    console.error(`[section] all sections at scale ${scale}, ${jobs} at a time`);
    const all = SECTION_NAMES.flatMap((n) => sectionJobs(n, scale));
    const failed = await runAllSections(scale, { jobs, onEvent: eventLogger(all, jobs) });
    if (failed.length)
      console.error(
        `[section] failed: ${failed.map((f) => path.relative(process.cwd(), f.dir)).join(', ')} (see stdout.log in each)`,
      );
    return failed.length ? 1 : 0;
  }
  const s = section(name);
  const root = flag('root') ?? sectionDir(s.name, scale);
  if (argv.includes('--status')) {
    // What is finished and what is not, per run directory, with the command and time of each unfinished one.
    const lines = sectionStatusLines(s.name, scale, root, defaultSamples(root), Math.max(1, jobs));
    for (const line of lines) console.log(line);
    return 0;
  }
  console.error(`[section] ${s.name} at scale ${scale}: ${sectionJobs(s.name, scale, root).length} runs into ${root}`);
  const onEvent = eventLogger(sectionJobs(s.name, scale, root), jobs, root);
  const failed = await runSection(s.name, scale, { root, jobs, onEvent });
  if (failed.length)
    console.error(
      `[section] failed: ${failed.map((f) => path.relative(process.cwd(), f.dir)).join(', ')} (see stdout.log in each)`,
    );
  return failed.length ? 1 : 0;
}

if (require.main === module) {
  sectionCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error & { exitCode?: number }) => {
      console.error(err.message);
      process.exit(err.exitCode ?? 1); // 130 / 143 for a run stopped by a signal (stop.ts)
    },
  );
}
