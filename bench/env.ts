/**
 * `npm run bench:env` — environment throughput on one core (Node runs the env loop on one thread), printed
 * as JSON: steps per second per env and observation mode, and ratios to the targets measured in the same run.
 *
 * Options: `--seconds S` timed seconds per row (default 1), `--only NAME[,NAME]` sections to run.
 * Sections are independent: add one by writing `async function xxxSection(opts): Promise<Section>` and
 * listing it in SECTIONS.
 */
import * as os from 'os';
import { GAME_NAMES, makeMinAtar } from '../lib/envs/games';
import type { Env } from '../lib/envs/types';
import { Rng } from '../lib/envs/rng';
import { benchControl, type ControlBenchResult } from '../lib/envs/control/bench';

interface BenchOptions {
  seconds: number;
}

interface Row {
  env: string;
  mode: string;
  obsShape: number[];
  steps: number;
  seconds: number;
  /** Wall-clock throughput: the number the targets mean on an idle core. */
  stepsPerSec: number;
  /** Steps per second of this process's CPU time (user + system, GC threads included): robust to a shared machine. */
  stepsPerCpuSec: number;
}

interface Section {
  rows: Row[];
  /** Target name → { target, measured, ratio = measured / target }. */
  targets: Record<string, { target: number; measured: number; ratio: number }>;
  /** The control suite's native MuJoCo comparison (present when `mujoco-testspeed` is installed). */
  native?: ControlBenchResult['native'];
}

/** Steps `env` with pre-drawn uniform actions for `seconds` after a warm-up; episode resets are included. */
function measure(env: Env, nActions: number, seconds: number): { steps: number; seconds: number; cpuSeconds: number } {
  const rng = new Rng(123);
  const actions = Int32Array.from({ length: 1 << 16 }, () => rng.int(nActions));
  env.reset({ seed: 0 });
  let i = 0;
  const run = (budgetMs: number): number => {
    const t0 = performance.now();
    let steps = 0;
    while (performance.now() - t0 < budgetMs) {
      for (let k = 0; k < 1000; k++) {
        const s = env.step(actions[i++ & 0xffff]);
        if (s.terminated || s.truncated) env.reset();
      }
      steps += 1000;
    }
    return steps;
  };
  run(Math.min(300, seconds * 300)); // warm-up: JIT and caches
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const steps = run(seconds * 1000);
  const cpu = process.cpuUsage(c0);
  return { steps, seconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

/** The five MinAtar games: native 10×10×C observations and 84×84×4 frames. Targets: 200k and 20k steps/s. */
async function gamesSection(opts: BenchOptions): Promise<Section> {
  const rows: Row[] = [];
  const modes = [
    { mode: 'native', options: { obs: 'native' as const } },
    { mode: 'pixels84x4', options: { obs: 'pixels' as const, size: 84, frameStack: 4 } },
  ];
  for (const { mode, options } of modes) {
    for (const g of GAME_NAMES) {
      const env = makeMinAtar(g, { ...options, seed: 0 });
      const { steps, seconds, cpuSeconds } = measure(env, env.actionSpace.n, opts.seconds);
      rows.push({
        env: env.id,
        mode,
        obsShape: env.observationSpace.shape,
        steps,
        seconds: +seconds.toFixed(3),
        stepsPerSec: Math.round(steps / seconds),
        stepsPerCpuSec: Math.round(steps / cpuSeconds),
      });
      env.close();
    }
  }
  const slowest = (mode: string, key: 'stepsPerSec' | 'stepsPerCpuSec'): number =>
    Math.min(...rows.filter((r) => r.mode === mode).map((r) => r[key]));
  const target = (t: number, measured: number) => ({ target: t, measured, ratio: +(measured / t).toFixed(2) });
  return {
    rows,
    targets: {
      'slowest game, native obs, wall (steps/s)': target(200_000, slowest('native', 'stepsPerSec')),
      'slowest game, native obs, per CPU second': target(200_000, slowest('native', 'stepsPerCpuSec')),
      'slowest game, 84x84x4 pixels, wall (steps/s)': target(20_000, slowest('pixels84x4', 'stepsPerSec')),
      'slowest game, 84x84x4 pixels, per CPU second': target(20_000, slowest('pixels84x4', 'stepsPerCpuSec')),
    },
  };
}

/** The control suite (lib/envs/control/bench.ts): physics, state and pixel rows, native MuJoCo ratio if present. */
async function controlSection(opts: BenchOptions): Promise<Section> {
  const r = await benchControl({ seconds: opts.seconds });
  return { rows: r.rows, targets: r.targets, native: r.native };
}

const SECTIONS: Record<string, (opts: BenchOptions) => Promise<Section>> = {
  games: gamesSection,
  control: controlSection,
};

function parseArgs(argv: string[]): { seconds: number; only: string[] } {
  let seconds = 1;
  let only = Object.keys(SECTIONS);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--seconds') seconds = Number(argv[++i]);
    else if (argv[i] === '--only') only = (argv[++i] ?? '').split(',');
    else
      throw new Error(
        `bench:env: unknown argument '${argv[i]}'. Accepted: --seconds S, --only ${Object.keys(SECTIONS).join(',')}`,
      );
  }
  if (!(seconds > 0)) throw new Error(`bench:env: --seconds must be a positive number, got ${seconds}`);
  for (const s of only) {
    if (!(s in SECTIONS))
      throw new Error(`bench:env: unknown section '${s}'. Sections: ${Object.keys(SECTIONS).join(', ')}`);
  }
  return { seconds, only };
}

async function main(): Promise<void> {
  const { seconds, only } = parseArgs(process.argv.slice(2));
  const loadBefore = os.loadavg()[0];
  const sections: Record<string, Section> = {};
  for (const name of only) sections[name] = await SECTIONS[name]({ seconds });
  const report = {
    bench: 'env',
    date: new Date().toISOString(),
    conditions: {
      thread: 'single Node thread (one core), actions pre-drawn, episode resets included',
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      node: process.version,
      secondsPerRow: seconds,
      loadavg1mBefore: +loadBefore.toFixed(2),
      loadavg1mAfter: +os.loadavg()[0].toFixed(2),
    },
    sections,
  };
  console.log(JSON.stringify(report, null, 2));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
