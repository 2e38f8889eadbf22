/**
 * The training runner (train.ts), loaded on first use rather than imported. Notebooks run in tslab, which
 * type-checks every module a cell reaches through static imports — without `strict`, so the discriminated-union
 * narrowing the replay modules rely on (checked by tsc in strict mode) fails there. Code that notebooks import
 * reaches the runner through this require() instead; tsx compiles it at run time.
 */
import type { ExperimentConfig } from './config';

/** What `runExperiment` returns (train.ts RunSummary). */
export interface RunSummary {
  dir: string;
  steps: number;
  updates: number;
  finalReturn: number | null;
  wallSeconds: number;
  completed: boolean;
}

/** The options of train.ts `runExperiment` this code uses. */
export interface RunOptions {
  out: string;
  resume?: boolean;
  progress?: boolean;
  stopAfterSteps?: number;
}

type RunExperiment = (input: Partial<ExperimentConfig> & { env: string }, options: RunOptions) => Promise<RunSummary>;

export function runExperiment(input: Partial<ExperimentConfig> & { env: string }, options: RunOptions): Promise<RunSummary> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const train = require('./train') as { runExperiment: RunExperiment };
  return train.runExperiment(input, options);
}
