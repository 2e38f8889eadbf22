/**
 * One writer per run directory. A process that writes a run (its log, checkpoints, manifest) first takes the
 * directory's `LOCK` file: created atomically and exclusively (a complete temporary file hard-linked to the name,
 * which fails with EEXIST when the name is taken — the O_EXCL guarantee, without a moment where the lock exists
 * but is empty), holding the owner's pid, host and start time. A second process is refused with a message naming
 * them. A lock left by a process that died (SIGKILL, power loss) on this host is stale: the next process takes it
 * over and says so. A lock from another host cannot be checked and is never taken over.
 *
 *   const lock = acquireRunLock(dir);   // throws RunLockedError when another live process holds it
 *   try { … } finally { lock.release(); }
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const LOCK_FILE = 'LOCK';

export interface LockOwner {
  pid: number;
  host: string;
  /** When the lock was taken (ISO time). */
  since: string;
  /** The process's start time in clock ticks since boot (Linux), to tell a reused pid from the owner. */
  pidStart?: number;
  /** The owner's command line, for the message a second process gets. */
  command?: string;
  /** Random per lock: release() removes the file only while it is still this lock. */
  token: string;
}

export interface RunLock {
  file: string;
  owner: LockOwner;
  /** The stale lock this one replaced, when it replaced one. */
  tookOver?: LockOwner;
  /** Removes the lock (when it is still ours); safe to call twice. */
  release(): void;
}

export class RunLockedError extends Error {
  constructor(
    readonly file: string,
    readonly holder: LockOwner,
    why: string,
  ) {
    super(`${path.dirname(file)} is in use: ${why}. One process at a time writes a run directory`);
    this.name = 'RunLockedError';
  }
}

/** Start time of process `pid` in clock ticks since boot (field 22 of /proc/<pid>/stat), where /proc has it. */
function processStart(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // the name in parentheses may hold spaces
    const start = Number(fields[19]);
    return Number.isFinite(start) ? start : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the lock's owner is certainly gone: same host, and no process with its pid (or a newer one reusing it). */
function ownerIsDead(owner: LockOwner): boolean {
  if (owner.host !== os.hostname()) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH'; // EPERM: it exists, under another user
  }
  const start = processStart(owner.pid);
  return owner.pidStart !== undefined && start !== undefined && start !== owner.pidStart;
}

/** The lock's owner, or undefined when the directory is not locked. Throws, naming the file, on a damaged lock. */
export function readRunLock(dir: string): LockOwner | undefined {
  const file = path.join(dir, LOCK_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const owner = JSON.parse(text) as LockOwner;
    if (Number.isInteger(owner.pid) && typeof owner.host === 'string' && typeof owner.token === 'string') return owner;
  } catch {
    // reported below
  }
  const shown = JSON.stringify(text.slice(0, 80));
  throw new Error(`${file} is not a lock this program wrote (${shown}); if no process is writing ${dir}, delete it`);
}

/** Creates `file` holding `text`, atomically; false when it exists already. */
function createExclusive(file: string, text: string): boolean {
  const tmp = `${file}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  fs.writeFileSync(tmp, text);
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** "process 123 on host h since … (command)", for messages. */
export function describeLockOwner(o: LockOwner): string {
  return `process ${o.pid} on host ${o.host} since ${o.since}${o.command ? ` (${o.command})` : ''}`;
}

/**
 * Takes the lock of run directory `dir` (created when missing) for this process. A stale lock (its process is gone,
 * on this host) is replaced and reported in `tookOver`; a live one throws RunLockedError naming its pid and host.
 */
export function acquireRunLock(dir: string, opts: { command?: string } = {}): RunLock {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, LOCK_FILE);
  const owner: LockOwner = {
    pid: process.pid,
    host: os.hostname(),
    since: new Date().toISOString(),
    pidStart: processStart(process.pid),
    command: opts.command ?? process.argv.slice(1).join(' '),
    token: crypto.randomBytes(8).toString('hex'),
  };
  const text = JSON.stringify(owner);
  let tookOver: LockOwner | undefined;
  for (let attempt = 0; ; attempt++) {
    if (createExclusive(file, text)) break;
    const holder = readRunLock(dir);
    if (!holder) continue; // released between our try and the read
    if (holder.pid === process.pid && holder.host === owner.host) {
      throw new RunLockedError(file, holder, `this process already writes it (${describeLockOwner(holder)})`);
    }
    if (!ownerIsDead(holder)) {
      const where =
        holder.host === owner.host
          ? 'still running'
          : `on another host, so it cannot be checked from here; if it is no longer running, delete ${file}`;
      throw new RunLockedError(file, holder, `${describeLockOwner(holder)} holds its lock (${where})`);
    }
    if (attempt >= 200) {
      throw new RunLockedError(file, holder, `its stale lock (${describeLockOwner(holder)}) could not be taken over`);
    }
    if (removeStale(file, holder)) tookOver = holder;
  }
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.removeListener('exit', release);
    try {
      if (readRunLock(dir)?.token === owner.token) fs.rmSync(file, { force: true });
    } catch {
      // a damaged lock is not ours to delete
    }
  };
  process.on('exit', release); // a normal exit, or process.exit() from a signal handler, releases it too
  return { file, owner, tookOver, release };
}

/** Blocks this thread for `ms` milliseconds (the lock is taken synchronously, before any work starts). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Removes a stale lock unless another process replaced it meanwhile. Two processes may find the same stale lock;
 * only the one holding `LOCK.takeover` (created exclusively, like the lock) may remove it, after reading it again,
 * so a lock that a faster process has just taken is never removed. Returns false when another process is taking
 * over right now (the caller tries again).
 */
function removeStale(file: string, stale: LockOwner): boolean {
  const mutex = `${file}.takeover`;
  const me: LockOwner = {
    pid: process.pid,
    host: os.hostname(),
    since: new Date().toISOString(),
    pidStart: processStart(process.pid),
    token: crypto.randomBytes(8).toString('hex'),
  };
  if (!createExclusive(mutex, JSON.stringify(me))) {
    let other: LockOwner | undefined;
    try {
      other = JSON.parse(fs.readFileSync(mutex, 'utf8')) as LockOwner;
    } catch {
      other = undefined; // gone meanwhile, or being written
    }
    // A takeover takes microseconds; one whose process died in it is cleared.
    if (other && ownerIsDead(other)) fs.rmSync(mutex, { force: true });
    else pause(5);
    return false;
  }
  try {
    const now = readRunLock(path.dirname(file));
    if (now?.token === stale.token) fs.rmSync(file, { force: true });
  } finally {
    fs.rmSync(mutex, { force: true });
  }
  return true;
}
