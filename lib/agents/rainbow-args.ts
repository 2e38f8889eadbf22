/**
 * Data-efficient Rainbow's hyperparameters (lib/agents/spec.ts): each option's default, accepted values and doc,
 * here and nowhere else. Flags in brackets are Kaixhin/Rainbow main.py's, defaults its `--architecture
 * data-efficient` settings (van Hasselt et al. 2019). The agent (lib/agents/rainbow.ts) reads the network and
 * optimiser options; the replay options (nStep … rewardClip) reach the runner's replay through `rainbowReplay`.
 */
import { TRUNK_KINDS } from './trunks';
import {
  defaultsOf,
  finite,
  flag,
  greaterThan,
  intAtLeast,
  interval,
  nonNegative,
  nonNegativeInt,
  oneOf,
  positive,
  positiveInt,
  type OptionsOf,
  type ReplaySettings,
} from './spec';

export const RAINBOW_SPEC = {
  encoder: oneOf(TRUNK_KINDS, 'rainbow', "conv trunk ('rainbow': data-efficient); 'flatten': native MinAtar state"),
  hidden: positiveInt(256, 'hidden units of the dueling streams [--hidden-size]'),
  atoms: intAtLeast(2, 51, 'atoms of the value distribution [--atoms]'),
  vMin: finite(-10, 'lowest atom [--V-min]'),
  vMax: greaterThan('vMin', 10, 'highest atom [--V-max]'),
  sigma0: nonNegative(0.1, 'initial σ of the factorised noisy layers [--noisy-std]'),
  lr: positive(1e-4, 'Adam learning rate [--learning-rate]'),
  adamEps: positive(1.5e-4, 'Adam ε [--adam-eps]'),
  targetUpdate: positiveInt(2000, 'updates between hard target copies [--target-update]'),
  gradClip: positive(10, 'gradient norm clip [--norm-clip]'),
  evalEpsilon: interval(0, 1, '[]', 0.001, 'ε-greedy of evaluation episodes'),
  prioritizedReplay: flag(true, "prioritized replay; false: uniform, as the SEER authors' memory_no_per.py"),
  seed: nonNegativeInt(0, 'seed of the initial weights and the noise samples'),
  nStep: positiveInt(20, 'n of the n-step returns the replay stores [--multi-step]'),
  discount: interval(0, 1, '[]', 0.99, 'γ of the n-step returns [--discount]'),
  priorityExponent: nonNegative(0.5, 'ω: a priority is the sample loss to the ω [--priority-exponent]'),
  priorityWeight: interval(
    0,
    1,
    '[]',
    0.4,
    'IS exponent β at the first update, annealed to 1 at the last [--priority-weight]',
  ),
  rewardClip: nonNegative(1, 'training rewards clipped to ±rewardClip (0: not clipped); logs keep raw returns'),
} as const;

export type RainbowOptions = OptionsOf<typeof RAINBOW_SPEC>;

export const RAINBOW_DEFAULTS: Readonly<RainbowOptions> = defaultsOf(RAINBOW_SPEC);

/**
 * Rainbow's replay: n-step returns with γ, clipped rewards (Kaixhin's main.py clips before storing), and with
 * `prioritizedReplay` priorities to the ω with β annealed linearly from `priorityWeight` to 1 over the updates.
 */
export function rainbowReplay(o: RainbowOptions): ReplaySettings {
  const b0 = o.priorityWeight;
  const beta = (updates: number, total: number): number => Math.min(1, b0 + ((1 - b0) * updates) / Math.max(1, total));
  return {
    nStep: o.nStep,
    gamma: o.discount,
    prioritized: o.prioritizedReplay ? { exponent: o.priorityExponent, beta } : undefined,
    rewardClip: o.rewardClip,
  };
}
