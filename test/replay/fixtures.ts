/** A tiny frame-stacking episode stream for replay tests: every frame is distinct and every action unique. */
import type { Transition } from '../../lib/replay/types';
import type { SeerHooks } from '../../lib/agents/types';

export interface StreamSpec {
  H: number;
  W: number;
  C: number;
  k: number;
  /** Steps per episode. */
  lengths: number[];
  /** How each episode ends: terminated, truncated (time limit) or cut without a done flag. */
  ends?: ('terminated' | 'truncated' | 'cut')[];
  /** Episode-start stacks: 'repeat' (our wrapper) or 'zeros' (Kaixhin-style padding). */
  start?: 'repeat' | 'zeros';
  rewards?: (t: number) => number;
}

/** Frame `id` as [H, W, C]: pixel values derived from the id so frames differ. */
export function frame(spec: StreamSpec, id: number): Uint8Array {
  const n = spec.H * spec.W * spec.C;
  const f = new Uint8Array(n);
  for (let i = 0; i < n; i++) f[i] = (id * 7 + i * 31 + 1) & 255;
  return f;
}

export function stack(spec: StreamSpec, frames: Uint8Array[]): Uint8Array {
  const { C, k } = spec;
  const pixels = spec.H * spec.W;
  const out = new Uint8Array(pixels * C * k);
  for (let j = 0; j < k; j++)
    for (let i = 0; i < pixels; i++) for (let c = 0; c < C; c++) out[i * C * k + j * C + c] = frames[j][i * C + c];
  return out;
}

/** Transitions of the stream; action = global transition index. */
export function makeStream(spec: StreamSpec): Transition[] {
  const out: Transition[] = [];
  let frameId = 0;
  spec.lengths.forEach((len, e) => {
    const end = spec.ends?.[e] ?? 'terminated';
    const first = frame(spec, frameId++);
    let frames: Uint8Array[] =
      spec.start === 'zeros'
        ? [...Array(spec.k - 1)].map(() => new Uint8Array(first.length)).concat([first])
        : Array(spec.k).fill(first);
    for (let t = 0; t < len; t++) {
      const obs = stack(spec, frames);
      frames = frames.slice(1).concat([frame(spec, frameId++)]);
      const last = t === len - 1;
      out.push({
        obs,
        action: out.length,
        reward: spec.rewards ? spec.rewards(out.length) : out.length * 0.5,
        nextObs: stack(spec, frames),
        terminated: last && end === 'terminated',
        truncated: last && end === 'truncated',
      });
    }
  });
  return out;
}

/**
 * A deterministic SeerHooks for tests: latent [h, d] of an observation = d = 0: mean pixel, d = 1: head h,
 * d ≥ 2: the crop counter when augmenting (so K copies differ), else 0. Counts everything it encodes.
 */
export class FakeSeerAgent implements SeerHooks {
  frozen = false;
  readonly latentHeads: number;
  readonly latentDim: number;
  readonly obsSize: number;
  encoded = 0;
  calls = 0;
  freezeScope: string | undefined;
  private crop = 0;
  poisoned = false;

  constructor(heads: number, dim: number, obsSize: number) {
    this.latentHeads = heads;
    this.latentDim = dim;
    this.obsSize = obsSize;
  }

  freezeEncoder(options?: { scope?: 'all' | 'convs' }): void {
    this.frozen = true;
    this.freezeScope = options?.scope;
  }

  encodeLatents(obs: Uint8Array, n: number, augment: boolean): Float32Array {
    if (this.poisoned) throw new Error('encoder called while poisoned');
    if (obs.length !== n * this.obsSize) throw new Error(`fake encoder: ${obs.length} bytes for n = ${n}`);
    this.calls++;
    this.encoded += n;
    const z = new Float32Array(n * this.latentHeads * this.latentDim);
    for (let i = 0; i < n; i++) {
      const m = meanOf(obs.subarray(i * this.obsSize, (i + 1) * this.obsSize));
      const crop = augment ? ++this.crop : 0;
      for (let h = 0; h < this.latentHeads; h++) {
        const o = (i * this.latentHeads + h) * this.latentDim;
        z[o] = m;
        if (this.latentDim > 1) z[o + 1] = h;
        for (let d = 2; d < this.latentDim; d++) z[o + d] = crop;
      }
    }
    return z;
  }
}

export function meanOf(a: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}
