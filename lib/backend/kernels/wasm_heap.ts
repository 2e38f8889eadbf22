/**
 * Typed access to the tfjs-backend-wasm internals our kernels use (4.22): tensors live in one wasm
 * heap at `dataIdMap.get(dataId).memoryOffset`; `makeOutput` mallocs and registers a tensor.
 *
 * Pitfall: any wasm allocation may grow the heap and detach earlier typed-array views, so callers take
 * a fresh `heapF32()` after every allocation or kernel call.
 */
import * as tf from '@tensorflow/tfjs';

export type TensorInfo = tf.TensorInfo;

interface WasmData {
  id: number;
  memoryOffset: number;
  shape: number[];
  dtype: string;
  refCount: number;
}

/** The slice of BackendWasm our kernels touch. */
export interface WasmBackend {
  wasm: {
    HEAPU8: Uint8Array;
    tfjs: { registerTensor(id: number, size: number, offset: number): void; disposeData(id: number): void };
  };
  dataIdMap: { get(dataId: object): WasmData; delete(dataId: object): void; set(dataId: object, d: WasmData): void };
  dataIdNextNumber: number;
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  incRef(dataId: object): void;
}

/** A float32 view of the whole heap (take a new one after any allocation). */
export function heapF32(backend: WasmBackend): Float32Array {
  const u8 = backend.wasm.HEAPU8;
  return new Float32Array(u8.buffer, 0, u8.byteLength >>> 2);
}

/** Element index of a float32 tensor's first value in `heapF32(backend)`. */
export function f32Index(backend: WasmBackend, t: TensorInfo): number {
  const off = backend.dataIdMap.get(t.dataId).memoryOffset;
  if (off % 4 !== 0) throw new Error(`tensor at byte offset ${off} is not float32-aligned`);
  return off >>> 2;
}

/** The same data under another shape (no copy, no new reference: do not dispose it separately). */
export function reshaped(t: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

/** Allocates an output tensor in the heap (contents undefined). */
export function alloc(backend: WasmBackend, shape: number[]): TensorInfo {
  return backend.makeOutput(shape, 'float32');
}

/**
 * Registers a tensor that aliases `shape`-many floats of `base` starting `elementOffset` elements in,
 * without copying. Release it with `releaseView` (never `disposeData`, which would free `base`'s memory).
 */
export function makeView(backend: WasmBackend, base: TensorInfo, elementOffset: number, shape: number[]): TensorInfo {
  const off = backend.dataIdMap.get(base.dataId).memoryOffset + 4 * elementOffset;
  return backend.makeOutput(shape, 'float32', off);
}

export function releaseView(backend: WasmBackend, view: TensorInfo): void {
  const d = backend.dataIdMap.get(view.dataId);
  backend.wasm.tfjs.disposeData(d.id);
  backend.dataIdMap.delete(view.dataId);
}

export function dispose(backend: WasmBackend, ...ts: TensorInfo[]): void {
  for (const t of ts) backend.disposeData(t.dataId);
}

/** Calls another registered wasm kernel directly (no tape, no engine bookkeeping). */
export function callKernel(
  name: string,
  backend: WasmBackend,
  inputs: Record<string, TensorInfo>,
  attrs: Record<string, unknown>,
): TensorInfo {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm kernel '${name}' is not registered`);
  const out = k.kernelFunc({
    inputs,
    backend: backend as unknown as tf.KernelBackend,
    attrs: attrs as tf.NamedAttrMap,
  });
  if (Array.isArray(out)) throw new Error(`kernel '${name}' returned several outputs`);
  return out;
}
