/**
 * A sandboxed run dies with its worker. BullMQ forks one child process per running job; when the worker is
 * SIGKILLed the child lives on (re-parented), and a training loop that rarely yields to the event loop would not
 * notice its IPC channel closing. Another worker then resumes the stalled job from its last checkpoint, and two
 * processes would write one run directory. A small thread, which runs whatever the main thread is doing, checks
 * the parent pid twice a second and SIGKILLs this process once it changes: the run stops like its worker did, and
 * a run killed at any moment resumes to the same log (test/run/resume.test.ts).
 */
import { Worker } from 'worker_threads';

const WATCHDOG = `
const { workerData } = require('worker_threads');
setInterval(() => {
  if (process.ppid !== workerData.ppid) process.kill(workerData.pid, 'SIGKILL');
}, workerData.everyMs);
`;

let started = false;

/** Starts the watchdog once per process (idempotent); it never keeps the process alive. */
export function dieWithParent(everyMs = 500): void {
  if (started || !process.send) return; // only in a forked child with an IPC channel to its worker
  started = true;
  const w = new Worker(WATCHDOG, { eval: true, workerData: { ppid: process.ppid, pid: process.pid, everyMs } });
  w.unref();
}
