/**
 * A run that keeps encoder snapshots over training (SEER Figure 8: attention maps and per-layer SVCCA between
 * t and t + Δ), built on the runner's resume path: the run goes in segments of `every` agent steps with a
 * checkpoint at every episode end; after each segment the latest checkpoint's encoder is stored as a snapshot
 * (keys `encoder/<layer>/…`, loadable into `makeEncoder({kind: 'sac-ae'})`). Resuming restores a run exactly,
 * so the run is the one an uninterrupted run would make. Snapshots land at episode ends; make `every` a
 * multiple of the episode length (agent steps) to avoid redoing steps.
 */
import * as path from 'path';
import { DiskSnapshotStore, type Snapshot } from '../analysis/snapshots';
import type { Probe } from '../analysis/similarity';
import { centerCrop, cropSizeFor } from '../augment/crop';
import { makeEnv } from '../envs';
import { Rng } from '../envs/rng';
import { readLatestCheckpoint } from './checkpoint';
import { resolveConfig, type ExperimentConfig } from './config';
import { runExperiment, type RunSummary } from './train';
import { isDone } from './sweep';

/** Checkpoint key → snapshot key for the online critic encoder of CURL ('critic/conv1/kernel' → 'encoder/conv1/kernel'). */
export function curlEncoderSnapshotKey(key: string): string | undefined {
  const m = /^critic\/((conv\d+|fc|ln)\/.+)$/.exec(key);
  return m ? `encoder/${m[1]}` : undefined;
}

export function snapshotDir(runDir: string): string {
  return path.join(runDir, 'snapshots');
}

/** Stores the encoder of `runDir`'s latest checkpoint, labelled by its update count; returns that count. */
export function snapshotLatest(runDir: string, store: DiskSnapshotStore): number | undefined {
  const ckpt = readLatestCheckpoint(path.join(runDir, 'checkpoints'));
  if (!ckpt) return undefined;
  const meta = ckpt.meta as { loop: { updates: number }; agentShapes: Record<string, number[]> };
  const tensors: Snapshot['tensors'] = {};
  for (const [k, shape] of Object.entries(meta.agentShapes)) {
    const key = curlEncoderSnapshotKey(k);
    if (key) tensors[key] = { shape, data: ckpt.arrays[`agent/${k}`] as Float32Array };
  }
  if (!Object.keys(tensors).length) throw new Error(`${runDir}: its checkpoint holds no CURL encoder (snapshot runs support CURL)`);
  const update = meta.loop.updates;
  if (!store.updates().includes(update)) store.add({ update, tensors });
  return update;
}

/** Runs (or continues) `input` to the end, storing encoder snapshots under `<out>/snapshots`. */
export async function runWithSnapshots(input: Partial<ExperimentConfig> & { env: string }, every: number, opts: { out: string }): Promise<RunSummary> {
  if (!Number.isInteger(every) || every < 1) throw new Error(`snapshot interval must be a positive integer of agent steps, got ${every}`);
  const cfg = resolveConfig(input);
  if (cfg.agent !== 'curl') throw new Error(`snapshot runs support CURL agents, got '${cfg.agent}'`);
  const store = new DiskSnapshotStore(snapshotDir(opts.out));
  const withCkpt = { ...input, checkpointSeconds: 0 };
  let summary: RunSummary | undefined;
  for (let guard = 0; !isDone(opts.out); guard++) {
    if (guard > Math.ceil(cfg.steps / every) * 2 + 4) throw new Error(`${opts.out}: snapshot run makes no progress (are episodes longer than ${every} steps?)`);
    summary = await runExperiment(withCkpt, { out: opts.out, resume: true, stopAfterSteps: every });
    // Without a checkpoint the next segment would start over on top of this one's log.
    if (snapshotLatest(opts.out, store) === undefined && !isDone(opts.out)) {
      throw new Error(`${opts.out}: no episode ended within the first ${every} steps, so nothing was checkpointed; use a snapshot interval of at least one episode`);
    }
  }
  return summary ?? (await runExperiment(withCkpt, { out: opts.out, resume: true }));
}

/**
 * A fixed probe set for the analysis: `n` observations of `cfg`'s environment under random actions, centre-
 * cropped as CURL sees them when acting (pixels 0..255, [n, crop, crop, C]).
 */
export async function collectProbe(input: Partial<ExperimentConfig> & { env: string }, n: number, seed = 12345): Promise<Probe> {
  const cfg = resolveConfig(input);
  const env = await makeEnv(cfg.env, { seed, size: cfg.imageSize, frameStack: cfg.frameStack, obs: 'pixels' });
  try {
    const shape = env.observationSpace.shape as [number, number, number];
    const crop = Number((cfg.agentOptions as { cropSize?: number }).cropSize ?? cropSizeFor(shape[0]));
    const frame = shape[0] * shape[1] * shape[2];
    const raw = new Uint8Array(n * frame);
    const rng = new Rng(seed);
    let obs = env.reset({ seed }).obs;
    for (let i = 0; i < n; i++) {
      raw.set(obs as Uint8Array, i * frame);
      const space = env.actionSpace;
      const action = space.kind === 'discrete' ? Math.floor(rng.random() * space.n) : Float32Array.from({ length: space.shape[0] }, () => space.low + (space.high - space.low) * rng.random());
      const r = env.step(action);
      obs = r.terminated || r.truncated ? env.reset({ seed: seed + i + 1 }).obs : r.obs;
    }
    return { data: centerCrop(raw, n, { inShape: shape, out: crop }), shape: [n, crop, crop, shape[2]] };
  } finally {
    env.close();
  }
}
