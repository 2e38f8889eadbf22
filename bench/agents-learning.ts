/**
 * Learning checks too long for the unit tests (minutes on 2 cores), as one script printing JSON:
 * - Rainbow on MinAtar breakout with native observations (10×10×4 channels, 'flatten' trunk) vs random;
 * - SAC from state (CurlAgent with encoder 'flatten') on cartpole-balance (action repeat 8) vs random.
 * Both use the workbook's ImageReplay; rewards clipped to ±1 for Rainbow here (the runner's job).
 *
 *   npx tsx bench/agents-learning.ts [--rainbow-steps 3000] [--sac-steps 1500] [--only rainbow|sac]
 *
 * SAC from state at the pixel benchmark's budget and CURL's settings (issue 18's learning-parity check):
 *   npx tsx bench/agents-learning.ts --only sac --sac-env cartpole-swingup --sac-steps 12500 --sac-hidden 1024 \
 *     --sac-eval-every 1250 --sac-init 1000
 */
import { initBackend } from '../lib/backend/select';
import { makeEnv } from '../lib/envs';
import type { Env } from '../lib/envs/types';
import { CurlAgent } from '../lib/agents/curl';
import { RainbowAgent } from '../lib/agents/rainbow';
import { Rng } from '../lib/envs/rng';
import { ImageReplay } from '../lib/replay/image-replay';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}

/** Mean return over `episodes` with `policy`, episode seeds 1000 + e. */
function evaluate(
  env: Env,
  policy: (obs: Uint8Array | Float32Array) => number | Float32Array,
  episodes: number,
): number {
  let total = 0;
  for (let e = 0; e < episodes; e++) {
    let obs = env.reset({ seed: 1000 + e }).obs;
    for (let k = 0; k < 10_000; k++) {
      const r = env.step(policy(obs));
      total += r.reward;
      obs = r.obs;
      if (r.terminated || r.truncated) break;
    }
  }
  return total / episodes;
}

async function rainbowBreakout(steps: number): Promise<Record<string, number>> {
  const env = await makeEnv('minatar/breakout', { obs: 'native', seed: 1 });
  const shape = env.observationSpace.shape;
  const nA = (env.actionSpace as { n: number }).n;
  const learnStart = 200;
  const agent = new RainbowAgent({
    obsShape: shape,
    numActions: nA,
    encoder: 'flatten',
    hidden: 128,
    lr: 3e-4,
    targetUpdate: 250,
    seed: 1,
  });
  const replay = new ImageReplay({
    obsShape: shape,
    frameStack: 1,
    capacity: steps,
    action: { discrete: true },
    nStep: 3,
    gamma: 0.99,
    seed: 1,
  });
  const rng = new Rng(7);
  const t0 = Date.now();
  let obs = env.reset({ seed: 1 }).obs;
  for (let t = 0; t < steps; t++) {
    const a = t < learnStart ? rng.int(nA) : agent.act(obs, 'explore');
    const r = env.step(a);
    replay.add({
      obs,
      action: a,
      reward: Math.max(-1, Math.min(1, r.reward)),
      nextObs: r.obs,
      terminated: r.terminated,
      truncated: r.truncated,
    });
    obs = r.terminated || r.truncated ? env.reset().obs : r.obs;
    if (t >= learnStart) agent.update(replay.sample(32));
  }
  const trainSeconds = (Date.now() - t0) / 1000;
  const evalReturn = evaluate(env, (o) => agent.act(o, 'eval'), 20);
  const randomReturn = evaluate(env, () => rng.int(nA), 20);
  agent.dispose();
  env.close();
  return { steps, evalReturn, randomReturn, trainSeconds };
}

/** One run of `sacCartpole`: its task, length and settings. */
interface SacRun {
  task: string;
  /** Agent steps (env steps = 8 × this). */
  steps: number;
  hidden: number;
  /** Agent steps between evaluations (0: at the end only). */
  evalEvery: number;
  /** Random steps before the first update. */
  learnStart: number;
}

/**
 * SAC from state (CURL's actor, critic and temperature on a 'flatten' trunk) at action repeat 8, evaluated over 10
 * episodes at the end and every `evalEvery` agent steps. Swingup at CURL's own settings (hidden 1024, 12,500 agent
 * steps = 100K env steps) tells whether the RL part of CURL solves the task where the pixel agent falls short.
 */
async function sacCartpole(run: SacRun): Promise<Record<string, number | number[][]>> {
  const { task, steps, hidden, evalEvery, learnStart } = run;
  const actionRepeat = 8;
  const env = await makeEnv(task, { obs: 'state', seed: 1, actionRepeat });
  const shape = env.observationSpace.shape;
  const A = (env.actionSpace as { shape: number[] }).shape[0];
  const agent = new CurlAgent({ obsShape: shape, actionDim: A, encoder: 'flatten', hidden, seed: 1 });
  const replay = new ImageReplay({
    obsShape: shape,
    frameStack: 1,
    dtype: 'float32',
    capacity: steps,
    action: { discrete: false, dim: A },
    nStep: 1,
    gamma: 0.99,
    seed: 1,
  });
  const rng = new Rng(5);
  const randomAction = () => Float32Array.from({ length: A }, () => 2 * rng.uniform() - 1);
  const evalEnv = await makeEnv(task, { obs: 'state', seed: 2, actionRepeat });
  const evalReturnNow = (): number => evaluate(evalEnv, (o) => agent.act(o, 'eval'), 10);
  const curve: number[][] = []; // [env steps, return]
  const t0 = Date.now();
  let obs = env.reset({ seed: 1 }).obs;
  for (let t = 0; t < steps; t++) {
    const a = t < learnStart ? randomAction() : agent.act(obs, 'explore');
    const r = env.step(a);
    replay.add({ obs, action: a, reward: r.reward, nextObs: r.obs, terminated: r.terminated, truncated: r.truncated });
    obs = r.terminated || r.truncated ? env.reset().obs : r.obs;
    if (t >= learnStart) agent.update(replay.sample(128));
    if (evalEvery > 0 && (t + 1) % evalEvery === 0 && t + 1 < steps)
      curve.push([(t + 1) * actionRepeat, evalReturnNow()]);
  }
  const trainSeconds = (Date.now() - t0) / 1000;
  const evalReturn = evalReturnNow();
  const randomReturn = evaluate(evalEnv, randomAction, 10);
  if (evalEvery > 0) curve.push([steps * actionRepeat, evalReturn]);
  agent.dispose();
  env.close();
  evalEnv.close();
  return { steps, hidden, learnStart, evalReturn, randomReturn, trainSeconds, ...(curve.length ? { curve } : {}) };
}

async function main(): Promise<void> {
  const backend = await initBackend();
  const only = arg('only', 'all');
  const out: Record<string, unknown> = { backend };
  if (only === 'all' || only === 'rainbow')
    out.rainbowBreakoutNative = await rainbowBreakout(Number(arg('rainbow-steps', '3000')));
  if (only === 'all' || only === 'sac') {
    const task = arg('sac-env', 'cartpole-balance');
    const key = task === 'cartpole-balance' ? 'sacCartpoleBalanceState' : `sacState:${task}`;
    out[key] = await sacCartpole({
      task,
      steps: Number(arg('sac-steps', '1500')),
      hidden: Number(arg('sac-hidden', '256')),
      evalEvery: Number(arg('sac-eval-every', '0')),
      learnStart: Number(arg('sac-init', '250')),
    });
  }
  console.log(JSON.stringify(out, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
