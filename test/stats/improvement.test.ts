import { test } from 'node:test';
import assert from 'node:assert/strict';
import { probabilityOfImprovement } from '../../lib/stats/improvement';

test('probability of improvement: pairs won, ties counting one half', () => {
  assert.equal(probabilityOfImprovement([3, 4], [1, 2]), 1);
  assert.equal(probabilityOfImprovement([1, 2], [3, 4]), 0);
  assert.equal(probabilityOfImprovement([1, 2, 3], [2, 2, 2]), 0.5); // (0 + 1.5 + 3) / 9
  assert.equal(probabilityOfImprovement([0, 2], [0, 0]), 0.75);
  assert.equal(probabilityOfImprovement([2, 2], [2]), 0.5);
});
