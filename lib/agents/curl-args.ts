/**
 * CURL's hyperparameters (lib/agents/spec.ts): each option's default, accepted values and doc, here and nowhere
 * else. Flags in brackets are MishaLaskin/curl train.py's; defaults follow it unless a doc says otherwise.
 * The agent (lib/agents/curl.ts) reads them through `CurlConfig`; the runner builds the replay from `curlReplay`.
 */
import {
  defaultsOf,
  finite,
  flag,
  greaterThan,
  interval,
  nonNegativeInt,
  oneOf,
  positive,
  positiveInt,
  type OptionsOf,
  type ReplaySettings,
} from './spec';

export const CURL_ENCODERS = ['sac-ae', 'impala', 'flatten'] as const;
export const CURL_OPTIMIZERS = ['curl', 'seer'] as const;
export const CURL_TARGET_COPIES = ['encoder', 'critic'] as const;

export const CURL_SPEC = {
  encoder: oneOf(CURL_ENCODERS, 'sac-ae', "pixel encoder; 'flatten': state vectors (no crops, contrastive loss, SEER)"),
  featureDim: positiveInt(50, "each head's fc output, L of Ĉ [--encoder_feature_dim]"),
  hidden: positiveInt(1024, 'hidden units of the actor and critic MLPs [--hidden_dim]'),
  batchSize: positiveInt(128, 'batch the runner samples (the SEER scripts: 128; the agent accepts any)'),
  actorLr: positive(1e-3, 'actor Adam learning rate [--actor_lr]'),
  criticLr: positive(1e-3, 'critic Adam learning rate [--critic_lr]'),
  encoderLr: positive(1e-3, 'encoder and contrastive Adam learning rate [--encoder_lr]'),
  beta1: interval(0, 1, '[)', 0.9, 'Adam β1 of actor and critic, β2 0.999 [--actor_beta, --critic_beta]'),
  alphaLr: positive(1e-4, 'temperature α learning rate [--alpha_lr]'),
  alphaBeta1: interval(0, 1, '[)', 0.5, "Adam β1 of the temperature's optimizer [--alpha_beta]"),
  initTemperature: positive(0.1, 'initial α [--init_temperature]'),
  criticTau: interval(0, 1, '(]', 0.01, 'EMA rate of the target Qs [--critic_tau]'),
  encoderTau: interval(0, 1, '(]', 0.05, 'EMA rate of the target (momentum) encoder [--encoder_tau]'),
  targetUpdateFreq: positiveInt(2, 'updates between target EMAs [--critic_target_update_freq]'),
  actorUpdateFreq: positiveInt(2, 'updates between actor and temperature steps [--actor_update_freq]'),
  cpcUpdateFreq: positiveInt(1, 'updates between contrastive steps [--cpc_update_freq]'),
  logStdMin: finite(-10, "lower bound of the actor's log σ [--actor_log_std_min]"),
  logStdMax: greaterThan('logStdMin', 2, "upper bound of the actor's log σ [--actor_log_std_max]"),
  cpcEncoderDoubleStep: flag(true, 'the contrastive loss steps the encoder through two Adams (MishaLaskin/curl#20)'),
  optimizers: oneOf(CURL_OPTIMIZERS, 'curl', "Adam layout: MishaLaskin/curl's, or the SEER authors' seer_dmc"),
  targetCopyAtFreeze: oneOf(CURL_TARGET_COPIES, 'encoder', 'hard-copied into the target at the freeze (SEER: critic)'),
  seed: nonNegativeInt(0, 'seed of the initial weights, crops and action noise'),
  // Default and bound depend on the image: the agent derives the default (lib/augment/crop.ts cropSizeFor, 84 of
  // 100) and checks the bound against its side.
  cropSize: {
    ...positiveInt(84, 'crop side for updates and acting: 84 for 100-pixel images, the same ratio otherwise'),
    accepts: 'an integer in [1, image side]',
  },
  discount: interval(0, 1, '[]', 0.99, "γ of the critic's targets, applied by the replay [--discount]"),
} as const;

export type CurlOptions = OptionsOf<typeof CURL_SPEC>;
export type CurlOptimizers = CurlOptions['optimizers'];
export type CurlTargetCopy = CurlOptions['targetCopyAtFreeze'];

/** Every default; cropSize's is the one of 100-pixel images (the agent derives it from its image side). */
export const CURL_DEFAULTS: Readonly<CurlOptions> = defaultsOf(CURL_SPEC);

/** CURL's replay: one-step SAC targets with γ, uniform sampling, raw rewards. */
export function curlReplay(o: CurlOptions): ReplaySettings {
  return { nStep: 1, gamma: o.discount, rewardClip: 0 };
}
