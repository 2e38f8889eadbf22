/** The shared seedable generator (lib/envs/rng.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../lib/envs/rng';

test('same seed → same stream; different seeds (incl. negative and > 2^32) → different streams', () => {
  const draw = (s: number) =>
    Array.from(
      { length: 8 },
      (
        (r) => () =>
          r.uint32()
      )(new Rng(s)),
    );
  assert.deepEqual(draw(42), draw(42));
  const seeds = [0, 1, 2, -1, 2 ** 32, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER];
  const streams = new Set(seeds.map((s) => draw(s).join(',')));
  assert.equal(streams.size, seeds.length);
  assert.throws(() => new Rng(1.5), /safe integer/);
  assert.throws(() => new Rng(Number.NaN), /safe integer/);
});

test('known values pin the algorithm (sfc32 seeded by splitmix32): streams must not change silently', () => {
  const r = new Rng(0);
  const first = [r.uint32(), r.uint32(), r.uint32()];
  const again = new Rng(0);
  assert.deepEqual([again.uint32(), again.uint32(), again.uint32()], first);
  assert.ok(first.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32));
  assert.deepEqual(first, PINNED);
});
// Recorded from this implementation; a change here changes every seeded episode in the workbook.
const PINNED = [548183886, 1097162541, 2219297441];

test('uniform, int, normal: moments and ranges over 200k draws', () => {
  const r = new Rng(7);
  const n = 200000;
  let s = 0;
  let s2 = 0;
  const counts = new Array(6).fill(0);
  let zs = 0;
  let zs2 = 0;
  for (let i = 0; i < n; i++) {
    const u = r.random();
    assert.ok(u >= 0 && u < 1);
    s += u;
    s2 += u * u;
    counts[r.int(6)]++;
    const z = r.normal();
    zs += z;
    zs2 += z * z;
  }
  assert.ok(Math.abs(s / n - 0.5) < 0.005);
  assert.ok(Math.abs(s2 / n - 1 / 3) < 0.005);
  for (const c of counts) assert.ok(Math.abs(c / n - 1 / 6) < 0.006, `int(6) frequencies ${counts}`);
  assert.ok(Math.abs(zs / n) < 0.01 && Math.abs(zs2 / n - 1) < 0.015);
  const v = r.uniform(-2, 3);
  assert.ok(v >= -2 && v < 3);
});

test('getState/setState and clone continue the same stream', () => {
  const r = new Rng(3);
  r.normal();
  const c = r.clone();
  const saved = r.getState();
  const a = [r.uint32(), r.normal(), r.random()];
  assert.deepEqual([c.uint32(), c.normal(), c.random()], a);
  r.setState(saved);
  assert.deepEqual([r.uint32(), r.normal(), r.random()], a);
  assert.throws(() => r.setState([1, 2]), /5 numbers/);
});
