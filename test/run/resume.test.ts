/**
 * A killed run resumed from its last checkpoint must write the same log as an uninterrupted run (wall time aside):
 * checked by stopping in-process at chosen steps (before and after the freeze) and by SIGKILL of a real CLI process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runExperiment } from '../../lib/run/train';
import { readLog } from '../../lib/run/log';
import type { ExperimentConfig } from '../../lib/run/config';
import { tmpDir } from '../tmp';

const tmp = tmpDir('seer-resume-');

/** The log without wall-clock times and resume markers. */
function comparable(dir: string): string[] {
  return readLog(path.join(dir, 'log.jsonl'))
    .filter((r) => r.type !== 'resume')
    .map((r) => JSON.stringify({ ...r, wallSeconds: 0 }));
}

async function reference(name: string, cfg: Partial<ExperimentConfig> & { env: string }): Promise<string[]> {
  const dir = path.join(tmp, `${name}-full`);
  await runExperiment(cfg, { out: dir });
  return comparable(dir);
}

const rainbow = { env: 'minatar/breakout', variant: 'seer', scale: 'smoke' } as const;
const curl = {
  env: 'cartpole-swingup',
  variant: 'seer',
  scale: 'smoke',
  steps: 16,
  initSteps: 4,
  freezeAt: 6,
  evalEvery: 8,
} as const;

test('rainbow: stop before and after the freeze, resume, same log', async () => {
  const full = await reference('rainbow', rainbow);
  assert.ok(
    full.some((l) => l.includes('"type":"freeze"')),
    'the smoke run freezes',
  );
  const firstEval = JSON.parse(full.find((l) => l.includes('"type":"eval"'))!) as { envSteps: number; updates: number };
  assert.deepEqual([firstEval.envSteps, firstEval.updates], [0, 0], 'curves start at the untrained agent');
  for (const stopAt of [30, 47]) {
    const dir = path.join(tmp, `rainbow-stop${stopAt}`);
    const first = await runExperiment(rainbow, { out: dir, stopAfterSteps: stopAt });
    assert.equal(first.completed, false);
    const second = await runExperiment(rainbow, { out: dir, resume: true });
    assert.equal(second.completed, true);
    assert.deepEqual(comparable(dir), full, `log after a stop at step ${stopAt}`);
  }
});

test('curl: stop after the freeze, resume, same log', async () => {
  const full = await reference('curl', curl);
  const dir = path.join(tmp, 'curl-stop');
  await runExperiment(curl, { out: dir, stopAfterSteps: 12 });
  await runExperiment(curl, { out: dir, resume: true });
  assert.deepEqual(comparable(dir), full);
});

test('curl: a train record carries the latest actor statistics, also when a resume falls inside its window', async () => {
  // Train records are written every 100 updates; CURL's actor steps on even update indices (actorUpdateFreq 2), so
  // update 100's record takes actorLoss and α from update index 98. Episodes are 10 steps and every episode end
  // checkpoints; with 11 initial steps the checkpoint at step 110 lands after 99 updates, between the two.
  const small = { imageSize: 32, agentOptions: { hidden: 16 } }; // a small network: 100 updates in seconds
  const cfg = {
    ...curl,
    ...small,
    variant: 'baseline',
    steps: 120,
    initSteps: 11,
    freezeAt: 109,
    evalEvery: 60,
  } as const;
  const full = await reference('curl-window', cfg);
  const train = full.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r.type === 'train');
  assert.equal(train.length, 1);
  for (const k of ['criticLoss', 'cpcLoss', 'actorLoss', 'alphaLoss', 'entropy', 'alpha']) {
    assert.equal(typeof train[0]![k], 'number', `the record at update 100 has ${k}`);
  }
  const dir = path.join(tmp, 'curl-window-stop');
  await runExperiment(cfg, { out: dir, stopAfterSteps: 115 });
  await runExperiment(cfg, { out: dir, resume: true });
  const resumed = readLog(path.join(dir, 'log.jsonl')).find((r) => r.type === 'resume');
  assert.equal(resumed?.updates, 99, 'the run resumed between the actor update and the record');
  assert.deepEqual(comparable(dir), full);
  // After the freeze the contrastive loss is no longer computed: the first record whose 100 updates all come after
  // it has none (not a stale value).
  const seer = await reference('curl-window-seer', { ...cfg, variant: 'seer', steps: 215, freezeAt: 50 });
  const records = seer.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r.type === 'train');
  assert.deepEqual(
    records.map((r) => [r.updates, typeof r.cpcLoss, typeof r.actorLoss]),
    [
      [100, 'number', 'number'],
      [200, 'undefined', 'number'],
    ],
  );
});

test('adaptive freezing: a resumed run checks and freezes at the same update', async () => {
  const adaptive = { ...rainbow, freezeRule: 'adaptive', adaptiveTau: 0.5, snapshotEvery: 5 } as const;
  const full = await reference('adaptive', adaptive);
  assert.ok(
    full.some((l) => l.includes('"type":"similarity"')),
    'the rule logs its checks',
  );
  assert.ok(
    full.some((l) => l.includes('"type":"freeze"')),
    'the rule freezes within the smoke run',
  );
  const dir = path.join(tmp, 'adaptive-stop');
  await runExperiment(adaptive, { out: dir, stopAfterSteps: 23 });
  await runExperiment(adaptive, { out: dir, resume: true });
  assert.deepEqual(comparable(dir), full);
  assert.ok(fs.readdirSync(path.join(dir, 'snapshots')).length > 0, 'encoder snapshots were written');
});

test('SIGKILL of the CLI at an arbitrary moment loses only work since the last checkpoint', async () => {
  const full = await reference('kill', rainbow);
  const dir = path.join(tmp, 'killed');
  const cli = path.join(__dirname, '..', '..', 'bin', 'seer.js');
  const args = [cli, 'run', '--env', rainbow.env, '--variant', rainbow.variant, '--scale', 'smoke', '--out', dir];
  const child = spawn(process.execPath, args, { stdio: 'ignore', env: { ...process.env, SEER_QUIET: '1' } });
  // Kill once the run has logged a few episodes (so at least one checkpoint exists), whatever it is doing.
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      const n = fs.existsSync(path.join(dir, 'log.jsonl')) ? readLog(path.join(dir, 'log.jsonl')).length : 0;
      if (n >= 4 || child.exitCode !== null) {
        clearInterval(poll);
        child.kill('SIGKILL');
        resolve();
      }
    }, 5);
  });
  await new Promise((r) => child.once('exit', r));
  assert.ok(readLog(path.join(dir, 'log.jsonl')).length >= 1, 'the log stays readable after SIGKILL');
  await runExperiment(rainbow, { out: dir, resume: true });
  assert.deepEqual(comparable(dir), full);
});

test('a second run into the same directory without --resume is refused (nothing overwritten)', async () => {
  const dir = path.join(tmp, 'rainbow-full');
  const before = fs.readFileSync(path.join(dir, 'log.jsonl'), 'utf8');
  await assert.rejects(runExperiment(rainbow, { out: dir }), /already exists: pass --resume/);
  assert.equal(fs.readFileSync(path.join(dir, 'log.jsonl'), 'utf8'), before);
});

/** console.error lines written while `fn` runs (SEER_QUIET unset, as for a person at a terminal). */
async function stderrOf(fn: () => Promise<unknown>): Promise<string[]> {
  const said: string[] = [];
  const saved = console.error;
  const quiet = process.env.SEER_QUIET;
  delete process.env.SEER_QUIET;
  console.error = (...a: unknown[]) => said.push(a.join(' '));
  try {
    await fn();
  } finally {
    console.error = saved;
    if (quiet !== undefined) process.env.SEER_QUIET = quiet;
  }
  return said.filter((l) => !l.includes('tensor backend'));
}

test('--resume with other settings than the manifest refuses, naming every field; nothing is written', async () => {
  const dir = path.join(tmp, 'other-settings');
  await runExperiment(rainbow, { out: dir, stopAfterSteps: 30 });
  const files = ['log.jsonl', 'manifest.json'].map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
  const cases: [Partial<ExperimentConfig>, RegExp][] = [
    [{ env: 'minatar/space_invaders' }, /env \("minatar\/breakout" vs "minatar\/space_invaders"\)/],
    [{ seed: 1 }, /seed \(0 vs 1\)/],
    [{ variant: 'baseline' }, /variant \("seer" vs "baseline"\)/],
    [{ evalEvery: 10 }, /evalEvery \(30 vs 10\)/],
    [{ agentOptions: { hidden: 16 } }, /agentOptions\.hidden \(32 vs 16\)/],
  ];
  const resumeWith = (change: Partial<ExperimentConfig>, out = dir) =>
    runExperiment({ ...rainbow, ...change }, { out, resume: true });
  for (const [change, named] of cases) await assert.rejects(resumeWith(change), named);
  const all = await resumeWith({ env: 'minatar/space_invaders', seed: 2, evalEvery: 10 }).then(
    () => '',
    (err: Error) => err.message,
  );
  assert.match(all, /^cannot resume: .* holds a run with other settings .*choose another --out/);
  const fields = ['evalEvery (30 vs 10)', 'seed (0 vs 2)', 'env ("minatar/breakout" vs "minatar/space_invaders")'];
  for (const field of fields) {
    assert.ok(all.includes(field), all);
  }
  assert.deepEqual(
    ['log.jsonl', 'manifest.json'].map((f) => fs.readFileSync(path.join(dir, f), 'utf8')),
    files,
  );
  // A finished run is not reported completed for settings it was not made with either.
  await assert.rejects(resumeWith({ seed: 3 }, path.join(tmp, 'rainbow-full')), /seed \(0 vs 3\)/);
});

test('a manifest written before some fields existed resumes when the run used their defaults', async () => {
  const dir = path.join(tmp, 'old-manifest');
  await runExperiment(rainbow, { out: dir, stopAfterSteps: 30 });
  const file = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as { config: Record<string, unknown> };
  for (const k of ['probeSize', 'adaptiveTau', 'snapshotEvery', 'freezeRule']) delete manifest.config[k];
  fs.writeFileSync(file, JSON.stringify(manifest));
  const summary = await runExperiment(rainbow, { out: dir, resume: true });
  assert.equal(summary.completed, true);
});

test('--resume without a checkpoint, or on a directory that does not exist, says it starts from step 0', async () => {
  const cfg = { ...rainbow, variant: 'baseline', checkpointSeconds: 3600 } as const;
  const dir = path.join(tmp, 'no-checkpoint');
  await runExperiment(cfg, { out: dir, stopAfterSteps: 10 });
  assert.equal(fs.existsSync(path.join(dir, 'checkpoints')), false, 'stopped before its first checkpoint');
  const said = await stderrOf(() => runExperiment(cfg, { out: dir, resume: true }));
  const restarted = /--resume: .*no-checkpoint has no checkpoint \(the \d+ records in its log are rewritten\); start/;
  assert.ok(
    said.some((l) => restarted.test(l)),
    said.join('\n'),
  );
  const note = readLog(path.join(dir, 'log.jsonl')).find((r) => r.type === 'resume');
  assert.match(String(note?.restartedFromStep0), /no checkpoint \(the \d+ records/);
  const fresh = path.join(tmp, 'never-made');
  const saidFresh = await stderrOf(() => runExperiment(cfg, { out: fresh, resume: true }));
  const newRun = `--resume: ${fresh} does not exist; starting a new run from step 0`;
  assert.ok(
    saidFresh.some((l) => l.includes(newRun)),
    saidFresh.join('\n'),
  );
});
