/** Environments: importing this module registers both suites with makeEnv. */
import './control';
import './games';

export { makeEnv, envIds, registerSuite } from './registry';
export type { EnvOptions } from './registry';
export type * from './types';
export { withTimeLimit } from './time-limit';
export { CONTROL_TASK_NAMES } from './control';
export { GAME_NAMES } from './games';
