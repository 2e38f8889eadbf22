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
