/**
 * Transfer with a frozen encoder (SEER §5.4, Figure 7): a CURL agent pre-trained on one task hands its encoder
 * (convs + fc + LayerNorm of critic, actor and target) to an agent learning another task, which freezes it from
 * update 0 (variant 'seer' with freezeAt 0) and trains only the policy and Q-functions.
 *
 * The runner has no "initial weights" option, so the weights enter through its checkpoint/resume path, which
 * restores a run exactly:
 *  1. start the target run with a checkpoint at every episode end, and stop it before its first update and
 *     first evaluation — no network has been used yet, only random actions;
 *  2. overwrite the encoder tensors in that checkpoint with the pre-trained ones (shapes checked);
 *  3. resume the run to the end with its own checkpoint interval.
 * The result is the run a fresh agent with the pre-trained encoder would make. A cleaner seam would be an
 * `initAgent(agent)` hook in RunOptions (train.ts), called after the agent is built on a fresh start.
 */
import * as fs from 'fs';
import * as path from 'path';
import { readLatestCheckpoint, writeCheckpoint, type Snapshot } from './checkpoint';
import { resolveConfig, type ExperimentConfig } from './config';
import { runExperiment, type RunSummary } from './train';
import { isDone } from './sweep';
import { writeFileAtomic } from '../util/atomic';

/** CURL's encoder in checkpoint keys: the convs (critic and target trunks), and fc + LayerNorm of every head. */
export function isCurlEncoderKey(key: string): boolean {
  return /^(critic|target)\/conv\d+\//.test(key) || /^(critic|actor|target)\/(fc|ln)\//.test(key);
}

export interface PretrainedEncoder {
  /** Run the weights come from, and the agent step / update of its checkpoint. */
  from: string;
  step: number;
  updates: number;
  tensors: Record<string, Float32Array>;
}

/**
 * The encoder tensors of a run's latest checkpoint. (The runner checkpoints at episode ends and not after the
 * last episode, so with `checkpointSeconds: 0` this is the encoder one episode before the end of training.)
 */
export function readPretrainedEncoder(runDir: string): PretrainedEncoder {
  const ckpt = readLatestCheckpoint(path.join(runDir, 'checkpoints'));
  if (!ckpt) throw new Error(`${runDir} has no checkpoint to take an encoder from (run it with checkpointSeconds: 0, or long enough to checkpoint)`);
  const tensors: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(ckpt.arrays)) {
    if (k.startsWith('agent/') && isCurlEncoderKey(k.slice(6))) tensors[k.slice(6)] = v as Float32Array;
  }
  if (!Object.keys(tensors).length) throw new Error(`the checkpoint of ${runDir} holds no CURL encoder tensors (is it a CURL run?)`);
  const loop = ckpt.meta.loop as { step: number; updates: number };
  return { from: runDir, step: loop.step, updates: loop.updates, tensors };
}

/** Replaces the encoder tensors of a checkpoint's agent; every pre-trained tensor must exist with the same size. */
export function withEncoder(ckpt: Snapshot, encoder: PretrainedEncoder): Snapshot {
  const arrays = { ...ckpt.arrays };
  for (const [k, v] of Object.entries(encoder.tensors)) {
    const key = `agent/${k}`;
    const old = arrays[key];
    if (!old) throw new Error(`the target agent has no tensor '${k}' to receive the pre-trained encoder`);
    if (old.length !== v.length) throw new Error(`pre-trained '${k}' has ${v.length} values, the target agent's has ${old.length}: encoders differ`);
    arrays[key] = Float32Array.from(v);
  }
  return { meta: ckpt.meta, arrays };
}

export interface TransferOptions {
  out: string;
  /** Continue an interrupted transfer run (a finished or started run is never restarted). */
  resume?: boolean;
}

/**
 * Runs `input` starting from the encoder of the pre-training run in `pretrainDir`. The config should freeze
 * from the start (`variant: 'seer', freezeAt: 0`) — that is the experiment — but any config is accepted.
 */
export async function runTransfer(input: Partial<ExperimentConfig> & { env: string }, pretrainDir: string, opts: TransferOptions): Promise<RunSummary> {
  const cfg = resolveConfig(input);
  if (cfg.agent !== 'curl') throw new Error(`transfer supports CURL agents (control tasks), got agent '${cfg.agent}'`);
  const marker = path.join(opts.out, 'transfer.json');
  if (fs.existsSync(marker) || isDone(opts.out)) {
    if (!opts.resume) throw new Error(`${opts.out} already holds a transfer run: pass resume to continue it`);
    return runExperiment(input, { out: opts.out, resume: true });
  }
  const encoder = readPretrainedEncoder(pretrainDir);
  // Phase 1: random-action steps only, checkpointed at each episode end; stop before any update or evaluation.
  const quietSteps = Math.min(cfg.initSteps, cfg.evalEvery) - 1;
  fs.rmSync(opts.out, { recursive: true, force: true });
  await runExperiment({ ...input, checkpointSeconds: 0 }, { out: opts.out, stopAfterSteps: Math.max(1, quietSteps) });
  const ckptDir = path.join(opts.out, 'checkpoints');
  const ckpt = readLatestCheckpoint(ckptDir);
  const label = ckpt ? `step-${(ckpt.meta.loop as { step: number }).step}` : '';
  if (!ckpt || (ckpt.meta.loop as { updates: number }).updates !== 0) {
    throw new Error(
      `transfer needs an episode to end before the first update and the first evaluation (initSteps ${cfg.initSteps}, evalEvery ${cfg.evalEvery}); ` +
        `episodes of ${cfg.env} are longer — raise initSteps/evalEvery or set maxEpisodeSteps`,
    );
  }
  writeCheckpoint(ckptDir, label, withEncoder(ckpt, encoder));
  // The manifest records the run's real config and where its encoder came from.
  const manifestFile = path.join(opts.out, 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Record<string, unknown>;
  const provenance = { pretrainedFrom: path.resolve(pretrainDir), pretrainStep: encoder.step, pretrainUpdates: encoder.updates, tensors: Object.keys(encoder.tensors), injectedAtStep: (ckpt.meta.loop as { step: number }).step };
  writeFileAtomic(manifestFile, JSON.stringify({ ...manifest, config: cfg, transfer: provenance }, null, 1));
  writeFileAtomic(marker, JSON.stringify(provenance, null, 1));
  // Phase 2: the rest of the run, from the edited checkpoint.
  return runExperiment(input, { out: opts.out, resume: true });
}
