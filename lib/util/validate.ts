/** Small validators whose errors name the field and the accepted values (used by configs and the CLI). */

export class ConfigError extends Error {
  constructor(field: string, problem: string) {
    super(`config.${field}: ${problem}`);
    this.name = 'ConfigError';
  }
}

export function oneOf<T extends string>(field: string, value: unknown, accepted: readonly T[]): T {
  if (typeof value === 'string' && (accepted as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(field, `got ${JSON.stringify(value)}; accepted values: ${accepted.join(', ')}`);
}

export function intIn(field: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  const range = max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer in [${min}, ${max}]`;
  throw new ConfigError(field, `got ${JSON.stringify(value)}; expected ${range}`);
}

export function numberIn(field: string, value: unknown, min: number, max: number): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max) return value;
  throw new ConfigError(field, `got ${JSON.stringify(value)}; expected a number in [${min}, ${max}]`);
}

/** Rejects keys not in `known`, so a typo never silently falls back to a default. */
export function noUnknownKeys(where: string, obj: object, known: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) {
      throw new ConfigError(`${where}${key}`, `unknown field; accepted fields: ${known.join(', ')}`);
    }
  }
}

/**
 * A command line the `seer` command cannot act on: an unknown command or flag, a missing or malformed value, an
 * output path that cannot be a directory. The CLI prints it and exits with code 2 (failures while working exit 1).
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The accepted word closest to `word` (at most two edits away), for "did you mean …?" hints. */
export function closest(word: string, accepted: readonly string[]): string | undefined {
  let best: { w: string; d: number } | undefined;
  for (const w of accepted) {
    const d = editDistance(word.toLowerCase(), w.toLowerCase());
    if (d <= 2 && d < word.length && (!best || d < best.d)) best = { w, d };
  }
  return best?.w;
}

/** Levenshtein distance with adjacent swaps counted as one edit ('rnu' → 'run' is 1). */
function editDistance(a: string, b: string): number {
  const row = (i: number): number[] => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0));
  const d = Array.from({ length: a.length + 1 }, (_, i) => row(i));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      const swapped = i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1];
      if (swapped) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
