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
