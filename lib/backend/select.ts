/**
 * The one place that picks the tensor backend. Order: tfjs-node-gpu, tfjs-node, native (oneDNN/OpenBLAS
 * kernels on top of wasm), wasm, cpu — the first that loads. SEER_BACKEND forces one.
 */
import * as tf from '@tensorflow/tfjs';

export const BACKENDS = ['tensorflow-gpu', 'tensorflow', 'native', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** How to bring each backend up; returns the tfjs backend name to activate, or throws why it can't. */
type Loader = () => Promise<string>;

const loaders: Record<BackendName, Loader> = {
  'tensorflow-gpu': async () => {
    require('@tensorflow/tfjs-node-gpu');
    return 'tensorflow';
  },
  tensorflow: async () => {
    require('@tensorflow/tfjs-node');
    return 'tensorflow';
  },
  native: async () => {
    // Filled in by the native addon (lib/backend/native.ts); absent addon = not available.
    const native = require('./native') as { registerNativeKernels(): Promise<void> };
    await native.registerNativeKernels();
    return 'wasm';
  },
  wasm: async () => {
    const wasm = require('./wasm') as { setupWasm(): Promise<void> };
    await wasm.setupWasm();
    return 'wasm';
  },
  cpu: async () => 'cpu',
};

let chosen: { name: BackendName; tfName: string } | undefined;
let pending: Promise<BackendName> | undefined;

export function parseBackend(value: string): BackendName {
  if ((BACKENDS as readonly string[]).includes(value)) return value as BackendName;
  throw new Error(`SEER_BACKEND='${value}' is not a backend. Accepted values: ${BACKENDS.join(', ')}`);
}

async function tryLoad(name: BackendName): Promise<string> {
  const tfName = await loaders[name]();
  if (!(await tf.setBackend(tfName))) throw new Error(`tf.setBackend('${tfName}') failed`);
  await tf.ready();
  return tfName;
}

/**
 * Initialises the backend once per process and returns its workbook name ('native', 'wasm', …).
 * `force` (or SEER_BACKEND) selects one backend and fails loudly if it cannot load.
 */
export function initBackend(force: string | undefined = process.env.SEER_BACKEND): Promise<BackendName> {
  if (pending) return pending;
  pending = (async () => {
    const reasons: string[] = [];
    const order: readonly BackendName[] = force ? [parseBackend(force)] : BACKENDS;
    for (const name of order) {
      try {
        const tfName = await tryLoad(name);
        chosen = { name, tfName };
        const why = reasons.length ? ` (skipped: ${reasons.join('; ')})` : '';
        if (!process.env.SEER_QUIET) console.error(`[seer] tensor backend: ${name}${why}`);
        return name;
      } catch (err) {
        const msg = (err as Error).message.split('\n')[0];
        if (force) throw new Error(`SEER_BACKEND=${name} could not be loaded: ${msg}`);
        reasons.push(`${name}: ${msg.slice(0, 120)}`);
      }
    }
    throw new Error(`No tensor backend could be loaded: ${reasons.join('; ')}`);
  })();
  pending.catch(() => (pending = undefined));
  return pending;
}

/** The active backend's workbook name; throws if initBackend has not completed. */
export function backendName(): BackendName {
  if (!chosen) throw new Error('initBackend() has not been awaited yet');
  return chosen.name;
}
