/**
 * The native backend's fused Rainbow loss (lib/backend/kernels/rainbow_loss.ts) against the op composition it
 * replaces (DuelingHead.apply with log: true and the loss of RainbowAgent.update): loss, per-sample losses and the
 * gradients with respect to both streams, bit for bit, on random inputs and on the inputs where exp is hardest to
 * match; then whole agent updates with the kernel on and off. Skips, saying why, when the addon is not built.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { RainbowAgent } from '../../lib/agents/rainbow';
import { hasRainbowLossKernels, RAINBOW_LOSS, rainbowLoss } from '../../lib/backend/kernels/rainbow_loss';
import { loadNativeAddon } from '../../lib/backend/native';
import { initBackend } from '../../lib/backend/select';
import { Rng } from '../../lib/envs/rng';
import type { Batch } from '../../lib/replay/types';
import { bitwiseEqual } from '../agents/helpers';

let skip: string | false = false;
try {
  loadNativeAddon();
} catch (err) {
  skip = `native addon not built: ${(err as Error).message}`;
  console.log(`# skipping fused Rainbow loss tests: ${skip}`);
}

before(async () => {
  process.env.SEER_QUIET = '1';
  if (!skip) await initBackend('native');
});

interface LossCase {
  v: Float32Array; // [B, J]
  a: Float32Array; // [B, A·J]
  actions: Int32Array;
  target: Float32Array; // [B, J], rows sum to 1
  weights: Float32Array;
  B: number;
  A: number;
  J: number;
}

/** The composition as lib/nets/heads.ts and RainbowAgent.update write it, from the streams on. */
function composition(v: tf.Tensor2D, a: tf.Tensor2D, c: LossCase): { loss: tf.Scalar; perSample: tf.Tensor } {
  const q = tf.add(
    v.reshape([c.B, 1, c.J]),
    tf.sub(a.reshape([c.B, c.A, c.J]), tf.mean(a.reshape([c.B, c.A, c.J]), 1, true)),
  );
  const logp = tf.logSoftmax(q, -1);
  const actions = tf.oneHot(tf.tensor1d(c.actions, 'int32'), c.A).expandDims(2);
  const logpA = tf.sum(tf.mul(logp, actions), 1);
  const perSample = tf.neg(tf.sum(tf.mul(tf.tensor2d(c.target, [c.B, c.J]), logpA), 1));
  return { loss: tf.mean(tf.mul(tf.tensor1d(c.weights), perSample)) as tf.Scalar, perSample };
}

function fused(v: tf.Tensor2D, a: tf.Tensor2D, c: LossCase): { loss: tf.Scalar; perSample: tf.Tensor } {
  const target = tf.tensor2d(c.target, [c.B, c.J]);
  return rainbowLoss(v, a, tf.tensor1d(c.actions, 'int32'), target, tf.tensor1d(c.weights));
}

type LossFn = typeof composition;

/** Loss, per-sample losses and d/dv, d/da of `objective` (the loss, or the loss plus Σ perSample) as float32 arrays. */
function evaluate(fn: LossFn, c: LossCase, withPerSample: boolean): Float32Array[] {
  return tf.tidy(() => {
    const v = tf.variable(tf.tensor2d(c.v, [c.B, c.J]));
    const a = tf.variable(tf.tensor2d(c.a, [c.B, c.A * c.J]));
    const held: tf.Tensor[] = [];
    const { value, grads } = tf.variableGrads(() => {
      const { loss, perSample } = fn(v, a, c);
      held.push(tf.keep(loss), tf.keep(perSample));
      return (withPerSample ? tf.add(loss, tf.sum(perSample)) : loss) as tf.Scalar;
    }, [v, a]);
    const out = [value, ...held, grads[v.name], grads[a.name]].map((t) => t.dataSync() as Float32Array);
    tf.dispose([v, a]);
    return out;
  });
}

const NAMES = ['objective', 'loss', 'perSample', 'dv', 'da'];

function assertSame(c: LossCase, label: string, withPerSample = false): void {
  const want = evaluate(composition, c, withPerSample);
  const got = evaluate(fused, c, withPerSample);
  want.forEach((w, i) => {
    assert.ok(w.every(Number.isFinite), `${label}: composition ${NAMES[i]} is finite`);
    assert.ok(bitwiseEqual(got[i], w), `${label}: ${NAMES[i]} differs from the composition`);
  });
}

/** Random streams and targets like an update's: projected targets have exact zeros, IS weights in (0, 1]. */
function randomCase(B: number, A: number, J: number, seed: number): LossCase {
  const r = new Rng(seed);
  const scale = [0.05, 1, 8][seed % 3];
  const v = Float32Array.from({ length: B * J }, () => scale * r.normal());
  const a = Float32Array.from({ length: B * A * J }, () => scale * r.normal());
  const target = new Float32Array(B * J);
  for (let b = 0; b < B; b++) {
    const row = Array.from({ length: J }, () => (r.uniform() < 0.5 ? 0 : r.uniform()));
    row[r.int(J)] += 0.5;
    const sum = row.reduce((x, y) => x + y, 0);
    row.forEach((p, j) => (target[b * J + j] = p / sum));
  }
  const actions = Int32Array.from({ length: B }, () => r.int(A));
  const weights = Float32Array.from({ length: B }, () => (r.uniform() < 0.2 ? 1 : r.uniform() + 1e-3));
  return { v, a, actions, target, weights, B, A, J };
}

test(
  'native Rainbow loss: loss, per-sample losses and both gradients equal the composition, bit for bit',
  {
    skip,
  },
  () => {
    assert.ok(hasRainbowLossKernels(), 'the native backend registers the fused loss and its gradient');
    for (const B of [1, 5, 32]) {
      for (const A of [3, 18]) {
        for (const seed of [1, 2, 3]) {
          const c = randomCase(B, A, 51, seed * 100 + B + A);
          assertSame(c, `B=${B} A=${A} seed=${seed}`);
        }
      }
    }
    // A gradient that reaches the per-sample losses too (a second consumer of perSample).
    assertSame(randomCase(5, 3, 51, 7), 'loss + Σ perSample', true);
  },
);

test('native Rainbow loss: exp matches wasm where glibc differs, and on 100k more inputs', { skip }, () => {
  // a = 0 makes q = v (the dueling mean of equal values is exact); a row [0, x, ...] with every x ≤ −20 has
  // log-sum-exp log(1) = 0, so logp = v, and a one-hot target at atom 0 makes dv[j ≥ 1] = exp(v[j]) / B · weight
  // exactly: every exp of the backward pass shows in the gradient.
  const probe = (xs: Float32Array, B: number, J: number): LossCase => {
    const v = new Float32Array(B * J);
    for (let b = 0; b < B; b++) for (let j = 1; j < J; j++) v[b * J + j] = xs[(b * (J - 1) + j - 1) % xs.length];
    const target = new Float32Array(B * J);
    for (let b = 0; b < B; b++) target[b * J] = 1;
    const A = 2;
    return {
      v,
      a: new Float32Array(B * A * J),
      actions: Int32Array.from({ length: B }, (_, b) => b % A),
      target,
      weights: new Float32Array(B).fill(1),
      B,
      A,
      J,
    };
  };
  // −63.0994606 (0xc27c65d9): the one float32 ≤ 0 where glibc's expf rounds differently from wasm's Exp.
  const hard = new Float32Array(new Uint32Array([0xc27c65d9]).buffer);
  assertSame(probe(hard, 1, 51), 'exp(−63.0994606)');
  const r = new Rng(11);
  const xs = Float32Array.from({ length: 100_000 }, () => -20 - 84 * r.uniform());
  assertSame(probe(xs, 2000, 51), '100k exp inputs in [−104, −20]');
});

test('native Rainbow loss: rejects bad shapes and action indices with a clear message', { skip }, () => {
  const c = randomCase(4, 3, 51, 5);
  const v = tf.tensor2d(c.v, [4, 51]);
  const a = tf.tensor2d(c.a, [4, 153]);
  const target = tf.tensor2d(c.target, [4, 51]);
  const weights = tf.tensor1d(c.weights);
  assert.throws(() => rainbowLoss(v, a, tf.tensor1d([0, 1, 3, 0], 'int32'), target, weights), /actions\[2\] = 3/);
  assert.throws(() => rainbowLoss(v, a, tf.tensor1d([0, 1, 2], 'int32'), target, weights), /actions shape/);
  assert.throws(
    () => rainbowLoss(v, tf.tensor2d(c.a.subarray(0, 200), [4, 50]), tf.tensor1d(c.actions, 'int32'), target, weights),
    /a \[B, A·J\]/,
  );
  tf.dispose([v, a, target, weights]);
});

/** A batch of small frames with every field varying (priority weights too). */
function agentBatch(B: number, size: number, numActions: number, seed: number): Batch {
  const r = new Rng(seed);
  return {
    size: B,
    obs: Uint8Array.from({ length: B * size }, () => r.int(256)),
    nextObs: Uint8Array.from({ length: B * size }, () => r.int(256)),
    action: Int32Array.from({ length: B }, () => r.int(numActions)),
    reward: Float32Array.from({ length: B }, () => r.int(3) - 1),
    discount: Float32Array.from({ length: B }, () => (r.uniform() < 0.2 ? 0 : 0.99 ** 3)),
    indices: new Int32Array(B),
    weights: Float32Array.from({ length: B }, () => r.uniform() * 0.9 + 0.1),
  };
}

test(
  'native Rainbow loss: agent updates with the fused loss equal those with the composition, bit for bit',
  {
    skip,
  },
  async () => {
    const shape = [25, 25, 2];
    const size = 25 * 25 * 2;
    const cfg = { obsShape: shape, numActions: 5, hidden: 32, seed: 3 };
    const fusedAgent = new RainbowAgent(cfg);
    const opsAgent = new RainbowAgent(cfg);
    const kernel = tf.getKernel(RAINBOW_LOSS, 'wasm');
    assert.ok(kernel);
    try {
      for (let t = 0; t < 4; t++) {
        const batch = agentBatch(16, size, cfg.numActions, t);
        const fromFused = fusedAgent.update(batch);
        tf.unregisterKernel(RAINBOW_LOSS, 'wasm');
        assert.equal(hasRainbowLossKernels(), false);
        const fromOps = opsAgent.update(batch);
        tf.registerKernel(kernel);
        assert.deepEqual(fromFused, fromOps, `update ${t}: stats`);
        assert.ok(bitwiseEqual(fusedAgent.lastPriorities()!, opsAgent.lastPriorities()!), `update ${t}: priorities`);
      }
      const [a, b] = await Promise.all([fusedAgent.save(), opsAgent.save()]);
      const keys = Object.keys(a.tensors);
      assert.deepEqual(keys, Object.keys(b.tensors));
      assert.ok(keys.length > 20);
      for (const k of keys) assert.ok(bitwiseEqual(a.tensors[k].data, b.tensors[k].data), `${k} after 4 updates`);
    } finally {
      if (!tf.getKernel(RAINBOW_LOSS, 'wasm')) tf.registerKernel(kernel);
      fusedAgent.dispose();
      opsAgent.dispose();
    }
  },
);
