/**
 * The interface every environment in the workbook implements (Gymnasium-style), shared by the
 * continuous-control suite (MuJoCo) and the discrete games (MinAtar). Pixel observations are uint8,
 * channel-last, flattened row-major as [H, W, C] so they feed tfjs NHWC encoders without a transpose.
 */

/** A box of numbers; `shape` is [H, W, C] for pixels, [n] for vectors and continuous actions. */
export interface BoxSpace {
  kind: 'box';
  shape: number[];
  dtype: 'uint8' | 'float32';
  low: number;
  high: number;
}

/** A finite set of actions {0, …, n-1}. */
export interface DiscreteSpace {
  kind: 'discrete';
  n: number;
}

export type Space = BoxSpace | DiscreteSpace;

/** Uint8Array for pixels / boolean channels, Float32Array for state vectors. */
export type Observation = Uint8Array | Float32Array;
/** An index for discrete spaces, a vector in [-1, 1] for continuous ones. */
export type Action = number | Float32Array | number[];

export type Info = Record<string, unknown>;

export interface ResetResult {
  obs: Observation;
  info: Info;
}

export interface StepResult {
  obs: Observation;
  reward: number;
  /** The episode ended inside the MDP (no bootstrapping). */
  terminated: boolean;
  /** The episode was cut by a time limit (bootstrap from obs). */
  truncated: boolean;
  info: Info;
}

export interface Env {
  readonly id: string;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: Space;
  reset(options?: { seed?: number }): ResetResult;
  step(action: Action): StepResult;
  /** Releases native/wasm resources (MuJoCo model and data). Idempotent. */
  close(): void;
}
