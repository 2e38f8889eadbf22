import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SumTree } from '../../lib/replay/sum-tree';
import { ImageReplay } from '../../lib/replay/image-replay';
import { makeRng } from '../../lib/replay/random';
import { makeStream } from './fixtures';

test('sum tree: totals, updates and prefix search', () => {
  const t = new SumTree(5);
  [1, 0, 3, 0, 6].forEach((v, i) => t.set(i, v));
  assert.equal(t.total, 10);
  assert.equal(t.find(0), 0);
  assert.equal(t.find(0.999), 0);
  assert.equal(t.find(1), 2);
  assert.equal(t.find(3.999), 2);
  assert.equal(t.find(4), 4);
  assert.equal(t.find(9.999), 4);
  t.set(4, 0);
  assert.equal(t.total, 4);
  assert.equal(t.find(3.9999999), 2, 'never lands on an empty leaf');
  assert.throws(() => t.set(0, -1), /≥ 0/);
});

test('sum tree sampling follows the priorities (seeded, 2% tolerance)', () => {
  const pr = [1, 2, 3, 4, 0, 10];
  const t = new SumTree(pr.length);
  pr.forEach((v, i) => t.set(i, v));
  const rng = makeRng(7);
  const counts = new Array(pr.length).fill(0);
  const n = 40000;
  for (let i = 0; i < n; i++) counts[t.find(rng.next() * t.total)]++;
  pr.forEach((p, i) => assert.ok(Math.abs(counts[i] / n - p / 20) < 0.02, `leaf ${i}: ${counts[i] / n} vs ${p / 20}`));
});

function perBuffer() {
  const buf = new ImageReplay({
    obsShape: [1, 1, 4],
    frameStack: 4,
    capacity: 16,
    action: { discrete: true },
    nStep: 1,
    prioritized: { exponent: 0.5, beta: 0.4 },
    seed: 11,
  });
  // one episode of 4 transitions → slots 0..3 hold transitions, slot 4 the final observation
  for (const t of makeStream({ H: 1, W: 1, C: 1, k: 4, lengths: [4] })) buf.add(t);
  return buf;
}

test('prioritized replay samples ∝ (loss)^ω and gives new transitions the max priority', () => {
  const buf = perBuffer();
  // raw losses 1, 4, 9, 16 → stored priorities ≈ 1, 2, 3, 4 with ω = 0.5
  buf.updatePriorities(Int32Array.from([0, 1, 2, 3]), Float32Array.from([1, 4, 9, 16]));
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(buf.priorityAt(i) - (i + 1)) < 1e-5);
  const counts = [0, 0, 0, 0];
  const draws = 500;
  for (let r = 0; r < draws; r++) {
    const b = buf.sample(32);
    for (let i = 0; i < 32; i++) counts[(b.action as Int32Array)[i]]++;
  }
  counts.forEach((c, i) =>
    assert.ok(Math.abs(c / (draws * 32) - (i + 1) / 10) < 0.02, `transition ${i}: ${c / (draws * 32)}`),
  );
  // a new transition enters at the current max priority (4)
  buf.add({
    obs: new Uint8Array([9, 9, 9, 9]),
    action: 4,
    reward: 0,
    nextObs: new Uint8Array([9, 9, 9, 10]),
    terminated: true,
    truncated: false,
  });
  assert.ok(Math.abs(buf.priorityAt(5) - 4) < 1e-5);
  assert.equal(buf.priorityAt(4), 0, 'the episode-final observation slot is never sampled');
});

test("IS weights are (N·P(i))^-β normalised by the batch max, and β is the caller's", () => {
  const buf = perBuffer();
  buf.updatePriorities(Int32Array.from([0, 1, 2, 3]), Float32Array.from([1, 4, 9, 16]));
  for (const beta of [0.4, 1]) {
    buf.beta = beta;
    const b = buf.sample(16);
    const raw = Array.from(b.indices, (p) => Math.pow(4 * (buf.priorityAt(p) / 10), -beta));
    const max = Math.max(...raw);
    raw.forEach((w, i) => assert.ok(Math.abs(b.weights[i] - w / max) < 1e-5, `β=${beta} weight ${i}`));
    assert.ok(Math.abs(Math.max(...b.weights) - 1) < 1e-6);
  }
  const uniform = new ImageReplay({ obsShape: [1, 1, 4], frameStack: 4, capacity: 16, action: { discrete: true } });
  for (const t of makeStream({ H: 1, W: 1, C: 1, k: 4, lengths: [4] })) uniform.add(t);
  assert.deepEqual(Array.from(uniform.sample(8).weights), new Array(8).fill(1));
  assert.throws(
    () => uniform.updatePriorities(Int32Array.from([0]), Float32Array.from([1])),
    /without prioritized replay/,
  );
});
