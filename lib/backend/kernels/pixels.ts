/**
 * Uploading uint8 pixels as a float32 tensor (values 0..255, exact) in one pass.
 *
 * The plain way, `tf.tensor(toFloat(u8))`, allocates a JS Float32Array four times the frames' size, then copies
 * it into the backend: for a Rainbow update (obs and next obs, 32×84×84×4) that is 2 × 3.6 MB of garbage per update,
 * which keeps V8's major GC busy (issue 21: ~12% of a training step's CPU samples were concurrent marking). On 'wasm'
 * (and the native backend, which keeps wasm's heap) the tensor is allocated on the heap and the bytes are converted
 * straight into it by a typed-array copy; other backends take the plain way. Same values on every path.
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmBackend } from './wasm_heap';

interface WasmUpload extends WasmBackend {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

/** `src[0 .. n)` as a float32 tensor of `shape` (n = its size); throws when `src` is shorter. */
export function pixelsToTensor(src: Uint8Array, shape: readonly number[]): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  if (src.length < n) {
    throw new Error(`pixelsToTensor: expected at least ${n} values for shape [${shape}], got ${src.length}`);
  }
  if (tf.getBackend() !== 'wasm' || n === 0) {
    const f = new Float32Array(n);
    f.set(src.subarray(0, n));
    return tf.tensor(f, [...shape], 'float32');
  }
  const backend = tf.backend() as unknown as WasmUpload;
  const info = backend.makeOutput([...shape], 'float32');
  // The view is taken after the allocation (which may grow the heap) and used at once.
  backend.typedArrayFromHeap(info).set(src.subarray(0, n));
  return tf.engine().makeTensorFromTensorInfo(info);
}
