import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ImageReplay } from '../../lib/replay/image-replay';
import { LatentReplay } from '../../lib/replay/latent-replay';
import type { ReplayState } from '../../lib/replay/step-ring';
import type { Batch } from '../../lib/replay/types';
import { makeStream } from './fixtures';

/** What a checkpoint does to a state: JSON for the meta, copies of the arrays. */
function throughCheckpoint(s: ReplayState): ReplayState {
  const arrays: ReplayState['arrays'] = {};
  for (const [k, v] of Object.entries(s.arrays)) arrays[k] = v.slice();
  return { meta: JSON.parse(JSON.stringify(s.meta)), arrays };
}

function same(a: Batch, b: Batch): void {
  for (const k of ['obs', 'nextObs', 'action', 'reward', 'discount', 'indices', 'weights'] as const)
    assert.deepEqual(Array.from(a[k]), Array.from(b[k]), k);
}

test('an exported image replay (prioritized, n-step, wrapped) continues exactly after import', () => {
  const opts = {
    obsShape: [3, 3, 4],
    frameStack: 4,
    capacity: 30,
    action: { discrete: true } as const,
    nStep: 5,
    prioritized: { beta: 0.5 },
    seed: 8,
    chunkSlots: 8,
  };
  const stream = makeStream({
    H: 3,
    W: 3,
    C: 1,
    k: 4,
    lengths: [20, 15, 25],
    ends: ['terminated', 'truncated', 'cut'],
  });
  const a = new ImageReplay(opts);
  for (const t of stream.slice(0, 45)) a.add(t);
  const b0 = a.sample(8);
  a.updatePriorities(b0.indices, Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
  const b = new ImageReplay(opts);
  b.importState(throughCheckpoint(a.exportState()));
  assert.equal(b.size, a.size);
  assert.equal(
    b.bytesAllocated(),
    a.bytesAllocated(),
    'same chunks and scratch stack allocated, so a resumed run reports the same bytes',
  );
  for (const t of stream.slice(45)) {
    a.add(t);
    b.add(t);
    same(a.sample(8), b.sample(8));
  }
  assert.throws(
    () => new ImageReplay({ ...opts, capacity: 31 }).importState(a.exportState()),
    /capacity is 30, this buffer's is 31/,
  );
});

test('an exported latent replay (int8, K copies, open episode) continues exactly after import', () => {
  const opts = {
    capacity: 40,
    heads: 2,
    dim: 3,
    copies: 2,
    dtype: 'int8' as const,
    action: { discrete: false, dim: 1 } as const,
    seed: 4,
    chunkSlots: 16,
  };
  const z = (v: number) => Float32Array.from({ length: 12 }, (_, i) => v + i / 10);
  const steps = Array.from({ length: 60 }, (_, t) => ({
    obs: t % 9 === 0 ? z(-t) : null,
    nextObs: z(t),
    action: Float32Array.of(t),
    reward: t,
    terminated: t % 9 === 8,
    truncated: false,
  }));
  const a = new LatentReplay(opts);
  for (const s of steps.slice(0, 50)) a.addLatents(s);
  const b = new LatentReplay(opts);
  b.importState(throughCheckpoint(a.exportState()));
  for (const s of steps.slice(50)) {
    a.addLatents(s);
    b.addLatents(s);
    same(a.sample(6), b.sample(6));
  }
  assert.throws(
    () => new LatentReplay({ ...opts, dtype: 'float16' }).importState(a.exportState()),
    /dtype is int8, this buffer's is float16/,
  );
});
