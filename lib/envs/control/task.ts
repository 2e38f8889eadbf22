/**
 * What a DeepMind Control task file provides (after dm_control's suite/<domain>.py): the domain's MJCF, the
 * physics sub-steps per control step, the reset randomisation, the reward in [0, 1] and the state observation.
 */
import type { Physics } from './physics';

/** The random draws task initialisation needs (satisfied by ../rng.ts `Rng`). */
export interface Random {
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Standard normal. */
  normal(): number;
}

export interface Task {
  /** e.g. 'cartpole' */
  readonly domain: string;
  /** e.g. 'swingup' */
  readonly task: string;
  /** The domain's MJCF document. */
  readonly xml: string;
  /** Physics steps per DMC control step (control timestep / physics timestep). */
  readonly nSubSteps: number;
  /** Control steps per agent step used by pixel benchmarks (PlaNet/CURL convention). */
  readonly actionRepeat: number;
  /** Camera used for pixels. */
  readonly camera: string;
  /** Randomises the state after mj_resetData; the caller runs mj_forward (actuation off) before and after. */
  initialize(physics: Physics, random: Random): void;
  /** DMC reward for the current (forwarded) state, in [0, 1]. */
  reward(physics: Physics): number;
  /** DMC's observation dict, flattened in key order into the state vector. */
  observation(physics: Physics): number[];
}
