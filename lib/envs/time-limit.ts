/** Cuts episodes after `maxSteps` agent steps as truncation (bootstrap), like Gymnasium's TimeLimit. */
import type { Action, Env, StepResult } from './types';

export function withTimeLimit(env: Env, maxSteps: number): Env {
  if (!Number.isInteger(maxSteps) || maxSteps < 1)
    throw new Error(`maxEpisodeSteps must be an integer ≥ 1, got ${maxSteps}`);
  let t = 0;
  return {
    id: env.id,
    observationSpace: env.observationSpace,
    actionSpace: env.actionSpace,
    reset(options) {
      t = 0;
      return env.reset(options);
    },
    step(action: Action): StepResult {
      const r = env.step(action);
      t += 1;
      return t >= maxSteps && !r.terminated ? { ...r, truncated: true } : r;
    },
    close: () => env.close(),
  };
}
