/**
 * Throughput of the control suite on one core, for `npm run bench:env` (bench/env.ts calls benchControl):
 * raw physics steps per second, agent steps per second with state observations, and with pixels at 84×84 and
 * 100×100 (renderer included, default action repeat), plus the same physics under a native MuJoCo build
 * (Debian's libmujoco-samples `testspeed`) when one is installed, as a wasm/native ratio.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng } from '../rng';
import { CONTROL_TASKS, makeControlTask } from './index';

export interface ControlBenchRow {
  env: string;
  /** 'physics' (mj_step only), 'state', 'pixels84', 'pixels100' */
  mode: string;
  obsShape: number[];
  actionRepeat: number;
  steps: number;
  seconds: number;
  /** Wall-clock agent steps (or physics steps for mode 'physics') per second. */
  stepsPerSec: number;
  /** The same per second of this process's CPU time: robust to a shared machine. */
  stepsPerCpuSec: number;
}

export interface ControlBenchResult {
  rows: ControlBenchRow[];
  /** Native MuJoCo physics steps/s per task (testspeed, one thread) and wasm/native ratios; absent without it. */
  native?: {
    binary: string;
    tasks: Record<string, { nativeStepsPerSec: number; wasmStepsPerSec: number; ratio: number }>;
  };
  targets: Record<string, { target: number; measured: number; ratio: number }>;
}

export interface ControlBenchOptions {
  /** Timed seconds per row (default 1). */
  seconds?: number;
  /** Task ids (default: all eleven). */
  tasks?: string[];
  /** Path of a native `testspeed` binary (default: `mujoco-testspeed` or `testspeed` on PATH); false skips it. */
  testspeed?: string | false;
}

/** testspeed's control noise (its 4th argument), used for both the native and the wasm physics rows. */
const CTRL_NOISE = 0.01;

function timed(fn: () => number, seconds: number): { steps: number; seconds: number; cpuSeconds: number } {
  const warm = performance.now();
  while (performance.now() - warm < Math.min(300, seconds * 300)) fn();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let steps = 0;
  while (performance.now() - t0 < seconds * 1000) steps += fn();
  const cpu = process.cpuUsage(c0);
  return { steps, seconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

function findTestspeed(): string | undefined {
  // Debian's libmujoco-samples installs it as mujoco-testspeed
  const dirs = (process.env.PATH ?? '/usr/bin').split(':');
  const candidates = ['mujoco-testspeed', 'testspeed'].flatMap((b) => dirs.map((d) => path.join(d, b)));
  return candidates.find((c) => {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Native physics steps/s from testspeed's report ("Steps per second" line), or undefined if it fails. */
function nativeStepsPerSec(binary: string, xml: string, nstep: number): number | undefined {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seer-testspeed-'));
  const file = path.join(dir, 'model.xml');
  fs.writeFileSync(file, xml);
  try {
    const out = execFileSync(binary, [file, String(nstep), '1', String(CTRL_NOISE)], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    const m = /steps per second\s*:\s*([\d.e+]+)/i.exec(out);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchControl(options: ControlBenchOptions = {}): Promise<ControlBenchResult> {
  const seconds = options.seconds ?? 1;
  const names = options.tasks ?? Object.keys(CONTROL_TASKS);
  const rows: ControlBenchRow[] = [];
  const physicsRate: Record<string, number> = {};
  for (const name of names) {
    const rng = new Rng(123);
    // physics only, as native testspeed runs it: from qpos0 (mj_resetData), mj_step with ctrl = 0.01·N(0, 1)
    {
      const env = await makeControlTask(name, { obs: 'state' });
      const p = env.physics;
      p.resetData();
      p.forward();
      const { mj, model, data } = p;
      const ctrl = data.ctrl as Float64Array;
      const r = timed(() => {
        for (let k = 0; k < 100; k++) {
          for (let i = 0; i < ctrl.length; i++) ctrl[i] = CTRL_NOISE * rng.normal();
          mj.mj_step(model, data);
        }
        return 100;
      }, seconds);
      physicsRate[name] = r.steps / r.seconds;
      rows.push({
        env: name,
        mode: 'physics',
        obsShape: [],
        actionRepeat: 1,
        steps: r.steps,
        seconds: +r.seconds.toFixed(3),
        stepsPerSec: Math.round(r.steps / r.seconds),
        stepsPerCpuSec: Math.round(r.steps / r.cpuSeconds),
      });
      env.close();
    }
    for (const [mode, opts] of [
      ['state', { obs: 'state' as const }],
      ['pixels84', { size: 84, frameStack: 3 }],
      ['pixels100', { size: 100, frameStack: 3 }],
    ] as const) {
      const env = await makeControlTask(name, { ...opts, seed: 0 });
      const n = env.actionSpace.shape[0];
      const actions = Float32Array.from({ length: n * 4096 }, () => rng.uniform(-1, 1));
      let i = 0;
      env.reset();
      const r = timed(() => {
        for (let k = 0; k < 10; k++) {
          const a = actions.subarray((i & 4095) * n, (i & 4095) * n + n);
          i++;
          if (env.step(a).truncated) env.reset();
        }
        return 10;
      }, seconds);
      rows.push({
        env: name,
        mode,
        obsShape: env.observationSpace.shape,
        actionRepeat: env.actionRepeat,
        steps: r.steps,
        seconds: +r.seconds.toFixed(3),
        stepsPerSec: Math.round(r.steps / r.seconds),
        stepsPerCpuSec: Math.round(r.steps / r.cpuSeconds),
      });
      env.close();
    }
  }
  let native: ControlBenchResult['native'];
  const binary = options.testspeed === false ? undefined : (options.testspeed ?? findTestspeed());
  if (binary) {
    const tasks: NonNullable<ControlBenchResult['native']>['tasks'] = {};
    for (const name of names) {
      const xml = CONTROL_TASKS[name]().xml;
      const rate = nativeStepsPerSec(binary, xml, Math.max(2000, Math.round(physicsRate[name] * seconds)));
      if (rate)
        tasks[name] = {
          nativeStepsPerSec: Math.round(rate),
          wasmStepsPerSec: Math.round(physicsRate[name]),
          ratio: +(physicsRate[name] / rate).toFixed(3),
        };
    }
    native = { binary, tasks };
  }
  const pick = (env: string, mode: string) => rows.find((r) => r.env === env && r.mode === mode);
  const targets: ControlBenchResult['targets'] = {};
  for (const [env, target] of [
    ['cartpole-swingup', 3000],
    ['walker-walk', 1000],
    ['cheetah-run', 1000],
  ] as const) {
    const row = pick(env, 'pixels84');
    if (!row) continue;
    targets[`${env}, 84x84 pixel steps, wall (steps/s)`] = {
      target,
      measured: row.stepsPerSec,
      ratio: +(row.stepsPerSec / target).toFixed(2),
    };
    targets[`${env}, 84x84 pixel steps, per CPU second`] = {
      target,
      measured: row.stepsPerCpuSec,
      ratio: +(row.stepsPerCpuSec / target).toFixed(2),
    };
  }
  return { rows, native, targets };
}
