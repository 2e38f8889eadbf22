/**
 * The seam between replay buffers and agents (as in Stable-Baselines3: buffers know nothing of networks).
 * Buffers hold numbers in typed arrays; agents turn a sampled batch into tensors.
 */
import type { Observation } from '../envs/types';

export interface Transition {
  /** Pixel observation [H, W, C·stack] uint8 (newest frame in the last C channels), or a state vector. */
  obs: Observation;
  /** Discrete index or continuous vector. */
  action: number | Float32Array;
  reward: number;
  nextObs: Observation;
  /** True when the episode ended inside the MDP: no bootstrap. */
  terminated: boolean;
  /** True when a time limit cut the episode: bootstrap, but the next transition starts a new episode. */
  truncated: boolean;
}

/** A sampled batch, row-major typed arrays with leading dimension `size`. */
export interface Batch {
  size: number;
  /** Images: uint8 [B, H, W, C·stack]; latents: float32 [B, heads, dim] (see LatentBatch). */
  obs: Uint8Array | Float32Array;
  nextObs: Uint8Array | Float32Array;
  /** [B] int32 for discrete actions, [B, actionDim] float32 for continuous ones. */
  action: Int32Array | Float32Array;
  /** n-step discounted return Σ_{i<n} γ^i r_{t+i}, cut at episode ends. [B] */
  reward: Float32Array;
  /** γ^n' · (1 − terminated) where n' ≤ n is the number of steps actually summed. [B] */
  discount: Float32Array;
  /** Buffer slots, for priority updates. [B] */
  indices: Int32Array;
  /** Importance-sampling weights (all 1 for uniform replay). [B] */
  weights: Float32Array;
}

export interface ReplayBuffer {
  readonly capacity: number;
  /** Transitions currently stored (≤ capacity). */
  readonly size: number;
  add(t: Transition): void;
  sample(batchSize: number): Batch;
  /** Bytes really allocated by this buffer's arrays. */
  bytesAllocated(): number;
  /** The paper's accounting: C · P bytes for images, Ĉ · N · K · L · 4 for latents. */
  paperBytes(): number;
}

/** Prioritized buffers additionally accept new priorities for the slots of the last sample. */
export interface PrioritizedReplay extends ReplayBuffer {
  /** `priorities` are the raw per-sample losses; the buffer stores (loss + ε)^ω (ω = 0.5 by default). */
  updatePriorities(indices: Int32Array, priorities: Float32Array): void;
  /** Importance-sampling exponent β, annealed by the agent/runner. */
  beta: number;
}
