import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend/select';
import { pixelsToTensor } from '../../lib/backend/kernels/pixels';

test('pixelsToTensor: the uint8 values as float32, on wasm (heap path) and cpu; short input is refused', async () => {
  process.env.SEER_QUIET = '1';
  await initBackend(process.env.SEER_BACKEND ?? 'wasm');
  const src = Uint8Array.from({ length: 2 * 5 * 3 + 7 }, (_, i) => (i * 97 + 13) & 255);
  const want = Float32Array.from(src.subarray(0, 30));
  const active = tf.getBackend();
  for (const name of [active, 'cpu']) {
    await tf.setBackend(name);
    const before = tf.memory().numTensors;
    const t = pixelsToTensor(src, [2, 5, 3]);
    assert.equal(t.dtype, 'float32');
    assert.deepEqual(t.shape, [2, 5, 3]);
    assert.deepEqual(Array.from(t.dataSync()), Array.from(want), `${name}: values`);
    tf.tidy(() => void pixelsToTensor(src, [30])); // tracked like any tensor: a tidy frees it
    assert.equal(tf.memory().numTensors, before + 1);
    t.dispose();
    assert.throws(() => pixelsToTensor(src, [4, 10]), /expected at least 40 values for shape \[4,10\], got 37/);
  }
  await tf.setBackend(active);
});

test('pixelsToTensor with divisor 255: every byte value equals tf.div(x, 255) bit for bit, on wasm, cpu and native', async () => {
  process.env.SEER_QUIET = '1';
  await initBackend(process.env.SEER_BACKEND ?? 'wasm');
  // Every byte value, repeated past the native pass's threading threshold.
  const src = Uint8Array.from({ length: 1 << 16 }, (_, i) => (i * 151) & 255);
  const bits = (t: tf.Tensor) => Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));
  const check = (label: string) => {
    const got = pixelsToTensor(src, [src.length], { divisor: 255 });
    const want = tf.tidy(() => tf.div(pixelsToTensor(src, [src.length]), 255));
    assert.deepEqual(bits(got), bits(want), `${label}: v / 255`);
    assert.notDeepEqual(
      bits(got),
      tf.tidy(() => bits(pixelsToTensor(src, [src.length]))),
      `${label}: divided at all`,
    );
    tf.dispose([got, want]);
  };
  const active = tf.getBackend();
  for (const name of [active, 'cpu']) {
    await tf.setBackend(name);
    check(name);
  }
  await tf.setBackend(active);
  assert.throws(() => pixelsToTensor(src, [4], { divisor: 0 }), /divisor must be a positive finite number, got 0/);
  const native = require('../../lib/backend/native') as typeof import('../../lib/backend/native');
  try {
    native.loadNativeAddon();
  } catch {
    return; // the native pass is not built here: wasm and cpu were checked
  }
  await native.registerNativeKernels();
  assert.equal(typeof native.nativePixelsToFloat(), 'function', 'the native pass is used when the kernels are on');
  check('native');
  native.useNativeKernels(false);
});
