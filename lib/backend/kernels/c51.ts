/**
 * C51_PROJECT (lib/agents/distributional.ts uses it when the active backend registers it; only the native backend
 * does, lib/backend/native.ts): inputs {probs [B, J], returns [B], discounts [B], z [J]} with z = tf.linspace(vMin,
 * vMax, J), attrs {vMin, vMax}; returns [B, J], per element in float32 and in this order
 *   tz = clip(returns[b] + discounts[b]·z[j], vMin, vMax),  pos = (tz − vMin) / dz,  dz = (vMax − vMin)/(J − 1),
 *   w[b, j, i] = max(1 − |pos − i|, 0),  out[b] = probs[b] · w[b]   (the batched matmul of the composition),
 * the op composition of projectDistribution in one dispatch, bit for bit (test/agents/distributional.test.ts).
 */
import * as tf from '@tensorflow/tfjs';

export const C51_PROJECT = 'SeerC51Project';

export interface C51Inputs {
  probs: tf.TensorInfo;
  returns: tf.TensorInfo;
  discounts: tf.TensorInfo;
  z: tf.TensorInfo;
}

export interface C51Attrs {
  vMin: number;
  vMax: number;
}

/** Validates C51_PROJECT inputs; returns [B, J]. */
export function checkC51Inputs(x: C51Inputs): [number, number] {
  const [B, J] = x.probs.shape;
  const want: [keyof C51Inputs, number[]][] = [
    ['probs', [B, J]],
    ['returns', [B]],
    ['discounts', [B]],
    ['z', [J]],
  ];
  for (const [name, shape] of want) {
    const t = x[name];
    if (t.dtype !== 'float32') throw new Error(`${C51_PROJECT}: ${name} must be float32, got ${t.dtype}`);
    if (x.probs.shape.length !== 2 || !tf.util.arraysEqual(t.shape, shape)) {
      throw new Error(`${C51_PROJECT}: ${name} shape [${t.shape}] must be [${shape}] (probs [B, J])`);
    }
  }
  return [B, J];
}
