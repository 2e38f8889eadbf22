/**
 * Run logs (lib/run/log.ts): only a torn last line — one without its newline, left by a killed write — may
 * be dropped; a damaged line anywhere else is an error naming the file and the line, never a silent cut.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CorruptLogError, RunLog, readLog } from '../../lib/run/log';
import { runExperiment } from '../../lib/run/train';
import { tmpDir } from '../tmp';

const tmp = tmpDir('seer-log-');
const rec = (i: number) => JSON.stringify({ type: 'eval', envSteps: i, updates: i, wallSeconds: 0 }) + '\n';

test('a damaged line in the middle is an error naming the file and line, not a cut', () => {
  const file = path.join(tmp, 'middle.jsonl');
  fs.writeFileSync(file, rec(0) + rec(1) + '{"type":"ev\n' + rec(3) + rec(4));
  const named = (err: Error) => err instanceof CorruptLogError && err.message.startsWith(`${file}:3: not JSON`);
  assert.throws(() => readLog(file), named);
  fs.writeFileSync(file, rec(0) + '\n' + rec(2));
  assert.throws(() => readLog(file), new RegExp(`${file}:2: empty line`));
  fs.writeFileSync(file, rec(0) + '[1,2]\n' + rec(2));
  assert.throws(() => readLog(file), /middle\.jsonl:2: not a log record/);
});

test('a torn last line is dropped, and the next append starts a line of its own', () => {
  const file = path.join(tmp, 'torn.jsonl');
  fs.writeFileSync(file, rec(0) + rec(1) + '{"type":"ev');
  assert.equal(readLog(file).length, 2);
  new RunLog(file).append({ type: 'eval', envSteps: 2, updates: 2, wallSeconds: 0 });
  assert.deepEqual(
    readLog(file).map((r) => r.envSteps),
    [0, 1, 2],
  );
});

test('resuming a run whose log is damaged in the middle refuses and leaves the log as it was', async () => {
  const dir = path.join(tmp, 'run');
  const cfg = { env: 'minatar/breakout', scale: 'smoke' } as const;
  await runExperiment(cfg, { out: dir, stopAfterSteps: 40 });
  const file = path.join(dir, 'log.jsonl');
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  lines[3] = lines[3].slice(0, 10);
  fs.writeFileSync(file, lines.join('\n'));
  const damaged = fs.readFileSync(file, 'utf8');
  await assert.rejects(runExperiment(cfg, { out: dir, resume: true }), new RegExp(`log\\.jsonl:4: not JSON`));
  assert.equal(fs.readFileSync(file, 'utf8'), damaged);
});
