import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ImageReplay, imageReplayForBudget } from '../../lib/replay/image-replay';
import type { Transition } from '../../lib/replay/types';
import { makeStream, type StreamSpec } from './fixtures';

function sliceOf(a: Uint8Array | Float32Array, b: number, n: number): number[] {
  return Array.from(a.subarray(b * n, (b + 1) * n));
}

/** Every sampled row must rebuild exactly the obs / next obs of the transition its action names. */
function checkSamples(buf: ImageReplay, stream: Transition[], draws: number, seen?: Set<number>): void {
  const S = buf.obsSize;
  for (let r = 0; r < draws; r++) {
    const batch = buf.sample(16);
    for (let b = 0; b < batch.size; b++) {
      const id = (batch.action as Int32Array)[b];
      const t = stream[id];
      assert.deepEqual(sliceOf(batch.obs, b, S), Array.from(t.obs), `obs of transition ${id}`);
      assert.deepEqual(sliceOf(batch.nextObs, b, S), Array.from(t.nextObs), `next obs of transition ${id}`);
      seen?.add(id);
    }
  }
}

const discrete = { discrete: true } as const;

test('stacks are rebuilt exactly across episode boundaries (repeat-first-frame starts, terminated/truncated/cut ends)', () => {
  for (const [C, k] of [
    [1, 4],
    [3, 3],
  ]) {
    const spec: StreamSpec = {
      H: 3,
      W: 2,
      C,
      k,
      lengths: [1, 2, 5, 3, 4],
      ends: ['terminated', 'cut', 'truncated', 'terminated', 'cut'],
    };
    const stream = makeStream(spec);
    const buf = new ImageReplay({ obsShape: [3, 2, C * k], frameStack: k, capacity: 100, action: discrete, seed: 1 });
    for (const t of stream) buf.add(t);
    assert.equal(buf.size, stream.length);
    // one slot per step plus one final observation per episode: each frame stored once
    assert.equal(buf.slotsWritten, stream.length + spec.lengths.length);
    const seen = new Set<number>();
    checkSamples(buf, stream, 40, seen);
    assert.equal(seen.size, stream.length, 'every transition sampled at least once');
  }
});

test('grey 4-frame stacks of a multiple of 4 pixels (the word-wise interleave) are rebuilt exactly', () => {
  // 4×5 pixels: every frame is 5 int32 words, each pixel byte distinct across the stream's frames.
  const spec: StreamSpec = { H: 4, W: 5, C: 1, k: 4, lengths: [2, 7, 1, 4], ends: ['terminated', 'cut', 'truncated'] };
  const stream = makeStream(spec);
  const buf = new ImageReplay({ obsShape: [4, 5, 4], frameStack: 4, capacity: 100, action: discrete, seed: 4 });
  for (const t of stream) buf.add(t);
  const seen = new Set<number>();
  checkSamples(buf, stream, 40, seen);
  assert.equal(seen.size, stream.length, 'every transition sampled at least once');
});

test('zero-padded episode starts (a different wrapper) are stored as k frames and rebuilt exactly', () => {
  const spec: StreamSpec = { H: 2, W: 2, C: 1, k: 4, lengths: [3, 6], start: 'zeros' };
  const stream = makeStream(spec);
  const buf = new ImageReplay({ obsShape: [2, 2, 4], frameStack: 4, capacity: 50, action: discrete, seed: 2 });
  for (const t of stream) buf.add(t);
  checkSamples(buf, stream, 20);
});

test('after the ring wraps, the oldest sampleable stacks still have their history', () => {
  const spec: StreamSpec = {
    H: 2,
    W: 2,
    C: 1,
    k: 4,
    lengths: [30, 7, 25, 40],
    ends: ['terminated', 'truncated', 'cut', 'cut'],
  };
  const stream = makeStream(spec);
  const buf = new ImageReplay({
    obsShape: [2, 2, 4],
    frameStack: 4,
    capacity: 11,
    action: discrete,
    seed: 3,
    chunkSlots: 4,
  });
  for (let i = 0; i < stream.length; i++) {
    buf.add(stream[i]);
    if (i > 5) checkSamples(buf, stream, 2);
  }
  assert.ok(buf.size <= 11);
});

test('n-step returns are cut at episode ends, by hand (n = 3, γ = 0.5)', () => {
  // episode A: rewards 1,2,3,4 then terminated; episode B: rewards 10, 20 then truncated; episode C: 5, 6 still running
  const rewards = [1, 2, 3, 4, 10, 20, 5, 6];
  const spec: StreamSpec = {
    H: 1,
    W: 1,
    C: 1,
    k: 2,
    lengths: [4, 2, 2],
    ends: ['terminated', 'truncated', 'cut'],
    rewards: (t) => rewards[t],
  };
  const stream = makeStream(spec);
  const buf = new ImageReplay({
    obsShape: [1, 1, 2],
    frameStack: 2,
    capacity: 64,
    action: discrete,
    nStep: 3,
    gamma: 0.5,
    seed: 4,
  });
  for (const t of stream) buf.add(t);
  const expected: Record<number, [number, number, number]> = {
    // id: [return, discount, id of the transition whose nextObs is the bootstrap obs]
    0: [1 + 0.5 * 2 + 0.25 * 3, 0.125, 2],
    1: [2 + 0.5 * 3 + 0.25 * 4, 0, 3], // the 3-step window reaches the terminal step
    2: [3 + 0.5 * 4, 0, 3],
    3: [4, 0, 3],
    4: [10 + 0.5 * 20, 0.25, 5], // truncated: bootstrap with γ^2
    5: [20, 0.5, 5],
    6: [5 + 0.5 * 6, 0.25, 7], // only 2 steps stored so far: bootstrap from the newest observation
    7: [6, 0.5, 7],
  };
  const seen = new Set<number>();
  for (let r = 0; r < 30; r++) {
    const b = buf.sample(8);
    for (let i = 0; i < 8; i++) {
      const id = (b.action as Int32Array)[i];
      const [ret, disc, boot] = expected[id];
      assert.ok(Math.abs(b.reward[i] - ret) < 1e-6, `return of ${id}: ${b.reward[i]} vs ${ret}`);
      assert.ok(Math.abs(b.discount[i] - disc) < 1e-7, `discount of ${id}`);
      assert.deepEqual(sliceOf(b.nextObs, i, 2), Array.from(stream[boot].nextObs), `bootstrap obs of ${id}`);
      seen.add(id);
    }
  }
  assert.equal(seen.size, 8);
  // when episode C continues, its first transition sees all 3 steps
  buf.add({
    obs: stream[7].nextObs,
    action: 8,
    reward: 7,
    nextObs: new Uint8Array([9, 9]),
    terminated: false,
    truncated: false,
  });
  assert.ok(Math.abs(buf.nStepReturn(buf.slotsWritten - 4).ret - (5 + 3 + 7 / 4)) < 1e-6);
});

test('continuous actions and float32 state vectors round-trip', () => {
  const buf = new ImageReplay({
    obsShape: [5],
    frameStack: 1,
    dtype: 'float32',
    capacity: 10,
    action: { discrete: false, dim: 2 },
    seed: 5,
  });
  let obs = Float32Array.from([0, 1, 2, 3, 4]);
  for (let t = 0; t < 6; t++) {
    const next = obs.map((v) => v + 0.25);
    buf.add({
      obs,
      action: Float32Array.from([t, -t]),
      reward: t,
      nextObs: next,
      terminated: false,
      truncated: t === 5,
    });
    obs = next;
  }
  const b = buf.sample(32);
  for (let i = 0; i < 32; i++) {
    const a = (b.action as Float32Array)[2 * i];
    assert.equal((b.action as Float32Array)[2 * i + 1], -a);
    assert.equal(b.obs[5 * i], a * 0.25);
    assert.equal(b.nextObs[5 * i], (a + 1) * 0.25);
    assert.equal(b.reward[i], a);
  }
});

test('bytesAllocated counts the real arrays; paperBytes is C·P', () => {
  // CURL: 3 RGB frames at 100×100, 1-d action; Rainbow: 4 grey frames at 84×84
  const curl = new ImageReplay({
    obsShape: [100, 100, 9],
    frameStack: 3,
    capacity: 40,
    action: { discrete: false, dim: 1 },
    chunkSlots: 16,
  });
  assert.equal(curl.paperBytes(), 40 * 30000);
  assert.equal(curl.bytesAllocated(), 0, 'lazy: nothing before the first add');
  const stream = makeStream({ H: 100, W: 100, C: 3, k: 3, lengths: [60] }).map((t) => ({
    ...t,
    action: Float32Array.from([0.5]),
  }));
  for (const t of stream) curl.add(t);
  assert.equal(
    curl.bytesAllocated(),
    ImageReplay.bytesAtCapacity({
      obsShape: [100, 100, 9],
      frameStack: 3,
      capacity: 40,
      action: { discrete: false, dim: 1 },
    }),
  );
  assert.equal(
    curl.bytesAllocated(),
    42 * (30000 + 4 + 4 + 1) + 90000,
    'frames + history + metadata + one scratch stack',
  );
  const rb = new ImageReplay({
    obsShape: [84, 84, 4],
    frameStack: 4,
    capacity: 100,
    action: discrete,
    nStep: 20,
    prioritized: true,
  });
  assert.equal(rb.paperBytes(), 100 * 7056);
  for (const t of makeStream({ H: 84, W: 84, C: 1, k: 4, lengths: [120] })) rb.add(t);
  assert.equal(rb.bytesAllocated(), 103 * (7056 + 9) + 2 * 128 * 8 + 4 * 7056);
});

test('a memory budget sets C from the real bytes and is never exceeded', () => {
  const opts = { obsShape: [20, 20, 9], frameStack: 3, action: { discrete: false, dim: 2 } as const, chunkSlots: 8 };
  const budget = 100_000;
  const buf = imageReplayForBudget(opts, '100KB', 4);
  assert.ok(ImageReplay.bytesAtCapacity({ ...opts, capacity: buf.capacity }) <= budget);
  assert.ok(
    ImageReplay.bytesAtCapacity({ ...opts, capacity: buf.capacity + 1 }) > budget,
    'C is the largest that fits',
  );
  const stream = makeStream({ H: 20, W: 20, C: 3, k: 3, lengths: [50, 50, 50] }).map((t) => ({
    ...t,
    action: Float32Array.from([1, 2]),
  }));
  for (const t of stream) {
    buf.add(t);
    assert.ok(buf.bytesAllocated() <= budget, `${buf.bytesAllocated()} > ${budget}`);
  }
  assert.throws(() => imageReplayForBudget(opts, '10KB', 32), /too small .*32 transitions \(one batch\)/);
});

test('bad input is an error naming the problem', () => {
  assert.throws(
    () => new ImageReplay({ obsShape: [4, 4, 5], frameStack: 3, capacity: 4, action: discrete }),
    /multiple of frameStack/,
  );
  assert.throws(
    () => new ImageReplay({ obsShape: [4, 4, 3], frameStack: 3, capacity: 0, action: discrete }),
    /capacity must be an integer ≥ 1/,
  );
  const buf = new ImageReplay({ obsShape: [2, 2, 3], frameStack: 3, capacity: 4, action: discrete });
  assert.throws(() => buf.sample(2), /empty/);
  assert.throws(
    () =>
      buf.add({
        obs: new Uint8Array(5),
        nextObs: new Uint8Array(12),
        action: 0,
        reward: 0,
        terminated: false,
        truncated: false,
      }),
    /obs must be a Uint8Array of length 12/,
  );
  assert.throws(
    () =>
      buf.add({
        obs: new Uint8Array(12),
        nextObs: new Uint8Array(12),
        action: 0.5,
        reward: 0,
        terminated: false,
        truncated: false,
      }),
    /discrete actions/,
  );
});
