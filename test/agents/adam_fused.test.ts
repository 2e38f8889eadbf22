/**
 * The fused Adam kernels (lib/backend/kernels/adam.ts on cpu and wasm, the addon's on native) against the op
 * composition in lib/agents/adam.ts: several steps on seeded random parameters, with and without global-norm
 * clipping, on every backend here; and the optimizer state surviving save/load. The native part skips, saying
 * why, when the addon is not built.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Adam } from '../../lib/agents/adam';
import type { AgentState } from '../../lib/agents/types';
import { ADAM_STEP, ADAM_STEP_MULTI, GLOBAL_NORM, WASM_JS_MAX, wasmAdamStep } from '../../lib/backend/kernels/adam';
import { loadNativeAddon, registerNativeKernels, useNativeKernels } from '../../lib/backend/native';
import { setupWasm } from '../../lib/backend/wasm';
import { Rng } from '../../lib/envs/rng';

let nativeSkip: string | false = false;

before(async () => {
  try {
    await registerNativeKernels();
  } catch (err) {
    nativeSkip = (err as Error).message;
    console.log(`# skipping the native cases: ${nativeSkip}`);
    await setupWasm();
    require('@tensorflow/tfjs-backend-wasm');
  }
});

/** Makes `name` the active backend: cpu, plain wasm (JS/hybrid kernels) or native (the addon's on wasm). */
async function use(name: 'cpu' | 'wasm' | 'native'): Promise<void> {
  if (!nativeSkip) useNativeKernels(name === 'native');
  assert.ok(await tf.setBackend(name === 'cpu' ? 'cpu' : 'wasm'));
}

/** Deterministic uniform(-1, 1) floats from the workbook's generator. */
function rand(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.random() * 2 - 1);
}

// Small tensors take the JS loop on wasm, the [130, 130] one (16,900 floats) wasm's SIMD kernels; native runs
// its OpenMP split from 32K floats, so [200, 200] covers that.
const SHAPES = [[3, 5], [7], [1], [130, 130], [200, 200]];
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

interface Run {
  params: Float32Array[];
  m: Float32Array[];
  v: Float32Array[];
  t: number[];
  norms: number[];
}

/** `steps` Adam steps from fixed parameters and gradients on the active backend; the final state. */
async function run(fused: boolean, steps: number, clipNorm: number | undefined, tag: string): Promise<Run> {
  const params = SHAPES.map((s, i) =>
    tf.variable(tf.tensor(rand(size(s), 10 + i), s), true, `fa_${tag}_${fused}_${i}`),
  );
  const opt = new Adam(`fa_${tag}`, params, { lr: 0.01, beta1: 0.8, beta2: 0.99, eps: 1e-6, fused }, (v) =>
    v.name.replace(/_(true|false)_/, '_'),
  );
  const before = tf.memory().numTensors;
  const norms: number[] = [];
  for (let k = 0; k < steps; k++) {
    // Gradients ×3 make the global norm ~150, so clipNorm 1 binds and clipNorm 1e4 does not.
    const gs = params.map((p, i) =>
      tf.tensor(
        rand(p.size, 1000 * k + i).map((x) => 3 * x),
        p.shape,
      ),
    );
    const grads: tf.NamedTensorMap = {};
    // Leave one parameter out of step 1: per-parameter step counts then differ.
    params.forEach((p, i) => (k === 1 && i === 2) || (grads[p.name] = gs[i]));
    const norm = opt.step(grads, { clipNorm });
    if (norm) norms.push((await norm.data())[0]);
    tf.dispose([...(norm ? [norm] : []), ...gs]);
    assert.equal(tf.memory().numTensors, before, 'a step leaves no tensors behind');
  }
  const state: AgentState = { tensors: {}, scalars: {} };
  await opt.save(state);
  const out: Run = { params: [], m: [], v: [], t: [], norms };
  for (const p of params) {
    const key = `adam/fa_${tag}/${p.name.replace(/_(true|false)_/, '_')}`;
    out.params.push((await p.data()) as Float32Array);
    out.m.push(state.tensors[`${key}/m`].data as Float32Array);
    out.v.push(state.tensors[`${key}/v`].data as Float32Array);
    out.t.push(state.scalars[`${key}/t`] as number);
  }
  opt.dispose();
  tf.dispose(params);
  return out;
}

/** max |a−b| / (max |b| + tiny) over a list of arrays. */
function relMax(a: Float32Array[], b: Float32Array[]): number {
  let num = 0,
    den = 1e-30;
  a.forEach((x, i) => {
    assert.equal(x.length, b[i].length);
    for (let j = 0; j < x.length; j++) {
      num = Math.max(num, Math.abs(x[j] - b[i][j]));
      den = Math.max(den, Math.abs(b[i][j]));
    }
  });
  return num / den;
}

function assertClose(got: Run, want: Run, label: string, tol: number): void {
  assert.deepEqual(got.t, want.t, `${label}: step counts`);
  assert.deepEqual(got.t, [4, 4, 3, 4, 4], `${label}: per-parameter step counts`);
  for (const k of ['params', 'm', 'v'] as const) {
    const e = relMax(got[k], want[k]);
    assert.ok(e <= tol, `${label}: ${k} differ by ${e.toExponential(2)} (relative to the largest value)`);
  }
  assert.equal(got.norms.length, want.norms.length);
  got.norms.forEach((n, i) =>
    assert.ok(Math.abs(n - want.norms[i]) <= 1e-5 * want.norms[i], `${label}: norm ${n} vs ${want.norms[i]}`),
  );
}

for (const backend of ['cpu', 'wasm', 'native'] as const) {
  test(`fused Adam matches the op composition on ${backend}, with and without clipping`, async (t) => {
    if (backend === 'native' && nativeSkip) return t.skip(`native addon not built: ${nativeSkip}`);
    await use(backend);
    assert.ok(
      tf.getKernel(ADAM_STEP, tf.getBackend()) && tf.getKernel(GLOBAL_NORM, tf.getBackend()),
      'fused kernels registered',
    );
    if (backend !== 'cpu') {
      const jsKernel = tf.getKernel(ADAM_STEP, 'wasm')!.kernelFunc === (wasmAdamStep as unknown as tf.KernelFunc);
      assert.equal(jsKernel, backend === 'wasm', 'native replaces the JS kernel on wasm, and only while it is on');
    }
    assert.ok(size(SHAPES[3]) >= WASM_JS_MAX && size(SHAPES[0]) < WASM_JS_MAX, 'both wasm paths are covered');
    for (const clipNorm of [undefined, 1, 1e4]) {
      const label = `${backend} clipNorm=${clipNorm}`;
      const fused = await run(true, 4, clipNorm, `${backend}${clipNorm}`);
      const ops = await run(false, 4, clipNorm, `${backend}${clipNorm}`);
      // The same float32 operations in the same order: only the norm's summation order may differ, and with
      // it the clip coefficient's last bit.
      assertClose(fused, ops, label, clipNorm === 1 ? 1e-6 : 0);
      if (clipNorm !== undefined)
        assert.ok(
          fused.norms.every((n) => n > 100),
          `${label}: the gradients are large`,
        );
      // Vacuity guard: the parameters moved.
      assert.ok(
        relMax(
          fused.params,
          SHAPES.map((s, i) => rand(size(s), 10 + i)),
        ) > 1e-3,
        `${label}: parameters moved`,
      );
    }
  });
}

test('the fused kernels ran (one dispatch per parameter), and the op composition did not use them', async () => {
  await use(nativeSkip ? 'wasm' : 'native');
  const p = tf.variable(tf.tensor1d([1, -2, 3]), true, 'fa_profile');
  const fused = new Adam('fa_pf', [p], { lr: 0.1 });
  const ops = new Adam('fa_po', [p], { lr: 0.1, fused: false });
  const g = tf.tensor1d([0.5, -3, 1]);
  const prof = async (opt: Adam) => {
    const info = await tf.profile(() => tf.dispose(opt.step({ [p.name]: g }, { clipNorm: 1 })));
    return info.kernelNames;
  };
  const kf = await prof(fused);
  // The native backend steps every parameter in one ADAM_STEP_MULTI dispatch.
  const step = nativeSkip ? ADAM_STEP : ADAM_STEP_MULTI;
  assert.ok(kf.includes(step) && kf.includes(GLOBAL_NORM), `fused step ran ${kf}`);
  const ko = await prof(ops);
  assert.ok(![ADAM_STEP, ADAM_STEP_MULTI, GLOBAL_NORM].some((k) => ko.includes(k)), `op step ran ${ko}`);
  fused.dispose();
  ops.dispose();
  tf.dispose([p, g]);
});

test('native: one ADAM_STEP_MULTI dispatch equals an ADAM_STEP per parameter, bit for bit', async (t) => {
  if (nativeSkip) return t.skip(`native addon not built: ${nativeSkip}`);
  await use('native');
  const multi = tf.getKernel(ADAM_STEP_MULTI, 'wasm');
  assert.ok(multi, 'the native backend registers ADAM_STEP_MULTI');
  for (const clipNorm of [undefined, 1]) {
    const one = await run(true, 4, clipNorm, `multi${clipNorm}`);
    tf.unregisterKernel(ADAM_STEP_MULTI, 'wasm');
    let each: Run;
    try {
      each = await run(true, 4, clipNorm, `each${clipNorm}`);
    } finally {
      tf.registerKernel(multi);
    }
    assertClose(one, each, `multi vs per parameter, clipNorm=${clipNorm}`, 0);
  }
});

test("native: the addon's step is the float32 formula to the bit, at every alignment of the outputs", (t) => {
  if (nativeSkip) return t.skip(`native addon not built: ${nativeSkip}`);
  const lib = loadNativeAddon();
  const f = Math.fround;
  const [b1, b2, c1, c2, step, eps] = [0.9, 0.999, 0.1, 0.001, -1e-3, 1e-8].map(f);
  const n = 1037; // odd, so every path has a tail
  const rng = new Rng(11);
  const make = () => Float32Array.from({ length: n + 3 }, () => rng.random() * 2 - 1);
  const [p, m, g] = [make(), make(), make()];
  const v = Float32Array.from(make(), (x) => Math.abs(x));
  // The formula element by element, each operation rounded to float32 (double rounding is exact for these).
  const want = { p: new Float32Array(n), m: new Float32Array(n), v: new Float32Array(n) };
  for (let j = 0; j < n; j++) {
    const mj = f(f(m[j] * b1) + f(g[j] * c1));
    const vj = f(f(v[j] * b2) + f(f(g[j] * g[j]) * c2));
    want.p[j] = f(p[j] + f(f(mj / f(f(Math.sqrt(vj)) + eps)) * step));
    want.m[j] = mj;
    want.v[j] = vj;
  }
  const bits = (x: Float32Array) => Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length));
  // Outputs at float offsets 0-3 each (same and different alignments), inputs at offset 0.
  for (const [op, om, ov] of [
    [0, 0, 0],
    [1, 1, 1],
    [3, 3, 3],
    [2, 2, 2],
    [0, 1, 2],
    [1, 0, 0],
    [3, 2, 1],
  ]) {
    const out = [op, om, ov].map((o) => new Float32Array(n + 4).subarray(o, o + n));
    const ins = [p, m, v, g].map((x) => x.subarray(0, n));
    lib.adamStep(ins[0], ins[1], ins[2], ins[3], out[0], out[1], out[2], b1, b2, c1, c2, step, eps);
    const label = `output offsets ${op},${om},${ov}`;
    assert.deepEqual(bits(out[0]), bits(want.p), `${label}: parameters`);
    assert.deepEqual(bits(out[1]), bits(want.m), `${label}: first moments`);
    assert.deepEqual(bits(out[2]), bits(want.v), `${label}: second moments`);
  }
});

test('fused Adam: moments and step counts survive save/load, and the next step is the same', async () => {
  await use(nativeSkip ? 'wasm' : 'native');
  const shapes = [[40, 30], [30]];
  const mk = (tag: string) =>
    shapes.map((s, i) => tf.variable(tf.tensor(rand(size(s), 70 + i), s), true, `fa_sl_${tag}_${i}`));
  const keyOf = (v: tf.Variable) => v.name.replace(/fa_sl_[ab]_/, '');
  const pa = mk('a');
  const a = new Adam('sl', pa, { lr: 0.01 }, keyOf);
  const gradsFor = (ps: tf.Variable[], k: number) =>
    Object.fromEntries(ps.map((p, i) => [p.name, tf.tensor(rand(p.size, 500 + 10 * k + i), p.shape)]));
  for (let k = 0; k < 3; k++) {
    const g = gradsFor(pa, k);
    tf.dispose(a.step(g, { clipNorm: 0.5 }));
    tf.dispose(Object.values(g));
  }
  const saved: AgentState = { tensors: {}, scalars: {} };
  await a.save(saved);
  // A fresh optimizer over copies of the parameters, restored from the checkpoint.
  const pb = mk('b');
  pb.forEach((p, i) => p.assign(pa[i]));
  const b = new Adam('sl', pb, { lr: 0.01 }, keyOf);
  b.load(saved);
  const reloaded: AgentState = { tensors: {}, scalars: {} };
  await b.save(reloaded);
  assert.deepEqual(Object.keys(reloaded.tensors).sort(), Object.keys(saved.tensors).sort());
  for (const [key, t] of Object.entries(saved.tensors)) {
    assert.deepEqual(reloaded.tensors[key].shape, t.shape, key);
    assert.deepEqual(Array.from(reloaded.tensors[key].data as Float32Array), Array.from(t.data as Float32Array), key);
  }
  assert.deepEqual(reloaded.scalars, saved.scalars);
  assert.deepEqual(Object.values(saved.scalars), [3, 3]);
  const ga = gradsFor(pa, 3),
    gb = gradsFor(pb, 3);
  tf.dispose([a.step(ga, { clipNorm: 0.5 }), b.step(gb, { clipNorm: 0.5 })]);
  for (let i = 0; i < pa.length; i++) assert.deepEqual(Array.from(await pb[i].data()), Array.from(await pa[i].data()));
  a.dispose();
  b.dispose();
  tf.dispose([...pa, ...pb, ...Object.values(ga), ...Object.values(gb)]);
});
