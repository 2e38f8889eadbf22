import type { Env } from './types';

/** Options understood by makeEnv; each suite documents which it uses and rejects unknown values. */
export interface EnvOptions {
  seed?: number;
  /** Pixel side length (control: 100 default; games: 84). */
  size?: number;
  frameStack?: number;
  actionRepeat?: number;
  /** 'pixels' (default) or the suite's non-pixel mode ('state' for control, 'native' for games). */
  obs?: 'pixels' | 'state' | 'native';
  [key: string]: unknown;
}

export type EnvFactory = (name: string, options: EnvOptions) => Env | Promise<Env>;

interface Suite {
  prefix: string;
  names: readonly string[];
  factory: EnvFactory;
}

const suites: Suite[] = [];

/** Registers a suite: ids are `${prefix}${name}` (prefix '' for control, 'minatar/' for games). */
export function registerSuite(prefix: string, names: readonly string[], factory: EnvFactory): void {
  suites.push({ prefix, names, factory });
}

export function envIds(): string[] {
  return suites.flatMap((s) => s.names.map((n) => s.prefix + n));
}

/** Builds an environment by id, e.g. makeEnv('walker-walk', {size: 84}) or makeEnv('minatar/breakout'). */
export async function makeEnv(id: string, options: EnvOptions = {}): Promise<Env> {
  for (const s of suites) {
    if (id.startsWith(s.prefix) && s.names.includes(id.slice(s.prefix.length))) {
      return s.factory(id.slice(s.prefix.length), options);
    }
  }
  throw new Error(`Unknown environment '${id}'. Accepted ids: ${envIds().join(', ')}`);
}
