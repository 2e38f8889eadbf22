/**
 * Kernels registered on 'wasm' so the workbook's encoders train there (called by setupWasm() before the
 * backend initialises; every replaced stock kernel stays the fallback for cases ours do not cover):
 * - missing in tfjs-backend-wasm 4.22: Conv2DBackpropFilter;
 * - wrong: MaxPoolGrad (misroutes gradients with 'same' padding);
 * - far below wasm's own forward speed: Conv2DBackpropInput (naive loop), BatchMatMul with a transposed
 *   operand (scalar loop), Sum over leading axes (every conv bias gradient; stock transposes first);
 * - needless copies: Identity, which tfjs calls to clone every tensor saved for the backward pass, now
 *   shares the buffer as the cpu backend does (tensors are immutable; wasm kernels write fresh outputs);
 * - new: the fused Adam step and global norm (adam.ts), one dispatch per parameter instead of ~10.
 * The remaining kernels the three encoders' gradients use (Step for ReLU, Tanh, Mean, Rsqrt, …) are stock;
 * test/backend/encoder_grads.test.ts checks whole-encoder gradients against the cpu backend.
 */
import * as tf from '@tensorflow/tfjs';
import { ADAM_STEP, GLOBAL_NORM, wasmAdamStep, wasmGlobalNorm } from './adam';
import { makeBatchMatMul } from './batch_matmul';
import { conv2dBackpropFilter, conv2dBackpropInput } from './conv2d_grads';
import { maxPoolGrad } from './max_pool_grad';
import { makeSum } from './sum';
import type { TensorInfo, WasmBackend } from './wasm_heap';

/** Identity by reference (tfjs tensors are immutable; wasm kernels always write fresh outputs). */
function sharedIdentity(args: { inputs: { x: TensorInfo }; backend: WasmBackend }): TensorInfo {
  const { x } = args.inputs;
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

/** Names of the kernels this module provides (for reports and tests). */
export const WASM_TRAINING_KERNELS = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'BatchMatMul',
  'MaxPoolGrad',
  'Identity',
  'Sum',
  ADAM_STEP,
  GLOBAL_NORM,
] as const;

let registered = false;

function replace(kernelName: string, kernelFunc: tf.KernelFunc, setupFunc?: tf.KernelSetupFunc): void {
  // registerKernel only warns when a kernel exists and keeps the old one's setup; unregister first.
  if (tf.getKernel(kernelName, 'wasm')) tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc, setupFunc });
}

export function registerWasmTrainingKernels(): void {
  if (registered) return;
  const stockMatMul = tf.getKernel('BatchMatMul', 'wasm');
  if (!stockMatMul)
    throw new Error("tfjs-backend-wasm did not register 'BatchMatMul'; is @tensorflow/tfjs-backend-wasm 4.22 loaded?");
  replace('Conv2DBackpropFilter', conv2dBackpropFilter as unknown as tf.KernelFunc);
  replace('Conv2DBackpropInput', conv2dBackpropInput as unknown as tf.KernelFunc);
  replace('MaxPoolGrad', maxPoolGrad as unknown as tf.KernelFunc);
  const stockIdentity = tf.getKernel('Identity', 'wasm');
  replace('Identity', ((args: Parameters<typeof sharedIdentity>[0]) =>
    args.inputs.x.dtype === 'string'
      ? stockIdentity!.kernelFunc(args as never)
      : sharedIdentity(args)) as unknown as tf.KernelFunc);
  // The stock setupFunc binds the C function our wrapper still calls for the no-transpose case.
  replace('BatchMatMul', makeBatchMatMul(stockMatMul.kernelFunc), stockMatMul.setupFunc);
  const stockSum = tf.getKernel('Sum', 'wasm')!;
  replace('Sum', makeSum(stockSum.kernelFunc), stockSum.setupFunc);
  // The fused optimizer step (lib/agents/adam.ts); lib/backend/native.ts replaces these with the addon's.
  replace(ADAM_STEP, wasmAdamStep as unknown as tf.KernelFunc);
  replace(GLOBAL_NORM, wasmGlobalNorm as unknown as tf.KernelFunc);
  registered = true;
}
