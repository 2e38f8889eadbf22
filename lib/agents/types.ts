/**
 * The seam between agents and everything around them (runner, SEER, analysis). An agent owns its networks
 * and optimizers; the runner owns the environment loop and the replay buffer; SEER talks to the agent only
 * through `SeerHooks`.
 */
import type { Action, Observation } from '../envs/types';
import type { Batch } from '../replay/types';
import type { FlopCounter } from '../flops/counter';
import type { Encoder } from '../nets/encoders';

export type ActMode = 'explore' | 'eval';

/** Losses and diagnostics from one update, for logging. */
export type UpdateStats = Record<string, number>;

export interface Agent {
  readonly kind: 'curl' | 'rainbow';
  /** One action for one observation (pixels as stored in replay; the agent crops/scales itself). */
  act(obs: Observation, mode: ActMode): Action;
  /** One gradient update from a sampled batch (images before the freeze, latents after). */
  update(batch: Batch, step: number): UpdateStats;
  /** For prioritized replay: the per-sample priorities computed by the last update (undefined if unused). */
  lastPriorities?(): Float32Array | undefined;
  /** FLOPs spent so far by component (updates, actions, latent encodings); see lib/flops. */
  readonly flops: FlopCounter;
  /** Serialisable state (weights, optimizer moments, counters) for checkpoints. */
  save(): Promise<AgentState>;
  load(state: AgentState): void;
  dispose(): void;
}

/** Named float32 arrays with shapes, plus JSON-safe scalars. */
export interface AgentState {
  tensors: Record<string, { shape: number[]; data: Float32Array }>;
  scalars: Record<string, number | string | boolean>;
}

/** What SEER needs from an agent: freeze its encoder and encode observations into stored latents. */
export interface SeerHooks {
  readonly frozen: boolean;
  /** N in Ĉ = ⌊C·P / (4·N·K·L)⌋: latent vectors stored per observation (2 for CURL's actor+critic fc, 1 for Rainbow). */
  readonly latentHeads: number;
  /**
   * L: length of one latent vector (50 for CURL, 576 for Rainbow at 84×84). Read N and L after
   * freezeEncoder(): CURL with scope 'convs' stores the flattened conv output (N = 1, L = conv size).
   */
  readonly latentDim: number;
  /**
   * Stops training the encoder layers: they leave their optimizers, the contrastive loss stops, and the target
   * network uses the same latents as the online one. `scope: 'convs'` freezes the convolutions only (CURL).
   */
  freezeEncoder(options?: { scope?: 'all' | 'convs' }): void;
  /**
   * Encodes n stored observations (uint8, replay layout) into latents [n, latentHeads, latentDim];
   * `augment` draws one augmentation per observation (a random crop for CURL; Rainbow has none).
   */
  encodeLatents(obs: Uint8Array, n: number, augment: boolean): Float32Array;
  /**
   * The encoder's convolutions as a network of their own, sharing the agent's weights: what the adaptive freeze rule
   * compares over training and what encoder snapshots record (lib/run/freezing.ts, Figure 8). Optional: an agent
   * without it cannot use those two.
   */
  analysisNet?(): Encoder;
}

/** What the runner trains (lib/run/train.ts): an agent with the hooks SEER needs. */
export type TrainAgent = Agent & SeerHooks;
