/**
 * A MinAtar game behind the workbook's Env interface: sticky actions, frame skip, time-limit truncation,
 * reward clipping, full or minimal action set, and native or pixel observations with a frame stack.
 *
 * Faithful to MinAtar's `Environment` wrapper (environments.md B.1): one generator drives both the sticky
 * draw (made first on every frame) and the game; the executed action is remembered across episodes
 * (`reset()` keeps it, as MinAtar does) — except that `reset({seed})` restarts everything, so that a seed alone
 * fixes an episode. Stepping a finished episode is an error here (MinAtar silently returns (0, done)).
 */
import type { BoxSpace, DiscreteSpace, Env, Info, ResetResult, StepResult } from '../types';
import { Rng } from '../rng';
import { ACTION_NAMES, type Game, type GameConstructor } from './game';
import { cellGrays, cellOfPixel, grayLevels } from './pixels';

export interface MinAtarOptions {
  /** Seeds the generator (default 0); `reset({seed})` reseeds. */
  seed?: number;
  /** 'native' → [10, 10, C·stack] booleans as 0/1; 'pixels' (default) → [size, size, stack] grayscale. */
  obs?: 'native' | 'pixels';
  /** Pixel side (default 84, at least 10); pixels mode only. */
  size?: number;
  /** Frames stacked along the channel axis, newest last (default 4 for pixels, 1 for native). */
  frameStack?: number;
  /** Game frames per agent step, rewards summed, stopping at termination (default 1). */
  frameSkip?: number;
  /** Alias of frameSkip (the name the control suite uses). */
  actionRepeat?: number;
  /** Agent steps before `truncated` (default: none, as in MinAtar). */
  maxEpisodeSteps?: number;
  /** Clip each step's summed reward to [−1, 1] (info.rawReward keeps the original). Default false. */
  clipRewards?: boolean;
  /** Probability of repeating the previously executed action instead of the chosen one (default 0.1). */
  stickyActionProb?: number;
  /** Use the game's minimal action set instead of all 6 actions (default false, as MinAtar's published results). */
  minimalActions?: boolean;
  /** Difficulty ramping in Space Invaders, Asterix and Seaquest (default true). */
  difficultyRamping?: boolean;
}

const OPTION_KEYS = [
  'seed',
  'obs',
  'size',
  'frameStack',
  'frameSkip',
  'actionRepeat',
  'maxEpisodeSteps',
  'clipRewards',
  'stickyActionProb',
  'minimalActions',
  'difficultyRamping',
] as const;

function positiveInt(name: string, v: unknown, fallback: number, min = 1): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new Error(`MinAtar option '${name}' must be an integer ≥ ${min}, got ${String(v)}`);
  }
  return v;
}

function bool(name: string, v: unknown, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new Error(`MinAtar option '${name}' must be true or false, got ${String(v)}`);
  return v;
}

/** Grid side and cell count, local so that hot loops do not read an import binding (a getter under tsx). */
const GRID = 10;
const CELLS = 100;

/** Little-endian hosts can write a 4-frame pixel stack as one Uint32 per pixel. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export class MinAtarEnv implements Env {
  readonly id: string;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace;
  /** The game's state, public so tests and notebooks can inspect or script it. */
  readonly game: Game;
  /** The full-set action index behind each of this env's action indices. */
  readonly actionMap: readonly number[];
  /** Names (n, l, u, r, d, f) of this env's actions. */
  readonly actionNames: readonly string[];
  readonly mode: 'native' | 'pixels';
  readonly size: number;
  readonly frameStack: number;
  readonly frameSkip: number;
  readonly maxEpisodeSteps: number;
  readonly clipRewards: boolean;
  readonly stickyActionProb: number;

  private readonly rng: Rng;
  private readonly nChannels: number;
  private lastAction = 0;
  private steps = 0;
  private frames = 0;
  private done = true;
  private closed = false;

  // Observation machinery.
  private readonly scratch: Uint8Array;
  private readonly levels: Uint8Array;
  private readonly frontToBack: Int32Array;
  /** Cell row/column (0..9) of each pixel row/column. */
  private readonly pixelCellOf: Int32Array;
  /** Ring of the last `frameStack` units: native states (100·C) or cell grays (100). */
  private readonly ring: Uint8Array[];
  private head = 0;
  /** Pixels, stack 4, little-endian: the 4 newest grays of each cell packed oldest-in-low-byte. */
  private readonly packed: Uint32Array | undefined;

  constructor(name: string, GameClass: GameConstructor, options: MinAtarOptions & Record<string, unknown> = {}) {
    for (const key of Object.keys(options)) {
      if (!(OPTION_KEYS as readonly string[]).includes(key) && options[key] !== undefined) {
        throw new Error(`Unknown MinAtar option '${key}'. Accepted options: ${OPTION_KEYS.join(', ')}`);
      }
    }
    const obs = options.obs ?? 'pixels';
    if (obs !== 'native' && obs !== 'pixels') {
      throw new Error(`MinAtar option 'obs' must be 'native' or 'pixels', got '${String(obs)}'`);
    }
    if (obs === 'native' && options.size !== undefined) {
      throw new Error(`MinAtar option 'size' applies to obs 'pixels' only (native observations are 10×10)`);
    }
    const skip = positiveInt('frameSkip', options.frameSkip, 1);
    const repeat = positiveInt('actionRepeat', options.actionRepeat, skip);
    if (options.frameSkip !== undefined && options.actionRepeat !== undefined && skip !== repeat) {
      throw new Error(`MinAtar options 'frameSkip' (${skip}) and 'actionRepeat' (${repeat}) disagree; give one`);
    }
    const sticky = options.stickyActionProb ?? 0.1;
    if (typeof sticky !== 'number' || !(sticky >= 0 && sticky <= 1)) {
      throw new Error(`MinAtar option 'stickyActionProb' must be a number in [0, 1], got ${String(sticky)}`);
    }
    if (options.maxEpisodeSteps !== undefined) positiveInt('maxEpisodeSteps', options.maxEpisodeSteps, 1);

    this.id = `minatar/${name}`;
    this.mode = obs;
    this.size = obs === 'pixels' ? positiveInt('size', options.size, 84, GRID) : GRID;
    this.frameStack = positiveInt('frameStack', options.frameStack, obs === 'pixels' ? 4 : 1);
    this.frameSkip = repeat;
    this.maxEpisodeSteps = options.maxEpisodeSteps ?? Infinity;
    this.clipRewards = bool('clipRewards', options.clipRewards, false);
    this.stickyActionProb = sticky;

    this.rng = new Rng(0);
    this.rng.seed(options.seed ?? 0); // validates the seed with Rng's message
    this.game = new GameClass(this.rng);
    this.game.ramping = bool('difficultyRamping', options.difficultyRamping, true);
    this.nChannels = this.game.channels.length;

    this.actionMap = bool('minimalActions', options.minimalActions, false)
      ? [...this.game.minimalActions]
      : [0, 1, 2, 3, 4, 5];
    this.actionNames = this.actionMap.map((a) => ACTION_NAMES[a]);
    this.actionSpace = { kind: 'discrete', n: this.actionMap.length };

    const unit = obs === 'native' ? CELLS * this.nChannels : CELLS;
    this.observationSpace =
      obs === 'native'
        ? { kind: 'box', shape: [GRID, GRID, this.nChannels * this.frameStack], dtype: 'uint8', low: 0, high: 1 }
        : { kind: 'box', shape: [this.size, this.size, this.frameStack], dtype: 'uint8', low: 0, high: 255 };
    this.scratch = new Uint8Array(CELLS * this.nChannels);
    this.levels = grayLevels(this.game.drawOrder);
    this.frontToBack = Int32Array.from([...this.game.drawOrder].reverse());
    this.pixelCellOf = cellOfPixel(this.size);
    this.ring = Array.from({ length: this.frameStack }, () => new Uint8Array(unit));
    this.packed = obs === 'pixels' && this.frameStack === 4 && LITTLE_ENDIAN ? new Uint32Array(CELLS) : undefined;
  }

  /** Gray level of each channel in pixel mode (index = channel). */
  get grayLevels(): Uint8Array {
    return this.levels.slice();
  }

  reset(options: { seed?: number } = {}): ResetResult {
    this.assertOpen();
    if (options.seed !== undefined) {
      this.rng.seed(options.seed);
      this.lastAction = 0;
    }
    this.game.reset();
    this.steps = 0;
    this.frames = 0;
    this.done = false;
    return { obs: this.observe(true), info: { frame: 0 } };
  }

  step(action: number | Float32Array | number[]): StepResult {
    this.assertOpen();
    const n = this.actionMap.length;
    if (typeof action !== 'number' || !Number.isInteger(action) || action < 0 || action >= n) {
      const shown =
        typeof action === 'number' ? String(action) : `a ${Array.isArray(action) ? 'array' : 'Float32Array'}`;
      throw new Error(
        `Action ${shown} is outside the action set of ${this.id}: expected an integer in [0, ${n - 1}] (${this.actionNames.join(', ')})`,
      );
    }
    if (this.done)
      throw new Error(`${this.id}: the episode has ended (or reset() was never called); call reset() first`);

    const chosen = this.actionMap[action];
    const game = this.game;
    let reward = 0;
    for (let k = 0; k < this.frameSkip; k++) {
      // The sticky draw comes first on every frame, from the game's own generator (as in MinAtar).
      const a = this.rng.random() < this.stickyActionProb ? this.lastAction : chosen;
      this.lastAction = a;
      reward += game.act(a);
      this.frames += 1;
      if (game.terminal) break;
    }
    this.steps += 1;
    const terminated = game.terminal;
    const truncated = !terminated && this.steps >= this.maxEpisodeSteps;
    this.done = terminated || truncated;
    const info: Info = { rawReward: reward, frame: this.frames };
    if (this.clipRewards) reward = reward > 1 ? 1 : reward < -1 ? -1 : reward;
    return { obs: this.observe(false), reward, terminated, truncated, info };
  }

  close(): void {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`${this.id} was closed`);
  }

  /** Builds a fresh observation (agents may keep it); on reset the stack is filled with the first frame. */
  private observe(fill: boolean): Uint8Array {
    const C = this.nChannels;
    const K = this.frameStack;
    if (this.mode === 'native' && K === 1) {
      const out = new Uint8Array(CELLS * C);
      this.game.render(out);
      return out;
    }
    const state = this.scratch;
    state.fill(0);
    this.game.render(state);

    if (this.mode === 'native') {
      this.push(state, fill);
      const out = new Uint8Array(CELLS * C * K);
      for (let j = 0; j < K; j++) {
        const src = this.ring[(this.head + 1 + j) % K];
        for (let i = 0; i < CELLS; i++) {
          const o = i * C * K + j * C;
          for (let c = 0; c < C; c++) out[o + c] = src[i * C + c];
        }
      }
      return out;
    }

    const P = this.size * this.size;
    if (this.packed) {
      const grays = this.ring[0];
      cellGrays(state, C, this.frontToBack, this.levels, grays);
      const packed = this.packed;
      for (let i = 0; i < CELLS; i++) {
        const g = grays[i];
        // Byte j of a little-endian Uint32 is channel j: shift the history down, the newest goes last.
        packed[i] = fill ? Math.imul(g, 0x01010101) : (packed[i] >>> 8) | (g << 24);
      }
      const out = new Uint8Array(P * 4);
      const out32 = new Uint32Array(out.buffer);
      const S = this.size;
      const cells = this.pixelCellOf;
      for (let y = 0; y < S; y++) {
        // Pixel rows of the same cell row are identical: compute the first, copy the rest (memcpy).
        if (y > 0 && cells[y] === cells[y - 1]) {
          out.copyWithin(y * S * 4, (y - 1) * S * 4, y * S * 4);
          continue;
        }
        const rowBase = cells[y] * GRID;
        const o = y * S;
        for (let x = 0; x < S; x++) out32[o + x] = packed[rowBase + cells[x]];
      }
      return out;
    }

    const next = this.ring[(this.head + 1) % K];
    cellGrays(state, C, this.frontToBack, this.levels, next);
    this.advance(next, fill);
    const out = new Uint8Array(P * K);
    const S = this.size;
    const cells = this.pixelCellOf;
    for (let j = 0; j < K; j++) {
      const src = this.ring[(this.head + 1 + j) % K];
      for (let y = 0; y < S; y++) {
        if (y > 0 && cells[y] === cells[y - 1]) continue;
        const rowBase = cells[y] * GRID;
        const o = y * S * K + j;
        for (let x = 0; x < S; x++) out[o + x * K] = src[rowBase + cells[x]];
      }
    }
    for (let y = 1; y < S; y++) {
      if (cells[y] === cells[y - 1]) out.copyWithin(y * S * K, (y - 1) * S * K, y * S * K);
    }
    return out;
  }

  /** Copies a native state into the ring's next slot. */
  private push(state: Uint8Array, fill: boolean): void {
    const next = this.ring[(this.head + 1) % this.frameStack];
    next.set(state);
    this.advance(next, fill);
  }

  /** Makes `latest` (already in slot head+1) the newest; on reset every slot becomes a copy of it. */
  private advance(latest: Uint8Array, fill: boolean): void {
    this.head = (this.head + 1) % this.frameStack;
    if (fill) for (const slot of this.ring) if (slot !== latest) slot.set(latest);
  }
}
