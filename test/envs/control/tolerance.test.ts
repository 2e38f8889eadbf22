import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tolerance, SIGMOIDS, type Sigmoid } from '../../../lib/envs/control/tolerance';

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${a} ≠ ${b}`);

test('inside the bounds is 1, outside with zero margin is 0', () => {
  assert.equal(tolerance(0.3, { bounds: [0, 0.5] }), 1);
  assert.equal(tolerance(0.5, { bounds: [0, 0.5] }), 1);
  assert.equal(tolerance(0.51, { bounds: [0, 0.5] }), 0);
  assert.equal(tolerance(-1e-9, { bounds: [0, 0.5] }), 0);
});

test('every sigmoid is 1 at the bound and valueAtMargin one margin away, on both sides', () => {
  for (const sigmoid of SIGMOIDS) {
    for (const v of [0.1, 0.5, 0.9]) {
      close(tolerance(2, { bounds: [-1, 2], margin: 3, sigmoid, valueAtMargin: v }), 1);
      close(tolerance(5, { bounds: [-1, 2], margin: 3, sigmoid, valueAtMargin: v }), v, 1e-12);
      close(tolerance(-4, { bounds: [-1, 2], margin: 3, sigmoid, valueAtMargin: v }), v, 1e-12);
    }
  }
});

test('half a margin away matches closed-form hand values (v = 0.1)', () => {
  // d = 0.5 for x = 1.5, bounds [0, 1], margin 1
  const hand: Record<Sigmoid, number> = {
    gaussian: Math.pow(0.1, 0.25), // v^(d²)
    hyperbolic: 1 / Math.sqrt(5.5), // 1/cosh(acosh(10)/2)
    long_tail: 1 / 3.25, // 1/(0.25·9 + 1)
    reciprocal: 1 / 5.5, // 1/(0.5·9 + 1)
    cosine: (1 + Math.sqrt(0.1)) / 2, // (1 + cos(acos(-0.8)/2))/2
    linear: 0.55, // 1 - 0.5·0.9
    quadratic: 0.775, // 1 - 0.25·0.9
    tanh_squared: 0.4805061467040842, // 1 - tanh²(atanh(√0.9)/2)
  };
  for (const sigmoid of SIGMOIDS) {
    close(tolerance(1.5, { bounds: [0, 1], margin: 1, sigmoid, valueAtMargin: 0.1 }), hand[sigmoid], 1e-12);
  }
});

test('finite-support sigmoids reach 0 beyond their support; others stay positive', () => {
  assert.equal(tolerance(3, { margin: 1, sigmoid: 'linear', valueAtMargin: 0 }), 0);
  assert.equal(tolerance(1.2, { margin: 1, sigmoid: 'quadratic', valueAtMargin: 0 }), 0);
  assert.equal(tolerance(5, { margin: 1, sigmoid: 'cosine', valueAtMargin: 0.5 }), 0);
  assert.ok(tolerance(5, { margin: 1, sigmoid: 'long_tail' }) > 0);
  // DMC defaults: gaussian, value 0.1 at the margin
  close(tolerance(2, { margin: 2 }), 0.1, 1e-12);
});

test('DMC reward special cases', () => {
  // cartpole small_control: (4 + max(0, 1 - u²))/5
  for (const u of [0, 0.3, -0.8, 1, 1.5]) {
    close(
      (4 + tolerance(u, { margin: 1, valueAtMargin: 0, sigmoid: 'quadratic' })) / 5,
      (4 + Math.max(0, 1 - u * u)) / 5,
    );
  }
  // walker move: clip(1 - (s - v)/s, 0, 1) … with value 0.5 at v = s/2
  close(tolerance(0.75, { bounds: [1, Infinity], margin: 0.5, valueAtMargin: 0.5, sigmoid: 'linear' }), 0.75);
  // cheetah: clip(v/10, 0, 1)
  close(tolerance(4, { bounds: [10, Infinity], margin: 10, valueAtMargin: 0, sigmoid: 'linear' }), 0.4);
});

test('bad arguments are errors naming the problem', () => {
  assert.throws(
    () => tolerance(2, { margin: 1, valueAtMargin: 0 }),
    /valueAtMargin=0 is invalid for sigmoid 'gaussian'/,
  );
  assert.throws(() => tolerance(2, { margin: 1, sigmoid: 'linear', valueAtMargin: 1 }), /0 ≤ v < 1/);
  assert.throws(() => tolerance(0, { bounds: [1, 0] }), /lo ≤ hi/);
  assert.throws(() => tolerance(0, { margin: -1 }), /margin must be ≥ 0/);
  assert.throws(() => tolerance(2, { margin: 1, sigmoid: 'cubic' as Sigmoid }), /accepted: gaussian/);
});
