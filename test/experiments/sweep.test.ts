/** The sweep runner: one process per job, the cores split between the processes that run at once. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runSweep, type SweepJob } from '../../lib/experiments/sweep';

// A stand-in for `seer run`: records the thread count it was given and marks itself done.
const FAKE_RUN = `const fs = require('fs'); const out = process.argv[process.argv.indexOf('--out') + 1];
fs.writeFileSync(out + '/threads', String(process.env.SEER_NATIVE_THREADS)); fs.writeFileSync(out + '/DONE', '{}');`;

async function threadsOf(parallel: number, jobs: number, env?: string): Promise<string[]> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'seer-sweep-'));
  const list: SweepJob[] = Array.from({ length: jobs }, (_, i) => ({ dir: path.join(root, `j${i}`), args: [] }));
  const saved = process.env.SEER_NATIVE_THREADS;
  if (env === undefined) delete process.env.SEER_NATIVE_THREADS;
  else process.env.SEER_NATIVE_THREADS = env;
  try {
    const { failed } = await runSweep(list, { jobs: parallel, command: [process.execPath, '-e', FAKE_RUN, '--'] });
    assert.deepEqual(failed, []);
  } finally {
    if (saved === undefined) delete process.env.SEER_NATIVE_THREADS;
    else process.env.SEER_NATIVE_THREADS = saved;
  }
  return list.map((j) => fs.readFileSync(path.join(j.dir, 'threads'), 'utf8'));
}

test('parallel runs split the cores; one run gets them all; SEER_NATIVE_THREADS overrides', async () => {
  const cores = os.cpus().length;
  assert.deepEqual(await threadsOf(cores, cores), Array(cores).fill('1'));
  assert.deepEqual(await threadsOf(cores, 1), [String(cores)]);
  assert.deepEqual(await threadsOf(cores, 2, '3'), ['3', '3']);
});

// A stand-in that fails when its directory name starts with 'bad', and records the order runs started in.
const ORDERED_RUN = `const fs = require('fs'); const path = require('path'); const out = process.argv[process.argv.indexOf('--out') + 1];
fs.appendFileSync(path.join(path.dirname(out), 'order'), path.basename(out) + '\\n');
if (path.basename(out).startsWith('bad')) process.exit(3);
setTimeout(() => fs.writeFileSync(out + '/DONE', '{}'), 50);`;

test('a job waits for the runs it needs; a job whose dependency failed fails without running', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'seer-sweep-deps-'));
  const d = (n: string): string => path.join(root, n);
  // Listed dependants first: the queue must still start the baselines before their forks.
  const list: SweepJob[] = [
    { dir: d('fork1'), args: [], after: [d('base1')] },
    { dir: d('fork2'), args: [], after: [d('bad2')] },
    { dir: d('other'), args: [] },
    { dir: d('base1'), args: [] },
    { dir: d('bad2'), args: [] },
    { dir: d('orphan'), args: [], after: [d('never-queued')] },
  ];
  const reasons: string[] = [];
  const { failed } = await runSweep(list, {
    jobs: 2,
    command: [process.execPath, '-e', ORDERED_RUN, '--'],
    onEvent: (e) => e.reason && reasons.push(`${path.basename(e.job.dir)}: ${e.reason}`),
  });
  const order = fs.readFileSync(d('order'), 'utf8').trim().split('\n');
  assert.ok(order.indexOf('base1') < order.indexOf('fork1'), `order: ${order}`);
  assert.ok(!order.includes('fork2') && !order.includes('orphan'), `order: ${order}`);
  assert.deepEqual(failed.map((j) => path.basename(j.dir)).sort(), ['bad2', 'fork2', 'orphan']);
  assert.ok(reasons.some((r) => r.startsWith('orphan: needs') && r.includes('never-queued')), reasons.join('; '));
  assert.ok(fs.existsSync(d('fork1/DONE')) && fs.existsSync(d('other/DONE')));
});
