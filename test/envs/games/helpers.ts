/** Shared test helpers: a generator that replays scripted uniforms, and grid accessors. */
import { Rng } from '../../../lib/envs/rng';

/** An Rng whose random() returns the scripted values in order (int(n) = ⌊u·n⌋ follows); throws when exhausted. */
export class ScriptedRng extends Rng {
  private readonly values: number[];
  constructor(values: number[] = []) {
    super(0);
    this.values = [...values];
  }
  push(...values: number[]): void {
    this.values.push(...values);
  }
  get remaining(): number {
    return this.values.length;
  }
  override random(): number {
    const v = this.values.shift();
    if (v === undefined) throw new Error('ScriptedRng: no scripted value left');
    return v;
  }
}

/** Cells (as "row,col") where channel c is on, in a [10, 10, C] state. */
export function cellsOf(state: Uint8Array, channels: number, c: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < 100; i++) if (state[i * channels + c]) out.push(`${Math.floor(i / 10)},${i % 10}`);
  return out;
}

/** Renders a game's state into a fresh [10, 10, C] array. */
export function stateOf(game: { channels: readonly string[]; render(out: Uint8Array): void }): Uint8Array {
  const s = new Uint8Array(100 * game.channels.length);
  game.render(s);
  return s;
}

/** Row-major 10×10 map with ones at the given [row, col] cells. */
export function mapWith(...cells: [number, number][]): Uint8Array {
  const m = new Uint8Array(100);
  for (const [y, x] of cells) m[y * 10 + x] = 1;
  return m;
}
