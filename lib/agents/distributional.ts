/**
 * Categorical (C51) distributional RL helpers for Rainbow: the fixed support and the projection of the
 * n-step Bellman-updated distribution r + γⁿ·z back onto it.
 *
 * The tensor version uses the triangular-kernel form m_i = Σ_j p_j · max(0, 1 − |b_j − i|), with
 * b_j = (clip(r + γⁿ z_j, v_min, v_max) − v_min)/Δz. It equals the floor/ceil split of Bellemare et al.
 * (and Kaixhin's fix for integer b_j, which puts all of p_j on atom b_j) and needs no scatter/readback.
 * Where the backend registers C51_PROJECT (native: lib/backend/kernels/c51.ts) the same arithmetic is one dispatch
 * instead of ~20 (issue 21), bit for bit.
 */
import * as tf from '@tensorflow/tfjs';
import { C51_PROJECT } from '../backend/kernels/c51';

export function support(atoms: number, vMin: number, vMax: number): Float32Array {
  if (!(Number.isInteger(atoms) && atoms >= 2)) throw new Error(`atoms must be an integer >= 2, got ${atoms}`);
  if (!(vMax > vMin)) throw new Error(`vMax must exceed vMin, got [${vMin}, ${vMax}]`);
  const z = new Float32Array(atoms);
  const dz = (vMax - vMin) / (atoms - 1);
  for (let i = 0; i < atoms; i++) z[i] = vMin + i * dz;
  return z;
}

/** probs [B, J] of the chosen next action, returns [B], discounts γⁿ(1−done) [B] → target [B, J]. */
export function projectDistribution(
  probs: tf.Tensor2D,
  returns: tf.Tensor1D,
  discounts: tf.Tensor1D,
  vMin: number,
  vMax: number,
): tf.Tensor2D {
  return tf.tidy(() => {
    const atoms = probs.shape[1];
    if (tf.getKernel(C51_PROJECT, tf.getBackend()) && [probs, returns, discounts].every((t) => t.dtype === 'float32')) {
      const inputs = { probs, returns, discounts, z: tf.linspace(vMin, vMax, atoms) };
      return tf.engine().runKernel(C51_PROJECT, inputs, { vMin, vMax }) as tf.Tensor2D;
    }
    const dz = (vMax - vMin) / (atoms - 1);
    const z = tf.linspace(vMin, vMax, atoms).reshape([1, atoms]);
    const tz = tf.clipByValue(tf.add(returns.reshape([-1, 1]), tf.mul(discounts.reshape([-1, 1]), z)), vMin, vMax);
    const b = tf.div(tf.sub(tz, vMin), dz); // [B, J]
    const idx = tf.range(0, atoms, 1, 'float32').reshape([1, 1, atoms]);
    const w = tf.relu(tf.sub(1, tf.abs(tf.sub(b.expandDims(2), idx)))); // [B, J, I]
    return tf.matMul(probs.expandDims(1), w).squeeze([1]) as tf.Tensor2D;
  });
}

/** The textbook floor/ceil projection in plain JS (Kaixhin's agent.py), for tests and readers. */
export function projectDistributionReference(
  probs: ArrayLike<number>,
  ret: number,
  discount: number,
  vMin: number,
  vMax: number,
): Float64Array {
  const atoms = probs.length;
  const dz = (vMax - vMin) / (atoms - 1);
  const m = new Float64Array(atoms);
  for (let j = 0; j < atoms; j++) {
    const tz = Math.min(vMax, Math.max(vMin, ret + discount * (vMin + j * dz)));
    const b = (tz - vMin) / dz;
    let l = Math.floor(b);
    let u = Math.ceil(b);
    if (u > 0 && l === u) l -= 1;
    else if (l < atoms - 1 && l === u) u += 1;
    m[l] += probs[j] * (u - b);
    m[u] += probs[j] * (b - l);
  }
  return m;
}
