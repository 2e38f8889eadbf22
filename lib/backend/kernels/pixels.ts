/**
 * Uploading uint8 pixels as a float32 tensor in one pass: the values 0..255 as they are, or divided by the conv
 * trunks' 255 (`divisor`), which spares the trunk its full-size division (lib/nets/encoders.ts `scaled`).
 *
 * The plain way, `tf.tensor(toFloat(u8))`, allocates a JS Float32Array four times the frames' size, then copies
 * it into the backend: for a Rainbow update (obs and next obs, 32×84×84×4) that is 2 × 3.6 MB of garbage per update,
 * which keeps V8's major GC busy (issue 21: ~12% of a training step's CPU samples were concurrent marking). On 'wasm'
 * (and the native backend, which keeps wasm's heap) the tensor is allocated on the heap and the bytes are converted
 * straight into it (a typed-array copy, the native addon's pass or a 256-entry table when dividing); other backends
 * take the plain way. Same values on every path: v / divisor rounded to float32 once, which is the float32 division
 * tf.div(x, divisor) computes (a double quotient rounded to float32 equals the float32 quotient of float32 operands).
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmBackend } from './wasm_heap';

interface WasmUpload extends WasmBackend {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

const tables = new Map<number, Float32Array>();

/** fround(v / divisor) for every byte value v. */
function divisionTable(divisor: number): Float32Array {
  let t = tables.get(divisor);
  if (!t) {
    const d = Math.fround(divisor);
    t = new Float32Array(256);
    for (let v = 0; v < 256; v++) t[v] = v / d;
    tables.set(divisor, t);
  }
  return t;
}

function convert(src: Uint8Array, dst: Float32Array, divisor: number | undefined): void {
  if (divisor === undefined) {
    dst.set(src.subarray(0, dst.length));
    return;
  }
  const native = nativePixels();
  if (native) {
    native(src, dst, divisor);
    return;
  }
  const t = divisionTable(divisor);
  for (let i = 0; i < dst.length; i++) dst[i] = t[src[i]];
}

/** The native addon's conversion when the native backend is active (loaded lazily: it is optional). */
function nativePixels(): ((src: Uint8Array, out: Float32Array, divisor: number) => void) | undefined {
  const native = require('../native') as typeof import('../native');
  return native.nativePixelsToFloat();
}

/**
 * `src[0 .. n)` as a float32 tensor of `shape` (n = its size), each value divided by `opts.divisor` when given;
 * throws when `src` is shorter or the divisor is not a positive finite number.
 */
export function pixelsToTensor(src: Uint8Array, shape: readonly number[], opts: { divisor?: number } = {}): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  if (src.length < n) {
    throw new Error(`pixelsToTensor: expected at least ${n} values for shape [${shape}], got ${src.length}`);
  }
  const { divisor } = opts;
  if (divisor !== undefined && !(divisor > 0 && Number.isFinite(divisor))) {
    throw new Error(`pixelsToTensor: divisor must be a positive finite number, got ${divisor}`);
  }
  if (tf.getBackend() !== 'wasm' || n === 0) {
    const f = new Float32Array(n);
    convert(src, f, divisor);
    return tf.tensor(f, [...shape], 'float32');
  }
  const backend = tf.backend() as unknown as WasmUpload;
  const info = backend.makeOutput([...shape], 'float32');
  // The view is taken after the allocation (which may grow the heap) and used at once.
  convert(src, backend.typedArrayFromHeap(info), divisor);
  return tf.engine().makeTensorFromTensorInfo(info);
}
