/**
 * The one place replay and SEER get random numbers from: the workbook's seedable generator (lib/envs/rng.ts,
 * sfc32), behind a small interface so the buffers do not depend on the rest of its API.
 */
import { Rng as EnvRng } from '../envs/rng';

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** For checkpoints: the generator's state, and restoring it. */
  getState(): number[];
  setState(state: readonly number[]): void;
}

export function makeRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed)) throw new Error(`Replay seed must be a safe integer, got ${seed}`);
  const r = new EnvRng(seed);
  return { next: () => r.random(), getState: () => r.getState(), setState: (s) => r.setState(s) };
}

/** Uniform integer in [0, n). */
export function randInt(rng: Rng, n: number): number {
  return Math.floor(rng.next() * n);
}
