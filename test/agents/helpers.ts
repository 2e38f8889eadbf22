/** Small deterministic batches and backend setup shared by the agent tests (wasm unless SEER_BACKEND says otherwise). */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend/select';
import type { Batch } from '../../lib/replay/types';

export async function setup(): Promise<void> {
  process.env.SEER_QUIET = '1';
  await initBackend(process.env.SEER_BACKEND ?? 'wasm');
}

/** A fixed uint8 image batch [B, ...shape] with continuous actions in [-1, 1]. */
export function imageBatch(B: number, shape: number[], actionDim: number, seed = 1): Batch {
  const size = shape.reduce((a, b) => a * b, 1);
  const obs = new Uint8Array(B * size);
  const next = new Uint8Array(B * size);
  for (let i = 0; i < obs.length; i++) {
    obs[i] = (i * 37 + seed * 11) % 251;
    next[i] = (i * 91 + seed * 7) % 253;
  }
  return {
    size: B,
    obs,
    nextObs: next,
    action: new Float32Array(B * actionDim).map((_, i) => Math.sin(i + seed)),
    reward: new Float32Array(B).map((_, i) => (i % 3) - 1),
    discount: new Float32Array(B).fill(0.99),
    indices: new Int32Array(B).map((_, i) => i),
    weights: new Float32Array(B).fill(1),
  };
}

export async function snapshot(vars: tf.Variable[]): Promise<Float32Array[]> {
  return Promise.all(vars.map(async (v) => (await v.data()) as Float32Array));
}

export function bitwiseEqual(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return false;
  return true;
}
