/**
 * `seer section <name> --status`: each run of a section's plan, finished, started or missing; for each unfinished
 * one the command that makes it and its estimated time from the speeds finished runs measured (estimate.ts).
 * `sectionQueueProgress` gives `seer section` its `k of n` and overall ETA while it runs.
 */
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from '../util/paths';
import { resolveConfig } from '../run/config';
import { estimateRun, ownSpeeds, reachedStep, speedSamples, type RunEstimate, type SpeedSample } from './estimate';
import { formatSeconds, SweepProgress } from '../run/progress';
import type { Scale } from '../run/scale';
import { cliArgs, sectionJobs, sectionStatus, SECTION_NAMES, type SectionJob, type SectionName } from './sections';
import { isDone } from '../run/done';
import { forkFallbackReason, hasForkPoint } from '../run/fork';

const rel = (p: string): string => path.relative(process.cwd(), p) || '.';
const quote = (a: string): string => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

/** The command that makes (or continues) one job of a plan. */
export function jobCommand(job: SectionJob): string {
  const scale = resolveConfig(job.config).scale;
  if (job.pretrainedFrom || job.snapshotEvery) {
    // Transfer and snapshot runs are made by the section runner, not by a plain `seer run`.
    return `npm run seer -- section-job ${job.section} ${scale} ${quote(rel(job.root))} ${quote(rel(job.dir))}`;
  }
  const fork = job.forkFrom ? ['--fork-from', rel(job.forkFrom)] : [];
  return ['npm', 'run', 'seer', '--', 'run', ...cliArgs(job.config), '--out', rel(job.dir), '--resume', ...fork]
    .map(quote)
    .join(' ');
}

/**
 * Where a job starts: a started run at the step it reached; a fork at its source's fork point, the source's T_f (a
 * seer-late run forks there too and trains on images up to its own), unless the source finished without keeping
 * one (its records restored from a commit): then, like a job with no source, at 0.
 */
export function startStep(job: SectionJob, finished: (dir: string) => boolean = isDone): number {
  const reached = reachedStep(job.dir);
  if (reached > 0) return reached;
  const source = job.forkFrom;
  return source && !keptNoForkPoint(source, finished) ? (job.forkStep ?? 0) : 0;
}

/** Whether a fork source finished without keeping a fork point (its records restored from a commit). */
function keptNoForkPoint(source: string, finished: (dir: string) => boolean = isDone): boolean {
  return finished(source) && !hasForkPoint(source);
}

/** How a fork job starts: from its source's fork point, or (started without one) from update 0, and why. */
function forkNote(dir: string, source: string): string {
  const reason =
    forkFallbackReason(dir) ??
    (keptNoForkPoint(source) ? `${rel(source)} finished without keeping a fork point` : undefined);
  return reason ? `runs from update 0: ${reason}` : `starts from ${rel(source)} once that has passed T_f`;
}

/** What a job still needs, by measured speeds, or undefined when no finished run measured its setting. */
function jobEstimate(
  job: SectionJob,
  samples: readonly SpeedSample[],
  finished: (dir: string) => boolean = isDone,
): RunEstimate | undefined {
  const own = ownSpeeds(job.dir, resolveConfig(job.config).initSteps);
  return estimateRun(job.config, samples, startStep(job, finished), own);
}

/**
 * Seconds a job still needs, by measured speeds, or undefined when no finished run measured its setting.
 * `finished`: which runs count as finished (default: DONE in their directory).
 */
export function jobSeconds(
  job: SectionJob,
  samples: readonly SpeedSample[],
  finished: (dir: string) => boolean = isDone,
): number | undefined {
  return jobEstimate(job, samples, finished)?.seconds;
}

/** Speed samples: every finished run in data/runs (and below `root` when it lies elsewhere). */
export function defaultSamples(root?: string): SpeedSample[] {
  return speedSamples([...(root ? [root] : []), path.join(REPO_ROOT, 'data', 'runs')]);
}

/** The lines `--status` prints for one section. */
export function sectionStatusLines(
  name: SectionName,
  scale: Scale,
  root: string,
  samples: readonly SpeedSample[],
  parallel = 2,
): string[] {
  const jobs = sectionJobs(name, scale, root);
  const lines: string[] = [];
  let total = 0;
  let unknown = 0;
  let unfinished = 0;
  for (const j of jobs) {
    if (isDone(j.dir)) {
      lines.push(`done     ${rel(j.dir)}`);
      continue;
    }
    unfinished += 1;
    const state = fs.existsSync(path.join(j.dir, 'log.jsonl')) ? 'started' : 'missing';
    const est = jobEstimate(j, samples);
    if (est === undefined) unknown += 1;
    else total += est.seconds;
    const scaled = est?.scaledFrom !== undefined ? `, scaled from runs at batch ${est.scaledFrom}` : '';
    const eta = est
      ? `about ${formatSeconds(est.seconds)}${scaled}`
      : 'time unknown: no finished run measured this setting';
    const fork = j.forkFrom ? `; ${forkNote(j.dir, j.forkFrom)}` : '';
    lines.push(`${state.padEnd(8)} ${rel(j.dir)}  (${eta}${fork})`, `           ${jobCommand(j)}`);
  }
  const done = jobs.length - unfinished;
  const wall = formatSeconds(total / Math.max(1, Math.min(parallel, unfinished)));
  const plus = unknown ? `, plus ${unknown} run${unknown > 1 ? 's' : ''} of unknown time` : '';
  const left = unfinished
    ? `; the rest take about ${wall} with ${parallel} processes (\`npm run seer -- section ${name}\`)${plus}`
    : '';
  lines.push(`${done} of ${jobs.length} runs finished${left}`);
  return lines;
}

/** `all --status`: one line per section. */
export function allStatusLines(scale: Scale, samples: readonly SpeedSample[]): string[] {
  return SECTION_NAMES.map((n) => {
    const { done, missing } = sectionStatus(n, scale);
    const secs = missing.map((j) => jobSeconds(j, samples));
    const known = secs.filter((s): s is number => s !== undefined);
    const time = missing.length
      ? ` · about ${formatSeconds(known.reduce((a, b) => a + b, 0))} of single-process time left` +
        (known.length < missing.length ? ` (${missing.length - known.length} of unknown time)` : '')
      : '';
    return `${n.padEnd(17)} ${done.length} of ${done.length + missing.length} runs finished${time}`;
  });
}

/** `k of n` and the ETA of a queue of section jobs, for the runner's event lines. */
export function sectionQueueProgress(
  jobs: readonly SectionJob[],
  parallel: number,
  samples: readonly SpeedSample[],
): SweepProgress {
  return new SweepProgress(new Map(jobs.map((j) => [j.dir, jobSeconds(j, samples)])), Math.max(1, parallel));
}
