/** Brings up tfjs-backend-wasm in Node and registers the kernels it lacks for training (see kernels/). */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as path from 'path';
import { registerWasmTrainingKernels } from './kernels';

let done = false;

export async function setupWasm(): Promise<void> {
  if (done) return;
  const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  setWasmPaths(path.join(dir, 'dist') + path.sep);
  registerWasmTrainingKernels();
  done = true;
  void tf;
}
