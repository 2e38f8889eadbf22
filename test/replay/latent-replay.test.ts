import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocPacked, fromHalf, packVectors, toHalf, unpackVectors } from '../../lib/replay/latent-codec';
import { LatentReplay } from '../../lib/replay/latent-replay';
import { makeRng } from '../../lib/replay/random';

test('float16 pack/unpack: exact where representable, round-to-nearest-even, relative error ≤ 2^-11', () => {
  for (const v of [0, 1, -2, 0.5, 65504, -65504, 2 ** -14, 2 ** -24, 1.5, 1023.5]) assert.equal(fromHalf(toHalf(v)), v);
  assert.equal(fromHalf(toHalf(1 + 2 ** -11)), 1, 'tie rounds to even');
  assert.equal(fromHalf(toHalf(1 + 3 * 2 ** -11)), 1 + 2 ** -9, 'tie rounds to even (up)');
  assert.equal(fromHalf(toHalf(70000)), Infinity);
  assert.equal(fromHalf(toHalf(-Infinity)), -Infinity);
  assert.ok(Number.isNaN(fromHalf(toHalf(NaN))));
  assert.equal(fromHalf(toHalf(2 ** -26)), 0);
  assert.equal(Object.is(fromHalf(toHalf(-0)), -0), true);
  const rng = makeRng(3);
  for (let i = 0; i < 20000; i++) {
    const v = (rng.next() - 0.5) * 2 ** (Math.floor(rng.next() * 30) - 14);
    const back = fromHalf(toHalf(v));
    if (Math.abs(v) >= 2 ** -14) assert.ok(Math.abs(back - v) <= Math.abs(v) * 2 ** -11, `${v} → ${back}`);
    else assert.ok(Math.abs(back - v) <= 2 ** -25, `subnormal ${v} → ${back}`);
  }
});

test('latent codecs round-trip within their bounds', () => {
  const L = 50;
  const count = 200;
  const rng = makeRng(5);
  const src = new Float32Array(count * L);
  for (let i = 0; i < src.length; i++) src[i] = (rng.next() - 0.5) * 20 * (i % 7 === 0 ? 10 : 1);
  for (const dtype of ['float32', 'float16', 'int8'] as const) {
    const p = allocPacked(dtype, L, count);
    packVectors(p, 0, src, 0, count);
    const back = new Float32Array(count * L);
    unpackVectors(p, 0, count, back, 0);
    for (let v = 0; v < count; v++) {
      let m = 0;
      for (let i = 0; i < L; i++) m = Math.max(m, Math.abs(src[v * L + i]));
      for (let i = 0; i < L; i++) {
        const x = src[v * L + i];
        const err = Math.abs(back[v * L + i] - x);
        const bound = dtype === 'float32' ? 0 : dtype === 'float16' ? Math.abs(x) * 2 ** -11 : (m / 254) * (1 + 1e-6);
        assert.ok(err <= bound, `${dtype}: ${x} → ${back[v * L + i]} (bound ${bound})`);
      }
    }
  }
  const zeros = allocPacked('int8', 4, 1);
  packVectors(zeros, 0, new Float32Array(4), 0, 1);
  const out = new Float32Array(4).fill(9);
  unpackVectors(zeros, 0, 1, out, 0);
  assert.deepEqual(Array.from(out), [0, 0, 0, 0]);
});

/** Latents [K, N, L] whose values name the slot, copy and head: 20·slot + 4·k + h (exact in float16 below 1024). */
function tagged(slot: number, K: number, N: number, L: number): Float32Array {
  const z = new Float32Array(K * N * L);
  for (let k = 0; k < K; k++)
    for (let h = 0; h < N; h++) z.fill(20 * slot + 4 * k + h, (k * N + h) * L, (k * N + h + 1) * L);
  return z;
}

test('sampling picks one copy k per row, the same for every head and for the bootstrap observation', () => {
  const K = 4;
  const N = 2;
  const L = 3;
  for (const dtype of ['float32', 'float16', 'int8'] as const) {
    const buf = new LatentReplay({
      capacity: 50,
      heads: N,
      dim: L,
      copies: K,
      dtype,
      action: { discrete: true },
      seed: 9,
    });
    let slot = 0;
    for (let t = 0; t < 20; t++) {
      const start = t % 5 === 0;
      if (start) slot++;
      buf.addLatents({
        obs: start ? tagged(slot - 1, K, N, L) : null,
        nextObs: tagged(slot, K, N, L),
        action: t,
        reward: 1,
        terminated: t % 5 === 4,
        truncated: false,
      });
      slot++;
    }
    assert.equal(buf.size, 20);
    const ks = new Set<number>();
    const b = buf.sample(64);
    for (let i = 0; i < 64; i++) {
      const v = Math.round(b.obs[i * N * L]);
      const s = Math.floor(v / 20);
      const k = Math.floor((v - 20 * s) / 4);
      ks.add(k);
      for (let h = 0; h < N; h++)
        for (let d = 0; d < L; d++)
          assert.ok(Math.abs(b.obs[(i * N + h) * L + d] - (20 * s + 4 * k + h)) < 0.3, `${dtype} obs head ${h}`);
      for (let h = 0; h < N; h++)
        assert.ok(Math.abs(b.nextObs[(i * N + h) * L] - (20 * (s + 1) + 4 * k + h)) < 0.3, `${dtype} next obs`);
    }
    assert.equal(ks.size, K, 'all copies are used');
  }
});

test('latent n-step targets are cut per sample at episode ends (Rainbow, n = 20)', () => {
  const buf = new LatentReplay({
    capacity: 100,
    heads: 1,
    dim: 2,
    copies: 1,
    action: { discrete: true },
    nStep: 20,
    gamma: 0.9,
    seed: 1,
  });
  const z = new Float32Array(2);
  for (let t = 0; t < 30; t++)
    buf.addLatents({
      obs: t === 0 || t === 5 ? z : null,
      nextObs: z,
      action: t,
      reward: 1,
      terminated: t === 4,
      truncated: false,
    });
  const b = buf.sample(64);
  for (let i = 0; i < 64; i++) {
    const t = (b.action as Int32Array)[i];
    const steps = t < 5 ? 5 - t : Math.min(20, 30 - t);
    assert.ok(Math.abs(b.reward[i] - (1 - 0.9 ** steps) / 0.1) < 1e-4, `return of ${t}`);
    assert.ok(Math.abs(b.discount[i] - (t < 5 ? 0 : 0.9 ** steps)) < 1e-6, `discount of ${t}`);
  }
});

test('paperBytes is Ĉ·N·K·bytes(L); bytesAllocated the real arrays', () => {
  const mk = (dtype: 'float32' | 'float16' | 'int8') =>
    new LatentReplay({
      capacity: 1000,
      heads: 2,
      dim: 50,
      copies: 4,
      dtype,
      action: { discrete: false, dim: 1 },
      chunkSlots: 100,
    });
  assert.equal(mk('float32').paperBytes(), 1000 * 1600);
  assert.equal(mk('float16').paperBytes(), 1000 * 800);
  assert.equal(mk('int8').paperBytes(), 1000 * 8 * 54);
  for (const dtype of ['float32', 'float16', 'int8'] as const) {
    const buf = mk(dtype);
    const z = new Float32Array(400);
    for (let t = 0; t < 1500; t++)
      buf.addLatents({
        obs: t === 0 ? z : null,
        nextObs: z,
        action: Float32Array.of(0),
        reward: 0,
        terminated: false,
        truncated: false,
      });
    assert.equal(
      buf.bytesAllocated(),
      LatentReplay.bytesAtCapacity({
        capacity: 1000,
        heads: 2,
        dim: 50,
        copies: 4,
        dtype,
        action: { discrete: false, dim: 1 },
      }),
    );
  }
});
