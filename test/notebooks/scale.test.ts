import { test } from 'node:test';
import assert from 'node:assert/strict';
import { byScale, DEFAULT_SCALE, notebookScale, parseScale, SCALES } from '../../lib/run/scale';

test('SEER_SCALE picks the scale; unset or empty means the default', () => {
  assert.deepEqual(SCALES, ['smoke', 'laptop', 'benchmark', 'paper']);
  assert.equal(notebookScale({ SEER_SCALE: 'smoke' }), 'smoke');
  assert.equal(notebookScale({ SEER_SCALE: ' Paper ' }), 'paper');
  assert.equal(notebookScale({}), DEFAULT_SCALE);
  assert.equal(notebookScale({ SEER_SCALE: '' }), DEFAULT_SCALE);
});

test('an unknown scale is an error listing the accepted values', () => {
  assert.throws(
    () => parseScale('huge'),
    /SEER_SCALE='huge' is not a scale. Accepted values: smoke, laptop, benchmark, paper/,
  );
  assert.throws(() => notebookScale({ SEER_SCALE: 'tiny' }), /Accepted values/);
});

test('byScale picks the value for the scale', () => {
  const steps = { smoke: 10, laptop: 1000, paper: 100000 };
  assert.equal(byScale(steps, 'smoke'), 10);
  assert.equal(byScale(steps, 'paper'), 100000);
  // benchmark falls back to the laptop value unless given
  assert.equal(byScale(steps, 'benchmark'), steps.laptop);
  assert.equal(byScale({ ...steps, benchmark: 7 }, 'benchmark'), 7);
});
