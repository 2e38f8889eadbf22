/**
 * Damaged checkpoints (lib/run/checkpoint.ts): a truncated or altered arrays.bin, an unreadable index or a
 * garbled LATEST is reported naming the checkpoint, and reading falls back to the previous complete checkpoint,
 * which is kept for that; a resumed run then continues from there and still writes the uninterrupted run's log.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CheckpointError, loadLatestCheckpoint, readCheckpointAt, writeCheckpoint } from '../../lib/run/checkpoint';
import { runExperiment } from '../../lib/run/train';
import { readLog } from '../../lib/run/log';
import { tmpDir } from '../tmp';

const tmp = tmpDir('seer-ckpt-');

function twoCheckpoints(name: string): string {
  const dir = path.join(tmp, name);
  for (const step of [10, 20]) {
    const arrays = { w: new Float32Array(800).fill(step), n: new Int32Array([step]) };
    writeCheckpoint(dir, `step-${step}`, { meta: { step }, arrays });
  }
  return dir;
}

const truncate = (file: string, bytes: number) => fs.truncateSync(file, bytes);

test('the previous checkpoint is kept beside the newest', () => {
  const dir = twoCheckpoints('kept');
  writeCheckpoint(dir, 'step-30', { meta: { step: 30 }, arrays: { w: new Float32Array(4) } });
  assert.deepEqual(fs.readdirSync(dir).sort(), ['LATEST', 'step-20', 'step-30']);
  assert.deepEqual(loadLatestCheckpoint(dir)?.snapshot.meta, { step: 30 });
});

test('a truncated arrays.bin names the checkpoint; reading falls back to the previous one', () => {
  const dir = twoCheckpoints('truncated');
  truncate(path.join(dir, 'step-20', 'arrays.bin'), 25);
  assert.throws(
    () => readCheckpointAt(path.join(dir, 'step-20')),
    (err: Error) =>
      err instanceof CheckpointError &&
      err.message.includes(`checkpoint ${path.join(dir, 'step-20')} is damaged: arrays.bin holds 25 bytes`),
  );
  const loaded = loadLatestCheckpoint(dir)!;
  assert.equal(loaded.label, 'step-10');
  assert.deepEqual(loaded.snapshot.meta, { step: 10 });
  assert.equal((loaded.snapshot.arrays.w as Float32Array)[799], 10);
  assert.match(loaded.skipped[0].problem, /step-20 is damaged: arrays\.bin holds 25 bytes/);
});

test('changed bytes of the same length are caught by the recorded SHA-256', () => {
  const dir = twoCheckpoints('flipped');
  const bin = path.join(dir, 'step-20', 'arrays.bin');
  const bytes = fs.readFileSync(bin);
  bytes[100] ^= 0xff;
  fs.writeFileSync(bin, bytes);
  const loaded = loadLatestCheckpoint(dir)!;
  assert.equal(loaded.label, 'step-10');
  assert.match(loaded.skipped[0].problem, /SHA-256/);
});

test('a garbled LATEST names itself and the newest complete checkpoint is used', () => {
  const dir = twoCheckpoints('garbled');
  fs.writeFileSync(path.join(dir, 'LATEST'), 'st\u0000p-2');
  const loaded = loadLatestCheckpoint(dir)!;
  assert.equal(loaded.label, 'step-20');
  assert.match(loaded.skipped[0].problem, /LATEST names .* which is not a checkpoint/);
});

test('with no complete checkpoint left, the error names each one (no made-up path, no tensor-size error)', () => {
  const dir = twoCheckpoints('none');
  truncate(path.join(dir, 'step-20', 'arrays.bin'), 25);
  fs.writeFileSync(path.join(dir, 'step-10', 'index.json'), '{"meta":');
  assert.throws(
    () => loadLatestCheckpoint(dir),
    (err: Error) =>
      err instanceof CheckpointError &&
      err.message.includes('step-20 is damaged: arrays.bin') &&
      err.message.includes('step-10 is damaged: index.json') &&
      err.message.includes(`Delete ${dir}`),
  );
  assert.equal(loadLatestCheckpoint(path.join(tmp, 'no-such-dir')), undefined);
});

test('a run resumed over a truncated newest checkpoint continues from the previous one, says so', async () => {
  const cfg = { env: 'minatar/breakout', scale: 'smoke' } as const;
  const full = path.join(tmp, 'run-full');
  await runExperiment(cfg, { out: full });
  const dir = path.join(tmp, 'run-damaged');
  await runExperiment(cfg, { out: dir, stopAfterSteps: 45 });
  const ckpts = path.join(dir, 'checkpoints');
  const newest = fs.readFileSync(path.join(ckpts, 'LATEST'), 'utf8').trim();
  truncate(path.join(ckpts, newest, 'arrays.bin'), 25);
  const said: string[] = [];
  const saved = console.error;
  console.error = (...a: unknown[]) => said.push(a.join(' '));
  try {
    await runExperiment(cfg, { out: dir, resume: true });
  } finally {
    console.error = saved;
  }
  assert.ok(
    said.some((l) => l.includes(`${newest} is damaged`) && l.includes('falling back')),
    said.join('\n'),
  );
  const log = readLog(path.join(dir, 'log.jsonl'));
  const note = log.find((r) => r.type === 'resume')!;
  assert.notEqual(note.resumedFrom, newest);
  assert.match(JSON.stringify(note.damagedCheckpoints), new RegExp(`${newest} is damaged`));
  const comparable = (records: typeof log) =>
    records.filter((r) => r.type !== 'resume').map((r) => JSON.stringify({ ...r, wallSeconds: 0 }));
  assert.deepEqual(comparable(log), comparable(readLog(path.join(full, 'log.jsonl'))));
});
