/**
 * How the native backend's OpenMP threads wait between kernels (libgomp's wait policy), chosen once, when the addon
 * loads libgomp, which reads OMP_WAIT_POLICY and GOMP_SPINCOUNT then. It changes timing only: every kernel splits
 * its work by the team's size, never by how idle threads wait, so results are the same under every policy (the
 * thread count, SEER_NATIVE_THREADS, is what fixes a run's arithmetic).
 *
 * Measured on a 2-vCPU AMD EPYC, 2026-12-07 (a Rainbow update, B = 32, two threads; medians of 300 warm updates,
 * the configurations alternated in one window, `.prof/rb.ts`; issue 21):
 *
 * | policy                              | idle machine   | another process busy on the other core |
 * |-------------------------------------|----------------|----------------------------------------|
 * | passive (sleep at once)             | 12.4–13.6 ms   | 20.0–20.2 ms                           |
 * | spin 1,000 rounds, then sleep       | 12.0–12.2 ms   | 23.9 ms                                |
 * | spin 3,000 rounds, then sleep       | 10.3–10.8 ms   | 28.0–32.3 ms                           |
 * | spin 20,000 rounds, then sleep      | 10.1 ms        | 58.9–64.5 ms                           |
 * | one thread (no team)                | 13.1–13.4 ms   | 14.7–16.7 ms                           |
 *
 * Between a Rainbow update's ~170 kernels the JS side runs for ~10 µs; a passive worker goes to sleep in each gap
 * and is woken by a futex at the next parallel region. Spinning briefly keeps it awake across the gaps (PyTorch's
 * libgomp spins 300,000 rounds by default), but beside a busy process a spinning worker takes the core the other
 * process needs and the team waits for it. So: a team spins `SPIN_ROUNDS` when the cores it needs were idle when
 * it started, and waits passively otherwise. A run that starts alone and is joined later by a busy process is then
 * slower than a passive one (the table's right column); OMP_WAIT_POLICY=passive chooses passive for good, and
 * `seer section`/sweeps run their lanes at one thread, where no policy applies.
 */
import { readFileSync } from 'fs';
import * as os from 'os';

/** libgomp's spin rounds before a waiting thread sleeps, when spinning: the knee of the table above. */
export const SPIN_ROUNDS = 3000;

/** At most this much of a core may be busy elsewhere for the team to count its cores as idle. */
export const IDLE_SLACK = 0.25;

export interface WaitPolicy {
  /** 'spin' (SPIN_ROUNDS, then sleep), 'passive', or 'environment' (OMP_WAIT_POLICY/GOMP_SPINCOUNT were set). */
  policy: 'spin' | 'passive' | 'environment';
  /** Why, in words (for manifests and benchmark output). */
  reason: string;
}

/**
 * The policy for a team of `threads` on `cores` cores when `busyCores` cores' worth of CPU time was used by other
 * processes just before (undefined: unknown).
 */
export function chooseWaitPolicy(threads: number, cores: number, busyCores: number | undefined): WaitPolicy {
  if (threads < 2) return { policy: 'passive', reason: 'one thread: no team to keep awake' };
  if (busyCores === undefined) return { policy: 'passive', reason: 'machine load unknown' };
  const busy = busyCores.toFixed(2);
  if (busyCores + threads <= cores + IDLE_SLACK) {
    return { policy: 'spin', reason: `${threads} threads, ${busy} of ${cores} cores busy elsewhere at start` };
  }
  return { policy: 'passive', reason: `${threads} threads but ${busy} of ${cores} cores busy elsewhere at start` };
}

/** CPU jiffies of the whole machine, from /proc/stat's first line (undefined off Linux). */
function cpuJiffies(): { busy: number; total: number } | undefined {
  let line: string;
  try {
    line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
  } catch {
    return undefined;
  }
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  if (!line.startsWith('cpu ') || v.length < 5 || v.some((x) => !Number.isFinite(x))) return undefined;
  const total = v.reduce((a, b) => a + b, 0);
  return { busy: total - v[3] - v[4], total }; // idle and iowait are fields 4 and 5
}

/**
 * Cores' worth of CPU time used during the next `ms` milliseconds, this process sleeping meanwhile; from
 * /proc/stat on Linux, else undefined.
 */
export function busyCoresNow(ms = 100): number | undefined {
  const a = cpuJiffies();
  if (!a) return undefined;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  const b = cpuJiffies();
  if (!b || b.total <= a.total) return undefined;
  return ((b.busy - a.busy) / (b.total - a.total)) * os.cpus().length;
}

/**
 * Chooses the policy for a team of `threads` and sets the environment libgomp will read; returns the choice and a
 * `restore` to call once libgomp is loaded, so child processes choose for themselves. The user's OMP_WAIT_POLICY or
 * GOMP_SPINCOUNT, when set, is left as it is.
 */
export function applyWaitPolicy(
  threads: number,
  env: NodeJS.ProcessEnv = process.env,
  measure: () => number | undefined = busyCoresNow,
): { choice: WaitPolicy; restore: () => void } {
  if (env.OMP_WAIT_POLICY !== undefined || env.GOMP_SPINCOUNT !== undefined) {
    const set = ['OMP_WAIT_POLICY', 'GOMP_SPINCOUNT'].filter((k) => env[k] !== undefined).map((k) => `${k}=${env[k]}`);
    return { choice: { policy: 'environment', reason: set.join(' ') }, restore: () => {} };
  }
  const choice = chooseWaitPolicy(threads, os.availableParallelism(), threads < 2 ? undefined : measure());
  if (choice.policy === 'spin') env.GOMP_SPINCOUNT = String(SPIN_ROUNDS);
  else env.OMP_WAIT_POLICY = 'passive';
  return {
    choice,
    restore: () => {
      delete env.GOMP_SPINCOUNT;
      delete env.OMP_WAIT_POLICY;
    },
  };
}
