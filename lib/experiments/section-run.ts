/**
 * Produces a section's runs (lib/experiments/sections.ts): every job in its own directory, resumable — a
 * finished job is skipped, a started one continues from its checkpoint. Transfer jobs wait for their
 * pre-training runs (run first), snapshot jobs keep encoder snapshots.
 *
 *   node --import tsx lib/experiments/section-run.ts <section> [--scale laptop] [--jobs N] [--root dir]
 *   (scripts/run-section.sh wraps this; `seer section <name>` should call runSection.)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseScale, type Scale } from './scale';
import { runExperiment, type RunSummary } from './train';
import type { RunResult } from './results';
import { runSweep, isDone } from './sweep';
import { runTransfer } from './transfer';
import { runWithSnapshots } from './snapshot-run';
import { loadSection, section, sectionComplete, sectionDir, sectionJobs, SECTION_NAMES, type SectionJob, type SectionName } from './sections';

/** Runs one job in this process (resuming it if started). */
export async function runJob(job: SectionJob): Promise<RunSummary> {
  if (job.pretrainedFrom) {
    if (!isDone(job.pretrainedFrom)) throw new Error(`${job.dir} needs its pre-training run ${job.pretrainedFrom} to finish first`);
    return runTransfer(job.config, job.pretrainedFrom, { out: job.dir, resume: true });
  }
  if (job.snapshotEvery) return runWithSnapshots(job.config, job.snapshotEvery, { out: job.dir });
  return runExperiment(job.config, { out: job.dir, resume: true });
}

export interface SectionRunOptions {
  root?: string;
  /** 0: every job in this process, one after another (notebooks at smoke scale); N ≥ 1: N child processes. */
  jobs?: number;
  onEvent?: (event: { job: SectionJob; status: 'start' | 'done' | 'failed' | 'skipped' }) => void;
}

/** Runs every unfinished job of a section; returns the jobs that failed. */
export async function runSection(name: SectionName, scale: Scale, opts: SectionRunOptions = {}): Promise<SectionJob[]> {
  const root = opts.root ?? sectionDir(name, scale);
  const all = sectionJobs(name, scale, root);
  const phases = [all.filter((j) => j.arm === 'pretrain'), all.filter((j) => j.arm !== 'pretrain')];
  const failed: SectionJob[] = [];
  for (const jobs of phases) {
    if (!jobs.length) continue;
    if (!opts.jobs) {
      for (const job of jobs) {
        if (isDone(job.dir)) {
          opts.onEvent?.({ job, status: 'skipped' });
          continue;
        }
        opts.onEvent?.({ job, status: 'start' });
        await runJob(job);
        opts.onEvent?.({ job, status: 'done' });
      }
      continue;
    }
    // Child processes: `section-run.ts job <section> <scale> <root> <index>`; runSweep adds --out and --resume.
    const command = [process.execPath, '--import', 'tsx', path.join(__dirname, 'section-run.ts'), 'job', name, scale, root];
    const byDir = new Map(all.map((j, i) => [j.dir, i]));
    const res = await runSweep(
      jobs.map((j) => ({ dir: j.dir, args: [String(byDir.get(j.dir))] })),
      { jobs: opts.jobs, command, onEvent: (e) => opts.onEvent?.({ job: all[byDir.get(e.job.dir)!], status: e.status }) },
    );
    failed.push(...res.failed.map((f) => all[byDir.get(f.dir)!]));
    if (failed.length) break; // transfer runs need every pre-training run
  }
  return failed;
}


export interface LoadedSection {
  runs: RunResult[];
  root: string;
  /** 'data': the section's finished runs were on disk; 'fresh': run now, into `root`. */
  source: 'data' | 'fresh';
  seconds: number;
}

/**
 * What a notebook calls: the section's runs at this scale. Laptop/paper: data/runs/[<scale>/]<section> — loaded
 * when complete, otherwise the missing runs are produced there (two processes; hours at laptop scale).
 * Smoke: always run now, in this process, into a fresh temporary folder — never into data/.
 */
export async function loadOrRunSection(name: SectionName, scale: Scale): Promise<LoadedSection> {
  const t0 = Date.now();
  if (scale === 'smoke') {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), `seer-${name}-`));
    await runSection(name, scale, { root, jobs: 0 });
    return { runs: loadSection(root), root, source: 'fresh', seconds: (Date.now() - t0) / 1000 };
  }
  const root = sectionDir(name, scale);
  if (sectionComplete(name, scale, root)) return { runs: loadSection(root), root, source: 'data', seconds: (Date.now() - t0) / 1000 };
  const failed = await runSection(name, scale, { root, jobs: 2, onEvent: (e) => console.log(`[section] ${e.status} ${path.relative(root, e.job.dir)}`) });
  if (failed.length) throw new Error(`runs failed: ${failed.map((f) => f.dir).join(', ')} (see stdout.log in each)`);
  return { runs: loadSection(root), root, source: 'fresh', seconds: (Date.now() - t0) / 1000 };
}

/** `seer section <name> …` / scripts/run-section.sh: the command line of this module; returns the exit code. */
export async function sectionCli(argv: string[]): Promise<number> {
  if (argv[0] === 'job') {
    const [, name, scale, root, index] = argv;
    const job = sectionJobs(section(name).name, parseScale(scale), root)[Number(index)];
    if (!job) throw new Error(`no job ${index} in section ${name} at scale ${scale}`);
    await runJob(job);
    return 0;
  }
  const name = argv[0];
  if (!name || name.startsWith('--')) {
    console.error(`usage: section-run.ts <${SECTION_NAMES.join('|')}> [--scale smoke|laptop|paper] [--jobs N] [--root dir]`);
    return 2;
  }
  const flag = (k: string): string | undefined => {
    const i = argv.indexOf(`--${k}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const scale = parseScale(flag('scale') ?? 'laptop');
  const jobs = flag('jobs') !== undefined ? Number(flag('jobs')) : 2;
  if (!Number.isInteger(jobs) || jobs < 0) throw new Error(`--jobs must be an integer ≥ 0, got '${flag('jobs')}'`);
  const s = section(name);
  const root = flag('root') ?? sectionDir(s.name, scale);
  console.error(`[section] ${s.name} at scale ${scale}: ${sectionJobs(s.name, scale, root).length} runs into ${root}`);
  const failed = await runSection(s.name, scale, { root, jobs, onEvent: (e) => console.error(`[section] ${e.status} ${path.relative(root, e.job.dir)}`) });
  if (failed.length) console.error(`[section] failed: ${failed.map((f) => path.relative(root, f.dir)).join(', ')} (see stdout.log in each)`);
  return failed.length ? 1 : 0;
}

if (require.main === module) {
  sectionCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
      console.error(err.message);
      process.exit(1);
    },
  );
}
