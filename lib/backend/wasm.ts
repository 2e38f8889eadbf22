/**
 * Brings up tfjs-backend-wasm in Node and registers the kernels training needs that the stock backend
 * lacks, gets wrong or runs slowly (kernels/index.ts lists them). In Node the backend is single-threaded
 * SIMD: tfjs 4.22 disables wasm threads under Node.
 */
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
}
