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
