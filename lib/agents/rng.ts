/**
 * The agents' own seeded random numbers (crop offsets, exploration noise, noisy-net ε, SAC's
 * reparameterisation noise). Drawn in JS rather than with tf.random* so that a run is reproducible on
 * every backend and the state fits in a checkpoint (two integers).
 */

export interface RngState {
  s: number;
  spare: number | null;
}

export class Rng {
  private s: number;
  private spare: number | null = null;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`seed must be a finite number, got ${seed}`);
    this.s = (Math.floor(seed) ^ 0x2545f491) >>> 0;
  }

  /** mulberry32: uniform in [0, 1). */
  uniform(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box–Muller, the second value kept for the next call). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  normals(n: number): Float32Array {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = this.normal();
    return a;
  }

  getState(): RngState {
    return { s: this.s, spare: this.spare };
  }

  setState(st: RngState): void {
    this.s = st.s >>> 0;
    this.spare = st.spare;
  }
}
