/**
 * Memory budgets: parsing '0.03GB' and fitting a buffer's capacity to the bytes it really allocates.
 * Units are decimal like the paper's (C = 1,000 frames of 3·100·100 bytes = 0.03 GB); KiB/MiB/GiB are binary.
 */
const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

const ACCEPTED =
  "a positive number of bytes (30000000) or a string like '30000000', '512KB', '30MB', '0.03GB', '64MiB', '1GiB' (KB/MB/GB are powers of 1000, KiB/MiB/GiB powers of 1024)";

/** Bytes in a memory budget given as a number of bytes or a string with a unit. */
export function parseMemoryBudget(budget: string | number): number {
  let bytes: number;
  if (typeof budget === 'number') {
    bytes = budget;
  } else if (typeof budget === 'string') {
    const m = /^\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*([a-z]*)\s*$/i.exec(budget);
    const unit = m ? (m[2] || 'b').toLowerCase() : '';
    if (!m || !(unit in UNITS)) throw new Error(`Memory budget '${budget}' is not understood: use ${ACCEPTED}`);
    bytes = Number(m[1]) * UNITS[unit];
  } else {
    throw new Error(`Memory budget must be ${ACCEPTED}; got ${typeof budget}`);
  }
  if (!Number.isFinite(bytes) || bytes <= 0)
    throw new Error(`Memory budget must be positive: got ${String(budget)}; use ${ACCEPTED}`);
  return Math.floor(bytes);
}

/**
 * The largest capacity whose real allocation `bytesAt(capacity)` fits in `budget` bytes (bytesAt must grow with
 * capacity). Throws if it cannot hold `minCapacity` transitions (e.g. one batch), naming both numbers.
 */
export function fitCapacity(
  budget: number,
  bytesAt: (capacity: number) => number,
  minCapacity = 1,
  what = 'replay buffer',
): number {
  const largest = (from: number): number => {
    let lo = from; // bytesAt(lo) ≤ budget
    let hi = Math.max(1, from);
    while (bytesAt(hi) <= budget) {
      lo = hi;
      hi *= 2;
    }
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (bytesAt(mid) <= budget) lo = mid;
      else hi = mid;
    }
    return lo;
  };
  if (bytesAt(minCapacity) > budget) {
    const fits = bytesAt(1) <= budget ? largest(1) : 0;
    throw new Error(
      `Memory budget of ${budget} bytes is too small for the ${what}: ${minCapacity} transitions (one batch) need ${bytesAt(minCapacity)} bytes; it holds ${fits}`,
    );
  }
  return largest(minCapacity);
}
