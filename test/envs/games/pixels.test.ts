/** Pixel observations agree with the native channels: gray levels, cell blocks, stacking order. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GAME_NAMES, makeMinAtar } from '../../../lib/envs/games';
import { cellOfPixel, grayLevels } from '../../../lib/envs/games/pixels';
import { Rng } from '../../../lib/envs/rng';

test('cell mapping at 84 px: pixel p → cell ⌊p·10/84⌋; blocks of 9 (cells 0, 2, 5, 7) or 8 pixels, covering all 84', () => {
  const cell = cellOfPixel(84);
  const widths = new Array(10).fill(0);
  for (let p = 0; p < 84; p++) widths[cell[p]]++;
  assert.deepEqual(widths, [9, 8, 9, 8, 8, 9, 8, 9, 8, 8]);
  for (let p = 1; p < 84; p++) assert.ok(cell[p] - cell[p - 1] === 0 || cell[p] - cell[p - 1] === 1);
  assert.deepEqual(
    Array.from(cellOfPixel(100)).filter((_, p) => p % 10 === 0),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
});

test('gray levels: distinct, non-zero, brighter towards the front; drawOrder must be a permutation', () => {
  for (const g of GAME_NAMES) {
    const env = makeMinAtar(g);
    const levels = Array.from(env.grayLevels);
    assert.equal(new Set(levels).size, levels.length, g);
    assert.ok(levels.every((v) => v > 0));
    const order = env.game.drawOrder;
    for (let k = 1; k < order.length; k++) assert.ok(levels[order[k]] > levels[order[k - 1]]);
  }
  assert.throws(() => grayLevels([0, 0, 1]), /permutation of 0..2/);
});

/** The expected frame from a native state: each pixel shows the gray of its cell's front-most active channel. */
function expectedFrame(
  state: Uint8Array,
  C: number,
  drawOrder: readonly number[],
  levels: Uint8Array,
  size: number,
): Uint8Array {
  const cell = cellOfPixel(size);
  const out = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = cell[y] * 10 + cell[x];
      let g = 0;
      for (const c of drawOrder) if (state[i * C + c]) g = levels[c];
      out[y * size + x] = g;
    }
  }
  return out;
}

/** Byte equality (fast; assert.deepEqual on thousands of 7 KB arrays is slow). */
function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

function channel(obs: Uint8Array, k: number, K: number): Uint8Array {
  const out = new Uint8Array(obs.length / K);
  for (let p = 0; p < out.length; p++) out[p] = obs[p * K + k];
  return out;
}

test('frames match the native channels, and the 4-stack holds the last 4 frames oldest → newest', () => {
  for (const g of GAME_NAMES) {
    // Same seed and policy: the native and pixel envs play the same trajectory.
    const native = makeMinAtar(g, { obs: 'native', seed: 4 });
    const pixels = makeMinAtar(g, { obs: 'pixels', frameStack: 4, seed: 4 });
    const C = native.observationSpace.shape[2];
    const levels = pixels.grayLevels;
    const policy = new Rng(1);
    const history: Uint8Array[] = [];
    let n = native.reset().obs as Uint8Array;
    let p = pixels.reset().obs as Uint8Array;
    let active = 0;
    for (let t = 0; t < 120; t++) {
      const want = expectedFrame(n, C, pixels.game.drawOrder, levels, 84);
      history.push(want);
      for (let k = 0; k < 4; k++) {
        const src = history[Math.max(0, history.length - 4 + k)];
        assert.ok(same(channel(p, k, 4), src), `${g} step ${t} stack channel ${k}`);
      }
      active += want.some((v) => v > 0) ? 1 : 0;
      const a = policy.int(6);
      const sn = native.step(a);
      const sp = pixels.step(a);
      assert.equal(sp.reward, sn.reward);
      assert.equal(sp.terminated, sn.terminated);
      n = sn.obs as Uint8Array;
      p = sp.obs as Uint8Array;
      if (sn.terminated) {
        history.length = 0;
        n = native.reset().obs as Uint8Array;
        p = pixels.reset().obs as Uint8Array;
      }
    }
    assert.ok(active > 100, 'frames are not blank');
  }
});

test('other stack depths and sizes use the general path and agree with the 4-stack', () => {
  const four = makeMinAtar('seaquest', { seed: 8 });
  const three = makeMinAtar('seaquest', { seed: 8, frameStack: 3 });
  const one = makeMinAtar('seaquest', { seed: 8, frameStack: 1, size: 100 });
  assert.deepEqual(three.observationSpace.shape, [84, 84, 3]);
  assert.deepEqual(one.observationSpace.shape, [100, 100, 1]);
  let a = four.reset().obs as Uint8Array;
  let b = three.reset().obs as Uint8Array;
  let c = one.reset().obs as Uint8Array;
  const policy = new Rng(2);
  for (let t = 0; t < 60; t++) {
    for (let k = 0; k < 3; k++) assert.ok(same(channel(b, k, 3), channel(a, k + 1, 4)), `step ${t} channel ${k}`);
    // 100 px: every cell is a 10×10 block; pixel (10r + 5, 10c + 5) shows cell (r, c) like the 84-px frame does.
    const newest = channel(a, 3, 4);
    const cell = cellOfPixel(84);
    for (let y = 0; y < 84; y += 7)
      for (let x = 0; x < 84; x += 7) assert.equal(c[(cell[y] * 10 + 5) * 100 + cell[x] * 10 + 5], newest[y * 84 + x]);
    const act = policy.int(6);
    const sa = four.step(act);
    a = sa.obs as Uint8Array;
    b = three.step(act).obs as Uint8Array;
    c = one.step(act).obs as Uint8Array;
    if (sa.terminated) {
      a = four.reset().obs as Uint8Array;
      b = three.reset().obs as Uint8Array;
      c = one.reset().obs as Uint8Array;
    }
  }
});

test('native frame stack: [10, 10, C·k], oldest first, reset fills the stack with the first state', () => {
  const env = makeMinAtar('breakout', { obs: 'native', frameStack: 2, seed: 1 });
  const single = makeMinAtar('breakout', { obs: 'native', seed: 1 });
  assert.deepEqual(env.observationSpace.shape, [10, 10, 8]);
  const split = (o: Uint8Array, k: number): Uint8Array => {
    const out = new Uint8Array(400);
    for (let i = 0; i < 100; i++) for (let c = 0; c < 4; c++) out[i * 4 + c] = o[i * 8 + k * 4 + c];
    return out;
  };
  let prev = single.reset().obs as Uint8Array;
  const o0 = env.reset().obs as Uint8Array;
  assert.deepEqual([split(o0, 0), split(o0, 1)], [prev, prev]);
  for (let t = 0; t < 5; t++) {
    const cur = single.step(3).obs as Uint8Array;
    const o = env.step(3).obs as Uint8Array;
    assert.deepEqual([split(o, 0), split(o, 1)], [prev, cur]);
    prev = cur;
  }
});
