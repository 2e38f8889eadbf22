/**
 * Neural-network throughput on the active tensor backend (`SEER_BACKEND=… npm run bench:nn`).
 *
 * Times forward and forward+backward of the three encoders at batch 32 and 128 on 84×84 inputs
 * (SAC-AE and IMPALA on 9 channels, Rainbow on 4; SAC-AE includes fc + LayerNorm), the double-Q MLP
 * update (50→1024→1024→1, two heads, batch 128, Adam) and a 1024³ matmul. FLOPs come from
 * lib/nets/flops.ts with the peer benchmark's convention (2 × MACs of conv/linear; fwd+bwd = 3 × fwd).
 * Medians (and minima) after warm-up; a case's fwd and fwd+bwd are timed alternately so load changes on
 * a shared machine hit both alike. When Debian's python3 has torch, ../shared/peers/torch_bench.py runs
 * in the same process run and ours/PyTorch time ratios are printed per case.
 *
 * stdout: one JSON object; stderr: a readable table. `--quick` shortens timing (smoke runs);
 * `--only sacae,mlp` runs the cases whose names contain one of the words (sacae, rainbow, impala, mlp, matmul).
 * The double-Q update steps the workbook's own Adam (lib/agents/adam.ts: what the agents use, one fused kernel per
 * parameter); `--tf-adam` steps tf.train.adam instead (about 10 dispatches per parameter).
 */
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { backendName, initBackend } from '../lib/backend/select';
import { makeEncoder, type EncoderKind } from '../lib/nets/encoders';
import { linearFlops } from '../lib/nets/flops';
import { makeLinear, type LinearLayer } from '../lib/nets/layers';
import { Adam } from '../lib/agents/adam';

const QUICK = process.argv.includes('--quick');
const ONLY = (() => {
  const i = process.argv.indexOf('--only');
  return i < 0 ? undefined : (process.argv[i + 1] ?? '').split(',').filter(Boolean);
})();
const SEER_ADAM = !process.argv.includes('--tf-adam');
const wanted = (name: string) => !ONLY || ONLY.some((w) => name.includes(w));
const WARMUP = QUICK ? 1 : 2;
const MIN_REPS = QUICK ? 2 : 5;
const MAX_REPS = QUICK ? 3 : 25;
const TARGET_S = QUICK ? 0.3 : 1.5;
const PEER = path.resolve(__dirname, '../../shared/peers/torch_bench.py');

interface Row {
  name: string;
  mode: string;
  batch: number;
  input_shape: number[];
  flops_counted: number;
  ms_median: number;
  ms_min: number;
  /** Process CPU time (all threads) per call, median: steadier than wall time on a loaded machine. */
  cpu_ms_median: number;
  reps: number;
  gflops_per_s: number;
  gflops_per_s_best: number;
}

const log = (...a: unknown[]) => console.error(...a);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

interface Timing {
  wall: number[];
  cpu: number[];
}

/** Runs `fn` (which must finish its work, including readback); returns wall and process CPU ms. */
async function timeOnce(fn: () => Promise<void>, into: Timing): Promise<number> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  into.wall.push(wall);
  into.cpu.push((c.user + c.system) / 1000);
  return wall;
}

/** Times several functions alternately: warm-up, then repeats until TARGET_S of the slowest. */
async function timeAlternating(fns: (() => Promise<void>)[]): Promise<Timing[]> {
  for (let i = 0; i < WARMUP; i++) for (const f of fns) await f();
  const probe: Timing = { wall: [], cpu: [] };
  let perRound = 0;
  for (const f of fns) perRound += (await timeOnce(f, probe)) / 1000;
  const reps = Math.max(MIN_REPS, Math.min(MAX_REPS, Math.ceil(TARGET_S / Math.max(perRound, 1e-6))));
  const times = fns.map(() => ({ wall: [], cpu: [] }) as Timing);
  for (let r = 0; r < reps; r++) for (const [i, f] of fns.entries()) await timeOnce(f, times[i]);
  return times;
}

function row(name: string, mode: string, batch: number, inputShape: number[], flops: number, timing: Timing): Row {
  const times = timing.wall;
  const ms = median(times);
  const best = Math.min(...times);
  const r: Row = {
    name,
    mode,
    batch,
    input_shape: inputShape,
    flops_counted: flops,
    ms_median: ms,
    ms_min: best,
    cpu_ms_median: median(timing.cpu),
    reps: times.length,
    gflops_per_s: flops / (ms * 1e-3) / 1e9,
    gflops_per_s_best: flops / (best * 1e-3) / 1e9,
  };
  log(
    `${`${name}`.padEnd(26)} ${mode.padEnd(12)} ${ms.toFixed(2).padStart(9)} ms (min ${best.toFixed(2)}, cpu ${r.cpu_ms_median.toFixed(1)}, n=${times.length})` +
      `  ${(flops / 1e9).toFixed(3).padStart(7)} GFLOP  ${r.gflops_per_s.toFixed(1).padStart(6)} GFLOP/s`,
  );
  return r;
}

async function benchEncoder(kind: EncoderKind, label: string, batch: number, channels: number): Promise<Row[]> {
  const shape: [number, number, number] = [84, 84, channels];
  const enc = makeEncoder({ kind, inputShape: shape, seed: 0, name: `bench_${kind}_${batch}` });
  const x = tf.randomUniform([batch, ...shape], 0, 255, 'float32', 1) as tf.Tensor4D;
  const vars = enc.variables();
  const fwd = async () => {
    const y = enc.apply(x);
    await y.data();
    y.dispose();
  };
  const fwdbwd = async () => {
    const { value, grads } = tf.variableGrads(() => tf.tidy(() => tf.mean(tf.square(enc.apply(x)))) as tf.Scalar, vars);
    const gs = Object.values(grads);
    await Promise.all(gs.map((g) => g.data()));
    tf.dispose([value, ...gs]);
  };
  try {
    const [tf1, tf2] = await timeAlternating([fwd, fwdbwd]);
    const name = `${label} B=${batch}`;
    const nchw = [batch, channels, 84, 84];
    return [
      row(name, 'fwd', batch, nchw, enc.forwardFlops(batch), tf1),
      row(name, 'fwdbwd', batch, nchw, enc.trainingFlops(batch), tf2),
    ];
  } finally {
    enc.dispose();
    x.dispose();
  }
}

async function benchDoubleQ(batch: number): Promise<Row[]> {
  const d = 50;
  const h = 1024;
  const heads: LinearLayer[][] = [0, 1].map((q) => [
    makeLinear({ name: `bench_q${q}/l1`, inDim: d, outDim: h, init: 'torch-default', seed: 10 * q + 1 }),
    makeLinear({ name: `bench_q${q}/l2`, inDim: h, outDim: h, init: 'torch-default', seed: 10 * q + 2 }),
    makeLinear({ name: `bench_q${q}/l3`, inDim: h, outDim: 1, init: 'torch-default', seed: 10 * q + 3 }),
  ]);
  const vars = heads.flat().flatMap((l) => [l.kernel, l.bias]);
  const z = tf.randomUniform([batch, d], -1, 1, 'float32', 2) as tf.Tensor2D;
  const forward = () =>
    tf.concat(
      heads.map(([l1, l2, l3]) => l3.apply(l2.apply(l1.apply(z, 'relu'), 'relu'))),
      1,
    );
  const loss = () => tf.tidy(() => tf.mean(tf.square(forward()))) as tf.Scalar;
  const opt = SEER_ADAM ? new Adam('bench', vars, { lr: 1e-4 }) : tf.train.adam(1e-4);
  const fwdbwd = async () => {
    const { value, grads } = tf.variableGrads(loss, vars);
    const gs = Object.values(grads);
    await Promise.all(gs.map((g) => g.data()));
    tf.dispose([value, ...gs]);
  };
  const adam = async () => {
    if (opt instanceof Adam) {
      const { value, grads } = tf.variableGrads(loss, vars);
      opt.step(grads);
      await value.data();
      tf.dispose([value, ...Object.values(grads)]);
      return;
    }
    const l = opt.minimize(loss, true, vars)!;
    await l.data();
    l.dispose();
  };
  try {
    const [t1, t2] = await timeAlternating([fwdbwd, adam]);
    const fwd = 2 * (linearFlops(d, h) + linearFlops(h, h) + linearFlops(h, 1)) * batch;
    const name = `double_q_mlp B=${batch}`;
    return [
      row(name, 'fwdbwd', batch, [batch, d], 3 * fwd, t1),
      row(name, 'fwdbwd_adam', batch, [batch, d], 3 * fwd, t2),
    ];
  } finally {
    opt.dispose();
    tf.dispose([z, ...vars]);
  }
}

async function benchMatmul(n: number): Promise<Row> {
  const a = tf.randomUniform([n, n], -1, 1, 'float32', 3);
  const b = tf.randomUniform([n, n], -1, 1, 'float32', 4);
  const mm = async () => {
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
  };
  try {
    const [t] = await timeAlternating([mm]);
    return row(`matmul ${n}x${n}x${n}`, 'mm', n, [n, n, n], 2 * n ** 3, t);
  } finally {
    tf.dispose([a, b]);
  }
}

interface TorchRow {
  name: string;
  mode: string;
  ms_median: number;
  gflops_per_s: number;
}

function runTorch(): { available: boolean; reason?: string; results?: TorchRow[]; torch_version?: string } {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' });
  } catch {
    return { available: false, reason: "/usr/bin/python3 cannot 'import torch'" };
  }
  if (!fs.existsSync(PEER)) return { available: false, reason: `${PEER} not found` };
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'seer-torch-')), 'torch.json');
  log(`\nrunning the PyTorch peer benchmark (${PEER}) …`);
  execFileSync('/usr/bin/python3', [PEER, '--out', out], {
    env: { ...process.env, LD_LIBRARY_PATH: '/usr/lib/x86_64-linux-gnu/openblas-openmp' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const doc = JSON.parse(fs.readFileSync(out, 'utf8')) as { results: TorchRow[]; torch_version: string };
  return { available: true, results: doc.results, torch_version: doc.torch_version };
}

async function main(): Promise<void> {
  await initBackend();
  const backend = backendName();
  log(`backend: ${backend} (tfjs ${tf.version.tfjs}, tf backend '${tf.getBackend()}')${QUICK ? ' [quick]' : ''}`);
  const t0 = performance.now();
  const results: Row[] = [];
  for (const batch of [32, 128]) {
    if (wanted('sacae')) results.push(...(await benchEncoder('sac-ae', 'sacae_encoder', batch, 9)));
    if (wanted('rainbow')) results.push(...(await benchEncoder('rainbow', 'rainbow_de_encoder', batch, 4)));
    if (wanted('impala')) results.push(...(await benchEncoder('impala', 'impala_cnn', batch, 9)));
  }
  if (wanted('double_q_mlp')) results.push(...(await benchDoubleQ(128)));
  if (wanted('matmul')) results.push(await benchMatmul(1024));
  const oursWall = (performance.now() - t0) / 1000;

  // Issue 2's target: SAC-AE training throughput ≥ 50% of the same backend's forward throughput.
  const target = [32, 128].flatMap((b) => {
    const f = results.find((r) => r.name === `sacae_encoder B=${b}` && r.mode === 'fwd');
    const fb = results.find((r) => r.name === `sacae_encoder B=${b}` && r.mode === 'fwdbwd');
    if (!f || !fb) return [];
    const ratio = fb.gflops_per_s / f.gflops_per_s;
    // From the fastest repeats: less sensitive to other processes on a shared machine.
    const ratioBest = fb.gflops_per_s_best / f.gflops_per_s_best;
    // From process CPU time (for single-threaded wasm, the time the work itself took).
    const ratioCpu = (f.cpu_ms_median * fb.flops_counted) / (fb.cpu_ms_median * f.flops_counted);
    return [
      {
        batch: b,
        fwd_gflops: f.gflops_per_s,
        fwdbwd_gflops: fb.gflops_per_s,
        ratio,
        ratio_best: ratioBest,
        ratio_cpu: ratioCpu,
        meets_50pct: ratio >= 0.5,
      },
    ];
  });
  log('');
  for (const t of target) {
    log(
      `SAC-AE B=${t.batch}: fwd+bwd ${t.fwdbwd_gflops.toFixed(1)} vs fwd ${t.fwd_gflops.toFixed(1)} GFLOP/s → ratio ${t.ratio.toFixed(2)} (best repeats ${t.ratio_best.toFixed(2)}, CPU time ${t.ratio_cpu.toFixed(2)}; target ≥ 0.50: ${t.meets_50pct ? 'met' : 'NOT met'})`,
    );
  }

  const torch = QUICK || ONLY ? { available: false, reason: '--quick / --only skip the PyTorch peer' } : runTorch();
  const ratios = (torch.results ?? []).flatMap((p) => {
    const ours = results.find((r) => r.name === p.name && r.mode === p.mode);
    return ours
      ? [
          {
            name: p.name,
            mode: p.mode,
            ours_ms: ours.ms_median,
            torch_ms: p.ms_median,
            time_ratio: ours.ms_median / p.ms_median,
          },
        ]
      : [];
  });
  if (ratios.length) {
    log('\nours / PyTorch time (lower is better; same machine, same run):');
    for (const r of ratios)
      log(
        `  ${r.name.padEnd(26)} ${r.mode.padEnd(12)} ${r.ours_ms.toFixed(2).padStart(9)} / ${r.torch_ms.toFixed(2).padStart(8)} ms = ${r.time_ratio.toFixed(2)}×`,
      );
  } else if (!torch.available) {
    log(`\nPyTorch peer skipped: ${torch.reason}`);
  }

  const doc = {
    bench: 'nn',
    backend,
    tf_backend: tf.getBackend(),
    tfjs_version: tf.version.tfjs,
    node: process.version,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cpus: os.cpus().length,
    quick: QUICK,
    only: ONLY ?? null,
    double_q_optimizer: SEER_ADAM ? 'lib/agents/adam.ts' : 'tf.train.adam',
    flop_convention:
      'conv fwd = 2*oh*ow*oc*kh*kw*ic*B; linear fwd = 2*in*out*B; fwd+bwd = 3*fwd; elementwise ops, pooling, LayerNorm, loss and Adam not counted',
    timing: `warm-up ${WARMUP}, then ${MIN_REPS}..${MAX_REPS} repeats (~${TARGET_S} s per case), fwd and fwd+bwd alternated; median (and min) wall time including readback; cpu_ms = process CPU time`,
    results,
    sacae_training_vs_forward: target,
    torch: { available: torch.available, reason: torch.reason, torch_version: torch.torch_version, ratios },
    wall_s: { ours: oursWall },
  };
  console.log(JSON.stringify(doc, null, 1));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
