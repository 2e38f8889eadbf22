/**
 * Leak check: runs many training updates (SAC-AE encoder + double-Q MLP, Adam, through tf.variableGrads,
 * with a readback each step like an agent's loss logging) and prints tfjs's tensor count and the process RSS
 * at the start (after warm-up) and the end, plus samples in between. Both must stay flat.
 *
 *   npm run bench:leak -- [--updates 10000] [--batch 8] [--every 1000]
 *   SEER_BACKEND=native npm run bench:leak
 *
 * Prints one JSON object; exits 1 if the tensor count grew or RSS grew by more than --rss-slack-mb (64).
 */
import * as tf from '@tensorflow/tfjs';

import { initBackend } from '../lib/backend/select';
import { Adam } from '../lib/agents/adam';
import { makeEncoder } from '../lib/nets/encoders';
import { makeMlp } from '../lib/nets/heads';

process.env.SEER_QUIET ??= '1'; // keep stdout pure JSON (the backend is in the JSON)

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) {
    throw new Error(`--${name} must be a positive number, got '${process.argv[i + 1]}'`);
  }
  return v;
}

interface Sample {
  update: number;
  numTensors: number;
  numBytes: number;
  rssMb: number;
  /** V8's JS heap: RSS moves with garbage-collection timing; this shows whether JS objects pile up. */
  jsHeapMb: number;
  wasmHeapMb: number | null;
}

async function main(): Promise<void> {
  const updates = arg('updates', 10000),
    batch = arg('batch', 8),
    every = arg('every', 1000);
  const warmup = arg('warmup', 20),
    slackMb = arg('rss-slack-mb', 64);
  const backend = await initBackend();
  const encoder = makeEncoder({ kind: 'sac-ae', inputShape: [84, 84, 9], seed: 1, name: 'leak_enc' });
  const q1 = makeMlp({ name: 'leak_q1', sizes: [50, 1024, 1024, 1], seed: 2 });
  const q2 = makeMlp({ name: 'leak_q2', sizes: [50, 1024, 1024, 1], seed: 3 });
  const vars = [...encoder.variables(), ...q1.variables(), ...q2.variables()];
  // The agents' own Adam (lib/agents/adam.ts: fused kernels, global-norm clipping as Rainbow uses it).
  const opt = new Adam('leak', vars, { lr: 1e-4 });
  const obs = tf.randomUniform([batch, 84, 84, 9], 0, 255, 'float32', 7) as tf.Tensor4D;
  const target = tf.randomNormal([batch, 1], 0, 1, 'float32', 8);

  const update = (): number => {
    const { value, grads } = tf.variableGrads(() => {
      const z = encoder.apply(obs);
      const l1 = tf.losses.meanSquaredError(target, q1.apply(z));
      const l2 = tf.losses.meanSquaredError(target, q2.apply(z));
      return tf.add(l1, l2) as tf.Scalar;
    }, vars);
    opt.step(grads, { clipNorm: 10 })?.dispose();
    const v = value.dataSync()[0];
    tf.dispose([value, ...Object.values(grads)]);
    return v;
  };

  const heap = (): number | null => {
    const b = tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } };
    return b.wasm ? b.wasm.HEAPU8.byteLength / 2 ** 20 : null;
  };
  const sample = (i: number): Sample => {
    const m = tf.memory();
    const mem = process.memoryUsage();
    return {
      update: i,
      numTensors: m.numTensors,
      numBytes: m.numBytes,
      rssMb: mem.rss / 2 ** 20,
      jsHeapMb: mem.heapUsed / 2 ** 20,
      wasmHeapMb: heap(),
    };
  };

  for (let i = 0; i < warmup; i++) update();
  const samples: Sample[] = [sample(0)];
  const t0 = performance.now();
  let last = NaN;
  for (let i = 1; i <= updates; i++) {
    last = update();
    if (i % every === 0 || i === updates) {
      samples.push(sample(i));
      const s = samples[samples.length - 1];
      const line = `tensors ${s.numTensors}, rss ${s.rssMb.toFixed(0)} MB, js heap ${s.jsHeapMb.toFixed(0)} MB`;
      process.stderr.write(`update ${i}: ${line}\n`);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const start = samples[0],
    end = samples[samples.length - 1];
  const tensorsFlat = end.numTensors === start.numTensors;
  const rssFlat = end.rssMb - start.rssMb <= slackMb;
  console.log(
    JSON.stringify(
      {
        bench: 'leak',
        backend,
        updates,
        batch,
        warmup,
        seconds,
        msPerUpdate: (1000 * seconds) / updates,
        finalLoss: last,
        start,
        end,
        samples,
        tensorsFlat,
        rssFlat,
        rssSlackMb: slackMb,
      },
      null,
      1,
    ),
  );
  if (!tensorsFlat || !rssFlat) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
