/** Brings up tfjs-backend-wasm in Node and registers the kernels it lacks for training (see kernels/). */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as path from 'path';

let done = false;

export async function setupWasm(): Promise<void> {
  if (done) return;
  const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  setWasmPaths(path.join(dir, 'dist') + path.sep);
  // TODO(kernels): register Conv2DBackpropFilter and the other missing gradient kernels here.
  done = true;
  void tf;
}
