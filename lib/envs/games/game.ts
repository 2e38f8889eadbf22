/**
 * What every MinAtar game implements: the raw game logic on a 10×10 grid, with MinAtar's full action
 * alphabet. Sticky actions, frame skip, observations and the Env interface live in ./minatarEnv.
 */
import type { Rng } from '../rng';

/** MinAtar's action alphabet, in its index order: no-op, left, up, right, down, fire. */
export const ACTION_NAMES = ['n', 'l', 'u', 'r', 'd', 'f'] as const;
/** Action indices by name. Games copy them into module constants (`const { LEFT } = ACTION`): under tsx an
 * imported binding is a getter, too slow to read on every frame. */
export const ACTION = { NOOP: 0, LEFT: 1, UP: 2, RIGHT: 3, DOWN: 4, FIRE: 5 } as const;

/** The grid side: every MinAtar game is 10×10. */
export const GRID = 10;

export interface Game {
  /** Channel names, in observation order. */
  readonly channels: readonly string[];
  /** The game's minimal action set, as indices into ACTION_NAMES (MinAtar's `minimal_action_set`). */
  readonly minimalActions: readonly number[];
  /** Channels from background to foreground: in pixel mode a cell shows its front-most active channel. */
  readonly drawOrder: readonly number[];
  /** True once the episode has ended; `act` then returns 0 and changes nothing (as the reference does). */
  terminal: boolean;
  /** Whether difficulty ramps (Space Invaders, Asterix, Seaquest); ignored by the other games. */
  ramping: boolean;
  /** Starts a new episode, drawing any randomness from the shared generator. */
  reset(): void;
  /** Advances one frame with a full-set action index (0..5) and returns the reward. */
  act(action: number): number;
  /** Writes the 10×10×C boolean state (0/1, channel-last [row][col][channel]) into `out`, which must be zeroed. */
  render(out: Uint8Array): void;
}

/** Builds a game that draws its randomness from `rng` (shared with the sticky-action draw, as in MinAtar). */
export type GameConstructor = new (rng: Rng) => Game;
