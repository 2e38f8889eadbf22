import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeRun, replayRule } from '../../lib/report/analyze';
import { runExperiment } from '../../lib/run/train';
import { collectProbe } from '../../lib/run/snapshot-run';
import type { SimilarityPoint } from '../../lib/analysis';
import { tmpDir } from '../tmp';

const point = (update: number, conv1: number, conv2: number): SimilarityPoint => ({
  update,
  next: update + 10,
  similarity: { conv1, conv2 },
  baseline: { conv1: 0.05, conv2: 0.05 },
});

test('the adaptive rule replayed over recorded similarities fires after m passing checks of the worst layer', () => {
  const pts = [
    point(0, 0.5, 0.99),
    point(10, 0.95, 0.97),
    point(20, 0.99, 0.96),
    point(30, 0.995, 0.99),
    point(40, 0.999, 0.995),
  ];
  assert.equal(replayRule(pts, 0.9, 3), 40, 'passes at 20, 30, 40');
  assert.equal(replayRule(pts, 0.96, 2), 40, 'passes at 30, 40 (the check at 20 has conv1 0.95)');
  assert.equal(replayRule(pts, 0.99, 2), 50, 'passes at 40, 50');
  assert.equal(replayRule(pts, 0.999, 1), null);
  assert.equal(replayRule([], 0.9, 1), null);
});

test('analyzeRun writes Figure 8 and the τ replay from a run with snapshots; a run without is a clear error', async () => {
  const root = tmpDir('seer-analyze-');
  const run = path.join(root, 'run');
  await runExperiment(
    { env: 'minatar/breakout', variant: 'baseline', scale: 'smoke', snapshotEvery: 10 },
    { out: run },
  );
  const a = await analyzeRun(run, path.join(root, 'out'), { probeSize: 64, taus: [0.5, 0.999999] });
  assert.deepEqual(a.layers, ['conv1', 'conv2']);
  assert.equal(a.consecutive.length, a.updates.length - 1);
  assert.equal(a.toFinal.length, a.updates.length - 1);
  for (const p of a.consecutive)
    for (const l of a.layers) assert.ok(p.similarity[l] > 0 && p.similarity[l] <= 1 + 1e-9);
  assert.equal(a.replay.length, 2);
  for (const f of a.files) assert.ok(fs.statSync(f).size > 0, f);
  const bare = path.join(root, 'bare');
  await runExperiment({ env: 'minatar/breakout', variant: 'baseline', scale: 'smoke' }, { out: bare });
  await assert.rejects(analyzeRun(bare, path.join(root, 'out2')), /0 encoder snapshot\(s\).*snapshotEvery/);
});

test('the probe is what the encoder sees when acting: centre crops for CURL, whole frames for Rainbow', async () => {
  assert.deepEqual((await collectProbe({ env: 'minatar/breakout', scale: 'smoke' }, 3)).shape, [3, 84, 84, 4]);
  assert.deepEqual((await collectProbe({ env: 'cartpole-swingup', scale: 'smoke' }, 3)).shape, [3, 84, 84, 9]);
});
