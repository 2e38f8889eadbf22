import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ImageReplay, imageReplayForBudget } from '../../lib/replay/image-replay';
import { LatentReplay } from '../../lib/replay/latent-replay';
import { switchReportOf, switchToLatentReplay } from '../../lib/seer/switch';
import type { Transition } from '../../lib/replay/types';
import { FakeSeerAgent, makeStream, meanOf } from '../replay/fixtures';

const H = 6;
const W = 6;
const C = 3;
const k = 3;
const S = H * W * C * k;

function filled(
  capacity: number,
  lengths: number[],
  extra: Partial<ConstructorParameters<typeof ImageReplay>[0]> = {},
) {
  const stream = makeStream({ H, W, C, k, lengths, ends: lengths.map((_, i) => (i % 2 ? 'truncated' : 'terminated')) });
  const images = new ImageReplay({
    obsShape: [H, W, C * k],
    frameStack: k,
    capacity,
    action: { discrete: true },
    seed: 3,
    chunkSlots: 8,
    ...extra,
  });
  for (const t of stream) images.add(t);
  return { stream, images };
}

/** Each sampled latent row must be the encoding of the transition its action names. */
function checkLatentSamples(latent: LatentReplay, stream: Transition[], draws = 10): Set<number> {
  const seen = new Set<number>();
  const NL = latent.heads * latent.dim;
  for (let r = 0; r < draws; r++) {
    const b = latent.sample(16);
    for (let i = 0; i < 16; i++) {
      const id = (b.action as Int32Array)[i];
      seen.add(id);
      const t = stream[id];
      for (let h = 0; h < latent.heads; h++) {
        assert.ok(Math.abs(b.obs[i * NL + h * latent.dim] - meanOf(t.obs as Uint8Array)) < 1e-3, `obs latent of ${id}`);
        assert.equal(b.obs[i * NL + h * latent.dim + 1], h);
        // same copy (same crop id) for every head
        assert.equal(b.obs[i * NL + h * latent.dim + 2], b.obs[i * NL + 2]);
      }
      assert.ok(Math.abs(b.nextObs[i * NL] - meanOf(t.nextObs as Uint8Array)) < 1e-3, `next latent of ${id}`);
      assert.equal(b.reward[i], t.reward);
      assert.equal(b.discount[i], t.terminated ? 0 : Math.fround(0.99));
    }
  }
  return seen;
}

test('the switch encodes exactly min(T, C) stored observations K times, keeps every transition, and releases the images', () => {
  for (const [capacity, lengths] of [
    [200, [10, 7, 12]],
    [20, [10, 7, 12, 9]],
  ] as const) {
    const { stream, images } = filled(capacity, [...lengths]);
    const stored = Math.min(images.slotsWritten, capacity);
    const transitions = images.size;
    const agent = new FakeSeerAgent(2, 3, S);
    const latent = switchToLatentReplay(agent, images, { copies: 4, chunkBytes: 5 * 4 * S, scope: 'convs' });
    assert.equal(agent.frozen, true);
    assert.equal(agent.freezeScope, 'convs');
    assert.equal(agent.encoded, stored * 4, `encoded ${agent.encoded} images for ${stored} stored observations × K`);
    assert.ok(agent.calls >= Math.ceil(stored / 5), 'chunked');
    assert.equal(latent.size, transitions);
    assert.equal(latent.capacity, Math.floor((capacity * H * W * C) / (4 * 2 * 4 * 3)));
    const report = switchReportOf(latent)!;
    assert.equal(report.encodedObservations, stored);
    assert.equal(report.capacityRule, 'paper');
    // images are gone: nothing allocated, sampling and adding refuse
    assert.equal(images.bytesAllocated(), 0);
    assert.throws(() => images.sample(1), /released/);
    assert.throws(() => images.add(stream[0]), /released/);
    // sampling the latents never touches images (released) nor the encoder (poisoned)
    agent.poisoned = true;
    const seen = checkLatentSamples(latent, stream, 20);
    assert.equal(seen.size, transitions);
  }
});

test('after the switch, new transitions are encoded K times each, once per new observation', () => {
  const { stream, images } = filled(100, [8, 5]);
  const agent = new FakeSeerAgent(2, 3, S);
  const latent = switchToLatentReplay(agent, images, { copies: 4 });
  const more = makeStream({ H, W, C, k, lengths: [8, 5, 6] }).slice(13); // a fresh episode, not in the buffer
  const all = stream.concat(more.map((t, i) => ({ ...t, action: stream.length + i })));
  const before = agent.encoded;
  for (const t of all.slice(stream.length)) latent.add(t);
  // 6 steps of one episode: 1 first observation + 6 next observations, 4 crops each
  assert.equal(agent.encoded - before, (1 + 6) * 4);
  assert.equal(latent.encodedCount, 7);
  agent.poisoned = true;
  const seen = checkLatentSamples(latent, all, 30);
  assert.ok([...seen].some((id) => id >= stream.length));
});

test('an open episode continues across the switch without re-encoding its observation', () => {
  const stream = makeStream({ H, W, C, k, lengths: [12], ends: ['terminated'] });
  const images = new ImageReplay({
    obsShape: [H, W, C * k],
    frameStack: k,
    capacity: 50,
    action: { discrete: true },
    chunkSlots: 8,
  });
  for (const t of stream.slice(0, 7)) images.add(t);
  const agent = new FakeSeerAgent(1, 3, S);
  const latent = switchToLatentReplay(agent, images, { copies: 1 });
  const before = agent.encoded;
  for (const t of stream.slice(7)) latent.add(t);
  assert.equal(agent.encoded - before, 5, 'only the 5 new next observations');
  assert.equal(latent.size, 12);
  checkLatentSamples(latent, stream, 10);
});

test('prioritized replay carries priorities across the switch', () => {
  const { images } = filled(64, [10, 10], { prioritized: { exponent: 0.5, beta: 0.6 }, nStep: 3 });
  images.updatePriorities(Int32Array.from([0, 1]), Float32Array.from([100, 0]));
  const p0 = images.priorityAt(0);
  const agent = new FakeSeerAgent(1, 3, S);
  const latent = switchToLatentReplay(agent, images, { copies: 1 });
  assert.equal(latent.prioritized, true);
  assert.equal(latent.beta, 0.6);
  assert.equal(latent.nStep, 3);
  assert.equal(latent.priorityAt(0), p0);
  assert.ok(latent.priorityAt(1) < 0.01);
});

test('memory budgets: allocated bytes never exceed the budget, before, during (up to a few latent chunks) and after the switch', () => {
  const budget = 60_000;
  const opts = { obsShape: [H, W, C * k], frameStack: k, action: { discrete: true } as const, chunkSlots: 8, seed: 1 };
  const images = imageReplayForBudget(opts, budget, 8);
  const stream = makeStream({ H, W, C, k, lengths: [40, 30, 50, 20, 60] });
  let i = 0;
  for (; i < 120; i++) {
    images.add(stream[i]);
    assert.ok(images.bytesAllocated() <= budget);
  }
  const agent = new FakeSeerAgent(2, 5, S);
  const latent = switchToLatentReplay(agent, images, { copies: 2, memoryBudget: budget, batchSize: 8 });
  const report = switchReportOf(latent)!;
  assert.equal(report.capacityRule, 'budget');
  assert.ok(
    LatentReplay.bytesAtCapacity({
      capacity: latent.capacity,
      heads: 2,
      dim: 5,
      copies: 2,
      action: { discrete: true },
      obsSize: S,
    }) <= budget,
  );
  // during the switch, images are released chunk by chunk while latent chunks fill: a few latent chunks over
  const latentChunk = 64 * (2 * 2 * 5 * 4 + 4 + 5);
  assert.ok(report.peakBytes <= budget + 3 * latentChunk, `peak ${report.peakBytes}`);
  for (; i < stream.length; i++) {
    latent.add(stream[i]);
    assert.ok(latent.bytesAllocated() <= budget, `${latent.bytesAllocated()} > ${budget}`);
  }
  assert.ok(latent.capacity > images.capacity, `Ĉ ${latent.capacity} vs C ${images.capacity}`);
});

test('bad switch options are errors that say so', () => {
  const mk = () => filled(30, [10]).images;
  const agent = () => new FakeSeerAgent(2, 3, S);
  assert.throws(() => switchToLatentReplay(agent(), mk(), { copies: 0 }), /copies \(K\) must be an integer ≥ 1/);
  assert.throws(() => switchToLatentReplay(agent(), mk(), { dtype: 'bf16' as never }), /float32, float16, int8/);
  assert.throws(
    () => switchToLatentReplay(agent(), mk(), { memoryBudget: '1KB', batchSize: 128 }),
    /too small .*128 transitions/,
  );
  assert.throws(() => switchToLatentReplay(agent(), mk(), { memoryBudget: '1 banana' }), /not understood/);
  assert.throws(() => switchToLatentReplay(agent(), mk(), { capacity: 10, memoryBudget: '1MB' }), /not both/);
  const a = agent();
  const imgs = mk();
  switchToLatentReplay(a, imgs, {});
  assert.throws(() => switchToLatentReplay(new FakeSeerAgent(2, 3, S), imgs, {}), /already switched/);
});

test('float16 and int8 latents through the switch stay within their error bounds', () => {
  for (const dtype of ['float16', 'int8'] as const) {
    const { stream, images } = filled(60, [10, 10]);
    const latent = switchToLatentReplay(new FakeSeerAgent(2, 3, S), images, { copies: 2, dtype });
    assert.equal(latent.capacity, Math.floor((60 * H * W * C) / (2 * 2 * (dtype === 'float16' ? 6 : 7))));
    const b = latent.sample(32);
    for (let i = 0; i < 32; i++) {
      const m = meanOf(stream[(b.action as Int32Array)[i]].obs as Uint8Array);
      assert.ok(
        Math.abs(b.obs[i * 6] - m) <= (dtype === 'float16' ? m * 2 ** -11 : 255 / 254),
        `${dtype}: ${b.obs[i * 6]} vs ${m}`,
      );
    }
  }
});

test('switching an empty image replay (a resumed frozen run) gives an empty latent replay of the same Ĉ', () => {
  const images = new ImageReplay({ obsShape: [H, W, C * k], frameStack: k, capacity: 100, action: { discrete: true } });
  const agent = new FakeSeerAgent(2, 3, S);
  const latent = switchToLatentReplay(agent, images, { copies: 4 });
  assert.equal(agent.encoded, 0);
  assert.equal(latent.size, 0);
  assert.equal(latent.capacity, Math.floor((100 * H * W * C) / (4 * 2 * 4 * 3)));
  assert.equal(agent.frozen, true);
  const stream = makeStream({ H, W, C, k, lengths: [5] });
  for (const t of stream) latent.add(t);
  assert.equal(latent.size, 5);
});

test('a Ĉ smaller than the stored observations keeps the newest Ĉ (e.g. canonical Rainbow, factor 0.5625)', () => {
  const { stream, images } = filled(60, [30, 25]);
  const agent = new FakeSeerAgent(1, 3, S);
  const latent = switchToLatentReplay(agent, images, { copies: 1, capacity: 20 });
  assert.equal(agent.encoded, 20);
  assert.ok(latent.size <= 20 && latent.size >= 18);
  const seen = checkLatentSamples(latent, stream, 10);
  assert.ok(Math.min(...seen) >= stream.length - 20, 'only the newest transitions');
});
