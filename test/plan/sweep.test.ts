/** The sweep runner: one process per job, the cores split between the processes that run at once. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { runSweep, type SweepJob } from '../../lib/plan/sweep';
import { resolveConfig } from '../../lib/run/config';
import { tmpDir } from '../tmp';

// A stand-in for `seer run`: records the thread count it was given and marks itself done.
const FAKE_RUN = `const fs = require('fs'); const out = process.argv[process.argv.indexOf('--out') + 1];
fs.writeFileSync(out + '/threads', String(process.env.SEER_NATIVE_THREADS)); fs.writeFileSync(out + '/DONE', '{}');`;

async function threadsOf(parallel: number, jobs: number, env?: string): Promise<string[]> {
  const root = tmpDir('seer-sweep-');
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
  const root = tmpDir('seer-sweep-deps-');
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
  assert.ok(
    reasons.some((r) => r.startsWith('orphan: needs') && r.includes('never-queued')),
    reasons.join('; '),
  );
  assert.ok(fs.existsSync(d('fork1/DONE')) && fs.existsSync(d('other/DONE')));
});

/** A finished run directory as `seer run` leaves it, made with `cfg` (manifest and DONE; no training needed). */
function finishedRun(dir: string, cfg: object): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ seed: 0, config: cfg }));
  fs.writeFileSync(path.join(dir, 'DONE'), '{}');
}

test('runs made with other settings refuse the sweep, naming the fields, instead of being skipped', async () => {
  const root = tmpDir('seer-sweep-conflict-');
  const cfg = resolveConfig({ env: 'minatar/breakout', scale: 'smoke' });
  finishedRun(path.join(root, 'same'), cfg);
  finishedRun(path.join(root, 'other'), cfg);
  const events: string[] = [];
  const other = { ...cfg, evalEvery: 10, agentOptions: { ...cfg.agentOptions, hidden: 64 } };
  const jobs: SweepJob[] = [
    { dir: path.join(root, 'same'), args: [], config: cfg },
    { dir: path.join(root, 'other'), args: [], config: other },
    { dir: path.join(root, 'new'), args: [], config: cfg },
  ];
  const command = [process.execPath, '-e', FAKE_RUN, '--'];
  const onEvent = (e: { status: string }) => events.push(e.status);
  await assert.rejects(
    runSweep(jobs, { jobs: 1, command, onEvent }),
    /sweep refused: 1 of its runs [^]*other holds a run .*evalEvery \(30 vs 10\), agentOptions\.hidden \(32 vs 64\)/,
  );
  assert.deepEqual(events, [], 'nothing ran and nothing was reported skipped');
  assert.equal(fs.existsSync(path.join(root, 'new')), false);
  const ok = await runSweep(
    jobs.filter((j) => !j.dir.endsWith('other')),
    { jobs: 1, command, onEvent },
  );
  assert.deepEqual(ok.failed, []);
  assert.deepEqual(events.sort(), ['done', 'skipped', 'start']);
});

test('`seer sweep` with a changed --set refuses with exit 1 and names the field', () => {
  const out = tmpDir('seer-sweep-cli-');
  const cfg = resolveConfig({ env: 'minatar/breakout', scale: 'smoke' });
  finishedRun(path.join(out, 'minatar_breakout__baseline__s0'), cfg);
  const cli = path.join(__dirname, '..', '..', 'bin', 'seer.js');
  const axes = ['--envs', 'minatar/breakout', '--variants', 'baseline', '--seeds', '0'];
  const args = [cli, 'sweep', ...axes, '--scale', 'smoke', '--out', out];
  const env = { ...process.env, SEER_QUIET: '1' };
  const same = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
  assert.equal(same.status, 0, same.stderr);
  assert.match(same.stderr, /skipped minatar_breakout__baseline__s0/);
  const changed = spawnSync(process.execPath, [...args, '--set', 'evalEvery=10'], { env, encoding: 'utf8' });
  assert.equal(changed.status, 1, changed.stderr);
  assert.match(changed.stderr, /sweep refused: [^]*breakout__baseline__s0 holds a run .*evalEvery \(30 vs 10\)/);
});
