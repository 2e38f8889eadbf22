/**
 * Rainbow's online loss as one kernel with its gradient as another (RainbowAgent.update uses them when the active
 * backend registers both; only the native backend does, lib/backend/native.ts):
 *
 * - RAINBOW_LOSS: inputs {v [B, J], a [B, A·J], actions int32 [B], target [B, J], weights [B]}, the two final noisy
 *   layers of the online dueling head (lib/nets/heads.ts), the taken actions, the projected target distribution and
 *   the importance weights; returns [loss [], perSample [B], logp [B, A, J]] with, per sample in float32,
 *     q = v + (a − mean_A a),  logp = logSoftmax_J(q),  perSample = −Σ_J target · Σ_A logp·onehot(action),
 *     loss = mean_B(weights · perSample),
 *   the op composition of DuelingHead.apply({ log: true }) and the loss, kernel by kernel: tfjs-backend-wasm's Mean
 *   and Max (float, in order), the native Sum (a double accumulator, in order), exp and log as wasm's Exp and Log give
 *   them (native/src/rainbow_loss.cc). logp is kept for the gradient; `rainbowLoss` returns the first two.
 * - RAINBOW_LOSS_GRAD: inputs {dy [], dyPerSample [B], logp, actions, target, weights}; returns [dv [B, J],
 *   da [B, A·J]], the gradients tfjs forms for that composition (Mean, Multiply, Neg, Sum, logSoftmax's
 *   dy − Σdy·exp(logp), the dueling broadcast's Sum over actions and Mean's dy / A), element for element.
 *   dyPerSample is added where non-zero (tfjs passes zeros for an output outside the loss, as perSample is in the
 *   agent, whose composition then adds nothing). Gradients flow to v and a only: target and weights are constants
 *   of an update.
 * Both are bit-identical to the composition (test/backend/rainbow_loss.test.ts): a committed run's losses and
 * weights reproduce. As ops, forward and backward are ~50 dispatches on [B, A, J] tensors per update (issue 21).
 */
import * as tf from '@tensorflow/tfjs';
import { checkShape, hasKernels } from './checks';

export const RAINBOW_LOSS = 'SeerRainbowLoss';
export const RAINBOW_LOSS_GRAD = 'SeerRainbowLossGrad';

export interface RainbowLossInputs {
  v: tf.TensorInfo;
  a: tf.TensorInfo;
  actions: tf.TensorInfo;
  target: tf.TensorInfo;
  weights: tf.TensorInfo;
}

export interface RainbowLossGradInputs {
  dy: tf.TensorInfo;
  dyPerSample: tf.TensorInfo;
  logp: tf.TensorInfo;
  actions: tf.TensorInfo;
  target: tf.TensorInfo;
  weights: tf.TensorInfo;
}

/** Validates RAINBOW_LOSS inputs; returns [B, A, J]. (Action values are checked by the kernel.) */
export function checkRainbowLossInputs(x: RainbowLossInputs): [number, number, number] {
  const [B, J] = x.v.shape;
  const A = x.a.shape[1] / J;
  if (x.v.shape.length !== 2 || !(B >= 1 && J >= 1) || x.a.shape.length !== 2 || !(Number.isInteger(A) && A >= 1)) {
    throw new Error(
      `${RAINBOW_LOSS}: v must be [B, J] and a [B, A·J] with B, J, A >= 1, got v [${x.v.shape}], a [${x.a.shape}]`,
    );
  }
  checkShape(RAINBOW_LOSS, 'v', x.v, [B, J]);
  checkShape(RAINBOW_LOSS, 'a', x.a, [B, A * J]);
  checkShape(RAINBOW_LOSS, 'actions', x.actions, [B], 'int32');
  checkShape(RAINBOW_LOSS, 'target', x.target, [B, J]);
  checkShape(RAINBOW_LOSS, 'weights', x.weights, [B]);
  return [B, A, J];
}

/** Validates RAINBOW_LOSS_GRAD inputs; returns [B, A, J]. */
export function checkRainbowLossGradInputs(x: RainbowLossGradInputs): [number, number, number] {
  const [B, A, J] = x.logp.shape;
  if (x.logp.shape.length !== 3) throw new Error(`${RAINBOW_LOSS_GRAD}: logp must be [B, A, J], got [${x.logp.shape}]`);
  checkShape(RAINBOW_LOSS_GRAD, 'logp', x.logp, [B, A, J]);
  checkShape(RAINBOW_LOSS_GRAD, 'dy', x.dy, []);
  checkShape(RAINBOW_LOSS_GRAD, 'dyPerSample', x.dyPerSample, [B]);
  checkShape(RAINBOW_LOSS_GRAD, 'actions', x.actions, [B], 'int32');
  checkShape(RAINBOW_LOSS_GRAD, 'target', x.target, [B, J]);
  checkShape(RAINBOW_LOSS_GRAD, 'weights', x.weights, [B]);
  return [B, A, J];
}

/** Whether the active backend has the fused loss and its gradient. */
export function hasRainbowLossKernels(): boolean {
  return hasKernels(RAINBOW_LOSS, RAINBOW_LOSS_GRAD);
}

let gradientRegistered = false;

function registerRainbowLossGradient(): void {
  if (gradientRegistered) return;
  tf.registerGradient({
    kernelName: RAINBOW_LOSS,
    inputsToSave: ['actions', 'target', 'weights'],
    outputsToSave: [false, false, true],
    gradFunc: (dys, saved) => {
      const [dy, dyPerSample] = dys as tf.Tensor[];
      const [actions, target, weights, logp] = saved;
      // One dispatch for both gradients, run here rather than in the thunks: the backward pass's own scope then
      // disposes whichever of the two no input needs.
      const inputs = { dy, dyPerSample, logp, actions, target, weights };
      const [dv, da] = tf.engine().runKernel(RAINBOW_LOSS_GRAD, inputs) as tf.Tensor[];
      return { v: () => dv, a: () => da };
    },
  });
  gradientRegistered = true;
}

/**
 * Rainbow's loss from the online head's final layers (see the header); call only where hasRainbowLossKernels().
 * `perSample` is the per-sample cross-entropy (the priorities), `loss` the weighted mean that is minimised.
 */
export function rainbowLoss(
  v: tf.Tensor2D,
  a: tf.Tensor2D,
  actions: tf.Tensor1D,
  target: tf.Tensor2D,
  weights: tf.Tensor1D,
): { loss: tf.Scalar; perSample: tf.Tensor1D } {
  registerRainbowLossGradient();
  const [loss, perSample, logp] = tf.engine().runKernel(RAINBOW_LOSS, { v, a, actions, target, weights }) as [
    tf.Scalar,
    tf.Tensor1D,
    tf.Tensor,
  ];
  logp.dispose(); // the tape keeps its own reference for the gradient
  return { loss, perSample };
}
