/**
 * Replay for stacked pixel observations (or state vectors) with each frame stored once.
 *
 * Observations arrive as [H, W, C·k] uint8 with the newest frame in the last C channels. Only the newest frame
 * of each observation is stored (one slot per time step, see step-ring.ts); stacks are rebuilt when sampled by
 * walking back k−1 slots inside the episode.
 *
 * Episode starts: the env's frame-stack wrapper fills the stack at reset by repeating the first frame, so the
 * first observation of an episode is stored as ONE slot flagged START and rebuilding repeats it backwards —
 * the same stack the agent acted on. (Kaixhin's Rainbow zero-pads instead; CURL repeats, as our wrapper does.)
 * If a first observation's frames are not all equal (another wrapper, zero padding), all k frames are stored
 * as k slots so the stack is still rebuilt exactly. Later observations must be the previous stack shifted by
 * one frame — the frame-stack invariant; `add` checks the newest frame to detect a new episode without a done.
 *
 * Byte accounting (the paper counts C·P, P = one frame):
 *   frames   (C + k − 1)·P   the k − 1 extra slots keep the history of the oldest sampleable stacks
 *   metadata (C + k − 1)·(4·actionDim + 4 + 1)   action, reward, flags
 *   priority 16·2^⌈log2(C + k − 1)⌉               sum tree, prioritized replay only
 *   scratch  k·P                                  one stack, to check that a transition continues the episode
 * One slot is also spent per episode on its final observation (CURL's buffer instead stores obs and next_obs
 * stacks per transition: 2·k·P bytes, 6× the paper's P for k = 3).
 */
import type { Batch, PrioritizedReplay, Transition } from './types';
import { START, StepRing, checkPositiveInt, type RingOptions, type StateArray, type ReplayState } from './step-ring';
import { SumTree } from './sum-tree';
import { fitCapacity, parseMemoryBudget } from './budget';
import type { NativeAddon } from '../backend/native';

export interface ImageReplayOptions extends Omit<RingOptions, 'capacity'> {
  /** Observation shape: [H, W, C·frameStack] for pixels, [n] for state vectors. */
  obsShape: number[];
  /** k frames per observation (3 for CURL, 4 for Rainbow, 1 for state vectors). */
  frameStack: number;
  /** 'uint8' for pixels (default); 'float32' for state vectors. */
  dtype?: 'uint8' | 'float32';
  capacity: number;
}

type Frames = Uint8Array | Float32Array;

export class ImageReplay extends StepRing<Frames> implements PrioritizedReplay {
  readonly obsShape: number[];
  readonly frameStack: number;
  readonly dtype: 'uint8' | 'float32';
  /** Elements in one frame (H·W·C): the paper's P for uint8 pixels. */
  readonly frameSize: number;
  /** Elements in one stacked observation. */
  readonly obsSize: number;
  readonly frameChannels: number;
  /** One stack of scratch space for continuity checks (counted in bytesAllocated). */
  private scratch: Frames | null = null;

  constructor(opts: ImageReplayOptions) {
    const k = checkPositiveInt('frameStack', opts.frameStack);
    super(opts, k - 1);
    this.frameStack = k;
    this.obsShape = [...opts.obsShape];
    this.dtype = opts.dtype ?? 'uint8';
    if (this.dtype !== 'uint8' && this.dtype !== 'float32')
      throw new Error(`dtype must be 'uint8' or 'float32', got ${String(this.dtype)}`);
    if (!this.obsShape.length || this.obsShape.some((d) => !Number.isInteger(d) || d < 1)) {
      throw new Error(`obsShape must be positive integers ([H, W, C·k] or [n]), got [${this.obsShape}]`);
    }
    const last = this.obsShape[this.obsShape.length - 1];
    if (last % k !== 0) throw new Error(`obsShape's last dimension ${last} is not a multiple of frameStack ${k}`);
    this.frameChannels = last / k;
    this.obsSize = this.obsShape.reduce((a, b) => a * b, 1);
    this.frameSize = this.obsSize / k;
  }

  /** Real bytes this buffer will hold when full, for a given capacity (used to fit memory budgets). */
  static bytesAtCapacity(opts: ImageReplayOptions): number {
    const k = opts.frameStack;
    const R = opts.capacity + k - 1;
    const frame = opts.obsShape.reduce((a, b) => a * b, 1) / k;
    const bytesPer = opts.dtype === 'float32' ? 4 : 1;
    const actionDim = opts.action.discrete ? 1 : opts.action.dim;
    const tree = opts.prioritized ? SumTree.bytesFor(R) : 0;
    return R * (frame * bytesPer + 4 * actionDim + 5) + tree + frame * k * bytesPer; // + one scratch stack
  }

  protected allocPayload(slots: number): Frames {
    return this.dtype === 'uint8' ? new Uint8Array(slots * this.frameSize) : new Float32Array(slots * this.frameSize);
  }

  protected payloadBytes(p: Frames): number {
    return p.byteLength;
  }

  protected extraBytes(): number {
    return this.scratch ? this.scratch.byteLength : 0;
  }

  protected payloadArrays(p: Frames): Record<string, StateArray> {
    return { frames: p };
  }

  release(): void {
    super.release();
    this.scratch = null;
  }

  /** The scratch stack is allocated lazily; a restored buffer allocates it too, so its byte count is the same. */
  protected extraState(): ReplayState {
    return { meta: { scratch: this.scratch !== null }, arrays: {} };
  }

  protected loadExtraState(state: ReplayState): void {
    if (state.meta.scratch && !this.scratch)
      this.scratch = this.dtype === 'uint8' ? new Uint8Array(this.obsSize) : new Float32Array(this.obsSize);
  }

  /** The paper's accounting: C·P bytes, P = one frame. */
  paperBytes(): number {
    return this.capacity * this.frameSize * (this.dtype === 'uint8' ? 1 : 4);
  }

  add(t: Transition): void {
    this.checkObs(t.obs, 'obs');
    this.checkObs(t.nextObs, 'nextObs');
    if (!(this.open && this.sameAsNewest(t.obs))) this.startEpisode(t.obs);
    this.setStep(t.action, t.reward, t.terminated, t.truncated);
    this.writeFrame(this.pushSlot(0), t.nextObs, this.frameStack - 1);
    this.open = !(t.terminated || t.truncated);
  }

  sample(batchSize: number): Batch {
    const rows = this.sampleRows(batchSize);
    return { ...rows.batch, obs: this.stacksAt(rows.obsSlot), nextObs: this.stacksAt(rows.bootSlot) };
  }

  /** Rebuilt stacked observations for logical slots, [n, ...obsShape]. */
  stacksAt(logical: ArrayLike<number>): Frames {
    const n = logical.length;
    if (this.dtype === 'uint8' && this.frameStack > 1) {
      const stack = nativeStackFrames();
      if (stack) return this.stacksNative(logical, stack);
    }
    const out = this.dtype === 'uint8' ? new Uint8Array(n * this.obsSize) : new Float32Array(n * this.obsSize);
    for (let b = 0; b < n; b++) this.stackInto(logical[b], out, b * this.obsSize);
    return out;
  }

  /** stacksAt in one native call: the frames of every stack located here, copied there (the same bytes). */
  private stacksNative(logical: ArrayLike<number>, stack: StackFrames): Uint8Array {
    const n = logical.length;
    const k = this.frameStack;
    const payloads: Uint8Array[] = [];
    const index = new Map<Frames, number>();
    const refs = new Float64Array(2 * n * k);
    const srcs: Frames[] = new Array(k);
    const offs: number[] = new Array(k);
    for (let b = 0; b < n; b++) {
      this.locateFrames(logical[b], srcs, offs);
      for (let j = 0; j < k; j++) {
        let p = index.get(srcs[j]);
        if (p === undefined) {
          p = payloads.push(srcs[j] as Uint8Array) - 1;
          index.set(srcs[j], p);
        }
        refs[2 * (b * k + j)] = p;
        refs[2 * (b * k + j) + 1] = offs[j];
      }
    }
    // Every byte is written by `stack`, so the buffer is not zeroed first (a plain Uint8Array over it, not a Buffer).
    const out = new Uint8Array(Buffer.allocUnsafeSlow(n * this.obsSize).buffer, 0, n * this.obsSize);
    stack(out, payloads, refs, this.frameSize / this.frameChannels, this.frameChannels, k);
    return out;
  }

  /** The k frames of the stack ending at `logical`: payload arrays and element offsets, oldest first. */
  private locateFrames(logical: number, srcs: Frames[], offs: number[]): void {
    let L = logical;
    for (let j = this.frameStack - 1; j >= 0; j--) {
      const { payload, offset: o } = this.payloadAt(L);
      srcs[j] = payload;
      offs[j] = o * this.frameSize;
      if (j > 0 && !(this.flagsAt(L) & START)) L--; // at an episode start the first frame repeats
    }
  }

  /** Writes the stack ending at `logical` into `out` at `offset`. */
  stackInto(logical: number, out: Frames, offset: number): void {
    const k = this.frameStack;
    const C = this.frameChannels;
    const srcs: Frames[] = new Array(k);
    const offs: number[] = new Array(k);
    this.locateFrames(logical, srcs, offs);
    if (k === 1) {
      out.set(srcs[0].subarray(offs[0], offs[0] + this.frameSize), offset);
      return;
    }
    const pixels = this.frameSize / C;
    if (out instanceof Uint8Array) interleaveU8(out, offset, srcs as Uint8Array[], offs, pixels, C, k);
    else interleaveF32(out, offset, srcs as Float32Array[], offs, pixels, C, k);
  }

  /** The newest stored observation as a stack (for continuity checks after a switch). */
  newestStack(): Frames | null {
    if (this.written === 0) return null;
    return this.stacksAt([this.written - 1]);
  }

  private checkObs(o: Transition['obs'], name: string): void {
    const want = this.dtype === 'uint8' ? Uint8Array : Float32Array;
    if (!(o instanceof want) || o.length !== this.obsSize) {
      throw new Error(
        `ImageReplay.add: ${name} must be a ${want.name} of length ${this.obsSize} ([${this.obsShape}]), got ${o?.constructor?.name} of length ${o?.length}`,
      );
    }
  }

  private startEpisode(obs: Frames): void {
    const k = this.frameStack;
    let repeated = true;
    for (let j = 0; j < k - 1 && repeated; j++) repeated = this.frameEquals(obs, j, obs, k - 1);
    if (repeated) {
      this.writeFrame(this.pushSlot(START), obs, k - 1);
    } else {
      for (let j = 0; j < k; j++) this.writeFrame(this.pushSlot(j === 0 ? START : 0), obs, j);
    }
  }

  /** Whether `obs` is exactly the newest stored stack (the whole stack, so a reset that happens to repeat the
   *  last frame is still seen as a new episode). */
  private sameAsNewest(obs: Frames): boolean {
    if (!this.scratch)
      this.scratch = this.dtype === 'uint8' ? new Uint8Array(this.obsSize) : new Float32Array(this.obsSize);
    this.stackInto(this.written - 1, this.scratch, 0);
    const s = this.scratch;
    for (let i = 0; i < s.length; i++) if (s[i] !== obs[i]) return false;
    return true;
  }

  private frameEquals(a: Frames, ja: number, b: Frames, jb: number): boolean {
    const C = this.frameChannels;
    const stride = C * this.frameStack;
    const pixels = this.frameSize / C;
    for (let i = 0; i < pixels; i++) {
      for (let c = 0; c < C; c++) if (a[i * stride + ja * C + c] !== b[i * stride + jb * C + c]) return false;
    }
    return true;
  }

  /** Copies frame j of a stacked observation into slot `logical`. */
  private writeFrame(logical: number, obs: Frames, j: number): void {
    const { payload, offset } = this.payloadAt(logical);
    const C = this.frameChannels;
    const k = this.frameStack;
    const base = offset * this.frameSize;
    if (k === 1) {
      payload.set(obs, base);
      return;
    }
    const pixels = this.frameSize / C;
    for (let i = 0, d = base; i < pixels; i++) for (let c = 0; c < C; c++, d++) payload[d] = obs[i * C * k + j * C + c];
  }

  // ---- used by the switch to latent replay -------------------------------------------------------------

  /** Logical range [lo, hi) of stored observations that are still sampleable or are the newest one. */
  storedRange(): [number, number] {
    return this.window();
  }

  /** Whether the newest observation may be continued by the next transition. */
  get isOpen(): boolean {
    return this.open;
  }

  metaAt(logical: number): ReturnType<StepRing<Frames>['slotMeta']> {
    return this.slotMeta(logical);
  }

  /** Releases chunks no longer needed once slots before `logical` are encoded (keeps k−1 of history). */
  releaseBefore(logical: number): void {
    this.releaseChunksBefore(logical - (this.frameStack - 1));
  }
}

/**
 * The largest capacity C whose real allocation (frames, history, metadata, sum tree) fits `memoryBudget`;
 * `minCapacity` (the batch size) guards against a budget too small to train from.
 */
export function imageCapacityForBudget(
  opts: Omit<ImageReplayOptions, 'capacity'>,
  memoryBudget: string | number,
  minCapacity = 1,
): number {
  const budget = parseMemoryBudget(memoryBudget);
  return fitCapacity(budget, (c) => ImageReplay.bytesAtCapacity({ ...opts, capacity: c }), minCapacity, 'image replay');
}

/** An ImageReplay sized by imageCapacityForBudget. */
export function imageReplayForBudget(
  opts: Omit<ImageReplayOptions, 'capacity'>,
  memoryBudget: string | number,
  minCapacity = 1,
): ImageReplay {
  return new ImageReplay({ ...opts, capacity: imageCapacityForBudget(opts, memoryBudget, minCapacity) });
}

/** out[i] = bytes (f0[i], f1[i], f2[i], f3[i]) on a little-endian machine (int32 stores, no byte-wise writes). */
function stack4(out: Int32Array, f0: Uint8Array, f1: Uint8Array, f2: Uint8Array, f3: Uint8Array): void {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = f0[i] | (f1[i] << 8) | (f2[i] << 16) | (f3[i] << 24);
}

/**
 * stack4 reading each frame four pixels at a time (one int32 load per frame per 4 pixels instead of four byte loads;
 * 2.5× faster on a Rainbow batch, issue 21): word w of frame f holds pixels 4w..4w+3 as bytes f0..f3, and output
 * pixel 4w+q is (a_q, b_q, c_q, d_q). Needs 4-byte aligned frames of a multiple of 4 pixels (the caller checks).
 */
function stack4Words(out: Int32Array, f0: Int32Array, f1: Int32Array, f2: Int32Array, f3: Int32Array): void {
  const n = f0.length;
  for (let w = 0, i = 0; w < n; w++, i += 4) {
    const a = f0[w],
      b = f1[w],
      c = f2[w],
      d = f3[w];
    const ab02 = (a & 0x00ff00ff) | ((b & 0x00ff00ff) << 8); // bytes a0 b0 a2 b2
    const ab13 = ((a >>> 8) & 0x00ff00ff) | (b & 0xff00ff00); // a1 b1 a3 b3
    const cd02 = (c & 0x00ff00ff) | ((d & 0x00ff00ff) << 8); // c0 d0 c2 d2
    const cd13 = ((c >>> 8) & 0x00ff00ff) | (d & 0xff00ff00); // c1 d1 c3 d3
    out[i] = (ab02 & 0xffff) | (cd02 << 16);
    out[i + 1] = (ab13 & 0xffff) | (cd13 << 16);
    out[i + 2] = (ab02 >>> 16) | (cd02 & 0xffff0000);
    out[i + 3] = (ab13 >>> 16) | (cd13 & 0xffff0000);
  }
}

/** The native addon's batch stacker (lib/backend/native.ts), when the native backend is active. */
type StackFrames = NativeAddon['stackFrames'];

function nativeStackFrames(): StackFrames | undefined {
  // Loaded lazily: the addon is optional and the replay runs on every backend.
  const native = require('../backend/native') as typeof import('../backend/native');
  return native.nativeStackFrames();
}

const aligned4 = (a: Uint8Array, off: number) => (a.byteOffset + off) % 4 === 0;

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Writes k frames [pixels, C] into one stack [pixels, C·k]. Two monomorphic copies (uint8 / float32): a loop over
 * a union-typed array is several times slower in V8, and this is the hot path of every image update.
 */
function interleaveU8(
  out: Uint8Array,
  offset: number,
  srcs: Uint8Array[],
  offs: number[],
  pixels: number,
  C: number,
  k: number,
): void {
  const stride = C * k;
  if (C === 1 && k === 4 && LITTLE_ENDIAN && (out.byteOffset + offset) % 4 === 0) {
    // Atari-style stacks (4 grey frames): one 32-bit store per pixel instead of four byte stores.
    const out32 = new Int32Array(out.buffer, out.byteOffset + offset, pixels);
    if (pixels % 4 === 0 && srcs.every((f, j) => aligned4(f, offs[j]))) {
      const words = (j: number) => new Int32Array(srcs[j].buffer, srcs[j].byteOffset + offs[j], pixels / 4);
      stack4Words(out32, words(0), words(1), words(2), words(3));
      return;
    }
    stack4(
      out32,
      srcs[0].subarray(offs[0], offs[0] + pixels),
      srcs[1].subarray(offs[1], offs[1] + pixels),
      srcs[2].subarray(offs[2], offs[2] + pixels),
      srcs[3].subarray(offs[3], offs[3] + pixels),
    );
    return;
  }
  for (let j = 0; j < k; j++) {
    const src = srcs[j];
    let s = offs[j];
    let d = offset + j * C;
    if (C === 1) for (let i = 0; i < pixels; i++, d += stride) out[d] = src[s++];
    else if (C === 3) {
      for (let i = 0; i < pixels; i++, d += stride, s += 3) {
        out[d] = src[s];
        out[d + 1] = src[s + 1];
        out[d + 2] = src[s + 2];
      }
    } else for (let i = 0; i < pixels; i++, d += stride) for (let c = 0; c < C; c++) out[d + c] = src[s++];
  }
}

function interleaveF32(
  out: Float32Array,
  offset: number,
  srcs: Float32Array[],
  offs: number[],
  pixels: number,
  C: number,
  k: number,
): void {
  const stride = C * k;
  for (let j = 0; j < k; j++) {
    const src = srcs[j];
    let s = offs[j];
    let d = offset + j * C;
    for (let i = 0; i < pixels; i++, d += stride) for (let c = 0; c < C; c++) out[d + c] = src[s++];
  }
}
