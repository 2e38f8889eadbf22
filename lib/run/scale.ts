/**
 * The scale an experiment or notebook runs at. Notebooks are parameterised by the SEER_SCALE environment variable (papermill
 * has no TypeScript support): `smoke` proves the code path in seconds (tests), `laptop` gives readable
 * curves on a 2-core machine, `benchmark` is the field's 100k sample-efficiency budgets (days of background running on
 * one or two 2-core machines: issue 18), `paper` is the paper's budget. The numbers behind each scale belong to the
 * experiment configs; this module only names and chooses the scale.
 */
export const SCALES = ['smoke', 'laptop', 'benchmark', 'paper'] as const;
export type Scale = (typeof SCALES)[number];

/** Used when SEER_SCALE is unset: people opening a notebook want real (if small) results. Tests set smoke. */
export const DEFAULT_SCALE: Scale = 'laptop';

export function parseScale(value: string): Scale {
  const v = value.trim().toLowerCase();
  if ((SCALES as readonly string[]).includes(v)) return v as Scale;
  throw new Error(`SEER_SCALE='${value}' is not a scale. Accepted values: ${SCALES.join(', ')}`);
}

/** The scale this notebook/process runs at: SEER_SCALE, else DEFAULT_SCALE. */
export function notebookScale(env: NodeJS.ProcessEnv = process.env): Scale {
  const v = env.SEER_SCALE;
  return v === undefined || v === '' ? DEFAULT_SCALE : parseScale(v);
}

/** Values per scale; `benchmark` may be left out, and then takes the laptop value (analysis sizes for a 2-core machine). */
export type ScaleValues<T> = Record<Exclude<Scale, 'benchmark'>, T> & { benchmark?: T };

/** Picks the value for the current scale: `byScale({smoke: 2, laptop: 50, paper: 500})`. */
export function byScale<T>(values: ScaleValues<T>, scale: Scale = notebookScale()): T {
  return scale === 'benchmark' ? (values.benchmark ?? values.laptop) : values[scale];
}
