import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Adam, clipByGlobalNorm } from '../../lib/agents/adam';
import { setup } from './helpers';

before(setup);

test("Adam follows PyTorch's update (per-parameter bias correction, eps outside √v̂)", () => {
  const p = tf.variable(tf.tensor1d([1, -2]), true, 'adam_test_p');
  const opt = new Adam('t', [p], { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
  const g = tf.tensor1d([0.5, -3]);
  opt.step({ [p.name]: g });
  // Step 1: m̂ = g, v̂ = g², update = lr·g/(|g| + eps) = ±0.1.
  const v1 = p.dataSync();
  assert.ok(Math.abs(v1[0] - 0.9) < 1e-6 && Math.abs(v1[1] + 1.9) < 1e-6);
  opt.step({ [p.name]: g });
  // Step 2 with the same gradient: again exactly ±lr.
  const v2 = p.dataSync();
  assert.ok(Math.abs(v2[0] - 0.8) < 1e-5 && Math.abs(v2[1] + 1.8) < 1e-5);
  const before = tf.memory().numTensors;
  opt.remove([p]);
  assert.equal(tf.memory().numTensors, before - 2, 'moments are freed when a variable leaves');
  assert.equal(opt.params().length, 0);
  opt.step({ [p.name]: g });
  assert.equal(p.dataSync()[0], v2[0], 'a removed variable is not stepped');
  tf.dispose([p, g]);
});

test('Adam rejects bad settings by name', () => {
  assert.throws(() => new Adam('x', [], { lr: -1 }), /lr must be a positive number/);
  assert.throws(() => new Adam('x', [], { lr: 1, beta1: 1 }), /beta1 must be in \[0, 1\)/);
});

test('clipByGlobalNorm scales to the max norm only when above it', () => {
  const a = tf.tensor1d([3, 0]);
  const b = tf.tensor1d([4]);
  const { grads, norm } = clipByGlobalNorm({ a, b }, 1);
  assert.ok(Math.abs(norm.dataSync()[0] - 5) < 1e-6);
  assert.ok(Math.abs(grads.a.dataSync()[0] - 0.6) < 1e-5 && Math.abs(grads.b.dataSync()[0] - 0.8) < 1e-5);
  const loose = clipByGlobalNorm({ a, b }, 10);
  assert.equal(loose.grads.a.dataSync()[0], 3);
  tf.dispose([a, b, norm, ...Object.values(grads), ...Object.values(loose.grads), loose.norm]);
});
