import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareScores, intervalSide, meanInterval } from '../../lib/stats/compare';

test('comparing two arms: differences and P(X > Y) with stratified-bootstrap intervals', () => {
  // X = [10, 12], Y = [4, 6]: resampled means 10/11/12 and 4/5/6, each extreme with probability 1/4, so the
  // difference's extremes (4 and 8) each have probability 1/16 > 2.5%: the 95% interval is [4, 8].
  const c = compareScores([10, 12], [4, 6]);
  assert.deepEqual(c.meanDiff, { estimate: 6, low: 4, high: 8 });
  assert.deepEqual(c.iqmDiff, { estimate: 6, low: 4, high: 8 }); // two seeds: the IQM is the mean
  assert.deepEqual(c.improvement, { estimate: 1, low: 1, high: 1 });
  assert.deepEqual(c.seeds, [2, 2]);
  assert.equal(intervalSide(c.meanDiff), 'above');
  // X = [0, 2], Y = [0, 0]: differences 0, 1, 2 (1/4, 1/2, 1/4); P(X > Y) 0.5, 0.75, 1.
  const z = compareScores([0, 2], [0, 0]);
  assert.deepEqual(z.meanDiff, { estimate: 1, low: 0, high: 2 });
  assert.deepEqual(z.improvement, { estimate: 0.75, low: 0.5, high: 1 });
  assert.equal(intervalSide(z.meanDiff), 'covers', 'an interval that touches 0 covers it');
  assert.equal(intervalSide({ estimate: -1, low: -2, high: -0.1 }), 'below');
  assert.throws(() => compareScores([1], [2, 3]), /at least 2 seeds per arm, got 1 and 2/);
});

test("one arm's mean with its bootstrap interval", () => {
  // [10, 12]: resampled means 10, 11, 12 with probabilities 1/4, 1/2, 1/4, so the 95% interval is [10, 12].
  assert.deepEqual(meanInterval([10, 12]), { estimate: 11, low: 10, high: 12 });
  // Three seeds: the interval lies inside the seeds' range, around the mean.
  const i = meanInterval([300, 420, 500]);
  assert.ok(i.low >= 300 && i.low < i.estimate && i.high > i.estimate && i.high <= 500, JSON.stringify(i));
  assert.throws(() => meanInterval([1]), /at least 2 seeds, got 1/);
});
