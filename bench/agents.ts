/**
 * Full agent update times on the active backend (`npm run bench:agents`, i.e. `tsx bench/agents.ts`):
 * replay sampling + one update (crops, uploads, every network pass, optimizers, target updates, readback),
 * for CURL at 84×84 (stored 100×100×9, batch 128) and data-efficient Rainbow (84×84×4, batch 32), next to
 * the encoder-only forward and forward+backward times that bench:nn reports for the same encoder and batch.
 *
 * One update contains a known number of encoder passes (Rainbow: 1 fwd+bwd on s, 2 fwd on s′ — online
 * and target trunk; CURL, averaged over the two updates of an actor period: 2 fwd+bwd — critic and
 * contrastive — and 3.5 fwd — s′ online and target, the positive crop through the key encoder, and every
 * other update the actor's detached pass on s). `overheadShare` = (sample + update − encoder passes) /
 * (sample + update): everything outside the encoder, the heads' matmuls included. For Rainbow, whose
 * noisy dueling head is 20× the size of its convs, the head's passes are timed alone as well and
 * `overheadShareOutsideNetworks` leaves out both (what remains: sampling, uploads, projection, Adam).
 *
 * Timing: each case is timed in rounds that alternate its pieces, so load on a shared machine hits them
 * alike; both wall and process CPU time are reported (wasm runs on the main thread, so CPU time is the
 * time the update really costs when the machine is busy with other work). Ratios use CPU time.
 *
 *   npx tsx bench/agents.ts [--reps 3] [--curl-batch 128] [--rainbow-batch 32] [--skip-curl] [--skip-rainbow]
 *
 * stdout: one JSON object.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib/backend/select';
import { CurlAgent } from '../lib/agents/curl';
import { RainbowAgent } from '../lib/agents/rainbow';
import { randomCrop } from '../lib/augment/crop';
import { Rng } from '../lib/envs/rng';
import { makeEncoder } from '../lib/nets/encoders';
import { makeDuelingHead } from '../lib/nets/heads';
import { ImageReplay } from '../lib/replay/image-replay';
import type { Batch } from '../lib/replay/types';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export interface Timing {
  wallMs: number;
  cpuMs: number;
}

/** Times named pieces in alternating rounds after one warm-up round; medians of wall and CPU ms. */
export function timeRounds(reps: number, pieces: Record<string, () => void>): Record<string, Timing> {
  const names = Object.keys(pieces);
  for (const n of names) pieces[n]();
  const wall: Record<string, number[]> = {};
  const cpu: Record<string, number[]> = {};
  for (let r = 0; r < reps; r++) {
    for (const n of names) {
      const c0 = cpuNow();
      const t0 = performance.now();
      pieces[n]();
      (wall[n] ??= []).push(performance.now() - t0);
      (cpu[n] ??= []).push(cpuNow() - c0);
    }
  }
  return Object.fromEntries(names.map((n) => [n, { wallMs: median(wall[n]), cpuMs: median(cpu[n]) }]));
}

/** An image replay filled with a synthetic episode stream (frame-stack invariant kept, episodes of 200). */
export function filledReplay(obsShape: [number, number, number], frameStack: number, discrete: boolean, actionDim: number, steps: number): ImageReplay {
  const [h, w, ck] = obsShape;
  const C = ck / frameStack;
  const px = h * w;
  const replay = new ImageReplay({
    obsShape: [...obsShape],
    frameStack,
    capacity: steps,
    action: discrete ? { discrete: true } : { discrete: false, dim: actionDim },
    nStep: discrete ? 20 : 1,
    prioritized: discrete,
    seed: 1,
  });
  let obs = new Uint8Array(px * ck);
  for (let t = 0; t < steps; t++) {
    const next = new Uint8Array(obs.length);
    for (let i = 0; i < px; i++) {
      const b = i * ck;
      next.set(obs.subarray(b + C, b + ck), b);
      for (let c = 0; c < C; c++) next[b + ck - C + c] = (t * 13 + i * 7 + c) & 255;
    }
    const end = t % 200 === 199;
    replay.add({ obs, action: discrete ? t % 18 : new Float32Array(actionDim).fill(Math.sin(t)), reward: Math.cos(t), nextObs: next, terminated: false, truncated: end });
    obs = end ? new Uint8Array(obs.length).fill((t * 31) & 255) : next;
  }
  return replay;
}

/**
 * Timed pieces for a network alone: forward (with readback) and forward+backward of sum(output). The
 * input is uploaded afresh for every pass, as in an update (a kernel may cache work per input tensor).
 */
function passPieces(prefix: string, apply: (x: tf.Tensor) => tf.Tensor, vars: tf.Variable[], data: Float32Array, shape: number[]): Record<string, () => void> {
  return {
    [`${prefix}Fwd`]: () => tf.tidy(() => void apply(tf.tensor(data, shape)).dataSync()),
    [`${prefix}FwdBwd`]: () => {
      const x = tf.tensor(data, shape);
      const { value, grads } = tf.variableGrads(() => tf.sum(apply(x)) as tf.Scalar, vars);
      value.dataSync();
      tf.dispose([x, value, ...Object.values(grads)]);
    },
  };
}

function uniform(n: number, max: number): Float32Array {
  const r = new Rng(7);
  return new Float32Array(n).map(() => Math.floor(r.uniform() * max));
}

const round = (v: number) => Math.round(v * 10) / 10;

function share(sample: Timing, update: Timing, encoderMs: number): number {
  const total = sample.cpuMs + update.cpuMs;
  return Math.round((1000 * (total - encoderMs)) / total) / 1000;
}

function benchCurl(B: number, reps: number): Record<string, unknown> {
  const shape: [number, number, number] = [100, 100, 9];
  const replay = filledReplay(shape, 3, false, 6, 1000);
  const curl = new CurlAgent({ obsShape: [...shape], actionDim: 6 });
  let batch: Batch = replay.sample(B);
  const rng = new Rng(1);
  const enc = makeEncoder({ kind: 'sac-ae', inputShape: [84, 84, 9], name: 'bench_agents_sacae' });
  const x = uniform(B * 84 * 84 * 9, 256);
  // All pieces alternate within each round, so machine load hits the update and the encoder alike.
  const t = timeRounds(reps, {
    sample: () => {
      batch = replay.sample(B);
    },
    crop: () => {
      randomCrop(batch.obs as Uint8Array, B, { inShape: shape, out: 84 }, rng);
    },
    // Two updates: one with the actor/temperature step and the target EMA, one without.
    updatePair: () => {
      curl.update(batch);
      curl.update(batch);
    },
    ...passPieces('enc', (v) => enc.apply(v as tf.Tensor4D), enc.variables(), x, [B, 84, 84, 9]),
  });
  enc.dispose();
  const update = { wallMs: t.updatePair.wallMs / 2, cpuMs: t.updatePair.cpuMs / 2 };
  const passes = { fwdBwd: 2, fwd: 3.5 };
  const encoderMs = passes.fwdBwd * t.encFwdBwd.cpuMs + passes.fwd * t.encFwd.cpuMs;
  curl.freezeEncoder();
  const lat: Batch = { ...batch, obs: curl.encodeLatents(batch.obs as Uint8Array, B, true), nextObs: curl.encodeLatents(batch.nextObs as Uint8Array, B, true) };
  const latent = timeRounds(Math.max(reps, 3), { pair: () => (curl.update(lat), curl.update(lat)) }).pair;
  curl.dispose();
  return {
    batch: B,
    sampleMs: round(t.sample.cpuMs),
    cropMs: round(t.crop.cpuMs),
    updateMs: round(update.cpuMs),
    updateWallMs: round(update.wallMs),
    encoderFwdMs: round(t.encFwd.cpuMs),
    encoderFwdBwdMs: round(t.encFwdBwd.cpuMs),
    encoderPassesPerUpdate: passes,
    encoderMsInUpdate: round(encoderMs),
    overheadShare: share(t.sample, update, encoderMs),
    latentUpdateMs: round(latent.cpuMs / 2),
    speedupAfterFreeze: round(update.cpuMs / (latent.cpuMs / 2)),
  };
}

function benchRainbow(B: number, reps: number): Record<string, unknown> {
  const shape: [number, number, number] = [84, 84, 4];
  const replay = filledReplay(shape, 4, true, 1, 2000);
  const rb = new RainbowAgent({ obsShape: [...shape], numActions: 18 });
  let batch: Batch = replay.sample(B);
  const enc = makeEncoder({ kind: 'rainbow', inputShape: shape, name: 'bench_agents_rainbow' });
  const x = uniform(B * 84 * 84 * 4, 256);
  // The dueling noisy head (≈1.1M parameters, 20× the convs) runs the same passes: timed alone too.
  const head = makeDuelingHead({ name: 'bench_agents_head', inDim: 576, hidden: 256, numActions: 18, atoms: 51, seed: 1 });
  const feats = uniform(B * 576, 4);
  const t = timeRounds(reps, {
    sample: () => {
      batch = replay.sample(B);
    },
    update: () => {
      rb.update(batch);
      replay.updatePriorities(batch.indices, rb.lastPriorities() as Float32Array);
    },
    ...passPieces('enc', (v) => enc.apply(v as tf.Tensor4D), enc.variables(), x, [B, ...shape]),
    ...passPieces('head', (v) => head.apply(v as tf.Tensor2D, { noisy: true, log: true }), head.variables(), feats, [B, 576]),
  });
  enc.dispose();
  head.dispose();
  const passes = { fwdBwd: 1, fwd: 2 };
  const encoderMs = passes.fwdBwd * t.encFwdBwd.cpuMs + passes.fwd * t.encFwd.cpuMs;
  const networkMs = encoderMs + passes.fwdBwd * t.headFwdBwd.cpuMs + passes.fwd * t.headFwd.cpuMs;
  rb.freezeEncoder();
  const lat: Batch = { ...batch, obs: rb.encodeLatents(batch.obs as Uint8Array, B), nextObs: rb.encodeLatents(batch.nextObs as Uint8Array, B) };
  const latent = timeRounds(reps, { u: () => void rb.update(lat) }).u;
  rb.dispose();
  return {
    batch: B,
    sampleMs: round(t.sample.cpuMs),
    updateMs: round(t.update.cpuMs),
    updateWallMs: round(t.update.wallMs),
    encoderFwdMs: round(t.encFwd.cpuMs),
    encoderFwdBwdMs: round(t.encFwdBwd.cpuMs),
    encoderPassesPerUpdate: passes,
    encoderMsInUpdate: round(encoderMs),
    overheadShare: share(t.sample, t.update, encoderMs),
    headFwdMs: round(t.headFwd.cpuMs),
    headFwdBwdMs: round(t.headFwdBwd.cpuMs),
    networkMsInUpdate: round(networkMs),
    overheadShareOutsideNetworks: share(t.sample, t.update, networkMs),
    latentUpdateMs: round(latent.cpuMs),
    speedupAfterFreeze: round(t.update.cpuMs / latent.cpuMs),
  };
}

async function main(): Promise<void> {
  const backend = await initBackend();
  const reps = arg('reps', 3);
  const out: Record<string, unknown> = { backend, reps, timing: 'median process CPU ms (wall where named)' };
  if (!process.argv.includes('--skip-rainbow')) out.rainbow = benchRainbow(arg('rainbow-batch', 32), reps * 3);
  if (!process.argv.includes('--skip-curl')) out.curl = benchCurl(arg('curl-batch', 128), reps);
  console.log(JSON.stringify(out, null, 2));
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
