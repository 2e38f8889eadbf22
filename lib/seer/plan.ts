/**
 * Turns a comparison variant (variants.ts) into concrete replay settings for one task: the image capacity to
 * build, and the options of the switch at T_f (null when the variant never freezes). The runner builds
 * `new ImageReplay({...image, capacity: plan.imageCapacity})` and, when the freeze rule fires,
 * `switchToLatentReplay(agent, images, plan.switch)`.
 */
import { imageCapacityForBudget, type ImageReplayOptions } from '../replay/image-replay';
import { LatentReplay } from '../replay/latent-replay';
import { fitCapacity, parseMemoryBudget } from '../replay/budget';
import type { LatentDtype } from '../replay/latent-codec';
import { paperMemoryFor } from './capacity';
import type { SwitchOptions } from './switch';
import type { SeerVariant } from './variants';

export interface PlanContext {
  /** Environment id, for the paper's memory setting (PAPER_MEMORY). */
  task: string;
  /** The agent's usual image capacity (unconstrained runs). */
  defaultCapacity: number;
  /** Updates in the run: Ĉ is capped there, as in the official code. */
  totalUpdates?: number;
  /** Image replay options without capacity (obs shape, stack, action, n-step, prioritized…). */
  image: Omit<ImageReplayOptions, 'capacity'>;
  /** N, L of the agent, K and the latent storage type. */
  heads: number;
  dim: number;
  copies: number;
  dtype?: LatentDtype;
  batchSize: number;
  /** Overrides the paper's budget for the task. */
  memoryBudget?: string | number;
}

export interface ReplayPlan {
  variant: SeerVariant['id'];
  imageCapacity: number;
  /** Bytes the run must stay within (null: unconstrained). */
  memoryBudgetBytes: number | null;
  switch: SwitchOptions | null;
}

export function planReplay(variant: SeerVariant, ctx: PlanContext): ReplayPlan {
  const budget = parseMemoryBudget(ctx.memoryBudget ?? paperMemoryFor(ctx.task).budget);
  const latentBase = {
    copies: ctx.copies,
    dtype: ctx.dtype ?? 'float32',
    batchSize: ctx.batchSize,
    ...(ctx.totalUpdates !== undefined ? { maxCapacity: ctx.totalUpdates } : {}),
  };
  /** Ĉ of the constrained SEER run: the largest latent buffer whose real bytes fit the budget. */
  const constrainedCHat = (): number => {
    const c = fitCapacity(
      budget,
      (cap) => LatentReplay.bytesAtCapacity({ capacity: cap, heads: ctx.heads, dim: ctx.dim, copies: ctx.copies, dtype: ctx.dtype, action: ctx.image.action, prioritized: ctx.image.prioritized, obsSize: ctx.image.obsShape.reduce((a, b) => a * b, 1) }),
      ctx.batchSize,
      'latent replay',
    );
    return ctx.totalUpdates !== undefined ? Math.min(c, ctx.totalUpdates) : c;
  };
  const imageCapacity =
    variant.imageCapacity === 'default'
      ? ctx.defaultCapacity
      : variant.imageCapacity === 'budget'
        ? imageCapacityForBudget(ctx.image, budget, ctx.batchSize)
        : constrainedCHat();
  let sw: SwitchOptions | null = null;
  if (variant.freeze) sw = variant.latentCapacity === 'budget' ? { ...latentBase, memoryBudget: budget } : { ...latentBase };
  return { variant: variant.id, imageCapacity, memoryBudgetBytes: variant.memoryLimited ? budget : null, switch: sw };
}
