/**
 * The image replay's native frame stacking (native/src/frames.cc, used by `stacksAt` when the native backend is on)
 * writes the same bytes as the JS loop: Atari-style grey stacks (C = 1, k = 4), CURL's colour stacks (C = 3, k = 3),
 * episode starts (repeated and zero-padded first frames) and a replay whose frames span several storage chunks.
 * Skipped when the addon is not built.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ImageReplay } from '../../lib/replay/image-replay';
import { makeStream, type StreamSpec } from './fixtures';

const native = require('../../lib/backend/native') as typeof import('../../lib/backend/native');
let skip: string | false = false;
try {
  native.loadNativeAddon();
  if (typeof (native.loadNativeAddon() as { stackFrames?: unknown }).stackFrames !== 'function')
    skip = 'addon built without stackFrames';
} catch (err) {
  skip = `native addon not built: ${(err as Error).message}`;
}

function filled(spec: StreamSpec, capacity: number, chunkSlots?: number): ImageReplay {
  const replay = new ImageReplay({
    obsShape: [spec.H, spec.W, spec.C * spec.k],
    frameStack: spec.k,
    capacity,
    action: { discrete: true },
    seed: 3,
    ...(chunkSlots ? { chunkSlots } : {}),
  });
  for (const t of makeStream(spec)) replay.add(t);
  return replay;
}

test('stacksAt: native stacks equal the JS stacks byte for byte', { skip }, async () => {
  process.env.SEER_QUIET = '1';
  await native.registerNativeKernels();
  const cases: [string, StreamSpec, number, number?][] = [
    [
      'grey k=4, 8-slot chunks',
      { H: 6, W: 5, C: 1, k: 4, lengths: [7, 1, 9], ends: ['terminated', 'truncated', 'cut'] },
      40,
      8,
    ],
    ['grey k=4, zero-padded starts', { H: 4, W: 4, C: 1, k: 4, lengths: [5, 6], start: 'zeros' }, 30],
    ['colour k=3', { H: 5, W: 3, C: 3, k: 3, lengths: [4, 8, 3] }, 30],
    ['grey k=4, odd pixel count, wrapped ring', { H: 3, W: 3, C: 1, k: 4, lengths: [30, 25] }, 20, 4],
  ];
  for (const [label, spec, capacity, chunkSlots] of cases) {
    const replay = filled(spec, capacity, chunkSlots);
    const logical = (
      replay as unknown as { sampleRows(n: number): { obsSlot: number[]; bootSlot: number[] } }
    ).sampleRows(48);
    for (const rows of [logical.obsSlot, logical.bootSlot]) {
      native.useNativeKernels(true);
      assert.equal(typeof native.nativeStackFrames(), 'function', `${label}: the native path is on`);
      const fast = replay.stacksAt(rows);
      native.useNativeKernels(false);
      assert.equal(native.nativeStackFrames(), undefined, `${label}: the JS path is on`);
      const slow = replay.stacksAt(rows);
      assert.deepEqual(fast, slow, label);
    }
  }
  native.useNativeKernels(true);
});

test('stackFrames refuses references outside its payloads, naming the reference', { skip }, () => {
  const addon = native.loadNativeAddon();
  const out = new Uint8Array(2 * 4);
  const payload = new Uint8Array(10);
  assert.throws(
    () => addon.stackFrames(out, [payload], Float64Array.from([0, 0, 0, 0, 0, 0, 0, 9]), 2, 1, 4),
    /stackFrames: refs\[6\]: payload 0 at 9 \(frames of 2 bytes\) is outside the 1 payloads given/,
  );
  assert.throws(
    () => addon.stackFrames(out, [payload], Float64Array.from([1, 0, 0, 0, 0, 0, 0, 0]), 2, 1, 4),
    /refs\[0\]: payload 1 /,
  );
  assert.throws(() => addon.stackFrames(new Uint8Array(7), [payload], new Float64Array(8), 2, 1, 4), /out has 7 bytes/);
});
