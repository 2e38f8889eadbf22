/** What the fused kernels (noisy.ts, rainbow_loss.ts) check of their inputs, and whether a backend has them. */
import * as tf from '@tensorflow/tfjs';

/** Throws `<kernel>: <name> must be <dtype>` or `<kernel>: <name> shape [..] must be [..]` unless t matches. */
export function checkShape(kernel: string, name: string, t: tf.TensorInfo, shape: number[], dtype = 'float32'): void {
  if (t.dtype !== dtype) throw new Error(`${kernel}: ${name} must be ${dtype}, got ${t.dtype}`);
  if (!tf.util.arraysEqual(t.shape, shape)) throw new Error(`${kernel}: ${name} shape [${t.shape}] must be [${shape}]`);
}

/** Whether the active backend has every one of these kernels registered. */
export function hasKernels(...names: string[]): boolean {
  const backend = tf.getBackend();
  return names.every((n) => tf.getKernel(n, backend) !== undefined);
}
