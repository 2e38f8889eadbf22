/**
 * How a run begins (lib/run/restore-or-start.ts) and the replay's switch from images to latents
 * (lib/run/replay-phase.ts), without training: which beginning a run directory and its options choose, what a
 * fresh start writes, and that the freeze hands the loop a latents phase holding what the images phase held.
 * The end-to-end paths (resume, fork, signals) are covered by resume, fork and signals tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveConfig } from '../../lib/run/config';
import { RunLog, readLog } from '../../lib/run/log';
import { chooseBeginning } from '../../lib/run/restore-or-start';
import { freshLoopState, LoopLog } from '../../lib/run/loop-state';
import { freezeReplay, imagesPhase } from '../../lib/run/replay-phase';
import { ImageReplay } from '../../lib/replay/image-replay';
import { LatentReplay } from '../../lib/replay/latent-replay';
import type { Snapshot } from '../../lib/run/checkpoint';
import { FakeSeerAgent, makeStream } from '../replay/fixtures';
import { tmpDir } from '../tmp';

const tmp = tmpDir('seer-begin-');
const seer = resolveConfig({ env: 'minatar/breakout', agent: 'rainbow', scale: 'smoke', variant: 'seer' });
const baseline = { ...seer, variant: 'baseline' as const };
const own: Snapshot = { meta: { loop: { step: 7 } }, arrays: {} };

function runDir(name: string, logLines = 0): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  if (logLines > 0) fs.writeFileSync(path.join(dir, 'log.jsonl'), '{"type":"start"}\n'.repeat(logLines));
  return dir;
}

test('a new run begins at step 0; one that would write over a log refuses, naming the file and --resume', () => {
  assert.deepEqual(chooseBeginning(seer, runDir('new'), {}, undefined), { from: 'step 0' });
  const dir = runDir('logged', 2);
  assert.throws(
    () => chooseBeginning(seer, dir, {}, undefined),
    (err: Error) => err.message.includes(path.join(dir, 'log.jsonl')) && err.message.includes('--resume'),
  );
  assert.equal(readLog(path.join(dir, 'log.jsonl')).length, 2, 'nothing was overwritten');
  // Resumed without a checkpoint: from step 0 again (the loop rewrites the same records).
  assert.deepEqual(chooseBeginning(seer, dir, { resume: true }, undefined), { from: 'step 0' });
});

test("a resumed run's own checkpoint wins over forkFrom, which is then not read", () => {
  const b = chooseBeginning(seer, runDir('resumed', 1), { resume: true, forkFrom: path.join(tmp, 'nowhere') }, own);
  assert.deepEqual(b, { from: 'own checkpoint', checkpoint: own });
});

test('forkFrom a baseline with no fork point yet: step 0, with the reason; from no run directory: an error', () => {
  const source = runDir('baseline-without-fork-point');
  fs.writeFileSync(path.join(source, 'manifest.json'), JSON.stringify({ seed: baseline.seed, config: baseline }));
  const dir = runDir('forks');
  const b = chooseBeginning(seer, dir, { forkFrom: source }, undefined);
  assert.equal(b.from, 'step 0');
  assert.ok(b.from === 'step 0' && b.noFork, 'says why it does not fork');
  assert.equal(b.noFork.from, path.relative(dir, source));
  assert.match(b.noFork.reason, /no fork point yet/);
  assert.throws(() => chooseBeginning(seer, dir, { forkFrom: runDir('empty') }, undefined), /no manifest\.json/);
});

test('the loop log stamps the counters and counts its records', () => {
  const file = path.join(runDir('loop-log'), 'log.jsonl');
  const s = freshLoopState(4);
  const log = new LoopLog(new RunLog(file), s);
  s.step = 3;
  log.append({ type: 'episode', episodeReturn: 1 });
  log.append({ type: 'eval', evalReturn: 2 });
  assert.equal(s.logRecords, 2);
  const [first] = readLog(file);
  assert.equal(first.type, 'episode');
  assert.equal(first.agentSteps, 3);
  assert.equal(first.envSteps, 12);
});

test('the freeze replaces the images phase by a latents phase holding the same transitions, K crops each', () => {
  const [H, W, C, k] = [6, 6, 3, 3];
  const stream = makeStream({ H, W, C, k, lengths: [9, 7], ends: ['terminated', 'truncated'] });
  const images = new ImageReplay({
    obsShape: [H, W, C * k],
    frameStack: k,
    capacity: 64,
    action: { discrete: true },
    seed: 3,
  });
  for (const t of stream) images.add(t);
  const agent = new FakeSeerAgent(2, 4, H * W * C * k);
  const cfg = { ...seer, copies: 2 };
  const phase = freezeReplay(imagesPhase(images), agent, cfg);
  assert.equal(phase.kind, 'latents');
  assert.ok(phase.replay instanceof LatentReplay);
  assert.ok(agent.frozen);
  assert.ok(images.isReleased, 'the images are released');
  assert.equal(phase.replay.size, stream.length);
  assert.equal(phase.replay.copies, 2);
  // Encoded with augmentation, so the K copies of an observation differ (CURL's crops; Rainbow ignores it).
  assert.equal(phase.replay.augment, true);
  assert.equal(agent.encoded, 2 * (stream.length + 2));
});
