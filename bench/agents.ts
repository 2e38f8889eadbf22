/**
 * Full agent update times on the active backend, next to the encoder-only forward+backward they contain,
 * so the overhead outside the network (crops, heads, targets, optimizer, readback) is visible; and the
 * same updates on stored latents after the SEER freeze. Prints one JSON object; ratios come from this run.
 *
 *   npx tsx bench/agents.ts [--reps 3] [--curl-batch 128] [--rainbow-batch 32]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib/backend/select';
import { CurlAgent } from '../lib/agents/curl';
import { RainbowAgent } from '../lib/agents/rainbow';
import { randomCrop } from '../lib/augment/crop';
import { Rng } from '../lib/envs/rng';
import { makeEncoder } from '../lib/nets/encoders';
import type { Batch } from '../lib/replay/types';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(reps: number, f: () => void): number {
  f(); // warm-up
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    f();
    t.push(performance.now() - t0);
  }
  return median(t);
}

function batchOf(B: number, shape: number[], action: Int32Array | Float32Array): Batch {
  const size = shape.reduce((a, b) => a * b, 1);
  const obs = new Uint8Array(B * size).map((_, i) => (i * 31) % 256);
  const next = new Uint8Array(B * size).map((_, i) => (i * 17) % 256);
  return { size: B, obs, nextObs: next, action, reward: new Float32Array(B), discount: new Float32Array(B).fill(0.99), indices: new Int32Array(B), weights: new Float32Array(B).fill(1) };
}

async function main(): Promise<void> {
  const backend = await initBackend();
  const reps = arg('reps', 3);
  const out: Record<string, unknown> = { backend, reps };

  // CURL: 100×100×9 stored, 84×84 crops, |A| = 6.
  const Bc = arg('curl-batch', 128);
  const curl = new CurlAgent({ obsShape: [100, 100, 9], actionDim: 6 });
  const cb = batchOf(Bc, [100, 100, 9], new Float32Array(Bc * 6).map((_, i) => Math.sin(i)));
  const cropMs = time(reps, () => randomCrop(cb.obs as Uint8Array, Bc, { inShape: [100, 100, 9], out: 84 }, new Rng(1)));
  const updatePair = time(reps, () => {
    curl.update(cb); // with actor step
    curl.update(cb); // without
  });
  const enc = makeEncoder({ kind: 'sac-ae', inputShape: [84, 84, 9], name: 'bench_curl_enc' });
  const x = tf.randomUniform([Bc, 84, 84, 9], 0, 255) as tf.Tensor4D;
  const encMs = time(reps, () => {
    const { value, grads } = tf.variableGrads(() => tf.sum(enc.apply(x)) as tf.Scalar, enc.variables());
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  });
  // One CURL update runs the encoder forward+backward twice (critic, contrastive) plus 3–4 forwards.
  curl.freezeEncoder();
  const lat = { ...cb, obs: curl.encodeLatents(cb.obs as Uint8Array, Bc, true), nextObs: curl.encodeLatents(cb.nextObs as Uint8Array, Bc, true) };
  const latentPair = time(Math.max(reps, 5), () => {
    curl.update(lat);
    curl.update(lat);
  });
  out.curl = {
    batch: Bc,
    updateMs: updatePair / 2,
    encoderFwdBwdMs: encMs,
    cropMs,
    encoderShare: (2 * encMs) / (updatePair / 2),
    latentUpdateMs: latentPair / 2,
    speedupAfterFreeze: updatePair / latentPair,
  };
  tf.dispose(x);
  enc.dispose();
  curl.dispose();

  // Rainbow: 84×84×4, 18 actions.
  const Br = arg('rainbow-batch', 32);
  const rb = new RainbowAgent({ obsShape: [84, 84, 4], numActions: 18 });
  const rbBatch = batchOf(Br, [84, 84, 4], new Int32Array(Br).map((_, i) => i % 18));
  const rUpdate = time(reps * 3, () => rb.update(rbBatch));
  const renc = makeEncoder({ kind: 'rainbow', inputShape: [84, 84, 4], name: 'bench_rb_enc' });
  const rx = tf.randomUniform([Br, 84, 84, 4], 0, 255) as tf.Tensor4D;
  const rEnc = time(reps * 3, () => {
    const { value, grads } = tf.variableGrads(() => tf.sum(renc.apply(rx)) as tf.Scalar, renc.variables());
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  });
  rb.freezeEncoder();
  const rl = { ...rbBatch, obs: rb.encodeLatents(rbBatch.obs as Uint8Array, Br), nextObs: rb.encodeLatents(rbBatch.nextObs as Uint8Array, Br) };
  const rLatent = time(reps * 3, () => rb.update(rl));
  out.rainbow = { batch: Br, updateMs: rUpdate, encoderFwdBwdMs: rEnc, latentUpdateMs: rLatent, speedupAfterFreeze: rUpdate / rLatent };
  tf.dispose(rx);
  renc.dispose();
  rb.dispose();
  console.log(JSON.stringify(out, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
