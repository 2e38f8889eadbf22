import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mean } from '../../lib/stats/descriptive';
import { percentileInterval, stratifiedBootstrap } from '../../lib/stats/bootstrap';

test('each replicate resamples every stratum with replacement, within itself', () => {
  // The mean of a resample of [0, 1] is 0, 0.5 or 1 with probabilities 1/4, 1/2, 1/4.
  const [m] = stratifiedBootstrap([[0, 1]], ([s]) => [mean(s)], { reps: 20000, seed: 3 });
  const freq = (v: number) => m.filter((x) => x === v).length / m.length;
  assert.ok(Math.abs(freq(0) - 0.25) < 0.02 && Math.abs(freq(0.5) - 0.5) < 0.02 && Math.abs(freq(1) - 0.25) < 0.02);
  // Strata never mix: a resample of [0, 1] holds only 0s and 1s, one of [10, 11] only 10s and 11s.
  const [d] = stratifiedBootstrap(
    [
      [0, 1],
      [10, 11, 10],
    ],
    ([a, b]) => {
      assert.equal(a.length, 2);
      assert.equal(b.length, 3);
      assert.ok(a.every((x) => x <= 1) && b.every((x) => x >= 10));
      return [mean(b) - mean(a)];
    },
    { reps: 500 },
  );
  assert.ok(d.every((x) => x >= 9 && x <= 11));
});

test('the bootstrap is seeded: same seed, same replicates; another seed, others', () => {
  const run = (seed: number) =>
    stratifiedBootstrap(
      [
        [1, 5, 9],
        [2, 3],
      ],
      ([a, b]) => [mean(a) - mean(b)],
      { reps: 200, seed },
    );
  assert.deepEqual(run(7), run(7));
  assert.notDeepEqual(run(7), run(8));
  assert.throws(() => stratifiedBootstrap([[1]], () => [0], { reps: 0 }), /positive integer/);
  assert.throws(() => stratifiedBootstrap([[1], []], () => [0]), /at least one score/);
});

test('percentile intervals: hand-computed cases', () => {
  // Resamples of [0, 1]: P(mean = 0) = 1/4 > 2.5%, so the 95% interval is [0, 1].
  const [m] = stratifiedBootstrap([[0, 1]], ([s]) => [mean(s)], { reps: 2000 });
  assert.deepEqual(percentileInterval(m), [0, 1]);
  // The central 50% of 1..5 (linear interpolation): [2, 4].
  assert.deepEqual(percentileInterval([5, 4, 3, 2, 1], 0.5), [2, 4]);
  assert.throws(() => percentileInterval([1], 1), /level/);
});
