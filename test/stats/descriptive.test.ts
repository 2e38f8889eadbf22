import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interquartileMean, mean, quantile, sampleStd } from '../../lib/stats/descriptive';

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${a} ≠ ${b}`);

test('sample standard deviation divides by n − 1, and one value has none', () => {
  close(sampleStd([1, 3]), Math.SQRT2);
  // Space Invaders SEER's final scores (issue 16): sum of squared deviations 8.526667, / 2 → sd 2.06478.
  close(sampleStd([7.3, 7.8, 4.0]), Math.sqrt(8.526666666666667 / 2));
  assert.ok(Number.isNaN(sampleStd([5])));
  assert.throws(() => sampleStd([]), /no values/);
  close(mean([1, 2, 3, 4]), 2.5);
});

test('interquartile mean cuts floor(n/4) scores at each end, as scipy.stats.trim_mean(x, 0.25)', () => {
  close(interquartileMean([8, 1, 7, 2, 6, 3, 5, 4]), 4.5); // mean of 3, 4, 5, 6
  close(interquartileMean([0, 100, 1, 2]), 1.5); // mean of 1, 2
  close(interquartileMean([1, 2, 100]), 103 / 3); // n = 3: nothing cut
  close(interquartileMean([0, 1, 2, 3, 100]), 2); // n = 5: one cut each end
});

test('quantiles interpolate linearly between order statistics (numpy default)', () => {
  close(quantile([4, 1, 3, 2], 0.25), 1.75);
  close(quantile([4, 1, 3, 2], 0.975), 3.925);
  close(quantile([4, 1, 3, 2], 0), 1);
  close(quantile([4, 1, 3, 2], 1), 4);
  close(quantile([10], 0.3), 10);
  assert.throws(() => quantile([1], 1.5), /q must be in \[0, 1\]/);
});
