import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { projectDistribution, projectDistributionReference, support } from '../../lib/agents/distributional';
import { Rng } from '../../lib/envs/rng';
import { setup } from './helpers';

before(setup);

function project(p: number[], r: number, d: number, vMin: number, vMax: number): number[] {
  return tf.tidy(() =>
    Array.from(projectDistribution(tf.tensor2d([p]), tf.tensor1d([r]), tf.tensor1d([d]), vMin, vMax).dataSync()),
  );
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < tol, `index ${i}: ${a[i]} vs ${b[i]}`);
}

test('support: 51 atoms on [-10, 10], spacing 0.4', () => {
  const z = support(51, -10, 10);
  assert.equal(z.length, 51);
  assert.equal(z[0], -10);
  assert.ok(Math.abs(z[25]) < 1e-6);
  assert.ok(Math.abs(z[50] - 10) < 1e-5);
  assert.throws(() => support(1, 0, 1), /atoms/);
  assert.throws(() => support(5, 1, 1), /vMax/);
});

test('projection by hand on 3 atoms {-1, 0, 1}', () => {
  // Identity: r = 0, γ = 1.
  close(project([0.2, 0.3, 0.5], 0, 1, -1, 1), [0.2, 0.3, 0.5]);
  // Terminal (γⁿ = 0), r = 0.5: all mass at 0.5, split evenly between atoms 0 and 1.
  close(project([0.2, 0.3, 0.5], 0.5, 0, -1, 1), [0, 0.5, 0.5]);
  // Terminal, r = 1 exactly (integer b): all mass on the last atom.
  close(project([0.2, 0.3, 0.5], 1, 0, -1, 1), [0, 0, 1]);
  // r = 1, γ = 1: shifted right, clipped at v_max: {0 ← 0.2, 1 ← 0.3 + 0.5}.
  close(project([0.2, 0.3, 0.5], 1, 1, -1, 1), [0, 0.2, 0.8]);
  // γ = 0.5, r = 0: atoms shrink to {-0.5, 0, 0.5}: 0.2 splits to atoms 0/1, 0.5 splits to atoms 1/2.
  close(project([0.2, 0.3, 0.5], 0, 0.5, -1, 1), [0.1, 0.3 + 0.1 + 0.25, 0.25]);
});

test('tensor projection equals the floor/ceil reference on random cases and conserves mass', () => {
  const rng = new Rng(9);
  for (let c = 0; c < 30; c++) {
    const raw = Array.from({ length: 51 }, () => rng.uniform());
    const s = raw.reduce((a, b) => a + b, 0);
    const p = raw.map((v) => v / s);
    const r = (rng.uniform() - 0.5) * 30;
    const d = c % 5 === 0 ? 0 : Math.pow(0.99, 1 + rng.int(20));
    const got = project(p, r, d, -10, 10);
    close(got, projectDistributionReference(p, r, d, -10, 10), 1e-5);
    assert.ok(Math.abs(got.reduce((a, b) => a + b, 0) - 1) < 1e-5);
  }
});

test('native C51 kernel: the projection equals the op composition bit for bit (clipped, integer and random cases)', async (t) => {
  const native = require('../../lib/backend/native') as typeof import('../../lib/backend/native');
  try {
    native.loadNativeAddon();
  } catch (err) {
    t.skip(`native addon not built: ${(err as Error).message}`);
    return;
  }
  const active = tf.getBackend();
  await native.registerNativeKernels();
  const { C51_PROJECT } = await import('../../lib/backend/kernels/c51');
  try {
    const config = tf.getKernel(C51_PROJECT, 'wasm');
    assert.ok(config, 'the native backend registers the C51 kernel');
    const rng = new Rng(11);
    const B = 32;
    const J = 51;
    const probs = tf.softmax(
      tf.tensor2d(
        Float32Array.from({ length: B * J }, () => 3 * rng.normal()),
        [B, J],
      ),
    );
    // Rewards beyond ±10 (clipped), integer atom positions (γ = 0, r on the support), γⁿ of 20 steps and random.
    const r = Float32Array.from({ length: B }, (_, b) =>
      b % 4 === 0 ? 12 * rng.normal() : b % 4 === 1 ? b - 16 : rng.normal(),
    );
    const d = Float32Array.from({ length: B }, (_, b) =>
      b % 4 === 1 ? 0 : b % 4 === 2 ? Math.pow(0.99, 20) : rng.uniform(),
    );
    const run = () =>
      tf.tidy(() => projectDistribution(probs as tf.Tensor2D, tf.tensor1d(r), tf.tensor1d(d), -10, 10).dataSync());
    const fused = await tf.profile(() => void run());
    assert.ok(
      fused.kernels.some((k) => k.name === C51_PROJECT),
      'the projection ran as one fused kernel',
    );
    const got = run() as Float32Array;
    tf.unregisterKernel(C51_PROJECT, 'wasm');
    let want: Float32Array;
    try {
      want = run() as Float32Array;
    } finally {
      tf.registerKernel(config);
    }
    assert.deepEqual(Array.from(new Uint32Array(got.buffer)), Array.from(new Uint32Array(want.buffer)));
    probs.dispose();
  } finally {
    native.useNativeKernels(false);
    await tf.setBackend(active);
  }
});
