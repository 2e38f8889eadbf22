/**
 * How a run begins, before its loop, in one of three ways:
 * - from step 0: a new run, or a resumed one that had no checkpoint yet (it rewrites the same records);
 * - from its own last checkpoint (`resume`): the log is cut back to what the checkpoint had written, since the
 *   loop redoes the rest identically;
 * - from its baseline's fork point (`forkFrom`, lib/run/fork.ts): the baseline's records up to it are copied
 *   behind this run's own manifest and start record. A baseline with no usable fork point: from step 0, saying so.
 * Each way writes the manifest (except a resume, which keeps it) and the log's first records.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { TrainAgent } from '../agents/types';
import type { ImageReplay } from '../replay/image-replay';
import { writeFileAtomic } from '../util/atomic';
import type { Snapshot } from './checkpoint';
import type { ExperimentConfig } from './config';
import { forkPointOrReason, type ForkPoint } from './fork';
import { readLog, type RunLog } from './log';
import { stamp } from './loop-state';
import { makeManifest } from './manifest';
import { imagesPhase, type ReplayPhase } from './replay-phase';
import { restoreRunState, type RunParts } from './run-state';

export type Beginning =
  | { from: 'step 0'; noFork?: { from: string; reason: string } }
  | { from: 'own checkpoint'; checkpoint: Snapshot }
  | { from: 'fork point'; checkpoint: Snapshot; fork: ForkPoint; source: string };

/**
 * Which way the run begins: its own checkpoint when resumed with one, else the fork point when asked for and usable,
 * else step 0. Throws, writing nothing, when a run that is not resumed would write over an existing log.
 */
export function chooseBeginning(
  cfg: ExperimentConfig,
  dir: string,
  options: { resume?: boolean; forkFrom?: string },
  own: Snapshot | undefined,
): Beginning {
  const logFile = path.join(dir, 'log.jsonl');
  if (!options.resume && fs.existsSync(logFile) && fs.statSync(logFile).size > 0) {
    throw new Error(
      `${logFile} already exists: pass --resume to continue that run, or choose another --out (nothing is overwritten)`,
    );
  }
  if (own) return { from: 'own checkpoint', checkpoint: own };
  if (!options.forkFrom) return { from: 'step 0' };
  const fork = forkPointOrReason(options.forkFrom, cfg);
  const source = path.relative(dir, options.forkFrom);
  if ('missing' in fork) return { from: 'step 0', noFork: { from: source, reason: fork.missing } };
  return { from: 'fork point', checkpoint: fork.checkpoint, fork, source };
}

export interface RunSetUp extends RunParts {
  cfg: ExperimentConfig;
  dir: string;
  log: RunLog;
  /** The image replay as built, still empty. */
  images: ImageReplay;
  resume: boolean;
  /** What the run's first record after (re)starting notes (run-guard.ts `OpenRun.notes`). */
  notes: Record<string, unknown>;
  /** On a start from step 0: sets up the fresh agent; what it returns goes into the manifest (RunOptions.initAgent). */
  initAgent?: (agent: TrainAgent) => Promise<Record<string, unknown>>;
}

/**
 * Begins the run as `b` says: restores the state (or leaves the fresh one), writes the manifest and the log's first
 * records, and returns the replay phase the loop continues with.
 */
export async function restoreOrStart(b: Beginning, run: RunSetUp): Promise<ReplayPhase> {
  const { cfg, dir, log, s } = run;
  const start = stamp(s, 0, {
    type: 'start',
    variant: cfg.variant,
    freezeRule: run.freezing.describe(),
    capacity: run.images.capacity,
    replayBytes: run.images.bytesAllocated(),
    replayPaperBytes: run.images.paperBytes(),
  });
  const writeManifest = (extra: Record<string, unknown>): void =>
    writeFileAtomic(
      path.join(dir, 'manifest.json'),
      JSON.stringify({ ...makeManifest(cfg, cfg.seed), ...extra }, null, 1),
    );

  let phase: ReplayPhase;
  if (b.from === 'step 0') {
    phase = imagesPhase(run.images);
    if (run.resume) log.truncateTo(0);
    const extra = run.initAgent ? await run.initAgent(run.agent) : {};
    const { noFork } = b;
    if (noFork) console.error(`[seer] ${dir}: ${noFork.reason}; this run starts from update 0 instead`);
    writeManifest({ ...extra, ...(noFork ? { forkFallback: noFork } : {}) });
    log.append(start);
    if (noFork) log.append(stamp(s, 0, { type: 'fork-fallback', ...noFork }));
    if (Object.keys(run.notes).length) log.append(stamp(s, 0, { type: 'resume', ...run.notes }));
  } else {
    phase = restoreRunState(b.checkpoint, run, run.images, cfg);
    if (b.from === 'fork point') {
      log.truncateTo(0);
      writeManifest({ forkedFrom: { dir: b.source, updates: b.fork.updates } });
      log.append(start);
      for (const r of b.fork.records.slice(1)) log.append(r);
      log.append(stamp(s, s.wallBefore, { type: 'fork', from: b.source }));
    } else {
      log.truncateTo(s.logRecords);
      log.append(stamp(s, 0, { type: 'resume', ...run.notes }));
    }
  }
  s.logRecords = readLog(log.file).length;
  return phase;
}
