/**
 * The storage core shared by ImageReplay and LatentReplay: one slot per time step, not per transition.
 *
 * Slot t holds the observation o_t (a frame or its latents) and, once the agent has acted on it, a_t, r_t and
 * whether that step ended the episode. The next observation o_{t+1} is simply slot t+1, so every observation is
 * stored once: a transition costs one slot, plus one extra slot per episode for its last observation. This is
 * what makes the paper's accounting (C·P for images, Ĉ·N·K·L·4 for latents: one observation per transition)
 * nearly true of the bytes really allocated, and it gives n-step returns for free (walk forward over slots).
 *
 * Slots are addressed by a monotonic logical index; the physical slot is logical mod R, R = capacity + history.
 * The newest `capacity` slots form the sampling window; `history` older slots are kept so that the frame stacks
 * of the oldest sampleable slots can still be rebuilt. Storage is allocated lazily in chunks, so the bytes
 * reported grow with the data and chunks can be released one by one (the switch to latent replay does this).
 */
import type { Batch } from './types';
import { SumTree } from './sum-tree';
import { makeRng, randInt, type Rng } from './random';

/** Slot flags. */
export const HAS_TX = 1; // the agent acted on this observation: action/reward are set, slot+1 is its next obs
export const TERMINATED = 2;
export const TRUNCATED = 4;
export const START = 8; // first stored observation of an episode (frame stacks repeat it backwards)

// `dim?: undefined` on the discrete side keeps `action.dim` readable without narrowing (tslab compiles non-strict).
export type ActionSpec = { discrete: true; dim?: undefined } | { discrete: false; dim: number };

export interface PriorityOptions {
  /** ω: stored priority = (loss + ε)^ω. Default 0.5 (data-efficient Rainbow). */
  exponent?: number;
  /** Initial importance-sampling exponent β; the caller anneals `replay.beta` (0.4 → 1). */
  beta?: number;
}

export interface RingOptions {
  /** Sampleable slots C (≈ transitions; each episode also spends one slot on its final observation). */
  capacity: number;
  action: ActionSpec;
  /** n in n-step returns (1 for CURL, 20 for data-efficient Rainbow). */
  nStep?: number;
  gamma?: number;
  /** Proportional prioritized replay with a sum tree; omit for uniform sampling. */
  prioritized?: PriorityOptions | boolean;
  seed?: number;
  /** Slots per lazily allocated chunk. */
  chunkSlots?: number;
}

interface Chunk<P> {
  payload: P;
  action: Int32Array | Float32Array;
  reward: Float32Array;
  flags: Uint8Array;
}

/** Where sampled rows point and their n-step targets; subclasses gather the observations. */
export interface SampledRows {
  obsSlot: Float64Array; // logical index of o_t
  bootSlot: Float64Array; // logical index of o_{t+n'}
  batch: Omit<Batch, 'obs' | 'nextObs'>;
}

const PRIORITY_EPS = 1e-6;

/** Typed arrays a checkpoint can hold (lib/run/checkpoint.ts StoredArray). */
export type StateArray = Float32Array | Float64Array | Int32Array | Uint8Array | Uint16Array | Int8Array;

/** A buffer's complete state: JSON-safe metadata plus named typed arrays. */
export interface ReplayState {
  meta: Record<string, unknown>;
  arrays: Record<string, StateArray>;
}

/** A state kept by `mark()`: all but the slots, and the content at the mark of each slot changed since. */
interface MarkedState {
  state: ReplayState;
  /** Chunks allocated at the mark (later ones are not part of the marked state). */
  allocated: Set<number>;
  /** Physical slot → its arrays at the mark, taken before its first change after the mark. */
  before: Map<number, Record<string, StateArray>>;
}

function concatArrays(parts: StateArray[]): StateArray {
  const Ctor = parts[0].constructor as new (n: number) => StateArray;
  const out = new Ctor(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p as never, o);
    o += p.length;
  }
  return out;
}

export function checkPositiveInt(name: string, v: unknown, min = 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new Error(`${name} must be an integer ≥ ${min}, got ${String(v)}`);
  }
  return v;
}

export abstract class StepRing<P> {
  readonly capacity: number;
  readonly history: number;
  /** Physical slots R = capacity + history. */
  readonly slots: number;
  readonly nStep: number;
  readonly gamma: number;
  readonly action: ActionSpec;
  readonly actionDim: number;
  readonly chunkSlots: number;
  /** IS exponent, annealed by the caller (prioritized replay only). */
  beta = 1;
  readonly priorityExponent: number;
  protected tree: SumTree | null;
  protected maxPriority = 1;
  protected readonly rng: Rng;
  protected chunks: (Chunk<P> | null)[];
  /** Logical slots written so far. */
  protected written = 0;
  protected count = 0;
  /** True while the newest slot is an observation the next transition may continue from. */
  protected open = false;
  private released = false;
  /** The state at the last `mark()`, kept cheaply until `exportMarked()` (null: no mark). */
  private marked: MarkedState | null = null;

  constructor(opts: RingOptions, history: number) {
    this.capacity = checkPositiveInt('capacity', opts.capacity);
    this.history = checkPositiveInt('history', history, 0);
    this.slots = this.capacity + this.history;
    this.nStep = checkPositiveInt('nStep', opts.nStep ?? 1);
    this.gamma = opts.gamma ?? 0.99;
    if (!(this.gamma >= 0 && this.gamma <= 1)) throw new Error(`gamma must be in [0, 1], got ${this.gamma}`);
    if (!opts.action || typeof opts.action.discrete !== 'boolean') {
      throw new Error('action must be { discrete: true } or { discrete: false, dim: n }');
    }
    this.action = opts.action;
    if (opts.action.discrete) this.actionDim = 1;
    else this.actionDim = checkPositiveInt('action.dim', opts.action.dim);
    this.chunkSlots = checkPositiveInt('chunkSlots', opts.chunkSlots ?? 64);
    this.chunks = new Array(Math.ceil(this.slots / this.chunkSlots)).fill(null);
    const pri = opts.prioritized === true ? {} : opts.prioritized || null;
    this.priorityExponent = pri?.exponent ?? 0.5;
    if (pri) {
      this.beta = pri.beta ?? 0.4;
      if (!(this.priorityExponent >= 0)) throw new Error(`priority exponent must be ≥ 0, got ${this.priorityExponent}`);
    }
    this.tree = pri ? new SumTree(this.slots) : null;
    this.rng = makeRng(opts.seed ?? 0);
  }

  get size(): number {
    return this.count;
  }

  get prioritized(): boolean {
    return this.tree !== null;
  }

  /** Logical slots written so far (observations stored, including episode-final ones). */
  get slotsWritten(): number {
    return this.written;
  }

  protected abstract allocPayload(slots: number): P;
  protected abstract payloadBytes(p: P): number;
  /** The payload's typed arrays by name (for checkpoints); `load` copies them back into a payload. */
  protected abstract payloadArrays(p: P): Record<string, StateArray>;
  /** Subclass state beyond the slots (JSON meta and arrays). */
  protected extraState(): ReplayState {
    return { meta: {}, arrays: {} };
  }
  protected loadExtraState(_state: ReplayState): void {}

  /** Bytes of one slot's metadata (action, reward, flags). */
  protected metaBytesPerSlot(): number {
    return 4 * this.actionDim + 4 + 1;
  }

  /** Real bytes of every typed array this buffer holds right now. */
  bytesAllocated(): number {
    let b = this.tree ? this.tree.bytes : 0;
    for (const c of this.chunks) {
      if (!c) continue;
      b += this.payloadBytes(c.payload) + c.action.byteLength + c.reward.byteLength + c.flags.byteLength;
    }
    return b + this.extraBytes();
  }

  /** Bytes held outside the chunks (e.g. the last raw observation of LatentReplay). */
  protected extraBytes(): number {
    return 0;
  }

  // ---- slot access -------------------------------------------------------------------------------------

  protected chunkOf(phys: number): Chunk<P> {
    const c = this.chunks[Math.floor(phys / this.chunkSlots)];
    if (!c) {
      throw new Error(
        this.released
          ? `${this.constructor.name} storage was released (switch to latent replay): it can no longer be read`
          : `${this.constructor.name}: slot ${phys} was never written`,
      );
    }
    return c;
  }

  protected phys(logical: number): number {
    return logical % this.slots;
  }

  /** Logical index of a live physical slot. */
  protected logicalOf(phys: number): number {
    const head = this.written - 1;
    return head - ((head - phys + this.slots) % this.slots);
  }

  protected flagsAt(logical: number): number {
    const p = this.phys(logical);
    return this.chunkOf(p).flags[p % this.chunkSlots];
  }

  /** Payload array of a slot and the slot's offset inside it (in slots). */
  protected payloadAt(logical: number): { payload: P; offset: number } {
    const p = this.phys(logical);
    return { payload: this.chunkOf(p).payload, offset: p % this.chunkSlots };
  }

  /** Appends an empty slot (the caller then writes its payload); returns its logical index. */
  protected pushSlot(flags: number): number {
    if (this.released) throw new Error(`${this.constructor.name} storage was released: it accepts no new data`);
    const L = this.written;
    const leaving = L - this.capacity; // slot that drops out of the sampling window
    if (leaving >= 0) {
      const lp = this.phys(leaving);
      if (this.chunkOf(lp).flags[lp % this.chunkSlots] & HAS_TX) this.count--;
      this.tree?.set(lp, 0);
    }
    const p = this.phys(L);
    this.keepMarkedSlot(p);
    const ci = Math.floor(p / this.chunkSlots);
    let chunk = this.chunks[ci];
    if (!chunk) {
      const n = Math.min(this.chunkSlots, this.slots - ci * this.chunkSlots);
      chunk = {
        payload: this.allocPayload(n),
        action: this.action.discrete ? new Int32Array(n) : new Float32Array(n * this.actionDim),
        reward: new Float32Array(n),
        flags: new Uint8Array(n),
      };
      this.chunks[ci] = chunk;
    }
    const o = p % this.chunkSlots;
    chunk.flags[o] = flags & ~HAS_TX;
    chunk.reward[o] = 0;
    this.tree?.set(p, 0);
    this.written++;
    return L;
  }

  /** Records the agent's step on the newest slot (it becomes a transition whose next obs is the next slot). */
  protected setStep(
    action: number | Float32Array | ArrayLike<number>,
    reward: number,
    terminated: boolean,
    truncated: boolean,
    priority?: number,
  ): void {
    const L = this.written - 1;
    const p = this.phys(L);
    const chunk = this.chunkOf(p);
    const o = p % this.chunkSlots;
    if (chunk.flags[o] & HAS_TX) throw new Error('internal: slot already holds a transition');
    this.keepMarkedSlot(p);
    if (this.action.discrete) {
      if (typeof action !== 'number' || !Number.isInteger(action)) {
        throw new Error(`This buffer stores discrete actions: expected an integer, got ${String(action)}`);
      }
      (chunk.action as Int32Array)[o] = action;
    } else {
      if (typeof action === 'number' || action.length !== this.actionDim) {
        throw new Error(
          `This buffer stores continuous actions of length ${this.actionDim}, got ${typeof action === 'number' ? 'a number' : `length ${action.length}`}`,
        );
      }
      (chunk.action as Float32Array).set(action, o * this.actionDim);
    }
    if (!Number.isFinite(reward)) throw new Error(`reward must be finite, got ${reward}`);
    chunk.reward[o] = reward;
    chunk.flags[o] |= HAS_TX | (terminated ? TERMINATED : 0) | (truncated ? TRUNCATED : 0);
    this.count++;
    this.tree?.set(p, priority ?? this.maxPriority);
  }

  /** Copies one slot's metadata verbatim (used when re-encoding into latent replay). */
  protected slotMeta(logical: number): {
    flags: number;
    action: number | Float32Array;
    reward: number;
    priority: number;
  } {
    const p = this.phys(logical);
    const c = this.chunkOf(p);
    const o = p % this.chunkSlots;
    const action = this.action.discrete
      ? (c.action as Int32Array)[o]
      : (c.action as Float32Array).slice(o * this.actionDim, (o + 1) * this.actionDim);
    return { flags: c.flags[o], action, reward: c.reward[o], priority: this.tree ? this.tree.get(p) : 0 };
  }

  // ---- sampling ----------------------------------------------------------------------------------------

  /** Logical range [lo, hi) of the sampling window. */
  protected window(): [number, number] {
    return [Math.max(0, this.written - this.capacity), this.written];
  }

  protected sampleRows(batchSize: number): SampledRows {
    checkPositiveInt('batchSize', batchSize);
    if (this.released)
      throw new Error(
        `${this.constructor.name} storage was released (switch to latent replay): it can no longer be sampled`,
      );
    if (this.count === 0) throw new Error(`${this.constructor.name} is empty: add transitions before sampling`);
    const obsSlot = new Float64Array(batchSize);
    const bootSlot = new Float64Array(batchSize);
    const indices = new Int32Array(batchSize);
    const weights = new Float32Array(batchSize).fill(1);
    const reward = new Float32Array(batchSize);
    const discount = new Float32Array(batchSize);
    const action = this.action.discrete ? new Int32Array(batchSize) : new Float32Array(batchSize * this.actionDim);
    const [lo, hi] = this.window();

    if (this.tree) {
      const total = this.tree.total;
      const seg = total / batchSize;
      let maxW = 0;
      for (let b = 0; b < batchSize; b++) {
        // Stratified: one draw per equal-mass segment (as Kaixhin's Rainbow).
        const u = Math.min((b + this.rng.next()) * seg, total * (1 - 1e-12));
        const p = this.tree.find(u);
        indices[b] = p;
        obsSlot[b] = this.logicalOf(p);
        const prob = this.tree.get(p) / total;
        const w = Math.pow(this.count * prob, -this.beta);
        weights[b] = w;
        if (w > maxW) maxW = w;
      }
      for (let b = 0; b < batchSize; b++) weights[b] /= maxW; // normalised by the batch max (Kaixhin)
    } else {
      for (let b = 0; b < batchSize; b++) {
        let L = -1;
        // Rejection: only episode-final observation slots lack a transition (a few percent).
        for (let tries = 0; tries < 1000; tries++) {
          const cand = lo + randInt(this.rng, hi - 1 - lo);
          if (this.flagsAt(cand) & HAS_TX) {
            L = cand;
            break;
          }
        }
        if (L < 0) throw new Error('internal: could not find a stored transition to sample');
        obsSlot[b] = L;
        indices[b] = this.phys(L);
      }
    }

    for (let b = 0; b < batchSize; b++) {
      const L = obsSlot[b];
      const { ret, steps, terminated } = this.nStepReturn(L);
      reward[b] = ret;
      discount[b] = terminated ? 0 : Math.pow(this.gamma, steps);
      bootSlot[b] = L + steps;
      const p = this.phys(L);
      const c = this.chunkOf(p);
      const o = p % this.chunkSlots;
      if (this.action.discrete) (action as Int32Array)[b] = (c.action as Int32Array)[o];
      else
        (action as Float32Array).set(
          (c.action as Float32Array).subarray(o * this.actionDim, (o + 1) * this.actionDim),
          b * this.actionDim,
        );
    }
    return { obsSlot, bootSlot, batch: { size: batchSize, action, reward, discount, indices, weights } };
  }

  /**
   * Σ_{i<n'} γ^i r_{t+i}: stops after a terminated or truncated step, and before a slot without a transition
   * (an episode's last observation, or the newest observation when fewer than n steps have been stored yet —
   * then the target bootstraps from that newest observation with γ^n', still a valid n'-step target).
   */
  nStepReturn(logical: number): { ret: number; steps: number; terminated: boolean } {
    let ret = 0;
    let g = 1;
    let L = logical;
    for (let i = 0; i < this.nStep; i++) {
      const p = this.phys(L);
      const c = this.chunkOf(p);
      const o = p % this.chunkSlots;
      const f = c.flags[o];
      if (!(f & HAS_TX)) throw new Error(`internal: slot ${L} holds no transition`);
      ret += g * c.reward[o];
      g *= this.gamma;
      L++;
      if (f & TERMINATED) return { ret, steps: i + 1, terminated: true };
      if (f & TRUNCATED) break;
      if (!(this.flagsAt(L) & HAS_TX)) break; // L exists: a transition's next observation is always stored
    }
    return { ret, steps: L - logical, terminated: false };
  }

  /**
   * New priorities for the slots of the last sample: pass the raw per-sample losses, the buffer stores
   * (loss + ε)^ω. Slots overwritten since the sample (no transition any more) are skipped.
   */
  updatePriorities(indices: Int32Array, priorities: Float32Array): void {
    if (!this.tree) throw new Error(`${this.constructor.name} was built without prioritized replay`);
    if (indices.length !== priorities.length) {
      throw new Error(`updatePriorities: ${indices.length} indices but ${priorities.length} priorities`);
    }
    const [lo] = this.window();
    for (let i = 0; i < indices.length; i++) {
      const p = indices[i];
      if (!(p >= 0 && p < this.slots)) throw new Error(`updatePriorities: index ${p} outside [0, ${this.slots})`);
      const pr = priorities[i];
      if (!(pr >= 0) || !Number.isFinite(pr))
        throw new Error(`updatePriorities: priority must be finite and ≥ 0, got ${pr}`);
      if (this.written === 0 || this.logicalOf(p) < lo || !(this.flagsAt(this.logicalOf(p)) & HAS_TX)) continue;
      const v = Math.pow(pr + PRIORITY_EPS, this.priorityExponent);
      this.tree.set(p, v);
      if (v > this.maxPriority) this.maxPriority = v;
    }
  }

  /** Stored priority (loss + ε)^ω of a physical slot (0 for slots without a transition). */
  priorityAt(index: number): number {
    if (!this.tree) throw new Error(`${this.constructor.name} was built without prioritized replay`);
    return this.tree.get(index);
  }

  // ---- checkpoints -------------------------------------------------------------------------------------

  /** Everything needed to continue exactly: slots, counters, priorities and the sampling RNG. */
  exportState(): ReplayState {
    if (this.released) throw new Error(`${this.constructor.name} was released: nothing to export`);
    const allocated = this.chunks.flatMap((c, ci) => (c ? [ci] : []));
    return this.withSlots(this.stateWithoutSlots(allocated), (ci) => this.chunkArrays(this.chunks[ci]!));
  }

  /**
   * Marks the present state so that `exportMarked()` can export it later, after more steps and priority updates,
   * without copying the slots now (a run holds its fork point this way, lib/run/fork.ts). Counters,
   * priorities and the RNG are copied now (small); a slot's content is copied only when a later step overwrites
   * it. A new mark replaces the previous one; `exportMarked()` ends it.
   */
  mark(): void {
    if (this.released) throw new Error(`${this.constructor.name} was released: nothing to mark`);
    const allocated = this.chunks.flatMap((c, ci) => (c ? [ci] : []));
    this.marked = { state: this.stateWithoutSlots(allocated), allocated: new Set(allocated), before: new Map() };
  }

  /** exportState() as it was at the last `mark()`; ends the mark (slots are no longer kept for it). */
  exportMarked(): ReplayState {
    const m = this.marked;
    if (!m || this.released) {
      const why = 'mark() first; an export, restore or release ends it';
      throw new Error(`${this.constructor.name}: no marked state to export (${why})`);
    }
    this.marked = null;
    return this.withSlots(m.state, (ci) => {
      const now = this.chunkArrays(this.chunks[ci]!);
      const then: Record<string, StateArray> = {};
      for (const [k, v] of Object.entries(now)) then[k] = v.slice();
      const n = this.chunkLength(ci);
      for (const [p, saved] of m.before) {
        if (Math.floor(p / this.chunkSlots) !== ci) continue;
        const o = p % this.chunkSlots;
        for (const [k, v] of Object.entries(saved)) then[k].set(v as never, o * (then[k].length / n));
      }
      return then;
    });
  }

  /** Before slot `phys` changes: keeps its content at the mark, when the mark held it and nothing kept it yet. */
  private keepMarkedSlot(phys: number): void {
    const m = this.marked;
    const ci = Math.floor(phys / this.chunkSlots);
    if (!m || m.before.has(phys) || !m.allocated.has(ci)) return;
    const n = this.chunkLength(ci);
    const o = phys % this.chunkSlots;
    const saved: Record<string, StateArray> = {};
    for (const [k, v] of Object.entries(this.chunkArrays(this.chunks[ci]!))) {
      const per = v.length / n;
      saved[k] = v.slice(o * per, (o + 1) * per);
    }
    m.before.set(phys, saved);
  }

  private chunkLength(ci: number): number {
    return Math.min(this.chunkSlots, this.slots - ci * this.chunkSlots);
  }

  /** A chunk's arrays by name, as checkpoints store them. */
  private chunkArrays(c: Chunk<P>): Record<string, StateArray> {
    return { action: c.action, reward: c.reward, flags: c.flags, ...this.payloadArrays(c.payload) };
  }

  /** Everything of a state but the slots' arrays (copies). */
  private stateWithoutSlots(allocated: number[]): ReplayState {
    const arrays: Record<string, StateArray> = {};
    if (this.tree) {
      const leaves = new Float64Array(this.slots);
      for (let i = 0; i < this.slots; i++) leaves[i] = this.tree.get(i);
      arrays.priorities = leaves;
    }
    const extra = this.extraState();
    for (const [k, v] of Object.entries(extra.arrays)) arrays[k] = v.slice();
    return {
      meta: {
        kind: this.constructor.name,
        capacity: this.capacity,
        slots: this.slots,
        chunkSlots: this.chunkSlots,
        written: this.written,
        count: this.count,
        open: this.open,
        maxPriority: this.maxPriority,
        beta: this.beta,
        rng: this.rng.getState().map((v) => (Number.isNaN(v) ? null : v)),
        allocated,
        ...extra.meta,
      },
      arrays,
    };
  }

  /** `state` with the slot arrays of its allocated chunks, concatenated in chunk order. */
  private withSlots(state: ReplayState, arraysOf: (ci: number) => Record<string, StateArray>): ReplayState {
    const parts: Record<string, StateArray[]> = {};
    for (const ci of state.meta.allocated as number[]) {
      for (const [k, v] of Object.entries(arraysOf(ci))) (parts[k] ??= []).push(v);
    }
    const arrays: Record<string, StateArray> = {};
    for (const [k, v] of Object.entries(parts)) arrays[`slot/${k}`] = concatArrays(v);
    return { meta: state.meta, arrays: { ...arrays, ...state.arrays } };
  }

  /** Restores a state from exportState into a buffer built with the same options (any previous content is replaced). */
  importState(state: ReplayState): void {
    this.marked = null;
    const m = state.meta;
    for (const [k, v] of [
      ['kind', this.constructor.name],
      ['capacity', this.capacity],
      ['slots', this.slots],
      ['chunkSlots', this.chunkSlots],
    ] as const) {
      if (m[k] !== v)
        throw new Error(
          `importState: checkpoint ${k} is ${String(m[k])}, this buffer's is ${v} (build it with the same options)`,
        );
    }
    const allocated = m.allocated as number[];
    this.chunks = this.chunks.map(() => null);
    const offsets: Record<string, number> = {};
    for (const ci of allocated) {
      const n = Math.min(this.chunkSlots, this.slots - ci * this.chunkSlots);
      const payload = this.allocPayload(n);
      const chunk: Chunk<P> = {
        payload,
        action: this.action.discrete ? new Int32Array(n) : new Float32Array(n * this.actionDim),
        reward: new Float32Array(n),
        flags: new Uint8Array(n),
      };
      const named: Record<string, StateArray> = {
        action: chunk.action,
        reward: chunk.reward,
        flags: chunk.flags,
        ...this.payloadArrays(payload),
      };
      for (const [k, dst] of Object.entries(named)) {
        const src = state.arrays[`slot/${k}`];
        if (!src) throw new Error(`importState: checkpoint lacks slot array '${k}'`);
        const o = offsets[k] ?? 0;
        if (src.constructor !== dst.constructor || o + dst.length > src.length)
          throw new Error(`importState: slot array '${k}' does not match this buffer`);
        dst.set(src.subarray(o, o + dst.length) as never);
        offsets[k] = o + dst.length;
      }
      this.chunks[ci] = chunk;
    }
    this.written = m.written as number;
    this.count = m.count as number;
    this.open = m.open as boolean;
    this.maxPriority = m.maxPriority as number;
    this.beta = m.beta as number;
    this.rng.setState((m.rng as (number | null)[]).map((v) => (v === null ? Number.NaN : v)));
    if (this.tree) {
      const leaves = state.arrays.priorities as Float64Array | undefined;
      if (!leaves || leaves.length !== this.slots)
        throw new Error('importState: checkpoint lacks the priorities of a prioritized buffer');
      for (let i = 0; i < this.slots; i++) this.tree.set(i, leaves[i]);
    }
    this.loadExtraState(state);
  }

  // ---- release -----------------------------------------------------------------------------------------

  /** Frees every chunk whose live slots all have logical index < `logical`. */
  protected releaseChunksBefore(logical: number): void {
    if (this.written === 0) return;
    const headPhys = this.phys(this.written - 1);
    for (let ci = 0; ci < this.chunks.length; ci++) {
      if (!this.chunks[ci]) continue;
      const first = ci * this.chunkSlots;
      const last = Math.min(first + this.chunkSlots, this.slots) - 1;
      const maxLogical = headPhys >= first && headPhys <= last ? this.written - 1 : this.logicalOf(last);
      if (maxLogical < logical) {
        this.chunks[ci] = null;
        this.released = true;
      }
    }
  }

  /** Frees all storage; any later read or write throws a clear error. */
  release(): void {
    this.marked = null;
    this.released = true;
    this.chunks = this.chunks.map(() => null);
    this.tree = null;
    this.count = 0;
  }

  get isReleased(): boolean {
    return this.released;
  }
}
