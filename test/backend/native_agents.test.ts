/**
 * Full agent updates on the native kernels give the same losses as on stock wasm (same process, kernels
 * swapped in place, same seeds and batches). Skips, saying why, when the addon is not built.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { CurlAgent } from '../../lib/agents/curl';
import { RainbowAgent } from '../../lib/agents/rainbow';
import type { Agent } from '../../lib/agents/types';
import { loadNativeAddon, nativeInfo, registerNativeKernels, useNativeKernels } from '../../lib/backend/native';
import type { Batch } from '../../lib/replay/types';

let skip: string | false = false;
try {
  loadNativeAddon();
} catch (err) {
  skip = `native addon not built: ${(err as Error).message}`;
  console.log(`# skipping native agent tests: ${skip}`);
}

function batch(B: number, shape: number[], actionDim: number, seed: number): Batch {
  const size = shape.reduce((a, b) => a * b, 1);
  const obs = new Uint8Array(B * size).map((_, i) => (i * 37 + seed * 11) % 251);
  const nextObs = new Uint8Array(B * size).map((_, i) => (i * 91 + seed * 7) % 253);
  return {
    size: B,
    obs,
    nextObs,
    // actionDim 0: discrete action indices (Rainbow); otherwise continuous actions (CURL).
    action:
      actionDim === 0
        ? new Int32Array(B).map((_, i) => i % 3)
        : new Float32Array(B * actionDim).map((_, i) => Math.sin(i + seed)),
    reward: new Float32Array(B).map((_, i) => (i % 3) - 1),
    discount: new Float32Array(B).fill(0.99),
    indices: new Int32Array(B).map((_, i) => i),
    weights: new Float32Array(B).fill(1),
  };
}

/** Losses of `updates` consecutive updates of a fresh agent, with the native kernels on or off. */
function losses(native: boolean, make: () => Agent, batches: Batch[]): Record<string, number>[] {
  useNativeKernels(native);
  const primitives = nativeInfo().cachedConvPrimitives;
  const agent = make();
  try {
    return batches.map((b, i) => agent.update(b, i + 1));
  } finally {
    agent.dispose();
    // Guard against a vacuous comparison: only the native run may create oneDNN primitives (new shapes here).
    const created = nativeInfo().cachedConvPrimitives > primitives;
    assert.equal(created, native, native ? 'native run used no oneDNN conv' : 'wasm run reached the addon');
  }
}

function assertClose(label: string, got: Record<string, number>[], want: Record<string, number>[]): void {
  assert.equal(got.length, want.length);
  want.forEach((w, i) => {
    for (const [k, v] of Object.entries(w)) {
      const g = got[i][k];
      const tol = 1e-4 * Math.max(1, Math.abs(v));
      assert.ok(Math.abs(g - v) <= tol, `${label} update ${i + 1} ${k}: native ${g} vs wasm ${v}`);
    }
  });
}

test('native vs wasm: CURL and Rainbow updates', { skip }, async (t) => {
  process.env.SEER_QUIET = '1';
  await registerNativeKernels();
  await tf.setBackend('wasm');
  try {
    await t.test('CURL (SAC-AE trunk, 3 updates) gives the same losses', () => {
      const cfg = { obsShape: [44, 44, 9], actionDim: 2, hidden: 64, seed: 5 };
      const bs = [1, 2, 3].map((s) => batch(8, cfg.obsShape, 2, s));
      const make = () => new CurlAgent(cfg);
      const want = losses(false, make, bs);
      const got = losses(true, make, bs);
      assert.ok(Object.keys(want[0]).length > 0, 'CURL update returned no losses');
      assertClose('curl', got, want);
    });
    await t.test('Rainbow (data-efficient trunk, 3 updates) gives the same losses', () => {
      const cfg = { obsShape: [84, 84, 4], numActions: 3, hidden: 64, seed: 2 };
      const bs = [1, 2, 3].map((s) => batch(16, cfg.obsShape, 0, s));
      const make = () => new RainbowAgent(cfg);
      const want = losses(false, make, bs);
      const got = losses(true, make, bs);
      assert.ok(Object.keys(want[0]).length > 0, 'Rainbow update returned no losses');
      assertClose('rainbow', got, want);
    });
  } finally {
    useNativeKernels(true);
  }
});
