/**
 * The workbook's public API: what notebooks and users' own code import (`import { makeEnv, makeRainbow } from
 * './lib'`). Each area keeps its own index; this file only gathers them. Importing it registers both
 * environment suites with makeEnv.
 */
export { initBackend, backendName, BACKENDS, type BackendName } from './backend/select';
export * from './envs';
export {
  makeEncoder,
  makeConvTrunk,
  makeFcHead,
  composeEncoder,
  ENCODER_KINDS,
  type Encoder,
  type EncoderKind,
} from './nets/encoders';
export * from './agents';
export * from './flops';
export { ImageReplay, imageCapacityForBudget, imageReplayForBudget } from './replay/image-replay';
export { LatentReplay } from './replay/latent-replay';
export { parseMemoryBudget } from './replay/budget';
export type { Batch, ReplayBuffer, PrioritizedReplay, Transition } from './replay/types';
export { switchToLatentReplay, switchReportOf } from './seer/switch';
export { capacityHat, PAPER_MEMORY } from './seer/capacity';
export { FixedFreezeRule, NeverFreeze, type FreezeRule } from './seer/rules';
export { AdaptiveFreezeRule, adaptiveFreezeForEncoder, ADAPTIVE_DEFAULTS } from './seer/adaptive';
export { SEER_VARIANTS, seerVariant, type VariantId } from './seer/variants';
export * as analysis from './analysis';
export { resolveConfig, type ExperimentConfig } from './run/config';
export { runExperiment } from './run/train';
export { loadRuns, aggregate, returnAtFlops } from './report/results';
export { curvesFigure, summaryTable, writeReport } from './report/report';
export * as plots from './plots';
