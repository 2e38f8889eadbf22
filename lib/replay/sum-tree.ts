/**
 * A sum tree over `size` leaves for proportional prioritized replay (Schaul et al. 2016): O(log n) update and
 * prefix-sum search. Float64 so sums over ~10^6 leaves keep their precision.
 */
export class SumTree {
  readonly size: number;
  /** Leaves start at `base`; node i has children 2i and 2i+1; node 1 is the root. */
  private readonly base: number;
  private readonly nodes: Float64Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`SumTree size must be an integer ≥ 1, got ${size}`);
    this.size = size;
    let base = 1;
    while (base < size) base *= 2;
    this.base = base;
    this.nodes = new Float64Array(2 * base);
  }

  static bytesFor(size: number): number {
    let base = 1;
    while (base < size) base *= 2;
    return 2 * base * 8;
  }

  get bytes(): number {
    return this.nodes.byteLength;
  }

  get total(): number {
    return this.nodes[1];
  }

  get(leaf: number): number {
    return this.nodes[this.base + leaf];
  }

  set(leaf: number, value: number): void {
    if (!(value >= 0) || !Number.isFinite(value)) throw new Error(`Priority must be finite and ≥ 0, got ${value}`);
    let i = this.base + leaf;
    this.nodes[i] = value;
    for (i >>= 1; i >= 1; i >>= 1) this.nodes[i] = this.nodes[2 * i] + this.nodes[2 * i + 1];
  }

  /** The leaf whose cumulative range contains `u` (0 ≤ u < total); never a zero-priority leaf when total > 0. */
  find(u: number): number {
    let i = 1;
    while (i < this.base) {
      const left = this.nodes[2 * i];
      if (u < left || this.nodes[2 * i + 1] <= 0) i = 2 * i;
      else {
        u -= left;
        i = 2 * i + 1;
      }
    }
    // Rounding can land on an empty leaf at a boundary: step to the nearest non-empty one.
    let leaf = i - this.base;
    if (this.nodes[i] <= 0) {
      for (let d = 1; d < this.base; d++) {
        if (leaf - d >= 0 && this.nodes[this.base + leaf - d] > 0) return leaf - d;
        if (leaf + d < this.size && this.nodes[this.base + leaf + d] > 0) return leaf + d;
      }
    }
    return leaf;
  }
}
