/**
 * The five MinAtar games as the workbook's discrete pixel suite: ids 'minatar/<game>' in the env registry.
 * Importing this module registers the suite; `makeEnv('minatar/breakout', {obs: 'pixels', frameStack: 4, seed})`.
 */
import { registerSuite } from '../registry';
import type { GameConstructor } from './game';
import { Asterix } from './asterix';
import { Breakout } from './breakout';
import { Freeway } from './freeway';
import { MinAtarEnv, type MinAtarOptions } from './minatarEnv';
import { Seaquest } from './seaquest';
import { SpaceInvaders } from './spaceInvaders';

export const GAMES = {
  breakout: Breakout,
  space_invaders: SpaceInvaders,
  freeway: Freeway,
  asterix: Asterix,
  seaquest: Seaquest,
} as const satisfies Record<string, GameConstructor>;

export type GameName = keyof typeof GAMES;
export const GAME_NAMES = Object.keys(GAMES) as GameName[];

/** Builds a game env synchronously (makeEnv wraps this); an unknown name is an error listing the games. */
export function makeMinAtar(name: string, options: MinAtarOptions & Record<string, unknown> = {}): MinAtarEnv {
  if (!Object.prototype.hasOwnProperty.call(GAMES, name)) {
    throw new Error(`Unknown MinAtar game '${name}'. Games: ${GAME_NAMES.join(', ')}`);
  }
  return new MinAtarEnv(name, GAMES[name as GameName], options);
}

registerSuite('minatar/', GAME_NAMES, (name, options) =>
  makeMinAtar(name, options as MinAtarOptions & Record<string, unknown>),
);

export { MinAtarEnv, type MinAtarOptions } from './minatarEnv';
export { ACTION, ACTION_NAMES, type Game } from './game';
export { Asterix, Breakout, Freeway, Seaquest, SpaceInvaders };
export { grayLevels, cellOfPixel, cellIndexMap, renderFrame } from './pixels';
