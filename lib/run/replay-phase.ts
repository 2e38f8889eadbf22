/**
 * A run's replay in its two phases: images until the freeze, latents after it (SEER §4.1–4.2, lib/seer/switch.ts).
 * The freeze replaces the images phase by the latents phase, once; a frozen run restored from a checkpoint goes
 * through the same switch (on its still empty image replay) before the latents are loaded back.
 */
import type { SeerHooks } from '../agents/types';
import type { ImageReplay } from '../replay/image-replay';
import type { LatentReplay } from '../replay/latent-replay';
import { switchToLatentReplay, type SwitchOptions } from '../seer/switch';
import { seerVariant } from '../seer/variants';
import type { ExperimentConfig } from './config';

export type ReplayPhase =
  | { readonly kind: 'images'; readonly replay: ImageReplay }
  | { readonly kind: 'latents'; readonly replay: LatentReplay };

export type ImagesPhase = Extract<ReplayPhase, { kind: 'images' }>;
export type LatentsPhase = Extract<ReplayPhase, { kind: 'latents' }>;

export const imagesPhase = (replay: ImageReplay): ImagesPhase => ({ kind: 'images', replay });

/** The switch at T_f: freezes the agent's encoder, re-encodes the stored images K times, continues with latents. */
export function freezeReplay(phase: ImagesPhase, agent: SeerHooks, cfg: ExperimentConfig): LatentsPhase {
  return { kind: 'latents', replay: switchToLatentReplay(agent, phase.replay, switchOptions(cfg)) };
}

/** The latent replay the config asks for: Ĉ from the image capacity, or from the memory budget (constrained-seer). */
function switchOptions(cfg: ExperimentConfig): SwitchOptions {
  const variant = seerVariant(cfg.variant);
  return {
    copies: cfg.copies,
    dtype: cfg.latentDtype,
    maxCapacity: cfg.steps,
    batchSize: cfg.batchSize,
    seed: cfg.seed + 29,
    ...(variant.latentCapacity === 'budget' ? { memoryBudget: cfg.memoryBudget } : {}),
    // `augment` is left at true: each agent's encodeLatents augments as the agent does (CURL: a random crop per
    // copy, so the K copies differ; Rainbow has no augmentation and ignores it).
  };
}
