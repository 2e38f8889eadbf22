/**
 * Ctrl-C and SIGTERM (lib/run/stop.ts): the run writes a checkpoint at its next episode end, says so, and
 * exits 130 / 143; resumed, it writes the log of an uninterrupted run. The runs checkpoint by the clock only once an
 * hour here, so the checkpoint the resume starts from is the one the signal made.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runExperiment } from '../../lib/run/train';
import { readLog } from '../../lib/run/log';
import { tmpDir } from '../tmp';

const tmp = tmpDir('seer-signals-');
const cfg = { env: 'minatar/breakout', scale: 'smoke', steps: 240, checkpointSeconds: 3600 } as const;
const comparable = (dir: string) =>
  readLog(path.join(dir, 'log.jsonl'))
    .filter((r) => r.type !== 'resume')
    .map((r) => JSON.stringify({ ...r, wallSeconds: 0 }));

let reference: string[] | undefined;
async function full(): Promise<string[]> {
  if (!reference) {
    await runExperiment(cfg, { out: path.join(tmp, 'full') });
    reference = comparable(path.join(tmp, 'full'));
  }
  return reference;
}

/** Runs the CLI, sends `signal` once it has logged a few records, and returns its exit code and stderr. */
async function interrupted(dir: string, signal: 'SIGINT' | 'SIGTERM'): Promise<{ code: number | null; err: string }> {
  const cli = path.join(__dirname, '..', '..', 'bin', 'seer.js');
  const sets = ['--set', `steps=${cfg.steps}`, '--set', 'checkpointSeconds=3600'];
  const args = [cli, 'run', '--env', cfg.env, '--scale', 'smoke', ...sets, '--out', dir];
  const env = { ...process.env, SEER_QUIET: '1' };
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      const n = fs.existsSync(path.join(dir, 'log.jsonl')) ? readLog(path.join(dir, 'log.jsonl')).length : 0;
      if (n >= 4 || child.exitCode !== null) {
        clearInterval(poll);
        child.kill(signal);
        resolve();
      }
    }, 5);
  });
  return { code: await exited, err };
}

for (const [signal, code] of [
  ['SIGTERM', 143],
  ['SIGINT', 130],
] as const) {
  test(`${signal}: a checkpoint at the next episode end, exit ${code}; resumed, the uninterrupted log`, async () => {
    const reference = await full();
    const dir = path.join(tmp, signal);
    const res = await interrupted(dir, signal);
    assert.equal(res.code, code, res.err);
    assert.match(res.err, new RegExp(`${signal}: .* stops at the end of this episode, after writing a checkpoint`));
    const said = /stopped by \w+ at step (\d+) of 240: checkpoint (\S+) written; continue with --resume/.exec(res.err);
    assert.ok(said, res.err);
    assert.ok(fs.existsSync(path.join(said[2], 'arrays.bin')), `${said[2]} holds the checkpoint`);
    assert.equal(fs.existsSync(path.join(dir, 'DONE')), false);
    assert.equal(fs.existsSync(path.join(dir, 'LOCK')), false, 'the lock is released');
    await runExperiment(cfg, { out: dir, resume: true });
    const resume = readLog(path.join(dir, 'log.jsonl')).find((r) => r.type === 'resume');
    assert.equal(resume?.agentSteps, Number(said[1]), 'resumed from the checkpoint the signal wrote');
    assert.deepEqual(comparable(dir), reference);
  });
}

test('SIGTERM to a sweep process alone reaches its runs: each checkpoints, no new run starts, exit 143; rerun resumes', async () => {
  const reference = await full();
  const out = path.join(tmp, 'sweep');
  const cli = path.join(__dirname, '..', '..', 'bin', 'seer.js');
  const args = [
    cli,
    'sweep',
    '--envs',
    cfg.env,
    '--variants',
    'baseline',
    '--seeds',
    '0,1,2',
    '--scale',
    'smoke',
    '--set',
    `steps=${cfg.steps}`,
    '--set',
    'checkpointSeconds=3600',
    '--jobs',
    '2',
    '--out',
    out,
  ];
  const env = { ...process.env, SEER_QUIET: '1' };
  const runDir = (seed: number): string => path.join(out, `minatar_breakout__baseline__s${seed}`);
  const records = (seed: number): number => {
    const f = path.join(runDir(seed), 'log.jsonl');
    return fs.existsSync(f) ? readLog(f).length : 0;
  };
  // detached: its own process group, so the signal reaches the sweep alone, as `kill <pid>` does
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env, detached: true });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if ((records(0) >= 4 && records(1) >= 4) || child.exitCode !== null) {
        clearInterval(poll);
        child.kill('SIGTERM');
        resolve();
      }
    }, 5);
  });
  assert.equal(await exited, 143, err);
  assert.match(err, /SIGTERM: no new run starts/);
  for (const seed of [0, 1]) {
    assert.ok(!fs.existsSync(path.join(runDir(seed), 'DONE')), `seed ${seed} should have stopped before its end`);
    assert.ok(
      fs.readdirSync(path.join(runDir(seed), 'checkpoints')).some((f) => f.startsWith('step-')),
      `seed ${seed}`,
    );
  }
  assert.equal(records(2), 0, 'the third run must not start after the signal');
  // The same command again resumes the two and makes the third; seed 0's log is the uninterrupted run's.
  const again = spawn(process.execPath, args, { stdio: 'ignore', env });
  assert.equal(await new Promise<number | null>((r) => again.on('exit', (code) => r(code))), 0);
  assert.deepEqual(comparable(runDir(0)), reference);
});
