/**
 * Forking a SEER run from its baseline. Until T_f a SEER run *is* its baseline run: same seed, same config but
 * the variant, so the same actions, replay, updates and evaluations, bit for bit (test/run/fork.test.ts
 * checks it). A baseline run therefore keeps its state at its last episode end at or before update T_f (the fork
 * point, a checkpoint in `checkpoints-fork/` beside its own checkpoints, written by ForkPointKeeper); a SEER run
 * started with `forkFrom` restores it, copies the baseline's log up to it, and computes only from there on — for
 * CURL on cartpole that skips a third of the baseline's updates, most of the SEER run's cost. The copied records
 * keep the baseline's wall time, which is the time that work took. A baseline with no usable fork point (not
 * started, none yet, or an unreadable one) does not stop the SEER run: it runs from update 0 and says so
 * (`forkPointOrReason`); its logs are the same either way.
 *
 * Only the exact case forks: a source variant that never freezes, a target that freezes with the fixed rule (the
 * adaptive rule needs its own similarity checks from update 0) at or after the source's fork point (a later T_f,
 * e.g. the benchmark's `seer-late` arm, forks from the same baseline), the same image replay before T_f (baseline →
 * seer, constrained-images → constrained-seer), and every other training setting equal.
 */
import * as fs from 'fs';
import * as path from 'path';
import { hasCheckpoint, readLatestCheckpoint, writeCheckpoint, type Snapshot } from './checkpoint';
import type { ExperimentConfig } from './config';
import { seerVariant } from '../seer/variants';
import { readLog, type LogRecord } from './log';
import { readManifest } from './manifest';

/** Where a baseline run keeps its fork point: a checkpoint directory holding its state at the fork point. */
export const forkPointDir = (runDir: string): string => path.join(runDir, 'checkpoints-fork');

/** Whether a run keeps a fork point (not read: a look at its `checkpoints-fork/LATEST`). */
export const hasForkPoint = (runDir: string): boolean => hasCheckpoint(forkPointDir(runDir));

/** Whether a run keeps a fork point: runs that never freeze, the runs SEER runs are forks of. */
export const keepsForkPoint = (cfg: ExperimentConfig): boolean => !seerVariant(cfg.variant).freeze;

/**
 * Settings that may differ between the two runs: bookkeeping, which changes nothing a run computes, and the
 * latent replay's settings, which nothing reads before T_f.
 */
const MAY_DIFFER = ['variant', 'checkpointSeconds', 'snapshotEvery', 'probeSize', 'latentDtype', 'copies'] as const;

/** Why `target` cannot fork from a run with config `source`, or undefined when it can. */
export function forkProblem(source: ExperimentConfig, target: ExperimentConfig): string | undefined {
  const from = seerVariant(source.variant);
  const to = seerVariant(target.variant);
  if (from.freeze)
    return `the source run is variant '${source.variant}', which freezes; only a run that never freezes can be forked`;
  if (!to.freeze)
    return `variant '${target.variant}' never freezes, so it has no point where it stops being the source run`;
  if (from.imageCapacity !== to.imageCapacity || from.memoryLimited !== to.memoryLimited) {
    return `variants '${source.variant}' and '${target.variant}' keep different image replays before T_f (pairs that fork: baseline → seer, constrained-images → constrained-seer)`;
  }
  if (target.freezeRule !== 'fixed')
    return `freezeRule '${target.freezeRule}' cannot fork; only 'fixed' can (the adaptive rule checks from update 0)`;
  // The source's freezeAt only places its fork point (at or before it); a later T_f is still its twin up to there.
  if (target.freezeAt < source.freezeAt) {
    const at = `its freezeAt = ${source.freezeAt}`;
    return `T_f = ${target.freezeAt} may come before the source's fork point (at or before ${at}); it must be ≥ it`;
  }
  const strip = (c: ExperimentConfig): Record<string, unknown> => {
    const o: Record<string, unknown> = { ...c };
    for (const k of [...MAY_DIFFER, 'freezeAt']) delete o[k];
    return o;
  };
  const a = strip(source);
  const b = strip(target);
  const differ = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter(
    (k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]),
  );
  if (differ.length)
    return `the runs differ in ${differ.map((k) => `${k} (${JSON.stringify(a[k])} vs ${JSON.stringify(b[k])})`).join(', ')}`;
  return undefined;
}

export interface ForkPoint {
  checkpoint: Snapshot;
  /** The source's log records up to the checkpoint (the 'start' record first). */
  records: LogRecord[];
  /** Updates done at the fork point. */
  updates: number;
}

function sourceConfig(sourceDir: string): ExperimentConfig {
  const manifest = readManifest(sourceDir);
  if (!manifest) throw new Error(`cannot fork from ${sourceDir}: it has no manifest.json (not a run directory)`);
  return manifest.config as ExperimentConfig;
}

/** Why a run that is the source's twin still cannot start from its fork point: it has none (yet), or none usable. */
export class NoForkPoint extends Error {}

/**
 * The fork point of `sourceDir` for a run with config `target`. Throws NoForkPoint, naming the reason, when the
 * source has no usable one (or does not exist yet), and a plain Error when the source is a directory that is no run
 * directory, or a run that is not the target's twin.
 */
export function readForkPoint(sourceDir: string, target: ExperimentConfig): ForkPoint {
  const missing = (why: string): NoForkPoint => new NoForkPoint(`cannot fork from ${sourceDir}: ${why}`);
  // A source not started yet (in another lane, or its records not restored) is a source with no fork point yet.
  if (!fs.existsSync(sourceDir)) throw missing('it has not started (no such directory)');
  const problem = forkProblem(sourceConfig(sourceDir), target);
  if (problem) throw new Error(`cannot fork ${target.variant} from ${sourceDir}: ${problem}`);
  let checkpoint: Snapshot | undefined;
  try {
    checkpoint = readLatestCheckpoint(forkPointDir(sourceDir));
  } catch (err) {
    throw missing(`its fork point in ${forkPointDir(sourceDir)} cannot be read (${(err as Error).message})`);
  }
  if (!checkpoint) {
    throw missing(`it has no fork point yet (${forkPointDir(sourceDir)} is empty; it is written once past T_f)`);
  }
  const loop = checkpoint.meta.loop as { updates: number; frozen: boolean; logRecords: number };
  if (loop.frozen || loop.updates > target.freezeAt) {
    throw missing(`its fork point is at update ${loop.updates}, after T_f = ${target.freezeAt}`);
  }
  const records = readLog(path.join(sourceDir, 'log.jsonl')).slice(0, loop.logRecords);
  if (records.length !== loop.logRecords || records[0]?.type !== 'start') {
    throw missing(`its log.jsonl holds fewer records than its fork point (${records.length} of ${loop.logRecords})`);
  }
  return { checkpoint, records, updates: loop.updates };
}

/**
 * The fork point, or why the run must start from update 0 instead (`{ missing }`: the source has no usable fork
 * point). Still throws when the source is no run directory or not the target's twin: that is a wrong `forkFrom`.
 */
export function forkPointOrReason(sourceDir: string, target: ExperimentConfig): ForkPoint | { missing: string } {
  try {
    return readForkPoint(sourceDir, target);
  } catch (err) {
    if (err instanceof NoForkPoint) return { missing: err.message };
    throw err;
  }
}

/** Why a run that was to fork runs from update 0 instead (its manifest's `forkFallback`), or undefined. */
export function forkFallbackReason(runDir: string): string | undefined {
  return (readManifest(runDir)?.forkFallback as { reason: string } | undefined)?.reason;
}

/** How a finished run that was to fork ran from update 0 instead, or undefined. */
export function forkFallbackOf(runDir: string): string | undefined {
  const reason = forkFallbackReason(runDir);
  return reason && `ran from update 0: ${reason}`;
}

/**
 * Keeps a run's fork point: its state at the last episode end at or before update T_f (checkpoints are taken at
 * episode ends only: an environment's state mid-episode is not saved). Which episode end that is becomes known only
 * when the run passes T_f, so at each episode end that may be it the run hands its state over (`wants`, `hold`), the
 * keeper holds the latest in memory, and writes it once the run is past T_f or ends (`settle`). An episode end may be
 * the last one when the next episode can cross T_f: T_f − updates < the longest episode (the run's time limit; any
 * episode end before T_f when it has none). The cost, whatever the clock and the episode lengths: per such episode
 * end a copy of the agent (the replay only marks its state, copying a slot when a later step overwrites it), and
 * one checkpoint written per run.
 */
export class ForkPointKeeper {
  private held: { label: string; snapshot: Snapshot | (() => Snapshot) } | undefined;
  private readonly longestEpisode: number;

  constructor(
    private readonly runDir: string,
    private readonly cfg: ExperimentConfig,
  ) {
    this.longestEpisode = cfg.maxEpisodeSteps > 0 ? cfg.maxEpisodeSteps : Infinity;
  }

  /** Whether the state at an episode end after `updates` updates may be the fork point. */
  wants(updates: number): boolean {
    const { freezeAt } = this.cfg;
    return keepsForkPoint(this.cfg) && updates <= freezeAt && freezeAt - updates < this.longestEpisode;
  }

  /**
   * Holds this episode end's state in place of the one held before: a snapshot nothing else will modify, or a
   * function that builds it later as it is now (the replay's slots kept by its mark, not copied, StepRing.mark).
   */
  hold(label: string, snapshot: Snapshot | (() => Snapshot)): void {
    this.held = { label, snapshot };
  }

  /** Writes the held state as the fork point once the run is past T_f (`updates` > T_f) or has `ended`. */
  settle(updates: number, ended = false): void {
    if (!this.held || (updates <= this.cfg.freezeAt && !ended)) return;
    const { label, snapshot } = this.held;
    writeCheckpoint(forkPointDir(this.runDir), label, typeof snapshot === 'function' ? snapshot() : snapshot);
    this.held = undefined;
  }
}
