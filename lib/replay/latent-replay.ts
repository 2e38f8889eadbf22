/**
 * Replay of frozen-encoder latents, the buffer SEER switches to at T_f.
 *
 * Stored per time step (one slot per observation, see step-ring.ts), not per transition: the next observation
 * of a transition is the next slot. Chosen for both agents because (a) it is exactly the paper's accounting
 * (one latent set per transition: Ĉ·N·K·L·4 bytes) instead of the official DMC code's obs + next_obs copies
 * (2×), and (b) Rainbow's 20-step targets are rebuilt by walking slots, cut at episode ends per sample, as the
 * official Atari code does. Each slot holds [K copies, N heads, L] latents: K augmentations (random crops for
 * CURL) of the observation, each encoded by the N heads (actor and critic fc for CURL; N = 1 for Rainbow).
 *
 * Sampling draws one copy k per row and uses the same k for every head, so actor and critic see the same
 * crop (as the official code indexes both buffers with the same copy index). The bootstrap observation uses
 * the same k too; its crops were drawn independently of o_t's, so this is as random as an independent draw.
 * Batch.obs / Batch.nextObs are float32 [B, N, L].
 */
import type { Batch, PrioritizedReplay, Transition } from './types';
import {
  HAS_TX,
  START,
  StepRing,
  TERMINATED,
  TRUNCATED,
  checkPositiveInt,
  type ReplayState,
  type RingOptions,
  type StateArray,
} from './step-ring';
import { SumTree } from './sum-tree';
import {
  allocPacked,
  bytesPerVector,
  checkDtype,
  packVectors,
  packedBytes,
  unpackVectors,
  type LatentDtype,
  type PackedLatents,
} from './latent-codec';
import { randInt } from './random';

/** Encodes n raw observations (replay layout, uint8) into latents [n, heads, dim]; `augment` draws one crop each. */
export type LatentEncoder = (obs: Uint8Array, n: number, augment: boolean) => Float32Array;

export interface LatentReplayOptions extends RingOptions {
  /** N: latent vectors per observation (2 for CURL's actor + critic, 1 for Rainbow). */
  heads: number;
  /** L: length of one latent vector. */
  dim: number;
  /** K: augmented copies per observation. */
  copies: number;
  dtype?: LatentDtype;
  /** The frozen agent's encoder; needed by add(), which encodes raw observations itself. */
  encoder?: LatentEncoder;
  /** Whether add() encodes with augmentation (random crops for CURL; default true). */
  augment?: boolean;
  /** Elements in one raw stacked observation (for add(): encoding and episode-continuity checks). */
  obsSize?: number;
}

/** One step given as latents: [K, N, L] float32 for the observation (omit when it continues the episode) and the next one. */
export interface LatentStep {
  obs?: Float32Array | null;
  nextObs: Float32Array;
  action: number | Float32Array;
  reward: number;
  terminated: boolean;
  truncated: boolean;
}

/** How a latent buffer made at the freeze was sized and what the switch cost (set by lib/seer/switch.ts). */
export interface SwitchReport {
  /** Ĉ of the new buffer and how it was chosen. */
  capacity: number;
  capacityRule: 'given' | 'budget' | 'paper';
  /** Ĉ by the paper's formula, for comparison. */
  paperCapacity: number;
  /** Stored observations re-encoded (min(T, C) slots, or Ĉ if smaller) and encoder passes (× K). */
  encodedObservations: number;
  encoderPasses: number;
  transitions: number;
  imageBytesBefore: number;
  imagePaperBytes: number;
  latentBytesAfter: number;
  latentPaperBytes: number;
  /**
   * Largest images + latents allocated at any point during the switch. Image chunks are released as soon as no
   * later stack needs them, so this exceeds a memory budget only briefly, by the latent chunks written before
   * the first image chunk can go (a few hundred KB for CURL; bench/memory.ts measures it).
   */
  peakBytes: number;
}

export class LatentReplay extends StepRing<PackedLatents> implements PrioritizedReplay {
  readonly heads: number;
  readonly dim: number;
  readonly copies: number;
  readonly dtype: LatentDtype;
  readonly augment: boolean;
  readonly obsSize: number;
  private readonly encoder: LatentEncoder | null;
  private readonly perSlot: number; // floats per slot: K·N·L
  /** The newest raw observation, to tell whether the next transition continues it (obsSize bytes). */
  private lastRaw: Uint8Array | null = null;
  /** Raw observations encoded by add() (for FLOPs accounting and tests); each costs K encoder passes. */
  encodedCount = 0;
  /** Set by switchToLatentReplay: how Ĉ was chosen and the bytes before and after (lib/seer/switch.ts). */
  switchReport: SwitchReport | null = null;

  constructor(opts: LatentReplayOptions) {
    super(opts, 0);
    this.heads = checkPositiveInt('heads', opts.heads);
    this.dim = checkPositiveInt('dim', opts.dim);
    this.copies = checkPositiveInt('copies (K)', opts.copies);
    this.dtype = checkDtype(opts.dtype ?? 'float32');
    this.encoder = opts.encoder ?? null;
    this.augment = opts.augment ?? true;
    this.obsSize = opts.obsSize ?? 0;
    this.perSlot = this.copies * this.heads * this.dim;
  }

  /** Real bytes when full at `capacity` (used to fit memory budgets). */
  static bytesAtCapacity(o: {
    capacity: number;
    heads: number;
    dim: number;
    copies: number;
    dtype?: LatentDtype;
    action: RingOptions['action'];
    prioritized?: RingOptions['prioritized'];
    obsSize?: number;
  }): number {
    const dtype = o.dtype ?? 'float32';
    const actionDim = o.action.discrete ? 1 : o.action.dim;
    const perSlot = o.copies * o.heads * bytesPerVector(dtype, o.dim) + 4 * actionDim + 5;
    return o.capacity * perSlot + (o.prioritized ? SumTree.bytesFor(o.capacity) : 0) + (o.obsSize ?? 0);
  }

  protected allocPayload(slots: number): PackedLatents {
    return allocPacked(this.dtype, this.dim, slots * this.copies * this.heads);
  }

  protected payloadBytes(p: PackedLatents): number {
    return packedBytes(p);
  }

  protected extraBytes(): number {
    return this.lastRaw ? this.lastRaw.byteLength : 0;
  }

  protected payloadArrays(p: PackedLatents): Record<string, StateArray> {
    return p.scale ? { latents: p.data, scale: p.scale } : { latents: p.data };
  }

  protected extraState(): ReplayState {
    return {
      meta: {
        heads: this.heads,
        dim: this.dim,
        copies: this.copies,
        dtype: this.dtype,
        encodedCount: this.encodedCount,
        switchReport: this.switchReport,
      },
      arrays: this.lastRaw ? { lastRaw: this.lastRaw } : {},
    };
  }

  importState(state: ReplayState): void {
    const m = state.meta;
    for (const [k, v] of [
      ['heads', this.heads],
      ['dim', this.dim],
      ['copies', this.copies],
      ['dtype', this.dtype],
    ] as const) {
      if (m[k] !== v) throw new Error(`importState: checkpoint ${k} is ${String(m[k])}, this buffer's is ${v}`);
    }
    super.importState(state);
  }

  protected loadExtraState(state: ReplayState): void {
    const m = state.meta;
    this.encodedCount = m.encodedCount as number;
    this.switchReport = (m.switchReport as LatentReplay['switchReport']) ?? this.switchReport;
    const raw = state.arrays.lastRaw;
    this.lastRaw = raw ? Uint8Array.from(raw as Uint8Array) : null;
  }

  /** The paper's accounting, Ĉ·N·K·L·4 for float32 (·2 for float16, (L+4)/L·1 for int8): observations only. */
  paperBytes(): number {
    return this.capacity * this.copies * this.heads * bytesPerVector(this.dtype, this.dim);
  }

  /** Adds a raw transition after the freeze: encodes its new observations K times with the frozen encoder. */
  add(t: Transition): void {
    if (!this.encoder)
      throw new Error('LatentReplay.add needs an encoder (the frozen agent): use addLatents for pre-encoded steps');
    const S = this.obsSize;
    for (const [name, o] of [
      ['obs', t.obs],
      ['nextObs', t.nextObs],
    ] as const) {
      if (!(o instanceof Uint8Array) || o.length !== S) {
        throw new Error(
          `LatentReplay.add: ${name} must be a Uint8Array of length ${S}, got ${o?.constructor?.name} of length ${o?.length}`,
        );
      }
    }
    const continues = this.open && this.lastRaw !== null && equalBytes(this.lastRaw, t.obs as Uint8Array);
    const K = this.copies;
    const nObs = continues ? 1 : 2;
    const raw = new Uint8Array(nObs * K * S);
    for (let k = 0; k < K; k++) {
      if (!continues) raw.set(t.obs as Uint8Array, k * S);
      raw.set(t.nextObs as Uint8Array, ((nObs - 1) * K + k) * S);
    }
    const z = this.encoder(raw, nObs * K, this.augment);
    this.checkLatents(z, nObs * K, 'encoder output');
    this.encodedCount += nObs;
    const per = this.perSlot;
    const keep = this.lastRaw;
    this.addLatents({
      obs: continues ? null : z.subarray(0, per),
      nextObs: z.subarray((nObs - 1) * per, nObs * per),
      action: t.action,
      reward: t.reward,
      terminated: t.terminated,
      truncated: t.truncated,
    });
    this.lastRaw = keep ?? new Uint8Array(S);
    this.lastRaw.set(t.nextObs as Uint8Array);
  }

  /** Adds one step given as latents. `obs` omitted means it continues the newest stored observation. */
  addLatents(s: LatentStep): void {
    this.lastRaw = null; // add() restores it; direct latent steps carry no raw observation
    if (s.obs) {
      this.checkLatents(s.obs, this.copies, 'obs latents');
      this.writeSlot(this.pushSlot(START), s.obs, 0);
    } else if (!this.open) {
      throw new Error('LatentReplay.addLatents: obs latents are required at an episode start');
    }
    this.checkLatents(s.nextObs, this.copies, 'nextObs latents');
    this.setStep(s.action, s.reward, s.terminated, s.truncated);
    this.writeSlot(this.pushSlot(0), s.nextObs, 0);
    this.open = !(s.terminated || s.truncated);
  }

  /**
   * Appends a slot copied from another buffer (the switch at T_f): its flags, action, reward and stored priority,
   * with latents [K, N, L] read from `z` at element offset `off`.
   */
  importSlot(
    meta: { flags: number; action: number | Float32Array; reward: number; priority: number },
    z: Float32Array,
    off: number,
  ): void {
    this.writeSlot(this.pushSlot(meta.flags & START), z, off);
    if (meta.flags & HAS_TX) {
      const pr = this.tree && meta.priority > 0 ? meta.priority : undefined;
      this.setStep(meta.action, meta.reward, (meta.flags & TERMINATED) !== 0, (meta.flags & TRUNCATED) !== 0, pr);
      if (pr !== undefined && pr > this.maxPriority) this.maxPriority = pr;
    }
  }

  /** Ends an import: whether the newest slot continues, and its raw observation for continuity checks. */
  finishImport(open: boolean, lastRaw: Uint8Array | null): void {
    this.open = open;
    this.lastRaw = lastRaw && lastRaw.length === this.obsSize ? Uint8Array.from(lastRaw) : null;
  }

  sample(batchSize: number): Batch {
    const rows = this.sampleRows(batchSize);
    const B = batchSize;
    const NL = this.heads * this.dim;
    const obs = new Float32Array(B * NL);
    const nextObs = new Float32Array(B * NL);
    for (let b = 0; b < B; b++) {
      const k = randInt(this.rng, this.copies); // one copy for all heads: actor and critic see the same crop
      this.readSlot(rows.obsSlot[b], k, obs, b * NL);
      this.readSlot(rows.bootSlot[b], k, nextObs, b * NL);
    }
    return { ...rows.batch, obs, nextObs };
  }

  /** Latents of copy k of a logical slot, [N, L] into out at off. */
  readSlot(logical: number, k: number, out: Float32Array, off: number): void {
    const { payload, offset } = this.payloadAt(logical);
    unpackVectors(payload, (offset * this.copies + k) * this.heads, this.heads, out, off);
  }

  private writeSlot(logical: number, z: Float32Array, off: number): void {
    const { payload, offset } = this.payloadAt(logical);
    packVectors(payload, offset * this.copies * this.heads, z, off, this.copies * this.heads);
  }

  private checkLatents(z: Float32Array, n: number, what: string): void {
    const want = n * this.heads * this.dim;
    if (!(z instanceof Float32Array) || z.length < want) {
      throw new Error(
        `LatentReplay: ${what} must be a Float32Array [${n}, ${this.heads}, ${this.dim}] (${want} values), got length ${z?.length}`,
      );
    }
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
