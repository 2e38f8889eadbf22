/**
 * The DeepMind Control suite on MuJoCo WebAssembly: task names → task files, registered with makeEnv under ids
 * like 'cartpole-swingup' and 'walker-walk' (prefix '').
 *
 *   const env = await makeEnv('walker-walk', { size: 84, frameStack: 3, actionRepeat: 2, seed: 1 });
 *   const { obs } = env.reset();               // Uint8Array [84, 84, 9], newest frame in the last 3 channels
 *   const s = env.step(new Float32Array(6));   // reward summed over the repeat; truncated after 1000 control steps
 *   env.close();                               // frees the MuJoCo model and data
 *
 * Options (ControlEnvOptions): size (100), frameStack (3), actionRepeat (cartpole 8, finger 2, walker 2, others 4),
 * obs 'pixels' | 'state', camera (task's camera 0), shadows (true), seed (0). Actions must have one finite entry
 * per actuator; values outside [-1, 1] are clipped. Episodes never terminate; they truncate at 1000 control steps.
 */
import { registerSuite, type EnvOptions } from '../registry';
import { makeControlEnv, type ControlEnv, type ControlEnvOptions } from './env';
import type { Task } from './task';
import { ballInCupTasks } from './tasks/ballInCup';
import { cartpoleTasks } from './tasks/cartpole';
import { cheetahTasks } from './tasks/cheetah';
import { fingerTasks } from './tasks/finger';
import { hopperTasks } from './tasks/hopper';
import { reacherTasks } from './tasks/reacher';
import { walkerTasks } from './tasks/walker';

export { ControlEnv, makeControlEnv, EPISODE_CONTROL_STEPS } from './env';
export type { ControlEnvOptions } from './env';
export type { Task } from './task';
export { tolerance, sigmoid, SIGMOIDS } from './tolerance';
export type { Sigmoid, ToleranceOptions } from './tolerance';
export { Renderer } from './render/raycaster';
export type { RendererOptions } from './render/raycaster';
export { Physics } from './physics';

/** Task id → task factory. The paper's four: cartpole-swingup, finger-spin, reacher-easy, walker-walk. */
export const CONTROL_TASKS: Record<string, () => Task> = {
  'cartpole-balance': cartpoleTasks.balance,
  'cartpole-swingup': cartpoleTasks.swingup,
  'reacher-easy': reacherTasks.easy,
  'finger-spin': fingerTasks.spin,
  'walker-stand': walkerTasks.stand,
  'walker-walk': walkerTasks.walk,
  'walker-run': walkerTasks.run,
  'hopper-stand': hopperTasks.stand,
  'hopper-hop': hopperTasks.hop,
  'cheetah-run': cheetahTasks.run,
  'ball_in_cup-catch': ballInCupTasks.catch,
};

export const CONTROL_TASK_NAMES: readonly string[] = Object.keys(CONTROL_TASKS);

/** Builds a control task by id; unknown ids get an error listing the tasks. */
export async function makeControlTask(name: string, options: ControlEnvOptions = {}): Promise<ControlEnv> {
  const factory = CONTROL_TASKS[name];
  if (!factory) throw new Error(`Unknown control task '${name}'. Accepted tasks: ${CONTROL_TASK_NAMES.join(', ')}`);
  return makeControlEnv(factory(), options);
}

registerSuite('', CONTROL_TASK_NAMES, (name: string, options: EnvOptions) => {
  if (options.obs === 'native') throw new Error(`Control tasks accept obs 'pixels' or 'state', got 'native'`);
  return makeControlTask(name, options as ControlEnvOptions);
});
