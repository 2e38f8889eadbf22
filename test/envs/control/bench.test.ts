import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benchControl } from '../../../lib/envs/control/bench';

test('benchControl reports physics, state and pixel rows and the targets (tiny run)', async () => {
  const r = await benchControl({ seconds: 0.02, tasks: ['cartpole-swingup'], testspeed: false });
  assert.deepEqual(
    r.rows.map((row) => row.mode),
    ['physics', 'state', 'pixels84', 'pixels100'],
  );
  for (const row of r.rows)
    assert.ok(row.steps > 0 && row.stepsPerSec > 0 && row.stepsPerCpuSec > 0, JSON.stringify(row));
  assert.deepEqual(r.rows[2].obsShape, [84, 84, 9]);
  assert.equal(r.rows[2].actionRepeat, 8);
  assert.equal(r.native, undefined);
  assert.equal(r.targets['cartpole-swingup, 84x84 pixel steps, wall (steps/s)'].target, 3000);
});
