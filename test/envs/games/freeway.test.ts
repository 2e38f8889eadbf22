/** Freeway rules (environments.md B.4): scripted state + action → expected next state and reward. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Freeway } from '../../../lib/envs/games/freeway';
import { ACTION } from '../../../lib/envs/games/game';
import { Rng } from '../../../lib/envs/rng';
import { ScriptedRng, cellsOf, stateOf } from './helpers';

const { NOOP, UP, DOWN, LEFT } = ACTION;

/** 8 speeds (u → 1 + ⌊5u⌋) then 8 directions (u < ½ → leftward). */
const SPEEDS_1_TO_5 = [0.0, 0.2, 0.4, 0.6, 0.8, 0.0, 0.2, 0.4];
const DIRS = [0.9, 0.1, 0.9, 0.1, 0.9, 0.1, 0.9, 0.1];

function fresh(): Freeway {
  const g = new Freeway(new ScriptedRng([...SPEEDS_1_TO_5, ...DIRS]));
  g.reset();
  return g;
}

/** A game whose cars are parked far from column 4 and will not move for a while. */
function quiet(): Freeway {
  const g = fresh();
  g.carX.fill(0);
  g.carTimer.fill(100);
  return g;
}

test('reset: cars at x 0 in rows 1–8 with speeds 1..5 and random directions, timers = |speed|; chicken row 9', () => {
  const g = fresh();
  assert.deepEqual(Array.from(g.carX), [0, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(Array.from(g.carSpeed), [1, -2, 3, -4, 5, -1, 2, -3]);
  assert.deepEqual(Array.from(g.carTimer), [1, 2, 3, 4, 5, 1, 2, 3]);
  assert.deepEqual([g.pos, g.moveTimer, g.terminateTimer], [9, 3, 2500]);
});

test('chicken: up/down move one row only when the move timer is 0, which then restarts at 3', () => {
  const g = quiet();
  g.act(UP); // timer 3 → ignored
  assert.deepEqual([g.pos, g.moveTimer], [9, 2]);
  g.act(UP);
  g.act(UP);
  assert.equal(g.moveTimer, 0);
  g.act(UP);
  assert.deepEqual([g.pos, g.moveTimer], [8, 2]);
  g.moveTimer = 0;
  g.act(DOWN);
  assert.equal(g.pos, 9);
  g.moveTimer = 0;
  g.act(DOWN);
  assert.equal(g.pos, 9, 'clamped at the bottom');
  g.moveTimer = 0;
  g.act(LEFT);
  assert.deepEqual([g.pos, g.moveTimer], [9, 0], 'left is a no-op');
});

test('crossing: reaching row 0 gives +1, sends the chicken to row 9 and redraws speeds (positions kept)', () => {
  const rng = new ScriptedRng([...SPEEDS_1_TO_5, ...DIRS]);
  const g = new Freeway(rng);
  g.reset();
  g.carX.set([1, 2, 3, 5, 6, 7, 8, 9]);
  g.pos = 1;
  g.moveTimer = 0;
  rng.push(0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1);
  assert.equal(g.act(UP), 1);
  assert.equal(g.pos, 9);
  assert.deepEqual(Array.from(g.carSpeed), [-5, -5, -5, -5, -5, -5, -5, -5]);
  assert.equal(rng.remaining, 0);
  // Timers restart at 5, and each car's timer was then decremented once this frame.
  assert.deepEqual(Array.from(g.carTimer), [4, 4, 4, 4, 4, 4, 4, 4]);
  assert.deepEqual(Array.from(g.carX), [1, 2, 3, 5, 6, 7, 8, 9]);
});

test('collision: a car on the chicken (before or after its move) sends the chicken back to row 9, no penalty', () => {
  const g = quiet();
  g.pos = 5;
  g.carX[3] = 4; // row 4
  g.carX[4] = 4; // row 5: on the chicken
  assert.equal(g.act(NOOP), 0);
  assert.equal(g.pos, 9);
  const h = quiet();
  h.pos = 3;
  h.carX[2] = 3; // row 3, moving right next frame
  h.carSpeed[2] = 2;
  h.carTimer[2] = 0;
  h.act(NOOP);
  assert.deepEqual([h.pos, h.carX[2], h.carTimer[2]], [9, 4, 2]);
});

test('cars move once every |speed| + 1 frames and wrap around', () => {
  const g = quiet();
  g.carX[0] = 9;
  g.carSpeed[0] = 2;
  g.carTimer[0] = 2;
  const xs: number[] = [];
  for (let t = 0; t < 6; t++) {
    g.act(NOOP);
    xs.push(g.carX[0]);
  }
  assert.deepEqual(xs, [9, 9, 0, 0, 0, 1]);
  g.carX[1] = 0;
  g.carSpeed[1] = -1;
  g.carTimer[1] = 0;
  g.act(NOOP);
  assert.equal(g.carX[1], 9);
});

test('time limit: every episode lasts exactly 2501 frames', () => {
  const g = new Freeway(new Rng(3));
  g.reset();
  for (let t = 0; t < 2500; t++) {
    g.act(t % 2 ? UP : NOOP);
    assert.equal(g.terminal, false, `frame ${t + 1}`);
  }
  g.act(NOOP);
  assert.equal(g.terminal, true);
  assert.equal(g.act(UP), 0);
});

test('observation: chicken at (row, 4); car; trail behind the car (wrapped) in channel speed|s|', () => {
  const g = quiet();
  g.carX[0] = 0;
  g.carSpeed[0] = 3; // rightward: trail at x − 1 → wraps to 9
  g.carX[1] = 5;
  g.carSpeed[1] = -5; // leftward: trail at x + 1
  const s = stateOf(g);
  assert.deepEqual(cellsOf(s, 7, 0), ['9,4']);
  assert.ok(cellsOf(s, 7, 1).includes('1,0') && cellsOf(s, 7, 1).includes('2,5'));
  assert.ok(cellsOf(s, 7, 1 + 3).includes('1,9'));
  assert.ok(cellsOf(s, 7, 1 + 5).includes('2,6'));
});
