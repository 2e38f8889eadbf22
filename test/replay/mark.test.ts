/**
 * `mark()` / `exportMarked()`: a replay's state kept without copying its slots, exported later exactly as
 * `exportState()` would have exported it at the mark, whatever happened since (more episodes, priority updates,
 * new chunks, the ring wrapping over marked slots). A baseline holds its fork point this way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ImageReplay } from '../../lib/replay/image-replay';
import type { ReplayState } from '../../lib/replay/step-ring';
import { makeStream } from './fixtures';

/** A deep copy (what exportState returned at the time, safe from later changes). */
function copy(s: ReplayState): ReplayState {
  const arrays: ReplayState['arrays'] = {};
  for (const [k, v] of Object.entries(s.arrays)) arrays[k] = v.slice();
  return { meta: JSON.parse(JSON.stringify(s.meta)), arrays };
}

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
  lengths: [7, 12, 5, 20, 9, 15, 6, 25, 18, 30],
  ends: [
    'terminated',
    'truncated',
    'terminated',
    'terminated',
    'cut',
    'truncated',
    'terminated',
    'cut',
    'terminated',
    'truncated',
  ],
});

/** Adds transitions, sampling and updating priorities after each as a run does. */
function train(r: ImageReplay, from: number, to: number): void {
  for (const t of stream.slice(from, to)) {
    r.add(t);
    const b = r.sample(4);
    r.updatePriorities(
      b.indices,
      Float32Array.from(b.indices, (i) => (i % 5) + 0.5),
    );
  }
}

test('exportMarked() is exportState() at the mark, after more steps, new chunks and the ring wrapping over it', () => {
  // Marks before the first chunk fills, at an episode end, mid-episode and after the ring has wrapped.
  for (const at of [5, 19, 30, 52, 60]) {
    const r = new ImageReplay(opts);
    train(r, 0, at);
    const then = copy(r.exportState());
    r.mark();
    const written = r.slotsWritten;
    train(r, at, stream.length);
    assert.ok(r.slotsWritten > written + r.slots, 'the ring wrapped over every slot held at the mark');
    const marked = r.exportMarked();
    assert.deepEqual(marked, then, `marked after ${at} transitions`);

    // Restored from it, the buffer continues as the original did from the mark.
    const a = new ImageReplay(opts);
    const b = new ImageReplay(opts);
    train(a, 0, at);
    b.importState(marked);
    for (const t of stream.slice(at)) {
      a.add(t);
      b.add(t);
      assert.deepEqual(b.sample(4), a.sample(4));
    }
  }
});

test('a new mark replaces the old one; an export, a restore or a release ends it', () => {
  const r = new ImageReplay(opts);
  assert.throws(() => r.exportMarked(), /no marked state/);
  train(r, 0, 10);
  r.mark();
  train(r, 10, 25);
  const then = copy(r.exportState());
  r.mark();
  train(r, 25, 50);
  assert.deepEqual(r.exportMarked(), then);
  assert.throws(() => r.exportMarked(), /no marked state/, 'the export ended it');
  r.mark();
  r.importState(then);
  assert.throws(() => r.exportMarked(), /no marked state/);
  r.mark();
  r.release();
  assert.throws(() => r.exportMarked(), /no marked state/);
});
