/**
 * Transfer with a frozen encoder (SEER §5.4, Figure 7): a CURL agent pre-trained on one task hands its encoder
 * (convs + fc + LayerNorm of critic, actor and target) to an agent learning another task, which freezes it from
 * update 0 (variant 'seer' with freezeAt 0) and trains only the policy and Q-functions.
 *
 * The weights enter through the runner's `initAgent` hook: on a fresh start (step 0, before the step-0
 * evaluation and any update) the target agent's encoder tensors are replaced with the pre-trained ones (shapes
 * checked). Its checkpoints then hold that encoder, so a resumed run continues from them; a run killed before its
 * first checkpoint restarts from step 0 and loads the encoder again. Nothing depends on where episodes end.
 */
import * as fs from 'fs';
import * as path from 'path';
import { readLatestCheckpoint } from '../run/checkpoint';
import { resolveConfig, type ExperimentConfig } from '../run/config';
import { runExperiment, type RunSummary, type TrainAgent } from '../run/train';
import type { AgentState } from '../agents/types';
import { isDone } from '../run/done';
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
  if (!ckpt)
    throw new Error(
      `${runDir} has no checkpoint to take an encoder from (run it with checkpointSeconds: 0, or long enough to checkpoint)`,
    );
  const tensors: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(ckpt.arrays)) {
    if (k.startsWith('agent/') && isCurlEncoderKey(k.slice(6))) tensors[k.slice(6)] = v as Float32Array;
  }
  if (!Object.keys(tensors).length)
    throw new Error(`the checkpoint of ${runDir} holds no CURL encoder tensors (is it a CURL run?)`);
  const loop = ckpt.meta.loop as { step: number; updates: number };
  return { from: runDir, step: loop.step, updates: loop.updates, tensors };
}

/** An agent state with its encoder tensors replaced; every pre-trained tensor must exist with the same size. */
export function withEncoder(state: AgentState, encoder: PretrainedEncoder): AgentState {
  const tensors = { ...state.tensors };
  for (const [k, v] of Object.entries(encoder.tensors)) {
    const old = tensors[k];
    if (!old) throw new Error(`the target agent has no tensor '${k}' to receive the pre-trained encoder`);
    if (old.data.length !== v.length)
      throw new Error(
        `pre-trained '${k}' has ${v.length} values, the target agent's has ${old.data.length}: encoders differ`,
      );
    tensors[k] = { shape: old.shape, data: Float32Array.from(v) };
  }
  return { tensors, scalars: state.scalars };
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
export async function runTransfer(
  input: Partial<ExperimentConfig> & { env: string },
  pretrainDir: string,
  opts: TransferOptions,
): Promise<RunSummary> {
  const cfg = resolveConfig(input);
  if (cfg.agent !== 'curl') throw new Error(`transfer supports CURL agents (control tasks), got agent '${cfg.agent}'`);
  const marker = path.join(opts.out, 'transfer.json');
  const started = fs.existsSync(marker) || isDone(opts.out);
  if (started && !opts.resume) throw new Error(`${opts.out} already holds a transfer run: pass resume to continue it`);
  if (!started) {
    // Whatever an earlier attempt left without the marker (e.g. a failed start) is not a transfer run: start clean.
    fs.rmSync(opts.out, { recursive: true, force: true });
  }
  // Read only on a fresh start: a finished run needs no pre-training checkpoint (those are not committed).
  const initAgent = async (agent: TrainAgent): Promise<Record<string, unknown>> => {
    const encoder = readPretrainedEncoder(pretrainDir);
    agent.load(withEncoder(await agent.save(), encoder));
    const provenance = {
      pretrainedFrom: path.resolve(pretrainDir),
      pretrainStep: encoder.step,
      pretrainUpdates: encoder.updates,
      tensors: Object.keys(encoder.tensors),
      injectedAtStep: 0,
    };
    writeFileAtomic(marker, JSON.stringify(provenance, null, 1));
    return { transfer: provenance };
  };
  return runExperiment(input, { out: opts.out, resume: true, initAgent });
}
