/**
 * One writer per run directory (lib/run/lock.ts): a live holder refuses a second process, naming its pid and
 * host; a stale lock of a dead process on this host is taken over and said so; two `seer run --resume` started on
 * one directory leave one run's log, not a mix of two.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { acquireRunLock, LOCK_FILE, readRunLock, RunLockedError } from '../../lib/run/lock';
import { runExperiment } from '../../lib/run/train';
import { readLog } from '../../lib/run/log';
import { tmpDir } from '../tmp';

const tmp = tmpDir('seer-lock-');
const smoke = { env: 'minatar/breakout', scale: 'smoke' } as const;

/** The pid of a process that has exited (so no process has it, until the system reuses it). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

function writeLock(dir: string, owner: Record<string, unknown>): void {
  fs.mkdirSync(dir, { recursive: true });
  const lock = { since: '2026-01-01T00:00:00.000Z', token: 'old', ...owner };
  fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify(lock));
}

/** console.error lines written while `fn` runs. */
async function stderrOf(fn: () => Promise<unknown>): Promise<string[]> {
  const said: string[] = [];
  const saved = console.error;
  console.error = (...a: unknown[]) => said.push(a.join(' '));
  try {
    await fn();
  } finally {
    console.error = saved;
  }
  return said;
}

test('the lock holds pid and host; a second taker is refused, naming them; release frees it', () => {
  const dir = path.join(tmp, 'unit');
  const lock = acquireRunLock(dir);
  const owner = readRunLock(dir)!;
  assert.equal(owner.pid, process.pid);
  assert.equal(owner.host, os.hostname());
  const named = `process ${process.pid} on host ${os.hostname()}`;
  assert.throws(
    () => acquireRunLock(dir),
    (err: Error) => err instanceof RunLockedError && err.message.includes(named),
  );
  lock.release();
  assert.equal(readRunLock(dir), undefined);
  acquireRunLock(dir).release();
});

test('a live process holding the lock refuses a run; its directory is left as it was', async () => {
  const dir = path.join(tmp, 'live');
  const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
  try {
    writeLock(dir, { pid: holder.pid, host: os.hostname() });
    const named = new RegExp(`in use: process ${holder.pid} on host ${os.hostname()}.*still running`);
    await assert.rejects(runExperiment(smoke, { out: dir }), named);
    assert.deepEqual(fs.readdirSync(dir), [LOCK_FILE]);
  } finally {
    holder.kill('SIGKILL');
  }
  // A lock from another host cannot be checked from here: refused too, never taken over.
  const far = path.join(tmp, 'far');
  writeLock(far, { pid: 4242, host: 'another-host.example' });
  assert.throws(() => acquireRunLock(far), /process 4242 on host another-host\.example .*another host.*delete/);
});

test('a stale lock of a dead process is taken over, on stderr and in the log', async () => {
  const dir = path.join(tmp, 'stale');
  const dead = deadPid();
  writeLock(dir, { pid: dead, host: os.hostname() });
  const said = await stderrOf(() => runExperiment(smoke, { out: dir, resume: true }));
  assert.ok(
    said.some((l) => l.includes(`took over the lock left by process ${dead}`)),
    said.join('\n'),
  );
  const note = readLog(path.join(dir, 'log.jsonl')).find((r) => r.type === 'resume');
  assert.deepEqual((note?.tookOverLockOf as { pid: number }).pid, dead);
  assert.equal(fs.existsSync(path.join(dir, LOCK_FILE)), false, 'released at the end');
});

test('two `seer run --resume` on one directory: the second is refused, the log is one run', async () => {
  const dir = path.join(tmp, 'twice');
  const cfg = { ...smoke, steps: 400 };
  const ref = path.join(tmp, 'twice-ref');
  await runExperiment(cfg, { out: ref });
  const cli = path.join(__dirname, '..', '..', 'bin', 'seer.js');
  const args = [cli, 'run', '--env', smoke.env, '--scale', 'smoke', '--set', 'steps=400', '--out', dir, '--resume'];
  const start = () => {
    const env = { ...process.env, SEER_QUIET: '1' };
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    return new Promise<{ code: number | null; err: string }>((r) => child.on('exit', (code) => r({ code, err })));
  };
  const first = start();
  // The second starts once the first is writing (it holds the lock for the several seconds of its run).
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (fs.existsSync(path.join(dir, 'log.jsonl')) && readLog(path.join(dir, 'log.jsonl')).length >= 2) {
        clearInterval(poll);
        resolve();
      }
    }, 10);
  });
  const second = await start();
  assert.equal(second.code, 1);
  assert.match(second.err, /is in use: process \d+ on host .* holds its lock \(still running\)/);
  assert.equal((await first).code, 0);
  const comparable = (d: string) =>
    readLog(path.join(d, 'log.jsonl')).map((r) => JSON.stringify({ ...r, wallSeconds: 0 }));
  assert.deepEqual(comparable(dir), comparable(ref));
});
