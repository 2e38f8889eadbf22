/**
 * A DeepMind Control task behind the workbook's Env interface: MuJoCo physics, DMC reward and reset, action
 * repeat (rewards summed), 1000 control steps per episode ending as truncation, and pixel observations
 * stacked channel-last (newest frame last) or a float32 state vector.
 */
import { Rng } from '../rng';
import type { Action, BoxSpace, Env, ResetResult, StepResult } from '../types';
import { loadMujoco } from './mujoco';
import { Physics } from './physics';
import { Renderer } from './render/raycaster';
import type { Task } from './task';

/** DMC control steps per episode for every task here (time limit / control timestep). */
export const EPISODE_CONTROL_STEPS = 1000;

export interface ControlEnvOptions {
  seed?: number;
  /** Square image side in pixels (default 100; 84, 64, 50 for the resolution study). */
  size?: number;
  /** Frames stacked along channels (default 3). Pixel mode only. */
  frameStack?: number;
  /** Control steps per agent step (default per task: cartpole 8, finger 2, walker 2, others 4). */
  actionRepeat?: number;
  /** 'pixels' (default) or 'state' (DMC's observation dict flattened to float32). */
  obs?: 'pixels' | 'state';
  /** Camera name or id (default: the task's camera 0). */
  camera?: number | string;
  /** Floor shadows from the model's lights (default true, as in DMC; false renders faster). */
  shadows?: boolean;
}

const KNOWN_OPTIONS = new Set(['seed', 'size', 'frameStack', 'actionRepeat', 'obs', 'camera', 'shadows']);

function checkInteger(name: string, value: unknown, lo: number, hi: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < lo || value > hi) {
    throw new Error(`Control env option '${name}' must be an integer in [${lo}, ${hi}], got ${String(value)}`);
  }
  return value;
}

export class ControlEnv implements Env {
  readonly id: string;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: BoxSpace;
  readonly task: Task;
  readonly physics: Physics;
  readonly actionRepeat: number;
  readonly frameStack: number;
  readonly size: number;
  readonly mode: 'pixels' | 'state';
  readonly shadows: boolean = true;
  private readonly renderer: Renderer | undefined;
  private readonly camera: number;
  private readonly rng: Rng;
  private readonly action: Float64Array;
  private controlSteps = 0;
  private needsReset = true;
  private lastPixels: Uint8Array | undefined;

  constructor(physics: Physics, task: Task, options: ControlEnvOptions = {}) {
    for (const key of Object.keys(options)) {
      if (!KNOWN_OPTIONS.has(key)) {
        throw new Error(`Unknown control env option '${key}'; accepted: ${[...KNOWN_OPTIONS].join(', ')}`);
      }
    }
    this.physics = physics;
    this.task = task;
    this.id = `${task.domain}-${task.task}`;
    this.size = checkInteger('size', options.size ?? 100, 1, 1024);
    this.frameStack = checkInteger('frameStack', options.frameStack ?? 3, 1, 64);
    this.actionRepeat = checkInteger(
      'actionRepeat',
      options.actionRepeat ?? task.actionRepeat,
      1,
      EPISODE_CONTROL_STEPS,
    );
    const mode = options.obs ?? 'pixels';
    if (mode !== 'pixels' && mode !== 'state') {
      throw new Error(`Control env option 'obs' must be 'pixels' or 'state', got ${String(mode)}`);
    }
    this.mode = mode;
    const seed = options.seed ?? 0;
    if (!Number.isSafeInteger(seed))
      throw new Error(`Control env option 'seed' must be a safe integer, got ${String(seed)}`);
    this.rng = new Rng(seed);
    const m = physics.model;
    const cam = options.camera ?? task.camera;
    this.camera = typeof cam === 'string' ? physics.id('camera', cam) : cam;
    if (!Number.isInteger(this.camera) || this.camera < 0 || this.camera >= m.ncam) {
      throw new Error(`Control env option 'camera' must name one of the model's ${m.ncam} cameras, got ${String(cam)}`);
    }
    this.action = new Float64Array(m.nu);
    this.actionSpace = { kind: 'box', shape: [m.nu], dtype: 'float32', low: -1, high: 1 };
    if (mode === 'pixels') {
      if (options.shadows !== undefined && typeof options.shadows !== 'boolean') {
        throw new Error(`Control env option 'shadows' must be true or false, got ${String(options.shadows)}`);
      }
      this.shadows = options.shadows ?? true;
      this.renderer = new Renderer(physics, this.size, this.size, { shadows: this.shadows });
      this.observationSpace = {
        kind: 'box',
        shape: [this.size, this.size, 3 * this.frameStack],
        dtype: 'uint8',
        low: 0,
        high: 255,
      };
    } else {
      this.physics.forward();
      const n = task.observation(physics).length;
      this.observationSpace = { kind: 'box', shape: [n], dtype: 'float32', low: -Infinity, high: Infinity };
    }
  }

  reset(options: { seed?: number } = {}): ResetResult {
    const p = this.physics;
    if (options.seed !== undefined) this.rng.seed(options.seed);
    p.resetData();
    p.forwardWithoutActuation();
    this.task.initialize(p, this.rng);
    p.forwardWithoutActuation();
    this.renderer?.refreshScene();
    this.controlSteps = 0;
    this.needsReset = false;
    return { obs: this.observe(true), info: { controlSteps: 0 } };
  }

  step(action: Action): StepResult {
    if (this.physics.closed) throw new Error(`${this.id}: step() after close()`);
    if (this.needsReset) throw new Error(`${this.id}: call reset() before step() (and after an episode ends)`);
    this.setAction(action);
    const p = this.physics;
    const ctrl = p.data.ctrl as Float64Array;
    let reward = 0;
    for (let r = 0; r < this.actionRepeat && this.controlSteps < EPISODE_CONTROL_STEPS; r++) {
      ctrl.set(this.action);
      p.step(this.task.nSubSteps);
      reward += this.task.reward(p);
      this.controlSteps++;
    }
    const truncated = this.controlSteps >= EPISODE_CONTROL_STEPS;
    if (truncated) this.needsReset = true;
    return {
      obs: this.observe(false),
      reward,
      terminated: false,
      truncated,
      info: { controlSteps: this.controlSteps },
    };
  }

  /** Renders the current state at this env's size (or another) without touching the frame stack. */
  render(size = this.size, camera: number | string = this.camera): Uint8Array {
    if (this.renderer && size === this.size) return this.renderer.render(camera);
    return new Renderer(this.physics, size, size, { shadows: this.shadows }).render(camera);
  }

  close(): void {
    this.physics.close();
    this.lastPixels = undefined;
    this.needsReset = true;
  }

  /** Validates, then clips to [-1, 1] (DMC passes ctrl through; MuJoCo clamps to ctrlrange for forces). */
  private setAction(action: Action): void {
    const n = this.action.length;
    const values = typeof action === 'number' ? [action] : action;
    if (values.length !== n) {
      throw new Error(
        `${this.id}: action must have length ${n} (shape [${n}], values in [-1, 1]), got length ${values.length}`,
      );
    }
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new Error(
          `${this.id}: action[${i}] is ${String(v)}; every entry of the shape [${n}] action must be a finite number`,
        );
      }
      this.action[i] = v < -1 ? -1 : v > 1 ? 1 : v;
    }
  }

  private observe(first: boolean): Uint8Array | Float32Array {
    if (!this.renderer) return Float32Array.from(this.task.observation(this.physics));
    const k = this.frameStack;
    const stride = 3 * k;
    const obs = new Uint8Array(this.size * this.size * stride);
    const prev = first ? undefined : this.lastPixels;
    if (prev) {
      // Shifting the whole interleaved buffer left by one frame (3 bytes) moves every pixel's older frames
      // one slot forward; the bytes that land in the newest slot are overwritten by the render below.
      obs.set(prev.subarray(3));
      this.renderer.render(this.camera, obs, 3 * (k - 1), stride);
    } else {
      // a fresh episode: every slot holds the first frame
      this.renderer.render(this.camera, obs, 3 * (k - 1), stride);
      const npix = this.size * this.size;
      for (let p = 0, o = 0; p < npix; p++, o += stride) {
        const newest = o + stride - 3;
        for (let c = 0; c < stride - 3; c++) obs[o + c] = obs[newest + (c % 3)];
      }
    }
    this.lastPixels = obs;
    return obs;
  }
}

/** Loads MuJoCo (once per process), compiles the task's model and wraps it as an Env. */
export async function makeControlEnv(task: Task, options: ControlEnvOptions = {}): Promise<ControlEnv> {
  const mj = await loadMujoco();
  const physics = new Physics(mj, task.xml, `${task.domain}-${task.task}`);
  try {
    return new ControlEnv(physics, task, options);
  } catch (e) {
    physics.close();
    throw e;
  }
}
