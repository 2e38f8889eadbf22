/**
 * DMC's `rewards.tolerance`: 1 inside [lo, hi], falling off outside with one of eight sigmoid shapes so that
 * the value is `valueAtMargin` at distance `margin` from the nearest bound.
 */

export const SIGMOIDS = [
  'gaussian',
  'hyperbolic',
  'long_tail',
  'reciprocal',
  'cosine',
  'linear',
  'quadratic',
  'tanh_squared',
] as const;
export type Sigmoid = (typeof SIGMOIDS)[number];

export interface ToleranceOptions {
  bounds?: [number, number];
  margin?: number;
  sigmoid?: Sigmoid;
  valueAtMargin?: number;
}

/** s(d) for a normalised distance d ≥ 0 with s(0) = 1 and s(1) = v. */
export function sigmoid(d: number, v: number, kind: Sigmoid): number {
  const openInterval =
    kind === 'gaussian' ||
    kind === 'hyperbolic' ||
    kind === 'long_tail' ||
    kind === 'reciprocal' ||
    kind === 'tanh_squared';
  if (openInterval ? !(v > 0 && v < 1) : !(v >= 0 && v < 1)) {
    throw new Error(
      `tolerance: valueAtMargin=${v} is invalid for sigmoid '${kind}' (needs ${openInterval ? '0 < v < 1' : '0 ≤ v < 1'})`,
    );
  }
  switch (kind) {
    case 'gaussian': {
      const k = Math.sqrt(-2 * Math.log(v));
      return Math.exp(-0.5 * (d * k) ** 2);
    }
    case 'hyperbolic':
      return 1 / Math.cosh(d * Math.acosh(1 / v));
    case 'long_tail': {
      const k = Math.sqrt(1 / v - 1);
      return 1 / ((d * k) ** 2 + 1);
    }
    case 'reciprocal':
      return 1 / (Math.abs(d) * (1 / v - 1) + 1);
    case 'cosine': {
      const x = d * (Math.acos(2 * v - 1) / Math.PI);
      return Math.abs(x) < 1 ? (1 + Math.cos(Math.PI * x)) / 2 : 0;
    }
    case 'linear': {
      const x = d * (1 - v);
      return Math.abs(x) < 1 ? 1 - x : 0;
    }
    case 'quadratic': {
      const x = d * Math.sqrt(1 - v);
      return Math.abs(x) < 1 ? 1 - x * x : 0;
    }
    case 'tanh_squared': {
      const t = Math.tanh(d * Math.atanh(Math.sqrt(1 - v)));
      return 1 - t * t;
    }
    default:
      throw new Error(`tolerance: unknown sigmoid '${String(kind)}'; accepted: ${SIGMOIDS.join(', ')}`);
  }
}

/** 1 if lo ≤ x ≤ hi; otherwise sigmoid(distance / margin), or 0 when margin is 0. */
export function tolerance(x: number, options: ToleranceOptions = {}): number {
  const [lo, hi] = options.bounds ?? [0, 0];
  const margin = options.margin ?? 0;
  if (lo > hi) throw new Error(`tolerance: bounds must satisfy lo ≤ hi, got [${lo}, ${hi}]`);
  if (margin < 0) throw new Error(`tolerance: margin must be ≥ 0, got ${margin}`);
  if (x >= lo && x <= hi) return 1;
  if (margin === 0) return 0;
  const d = (x < lo ? lo - x : x - hi) / margin;
  return sigmoid(d, options.valueAtMargin ?? 0.1, options.sigmoid ?? 'gaussian');
}
