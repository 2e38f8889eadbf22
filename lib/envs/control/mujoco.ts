/**
 * Loading the official MuJoCo WebAssembly build (`mujoco-js`) once per process and compiling MJCF strings
 * through its in-memory filesystem. mujoco-js has no renderer; pixels come from ./render.
 */
import type { MainModule, MjData, MjModel } from 'mujoco-js';

export type { MainModule, MjData, MjModel };

/** mjtObj codes used with mj_name2id (MuJoCo's enum values, stable across versions). */
export const OBJ = {
  body: 1,
  joint: 3,
  geom: 5,
  site: 6,
  camera: 7,
  light: 8,
  material: 14,
  tendon: 18,
  actuator: 19,
  sensor: 20,
} as const;
export type ObjKind = keyof typeof OBJ;

let modulePromise: Promise<MainModule> | undefined;
let fileCounter = 0;

/** The MuJoCo module, instantiated on first use and shared afterwards (the wasm heap holds every model). */
export function loadMujoco(): Promise<MainModule> {
  if (!modulePromise) {
    modulePromise = (async () => {
      // mujoco-js is an ES module; Node ≥ 20.19 can require() it, which keeps lib/ CommonJS-compatible.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const factory = (require('mujoco-js') as { default: (opts?: unknown) => Promise<MainModule> }).default;
      const mj = await factory({ print: () => undefined, printErr: () => undefined });
      mj.FS.mkdir('/mjcf');
      return mj;
    })();
  }
  return modulePromise;
}

/** Compiles an MJCF document into a fresh MjModel + MjData pair. The caller owns both (delete() them). */
export function compileModel(mj: MainModule, xml: string, label = 'model'): { model: MjModel; data: MjData } {
  const path = `/mjcf/${label.replace(/[^a-z0-9_-]/gi, '_')}_${fileCounter++}.xml`;
  mj.FS.writeFile(path, xml);
  let model: MjModel;
  try {
    model = mj.MjModel.loadFromXML(path);
  } catch (e) {
    throw new Error(`MuJoCo could not compile the MJCF for '${label}': ${(e as Error).message ?? String(e)}`);
  } finally {
    mj.FS.unlink(path);
  }
  if (!model) throw new Error(`MuJoCo could not compile the MJCF for '${label}'`);
  const data = new mj.MjData(model);
  return { model, data };
}
