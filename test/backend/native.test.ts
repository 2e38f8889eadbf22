/**
 * The native kernels (oneDNN convs, OpenBLAS matmuls on the wasm heap) against the pure-JS cpu backend:
 * values and gradients on seeded random shapes, relative L2 error < 1e-4. Skips, saying why, when the addon
 * is not built (scripts/build-native.sh).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadNativeAddon, nativeInfo, nativeThreads, registerNativeKernels } from '../../lib/backend/native';
import { makeEncoder } from '../../lib/nets/encoders';
import { Rng } from '../../lib/envs/rng';

let skip: string | false = false;
try {
  loadNativeAddon();
} catch (err) {
  skip = `native addon not built: ${(err as Error).message}`;
  console.log(`# skipping native backend tests: ${skip}`);
}

/** Deterministic uniform(-1, 1) floats from the workbook's generator. */
function rand(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.random() * 2 - 1);
}

function relErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  assert.equal(got.length, want.length, 'length mismatch');
  let num = 0,
    den = 0;
  for (let i = 0; i < want.length; i++) {
    num += (got[i] - want[i]) ** 2;
    den += want[i] ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-30));
}

type Inputs = { shape: number[]; data: Float32Array }[];
/** Builds the inputs on the current backend, returns f's value and its gradients w.r.t. every input. */
async function valueAndGrads(inputs: Inputs, f: (...xs: tf.Tensor[]) => tf.Scalar): Promise<Float32Array[]> {
  const ts = inputs.map((i) => tf.tensor(i.data, i.shape));
  const { value, grads } = tf.valueAndGrads(f)(ts);
  const out = [await value.data(), ...(await Promise.all(grads.map((g) => g.data())))] as Float32Array[];
  tf.dispose([value, ...grads, ...ts]);
  return out;
}

/** Runs f on native-wasm and on cpu with the same inputs; every output must agree to 1e-4. */
async function compare(label: string, inputs: Inputs, f: (...xs: tf.Tensor[]) => tf.Scalar): Promise<void> {
  await tf.setBackend('wasm');
  const got = await valueAndGrads(inputs, f);
  await tf.setBackend('cpu');
  const want = await valueAndGrads(inputs, f);
  for (let i = 0; i < want.length; i++) {
    const e = relErr(got[i], want[i]);
    assert.ok(e < 1e-4, `${label}: output ${i} (0 = value, then grads) rel error ${e.toExponential(2)}`);
  }
  // Guard against vacuous agreement: the gradients must not be all zero.
  for (let i = 1; i < want.length; i++)
    assert.ok(
      want[i].some((v) => v !== 0),
      `${label}: zero gradient ${i}`,
    );
}

/** Forward-only version of compare, for ops tfjs cannot differentiate. */
async function compareValue(label: string, inputs: Inputs, f: (...xs: tf.Tensor[]) => tf.Tensor): Promise<void> {
  const run = async () => {
    const ts = inputs.map((i) => tf.tensor(i.data, i.shape));
    const y = f(...ts);
    const v = (await y.data()) as Float32Array;
    tf.dispose([y, ...ts]);
    return v;
  };
  await tf.setBackend('wasm');
  const got = await run();
  await tf.setBackend('cpu');
  const e = relErr(got, await run());
  assert.ok(e < 1e-4, `${label}: rel error ${e.toExponential(2)}`);
}

test('native backend', { skip }, async (t) => {
  await registerNativeKernels();
  await tf.setBackend('wasm');
  const before = nativeInfo().cachedConvPrimitives;

  await t.test('conv2d value and gradients match cpu on random shapes', async () => {
    // Seeded random shapes over kernel {3,5} x stride {1,2,5} x pad {valid,same}, batch 1..64, channels 1..64;
    // spatial size kept small so the cpu reference stays fast.
    let seed = 1;
    const r = rand(200, 99);
    const pick = (i: number, lo: number, hi: number) => lo + Math.floor(((r[i] + 1) / 2) * (hi - lo + 1));
    let i = 0;
    for (const k of [3, 5]) {
      for (const stride of [1, 2, 5]) {
        for (const pad of ['valid', 'same'] as const) {
          const big = i % 4; // rotate which dimension is pushed to its maximum
          const n = big === 0 ? 64 : pick(i * 4, 1, 8);
          const c = big === 1 ? 64 : pick(i * 4 + 1, 1, 12);
          const oc = big === 2 ? 64 : pick(i * 4 + 2, 1, 12);
          const hw = Math.max(k, pick(i * 4 + 3, 5, big === 3 ? 24 : 12));
          i++;
          const x = { shape: [n, hw, hw + 1, c], data: rand(n * hw * (hw + 1) * c, seed++) };
          const w = { shape: [k, k, c, oc], data: rand(k * k * c * oc, seed++) };
          const proj = rand(1 << 20, seed++);
          await compare(`conv k=${k} s=${stride} ${pad} n=${n} c=${c} oc=${oc} hw=${hw}`, [x, w], (xt, wt) => {
            const y = tf.conv2d(xt as tf.Tensor4D, wt as tf.Tensor4D, stride, pad);
            const p = tf.tensor(proj.subarray(0, y.size), y.shape);
            return tf.sum(tf.mul(tf.relu(y), p));
          });
        }
      }
    }
  });

  await t.test('fused conv2d (bias + relu/linear/elu) and a 3-layer stack match cpu', async () => {
    for (const activation of ['relu', 'linear', 'elu'] as const) {
      const x = { shape: [4, 11, 11, 5], data: rand(4 * 11 * 11 * 5, 10) };
      const w1 = { shape: [3, 3, 5, 8], data: rand(3 * 3 * 5 * 8, 11) };
      const b1 = { shape: [8], data: rand(8, 12) };
      const w2 = { shape: [3, 3, 8, 6], data: rand(3 * 3 * 8 * 6, 13) };
      await compare(`fused ${activation}`, [x, w1, b1, w2], (xt, w1t, b1t, w2t) => {
        const h = tf.fused.conv2d({
          x: xt as tf.Tensor4D,
          filter: w1t as tf.Tensor4D,
          bias: b1t,
          strides: 2,
          pad: 'valid',
          activation,
        });
        const y = tf.conv2d(h, w2t as tf.Tensor4D, 1, 'same');
        return tf.mean(tf.square(y));
      });
    }
  });

  await t.test('the kernels ran natively (primitives were cached)', () => {
    assert.ok(nativeInfo().cachedConvPrimitives > before, 'no oneDNN primitive was created');
  });

  await t.test('matMul variants (transpose, batch, broadcast, fused bias/activation) match cpu', async () => {
    let seed = 100;
    const cases: [number[], number[], boolean, boolean][] = [
      [[7, 5], [5, 3], false, false],
      [[5, 7], [5, 3], true, false],
      [[7, 5], [3, 5], false, true],
      [[5, 7], [3, 5], true, true],
      [[4, 7, 5], [4, 5, 3], false, false],
      [[128, 50], [50, 1024], false, false],
      // Broadcast batches: tfjs has no gradient for these, so only the value is compared.
      [[4, 5, 7], [5, 3], true, false],
      [[1, 7, 5], [2, 3, 4, 5], false, true],
    ];
    for (const [sa, sb, ta, tb] of cases) {
      const broadcast = sa.length !== sb.length || sa[0] !== sb[0];
      const a = {
        shape: sa,
        data: rand(
          sa.reduce((p, v) => p * v, 1),
          seed++,
        ),
      };
      const b = {
        shape: sb,
        data: rand(
          sb.reduce((p, v) => p * v, 1),
          seed++,
        ),
      };
      const proj = rand(1 << 18, seed++);
      const f = (at: tf.Tensor, bt: tf.Tensor): tf.Scalar => {
        const y = tf.matMul(at, bt, ta, tb);
        return tf.sum(tf.mul(y, tf.tensor(proj.subarray(0, y.size), y.shape)));
      };
      const label = `matMul [${sa}]x[${sb}] tA=${ta} tB=${tb}`;
      if (!broadcast) await compare(label, [a, b], f);
      else await compareValue(label, [a, b], (at, bt) => tf.matMul(at, bt, ta, tb));
    }
    for (const activation of ['relu', 'linear', 'sigmoid', 'leakyrelu', 'prelu'] as const) {
      const a = { shape: [9, 6], data: rand(54, seed++) };
      const b = { shape: [4, 6], data: rand(24, seed++) };
      const bias = { shape: [4], data: rand(4, seed++) };
      const alpha = { shape: [4], data: rand(4, seed++).map((v) => 0.1 + 0.05 * v) };
      const inputs = activation === 'prelu' ? [a, b, bias, alpha] : [a, b, bias];
      await compare(`fused matMul ${activation}`, inputs, (at, bt, biast, alphat) => {
        const y = tf.fused.matMul({
          a: at as tf.Tensor2D,
          b: bt as tf.Tensor2D,
          transposeB: true,
          bias: biast,
          activation,
          preluActivationWeights: alphat,
          leakyreluAlpha: 0.2,
        });
        return tf.sum(tf.square(y));
      });
    }
  });

  await t.test('element-wise kernels, Sum and zero-copy Identity/Cast match cpu', async () => {
    let seed = 300;
    const mk = (shape: number[]) => ({
      shape,
      data: rand(
        shape.reduce((p, v) => p * v, 1),
        seed++,
      ),
    });
    const pairs: [number[], number[]][] = [
      [
        [6, 7, 8, 5],
        [6, 7, 8, 5],
      ], // same shape
      [[6, 7, 8, 5], [5]], // per-channel bias
      [
        [6, 7, 8, 5],
        [1, 1, 8, 5],
      ], // trailing broadcast with leading ones
      [[], [6, 7, 8, 5]], // scalar on the left
      [
        [9, 1],
        [1, 4],
      ], // outer-product broadcast: wasm fallback
    ];
    for (const [sa, sb] of pairs) {
      for (const op of ['add', 'sub', 'mul', 'div'] as const) {
        const a = mk(sa),
          b = mk(sb);
        if (op === 'div') b.data = b.data.map((v) => (v < 0 ? v - 0.5 : v + 0.5)); // keep away from zero
        await compareValue(`${op} [${sa}] [${sb}]`, [a, b], (at, bt) => tf[op](at, bt));
      }
    }
    const x = mk([4, 6, 5, 3]);
    for (const axis of [0, 3, [0, 1, 2], [1, 2], [2, 3], [0, 1, 2, 3], [0, 2], -1]) {
      for (const keepDims of [false, true]) {
        await compareValue(`sum axis=${axis} keepDims=${keepDims}`, [x], (xt) => tf.sum(xt, axis, keepDims));
      }
    }
    // ReLU's gradient runs as one native kernel on wasm and still matches cpu (zeros and negatives included).
    const xr = mk([3, 7, 7, 4]);
    xr.data[0] = 0;
    await compare('relu gradient', [xr], (xt) =>
      tf.sum(tf.mul(tf.relu(xt), tf.linspace(-1, 2, xt.size).reshape(xt.shape))),
    );
    await tf.setBackend('wasm');
    const prof = await tf.profile(() => tf.grad((xt: tf.Tensor) => tf.sum(tf.relu(xt)))(tf.ones([4])));
    assert.ok(prof.kernelNames.includes('SeerNativeReluGrad'), `relu grad ran as ${prof.kernelNames}`);
    const withNaN = { shape: [5], data: new Float32Array([-1, 0, NaN, 2, -0]) };
    await tf.setBackend('wasm');
    const r = tf.tensor(withNaN.data, withNaN.shape);
    assert.deepEqual(Array.from(await tf.relu(r).data()), [0, 0, NaN, 2, 0]);
    assert.deepEqual(Array.from(await tf.step(r, 0.5).data()), [0.5, 0.5, NaN, 1, 0.5]);
    // The gradient kernel directly: dy * step(x), NaN where x is NaN, and the vectorised path (>= 32K floats).
    const lib = loadNativeAddon();
    const xs = new Float32Array(1 << 16).map((_, j) => [-1, 0, NaN, 2, -0, 3][j % 6]);
    const dys = new Float32Array(1 << 16).map((_, j) => (j % 7) - 3);
    const g = new Float32Array(1 << 16);
    lib.binary(4, dys, xs, g);
    assert.ok(
      g.every((v, j) => Object.is(v, dys[j] * (Number.isNaN(xs[j]) ? NaN : xs[j] > 0 ? 1 : 0))),
      'relu_grad',
    );
    // Identity/Cast share buffers: the copy must survive disposing the original.
    const c = tf.clone(r),
      d = tf.cast(r, 'float32'),
      i = tf.cast(r, 'int32');
    r.dispose();
    assert.deepEqual(Array.from(await c.data()), [-1, 0, NaN, 2, -0]);
    assert.deepEqual(Array.from(await d.data()), [-1, 0, NaN, 2, -0]);
    assert.equal(i.dtype, 'int32');
    tf.dispose([c, d, i]);
  });

  await t.test(
    'IMPALA encoder gradients (convs, native max-pool and its gradient, residual adds) match cpu',
    async () => {
      const grads = async (backend: 'wasm' | 'cpu') => {
        await tf.setBackend(backend);
        const enc = makeEncoder({ kind: 'impala', inputShape: [22, 21, 3], seed: 7, name: `impala_native_${backend}` });
        try {
          const x = tf.tensor4d(
            rand(3 * 22 * 21 * 3, 70).map((v) => (v + 1) * 127.5),
            [3, 22, 21, 3],
          );
          const r = tf.tensor2d(rand(3 * enc.outputDim, 71), [3, enc.outputDim]);
          const { value, grads: g } = tf.variableGrads(
            () => tf.sum(tf.mul(enc.apply(x), r)) as tf.Scalar,
            enc.variables(),
          );
          const out = Object.values(g).map((v) => v.dataSync() as Float32Array);
          tf.dispose([x, r, value, ...Object.values(g)]);
          return out;
        } finally {
          enc.dispose();
        }
      };
      const got = await grads('wasm'),
        want = await grads('cpu');
      assert.equal(got.length, want.length);
      want.forEach((w, i) => {
        assert.ok(
          w.some((v) => v !== 0),
          `variable ${i}: zero gradient`,
        );
        const e = relErr(got[i], w);
        assert.ok(e < 1e-4, `variable ${i}: rel error ${e.toExponential(2)}`);
      });
    },
  );

  await t.test('bad calls throw with a message instead of returning zeros', () => {
    const lib = loadNativeAddon();
    const geom = new Int32Array([1, 5, 5, 1, 1, 3, 3, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0]);
    assert.throws(
      () => lib.conv2dForward(new Float32Array(3), new Float32Array(9), null, new Float32Array(9), geom),
      /x has 3 floats, needs 25/,
    );
    const wrongOut = new Int32Array(geom);
    wrongOut[7] = 4; // claims a 4x4 output for a valid 3x3 conv of 5x5
    assert.throws(
      () => lib.conv2dForward(new Float32Array(25), new Float32Array(9), null, new Float32Array(16), wrongOut),
      /padding gives output 3x3 but the caller expects 4x3/,
    );
    assert.throws(() => lib.setThreads(0), /threads must be between 1 and 1024/);
    assert.throws(() => nativeThreads('two'), /SEER_NATIVE_THREADS='two'.*integer >= 1/);
  });
});

test('without the addon: initBackend falls through to wasm, SEER_BACKEND=native fails loudly', { skip: false }, () => {
  const root = path.join(__dirname, '..', '..');
  const script = "const s=require('./lib/backend/select.ts');" + "s.initBackend().then(n=>console.log('default:'+n))";
  // A fresh process per case: initBackend caches its choice.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SEER_NATIVE_ADDON: '/nonexistent/seer_native.node',
    SEER_QUIET: '1',
  };
  delete env.SEER_BACKEND;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, env, encoding: 'utf8' });
  assert.match(out, /default:wasm/);
  let err = '';
  try {
    const force =
      "require('./lib/backend/select.ts').initBackend().catch(e=>{console.error(e.message);process.exit(3)})";
    execFileSync(process.execPath, ['--import', 'tsx', '-e', force], {
      cwd: root,
      env: { ...env, SEER_BACKEND: 'native' },
      encoding: 'utf8',
      stdio: 'pipe',
    });
  } catch (e) {
    err = String((e as { stderr?: string }).stderr);
  }
  assert.match(err, /SEER_BACKEND=native could not be loaded: native addon not usable.*build-native\.sh/);
});
