/** Shared by the queue tests: `seer` processes (workers, enqueues), waiting on conditions, comparable logs. */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { readLog } from '../../lib/run/log';

export const SEER = path.join(__dirname, '..', '..', 'bin', 'seer.js');

/** Short lock and check periods, so that a dead worker's job is taken again within seconds. */
export const FAST_QUEUE_ENV = {
  SEER_QUEUE_LOCK_MS: '2000',
  SEER_QUEUE_STALLED_MS: '1000',
  SEER_QUEUE_PROGRESS_MS: '200',
  SEER_QUEUE_RECHECK_MS: '500',
};

export interface SeerProcess {
  proc: ChildProcess;
  /** Everything it wrote to stderr so far. */
  err: () => string;
  exited: Promise<number>;
}

export function seer(args: string[], env: Record<string, string>): SeerProcess {
  const proc = spawn(process.execPath, [SEER, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SEER_QUIET: '1', ...env },
  });
  let err = '';
  proc.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  proc.stdout!.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<number>((resolve) =>
    proc.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))),
  );
  return { proc, err: () => err, exited };
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 90_000,
  everyMs = 20,
): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A run's log without wall-clock times and the records that only say how it was made (resume, fork). */
export function comparable(dir: string): string[] {
  return readLog(path.join(dir, 'log.jsonl'))
    .filter((r) => r.type !== 'resume' && r.type !== 'fork')
    .map((r) => JSON.stringify({ ...r, wallSeconds: 0 }));
}
