/**
 * Encoder snapshots over training (SEER Figure 8: attention maps and per-layer SVCCA between t and t + Δ). The
 * runner records them itself (`snapshotEvery`, in updates, from update 0 until a freeze) into `<run>/snapshots`,
 * keyed `encoder/<layer>/…` so any snapshot loads into `makeEncoder` of the same kind. This module adds the
 * fixed probe set the analysis compares them on.
 */
import * as path from 'path';
import type { Probe } from '../analysis/similarity';
import { centerCrop, cropSizeFor } from '../augment/crop';
import { makeEnv } from '../envs';
import { Rng } from '../envs/rng';
import { resolveConfig, type ExperimentConfig } from './config';
import { runExperiment, type RunSummary } from './train';

export function snapshotDir(runDir: string): string {
  return path.join(runDir, 'snapshots');
}

/** Runs (or continues) `input` to the end, storing an encoder snapshot every `every` updates under `<out>/snapshots`. */
export function runWithSnapshots(
  input: Partial<ExperimentConfig> & { env: string },
  every: number,
  opts: { out: string },
): Promise<RunSummary> {
  if (!Number.isInteger(every) || every < 1)
    throw new Error(`snapshot interval must be a positive integer of updates, got ${every}`);
  return runExperiment({ ...input, snapshotEvery: every }, { out: opts.out, resume: true });
}

/**
 * A fixed probe set for the analysis: `n` observations of `cfg`'s environment under random actions, as the agent's
 * encoder sees them when acting — centre-cropped for CURL, whole frames for Rainbow (pixels 0..255, [n, H, W, C]).
 */
export async function collectProbe(
  input: Partial<ExperimentConfig> & { env: string },
  n: number,
  seed = 12345,
): Promise<Probe> {
  const cfg = resolveConfig(input);
  const env = await makeEnv(cfg.env, { seed, size: cfg.imageSize, frameStack: cfg.frameStack, obs: 'pixels' });
  try {
    const shape = env.observationSpace.shape as [number, number, number];
    // CURL's encoder sees centre crops when acting; Rainbow's sees the whole frame.
    const crop =
      cfg.agent === 'curl'
        ? Number((cfg.agentOptions as { cropSize?: number }).cropSize ?? cropSizeFor(shape[0]))
        : shape[0];
    const frame = shape[0] * shape[1] * shape[2];
    const raw = new Uint8Array(n * frame);
    const rng = new Rng(seed);
    let obs = env.reset({ seed }).obs;
    for (let i = 0; i < n; i++) {
      raw.set(obs as Uint8Array, i * frame);
      const space = env.actionSpace;
      const action =
        space.kind === 'discrete'
          ? Math.floor(rng.random() * space.n)
          : Float32Array.from({ length: space.shape[0] }, () => space.low + (space.high - space.low) * rng.random());
      const r = env.step(action);
      obs = r.terminated || r.truncated ? env.reset({ seed: seed + i + 1 }).obs : r.obs;
    }
    const data = crop === shape[0] ? Float32Array.from(raw) : centerCrop(raw, n, { inShape: shape, out: crop });
    return { data, shape: [n, crop, crop, shape[2]] };
  } finally {
    env.close();
  }
}
