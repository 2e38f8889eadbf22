/**
 * Forking a SEER run from its baseline. Until T_f a SEER run *is* its baseline run: same seed, same config but
 * the variant, so the same actions, replay, updates and evaluations, bit for bit (test/experiments/fork.test.ts
 * checks it). A baseline run therefore keeps its last checkpoint from before T_f (the fork point, hard links
 * beside its checkpoints); a SEER run started with `forkFrom` restores it, copies the baseline's log up to it,
 * and computes only from there on — for CURL on cartpole that skips a third of the baseline's updates, most of
 * the SEER run's cost. The copied records keep the baseline's wall time, which is the time that work took.
 *
 * Only the exact case forks: a source variant that never freezes, a target that freezes with the fixed rule (the
 * adaptive rule needs its own similarity checks from update 0), the same image replay before T_f (baseline →
 * seer, constrained-images → constrained-seer), and every other training setting equal.
 */
import * as fs from 'fs';
import * as path from 'path';
import { readLatestCheckpoint, type Snapshot } from './checkpoint';
import type { ExperimentConfig } from './config';
import { seerVariant } from '../seer/variants';
import { readLog, type LogRecord } from './log';

/** Where a baseline run keeps its fork point: the checkpoint directory of the last checkpoint before T_f. */
export const forkPointDir = (runDir: string): string => path.join(runDir, 'checkpoints-fork');

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
  if (from.freeze) return `the source run is variant '${source.variant}', which freezes; only a run that never freezes can be forked`;
  if (!to.freeze) return `variant '${target.variant}' never freezes, so it has no point where it stops being the source run`;
  if (from.imageCapacity !== to.imageCapacity || from.memoryLimited !== to.memoryLimited) {
    return `variants '${source.variant}' and '${target.variant}' keep different image replays before T_f (pairs that fork: baseline → seer, constrained-images → constrained-seer)`;
  }
  if (target.freezeRule !== 'fixed') return `freezeRule '${target.freezeRule}' cannot fork; only 'fixed' can (the adaptive rule checks from update 0)`;
  const strip = (c: ExperimentConfig): Record<string, unknown> => {
    const o: Record<string, unknown> = { ...c };
    for (const k of MAY_DIFFER) delete o[k];
    return o;
  };
  const a = strip(source);
  const b = strip(target);
  const differ = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
  if (differ.length) return `the runs differ in ${differ.map((k) => `${k} (${JSON.stringify(a[k])} vs ${JSON.stringify(b[k])})`).join(', ')}`;
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
  const file = path.join(sourceDir, 'manifest.json');
  if (!fs.existsSync(file)) throw new Error(`cannot fork from ${sourceDir}: it has no manifest.json (not a run directory)`);
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { config: ExperimentConfig }).config;
}

/** The fork point of `sourceDir` for a run with config `target`; throws, naming the reason, when there is none. */
export function readForkPoint(sourceDir: string, target: ExperimentConfig): ForkPoint {
  const problem = forkProblem(sourceConfig(sourceDir), target);
  if (problem) throw new Error(`cannot fork ${target.variant} from ${sourceDir}: ${problem}`);
  const checkpoint = readLatestCheckpoint(forkPointDir(sourceDir));
  if (!checkpoint) throw new Error(`cannot fork from ${sourceDir}: it has no fork point yet (${forkPointDir(sourceDir)} is empty; it is written with the first checkpoint)`);
  const loop = checkpoint.meta.loop as { updates: number; frozen: boolean; logRecords: number };
  if (loop.frozen || loop.updates > target.freezeAt) throw new Error(`cannot fork from ${sourceDir}: its fork point is at update ${loop.updates}, after T_f = ${target.freezeAt}`);
  const records = readLog(path.join(sourceDir, 'log.jsonl')).slice(0, loop.logRecords);
  if (records.length !== loop.logRecords || records[0]?.type !== 'start') throw new Error(`cannot fork from ${sourceDir}: its log.jsonl holds fewer records than its fork point (${records.length} of ${loop.logRecords})`);
  return { checkpoint, records, updates: loop.updates };
}

/**
 * Whether `sourceDir` has a fork point usable by a run with config `target`, and a final one: the source has
 * logged past T_f, so its fork point will not move closer to T_f any more (no throw).
 */
export function canForkFrom(sourceDir: string, target: ExperimentConfig): boolean {
  try {
    readForkPoint(sourceDir, target);
  } catch {
    return false;
  }
  const last = readLog(path.join(sourceDir, 'log.jsonl')).pop();
  return last !== undefined && last.updates > target.freezeAt;
}
