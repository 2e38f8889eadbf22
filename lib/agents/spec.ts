/**
 * An agent's hyperparameters in one place, after CleanRL's one `Args` dataclass per algorithm
 * (cleanrl/sac_continuous_action.py): a spec is an object of fields, each with its default, the values it accepts
 * and a one-line doc. From one spec come
 * - the options type (`OptionsOf<typeof SPEC>`: no interface is written by hand),
 * - the defaults (`defaultsOf`),
 * - the validation (`checkOptions`: an error names the field, the bad value and the accepted values),
 * - the help text (`helpLines`, shown by `seer run --help`).
 * The specs: lib/agents/curl-args.ts, lib/agents/rainbow-args.ts.
 */

/** One hyperparameter. */
export interface Field<T> {
  readonly default: T;
  /** One line: what it does, and the reference's flag name where there is one. */
  readonly doc: string;
  /** The accepted values in words, as errors and help print them: 'a positive integer', "'curl' | 'seer'". */
  readonly accepts: string;
  /** Whether `value` is accepted; `all` holds every option (for a range bounded by another option). */
  readonly ok: (value: unknown, all: Readonly<Record<string, unknown>>) => boolean;
  /** The accepted values when they depend on other options, e.g. `greater than vMin (-10)` (default: `accepts`). */
  readonly range?: (all: Readonly<Record<string, unknown>>) => string;
}

export type Spec = Readonly<Record<string, Field<unknown>>>;

/** The options a spec describes, each with its field's type. */
export type OptionsOf<S extends Spec> = { -readonly [K in keyof S]: S[K] extends Field<infer T> ? T : never };

/** Bad configuration: an error naming the agent, the field, the accepted values and what was given. */
export function checkField(agent: string, field: string, value: unknown, ok: boolean, range: string): void {
  if (!ok) throw new Error(`${agent} config: ${field} must be ${range}, got ${JSON.stringify(value)}`);
}

/** Every field's default. */
export function defaultsOf<S extends Spec>(spec: S): OptionsOf<S> {
  const out: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(spec)) out[name] = f.default;
  return out as OptionsOf<S>;
}

/** Checks every field of `values` (defaults already filled in), in the spec's order; throws on the first bad one. */
export function checkOptions(agent: string, spec: Spec, values: Readonly<Record<string, unknown>>): void {
  for (const [name, f] of Object.entries(spec)) {
    const v = values[name];
    if (!f.ok(v, values)) checkField(agent, name, v, false, f.range ? f.range(values) : f.accepts);
  }
}

/** One line per field: name, default, accepted values, doc; columns aligned. `skip`: fields left out. */
export function helpLines(spec: Spec, skip: readonly string[] = []): string[] {
  const rows = Object.entries(spec)
    .filter(([name]) => !skip.includes(name))
    .map(([name, f]) => [name, show(f.default), f.accepts, f.doc]);
  const width = (i: number): number => Math.max(...rows.map((r) => r[i].length));
  const [w0, w1, w2] = [width(0), width(1), width(2)];
  return rows.map(([n, d, a, doc]) => `${n.padEnd(w0)}  ${d.padEnd(w1)}  ${a.padEnd(w2)}  ${doc}`);
}

const show = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : String(v));

// ---- field kinds ------------------------------------------------------------------------------------------------

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isInt = (v: unknown): v is number => Number.isInteger(v);

export const positiveInt = (def: number, doc: string): Field<number> => ({
  default: def,
  doc,
  accepts: 'a positive integer',
  ok: (v) => isInt(v) && v > 0,
});

export const intAtLeast = (min: number, def: number, doc: string): Field<number> => ({
  default: def,
  doc,
  accepts: `an integer >= ${min}`,
  ok: (v) => isInt(v) && v >= min,
});

export const nonNegativeInt = (def: number, doc: string): Field<number> => ({
  default: def,
  doc,
  accepts: 'an integer >= 0',
  ok: (v) => isInt(v) && v >= 0,
});

export const positive = (def: number, doc: string): Field<number> => ({
  default: def,
  doc,
  accepts: 'a positive number',
  ok: (v) => isNumber(v) && v > 0,
});

export const nonNegative = (def: number, doc: string): Field<number> => ({
  default: def,
  doc,
  accepts: 'a number >= 0',
  ok: (v) => isNumber(v) && v >= 0,
});

export const finite = (def: number, doc: string): Field<number> => ({
  default: def,
  doc,
  accepts: 'a finite number',
  ok: isNumber,
});

/** A number in an interval; `[` / `]` closed, `(` / `)` open, e.g. interval(0, 1, '(]', …) is (0, 1]. */
export const interval = (
  lo: number,
  hi: number,
  ends: '[]' | '[)' | '(]' | '()',
  def: number,
  doc: string,
): Field<number> => ({
  default: def,
  doc,
  accepts: `in ${ends[0]}${lo}, ${hi}${ends[1]}`,
  ok: (v) => isNumber(v) && (ends[0] === '[' ? v >= lo : v > lo) && (ends[1] === ']' ? v <= hi : v < hi),
});

/** A number above another option of the same spec (e.g. vMax above vMin). */
export const greaterThan = (other: string, def: number, doc: string): Field<number> => ({
  default: def,
  doc,
  accepts: `greater than ${other}`,
  ok: (v, all) => isNumber(v) && v > (all[other] as number),
  range: (all) => `greater than ${other} (${all[other]})`,
});

export const flag = (def: boolean, doc: string): Field<boolean> => ({
  default: def,
  doc,
  accepts: 'true or false',
  ok: (v) => typeof v === 'boolean',
});

/** One of a list of strings; the field's type is their union. */
export const oneOf = <const V extends readonly string[]>(values: V, def: V[number], doc: string): Field<V[number]> => ({
  default: def,
  doc,
  accepts: values.map((v) => `'${v}'`).join(' | '),
  ok: (v) => (values as readonly unknown[]).includes(v),
});

// ---- what a run's replay takes from an agent's options ----------------------------------------------------------

/** n-step returns, discount, prioritized replay and reward clipping: the runner builds the replay from these. */
export interface ReplaySettings {
  /** n of the n-step return stored in `Batch.reward` (1: one-step). */
  nStep: number;
  /** γ: the buffer's `Batch.discount` is γⁿ at non-terminal steps. */
  gamma: number;
  /** Prioritized replay: priority exponent ω, and the importance-sampling exponent β after `updates` of `total`. */
  prioritized?: { exponent: number; beta: (updates: number, total: number) => number };
  /** Training rewards are clipped to [−rewardClip, rewardClip] before they are stored; 0: not clipped. */
  rewardClip: number;
}
