/**
 * The workbook's one seedable pseudo-random generator: environment suites, replay sampling (lib/replay/random.ts)
 * and the agents (crops, exploration and SAC noise, noisy-net ε), whose checkpoints save getState().
 *
 * Algorithm: sfc32 (Chris Doty-Humphrey's "small fast chaotic" generator, 128-bit state, passes PractRand),
 * seeded through splitmix32 so that nearby seeds (0, 1, 2, …) give unrelated streams. All arithmetic is
 * 32-bit integer (`| 0`, `>>> 0`, Math.imul), so streams are identical on every platform and Node version.
 * numpy's RandomState streams are not reproduced: only the distributions of the reference code are.
 */
export class Rng {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;
  /** A cached second normal deviate from Box–Muller. */
  private spareNormal: number | undefined;

  constructor(seed = 0) {
    this.seed(seed);
  }

  /** Restarts the stream. Any safe integer is accepted (negative and > 2^32 seeds are distinct streams). */
  seed(seed: number): void {
    if (!Number.isSafeInteger(seed)) {
      throw new Error(`Rng seed must be a safe integer, got ${String(seed)}`);
    }
    const lo = seed >>> 0; // low 32 bits (two's complement for negatives)
    const hi = Math.floor(seed / 4294967296) >>> 0;
    let s = (lo ^ Math.imul(hi, 0x9e3779b9)) >>> 0;
    const next = (): number => {
      // splitmix32
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      return (z ^ (z >>> 15)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next() ^ hi; // keeps seeds that differ only in the high word apart even if the mix collided
    this.spareNormal = undefined;
    for (let i = 0; i < 12; i++) this.uint32(); // warm-up, as the sfc32 author recommends
  }

  /** A uniform integer in [0, 2^32). */
  uint32(): number {
    const a = this.a;
    const b = this.b;
    const c = this.c;
    const d = this.d;
    const t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = (((c << 21) | (c >>> 11)) + t) | 0;
    return t >>> 0;
  }

  /** A uniform float in [0, 1) with 32 bits of resolution. */
  random(): number {
    return this.uint32() * 2.3283064365386963e-10;
  }

  /** A uniform integer in [0, n). The modulo bias is below n / 2^32, negligible for the small n used here. */
  int(n: number): number {
    return Math.floor(this.random() * n);
  }

  /** A uniform float in [low, high); [0, 1) by default. */
  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.random();
  }

  /** True with probability p. */
  bernoulli(p: number): boolean {
    return this.random() < p;
  }

  /** A normal deviate (Box–Muller, polar-free form; the second deviate is cached). */
  normal(mean = 0, std = 1): number {
    let z: number;
    if (this.spareNormal !== undefined) {
      z = this.spareNormal;
      this.spareNormal = undefined;
    } else {
      const u = (this.uint32() + 0.5) * 2.3283064365386963e-10; // in (0, 1): log is finite
      const v = this.random();
      const r = Math.sqrt(-2 * Math.log(u));
      z = r * Math.cos(2 * Math.PI * v);
      this.spareNormal = r * Math.sin(2 * Math.PI * v);
    }
    return mean + std * z;
  }

  /** n standard normal deviates (e.g. SAC's reparameterisation noise for a batch). */
  normals(n: number): Float32Array {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = this.normal();
    return a;
  }

  /** The full generator state, for checkpoints; restore with setState. */
  getState(): number[] {
    return [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0, this.spareNormal ?? Number.NaN];
  }

  setState(state: readonly number[]): void {
    if (state.length !== 5) throw new Error(`Rng state must have 5 numbers (from getState), got ${state.length}`);
    this.a = state[0] | 0;
    this.b = state[1] | 0;
    this.c = state[2] | 0;
    this.d = state[3] | 0;
    this.spareNormal = Number.isNaN(state[4]) ? undefined : state[4];
  }

  /** An independent copy that continues the same stream. */
  clone(): Rng {
    const r = new Rng(0);
    r.setState(this.getState());
    return r;
  }
}
