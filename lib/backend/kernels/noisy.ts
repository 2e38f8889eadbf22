/**
 * Fused kernels of the factorised noisy linear layer (lib/nets/noisy.ts uses them when the active backend has
 * them registered; only the native backend does, lib/backend/native.ts):
 *
 * - NOISY_PARAMS: inputs {wMu [in, out], wSigma [in, out], bMu [out], bSigma [out], epsIn [in, 1], epsOut [out]};
 *   returns [w, b] with, per element in float32 and in this order,
 *     w[i, j] = wMu[i, j] + wSigma[i, j] · (epsIn[i] · epsOut[j]),  b[j] = bMu[j] + bSigma[j] · epsOut[j]:
 *   the op composition add(μ, mul(σ, mul(ε_in, ε_out))) in one pass, without the [in, out] outer product.
 * - NOISY_SIGMA_GRAD: inputs {dy [in, out], epsIn, epsOut}; returns dy ⊙ (epsIn ⊗ epsOut), the composition's
 *   gradient with respect to wSigma, mul(dy, mul(ε_in, ε_out)), element for element.
 * Each element is the same float32 products and sum as the composition, so results are bit-identical
 * (test/nets/noisy_fused.test.ts compares the two on the native backend).
 */
import * as tf from '@tensorflow/tfjs';
import { checkShape, hasKernels } from './checks';

export const NOISY_PARAMS = 'SeerNoisyParams';
export const NOISY_SIGMA_GRAD = 'SeerNoisySigmaGrad';

export interface NoisyParamsInputs {
  wMu: tf.TensorInfo;
  wSigma: tf.TensorInfo;
  bMu: tf.TensorInfo;
  bSigma: tf.TensorInfo;
  epsIn: tf.TensorInfo;
  epsOut: tf.TensorInfo;
}

export interface NoisySigmaGradInputs {
  dy: tf.TensorInfo;
  epsIn: tf.TensorInfo;
  epsOut: tf.TensorInfo;
}

const size = (t: tf.TensorInfo) => tf.util.sizeFromShape(t.shape);

/** Validates NOISY_PARAMS inputs; returns [in, out]. */
export function checkNoisyParamsInputs(x: NoisyParamsInputs): [number, number] {
  const inDim = size(x.epsIn);
  const outDim = size(x.epsOut);
  checkShape(NOISY_PARAMS, 'epsIn', x.epsIn, [inDim, 1]);
  checkShape(NOISY_PARAMS, 'epsOut', x.epsOut, [outDim]);
  checkShape(NOISY_PARAMS, 'wMu', x.wMu, [inDim, outDim]);
  checkShape(NOISY_PARAMS, 'wSigma', x.wSigma, [inDim, outDim]);
  checkShape(NOISY_PARAMS, 'bMu', x.bMu, [outDim]);
  checkShape(NOISY_PARAMS, 'bSigma', x.bSigma, [outDim]);
  return [inDim, outDim];
}

/** Validates NOISY_SIGMA_GRAD inputs; returns [in, out]. */
export function checkNoisySigmaGradInputs(x: NoisySigmaGradInputs): [number, number] {
  const inDim = size(x.epsIn);
  const outDim = size(x.epsOut);
  checkShape(NOISY_SIGMA_GRAD, 'epsIn', x.epsIn, [inDim, 1]);
  checkShape(NOISY_SIGMA_GRAD, 'epsOut', x.epsOut, [outDim]);
  checkShape(NOISY_SIGMA_GRAD, 'dy', x.dy, [inDim, outDim]);
  return [inDim, outDim];
}

/** Whether the active backend has the fused noisy-layer kernels. */
export function hasNoisyKernels(): boolean {
  return hasKernels(NOISY_PARAMS, NOISY_SIGMA_GRAD);
}
