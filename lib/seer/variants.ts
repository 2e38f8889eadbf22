/**
 * The five configurations of the SEER comparison (issue 7), as plain data for the runner. Memory settings refer
 * to the task's paper budget (lib/seer/capacity.ts PAPER_MEMORY); T_f and K come from the run config.
 *
 * How the runner reads them:
 *  - imageCapacity 'default': the agent's usual capacity (CURL 100K / data-efficient Rainbow 100K, ≤ run length);
 *    'budget': the largest C whose real bytes fit the task budget; 'c-hat': Ĉ of the constrained SEER run
 *    (paper formula from the budget's C), with no memory limit.
 *  - freeze: switch to latent replay at T_f (lib/seer/switch.ts); latentCapacity 'paper' = Ĉ by the formula
 *    (capped at the run length, as the official code), 'budget' = the largest Ĉ whose real bytes fit the budget.
 */
export type VariantId = 'baseline' | 'seer' | 'constrained-images' | 'constrained-seer' | 'capacity-control';

export interface SeerVariant {
  id: VariantId;
  description: string;
  freeze: boolean;
  imageCapacity: 'default' | 'budget' | 'c-hat';
  /** Only for freeze: how Ĉ is chosen after the switch. */
  latentCapacity: 'paper' | 'budget' | null;
  /** Whether the task's paper memory budget applies (before and after the freeze). */
  memoryLimited: boolean;
}

export const SEER_VARIANTS: readonly SeerVariant[] = [
  {
    id: 'baseline',
    description: 'The agent without SEER: image replay at its usual capacity, encoder trained throughout.',
    freeze: false,
    imageCapacity: 'default',
    latentCapacity: null,
    memoryLimited: false,
  },
  {
    id: 'seer',
    description:
      'SEER: freeze at T_f, re-encode the images K times, continue with latent replay of capacity Ĉ (no memory limit).',
    freeze: true,
    imageCapacity: 'default',
    latentCapacity: 'paper',
    memoryLimited: false,
  },
  {
    id: 'constrained-images',
    description:
      "Constrained memory without SEER: image replay whose real bytes fit the task's paper budget (e.g. 0.03 GB).",
    freeze: false,
    imageCapacity: 'budget',
    latentCapacity: null,
    memoryLimited: true,
  },
  {
    id: 'constrained-seer',
    description:
      'Constrained memory with SEER: images within the budget until T_f, then latents with the largest Ĉ that fits the same budget.',
    freeze: true,
    imageCapacity: 'budget',
    latentCapacity: 'budget',
    memoryLimited: true,
  },
  {
    id: 'capacity-control',
    description:
      'Frozen latents or just a bigger buffer? Image replay with capacity Ĉ of the constrained SEER run, no freeze, no memory limit.',
    freeze: false,
    imageCapacity: 'c-hat',
    latentCapacity: null,
    memoryLimited: false,
  },
];

export function seerVariant(id: string): SeerVariant {
  const v = SEER_VARIANTS.find((x) => x.id === id);
  if (!v) throw new Error(`Unknown SEER variant '${id}'. Accepted: ${SEER_VARIANTS.map((x) => x.id).join(', ')}`);
  return v;
}
