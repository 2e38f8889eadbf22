import { test } from 'node:test';
import assert from 'node:assert/strict';
import { centerCrop, cropAt, cropSizeFor, randomCrop } from '../../lib/augment/crop';
import { Rng } from '../../lib/envs/rng';

function image(n: number, h: number, w: number, c: number): Uint8Array {
  const a = new Uint8Array(n * h * w * c);
  for (let i = 0; i < n; i++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let k = 0; k < c; k++) a[((i * h + y) * w + x) * c + k] = (i * 50 + y * 7 + x * 3 + k) % 256;
  return a;
}

test('crop sizes keep the 84/100 ratio', () => {
  assert.equal(cropSizeFor(100), 84);
  assert.equal(cropSizeFor(50), 42);
  assert.equal(cropSizeFor(64), 54);
  assert.throws(() => cropSizeFor(0), /integer > 1/);
});

test('cropAt copies the right window, channels last', () => {
  const src = image(2, 6, 5, 2);
  const out = cropAt(src, 2, { inShape: [6, 5, 2], out: 3 }, [1, 3], [2, 0]);
  assert.equal(out.length, 2 * 3 * 3 * 2);
  // Sample 1, row 2, col 1, channel 1 comes from (y = 3 + 2, x = 0 + 1).
  assert.equal(out[((1 * 3 + 2) * 3 + 1) * 2 + 1], src[((1 * 6 + 5) * 5 + 1) * 2 + 1]);
  assert.equal(out[0], src[((0 * 6 + 1) * 5 + 2) * 2]);
  assert.throws(() => cropAt(src, 2, { inShape: [6, 5, 2], out: 3 }, [4, 0], [0, 0]), /out of range/);
});

test('centre crop starts at ⌊(size − out)/2⌋; random crops use offsets 0..size−out−1 and differ per sample', () => {
  const src = image(1, 100, 100, 1);
  const c = centerCrop(src, 1, { inShape: [100, 100, 1], out: 84 });
  assert.equal(c[0], src[8 * 100 + 8]);
  const n = 400;
  const many = new Uint8Array(n * 100 * 100);
  for (let i = 0; i < n; i++) many.set(src, i * 10000);
  const r = randomCrop(many, n, { inShape: [100, 100, 1], out: 84 }, new Rng(2));
  const firsts = new Set<number>();
  for (let i = 0; i < n; i++) {
    const v = r[i * 84 * 84];
    // v = (7y + 3x) % 256 with y, x in 0..15: the first pixel tells the offset pair back.
    firsts.add(v);
    assert.ok(v <= 7 * 15 + 3 * 15);
  }
  assert.ok(firsts.size > 50, `only ${firsts.size} distinct offsets`);
  assert.ok(!firsts.has(7 * 16 + 3 * 16), 'offset 16 must never be drawn');
});
