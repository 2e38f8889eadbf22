/** Breakout rules (environments.md B.2): one scripted state + action → expected next state and reward each. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Breakout } from '../../../lib/envs/games/breakout';
import { ACTION } from '../../../lib/envs/games/game';
import { ScriptedRng, cellsOf, stateOf } from './helpers';

const { NOOP, LEFT, RIGHT, FIRE, UP } = ACTION;

/** A game with the ball at (x, y) moving in `dir`, the paddle at `paddle`, no bricks unless given. */
function scripted(x: number, y: number, dir: number, paddle: number, bricks: [number, number][] = []): Breakout {
  const g = new Breakout(new ScriptedRng([0.2]));
  g.reset();
  g.bricks.fill(0);
  for (const [by, bx] of bricks) g.bricks[by * 10 + bx] = 1;
  g.ballX = g.lastX = x;
  g.ballY = g.lastY = y;
  g.dir = dir;
  g.paddle = paddle;
  return g;
}

test('reset: 30 bricks in rows 1–3, paddle 4, ball row 3 at x 0 moving down-right or x 9 moving down-left', () => {
  const left = new Breakout(new ScriptedRng([0.2]));
  left.reset();
  assert.deepEqual([left.ballX, left.ballY, left.dir, left.paddle, left.countBricks()], [0, 3, 2, 4, 30]);
  const s = stateOf(left);
  assert.deepEqual(cellsOf(s, 4, 3).length, 30);
  assert.ok(cellsOf(s, 4, 3).every((c) => ['1', '2', '3'].includes(c.split(',')[0])));
  assert.deepEqual(cellsOf(s, 4, 1), ['3,0']);
  assert.deepEqual(cellsOf(s, 4, 2), ['3,0'], 'trail coincides with the ball at reset');
  assert.deepEqual(cellsOf(s, 4, 0), ['9,4']);
  const right = new Breakout(new ScriptedRng([0.7]));
  right.reset();
  assert.deepEqual([right.ballX, right.ballY, right.dir], [9, 3, 3]);
});

test('paddle: l/r move one cell, clamped to [0, 9]; u, d, f, n do not move it', () => {
  const g = scripted(5, 5, 0, 0);
  g.act(LEFT);
  assert.equal(g.paddle, 0);
  g.act(RIGHT);
  assert.equal(g.paddle, 1);
  for (const a of [NOOP, UP, FIRE]) g.act(a);
  assert.equal(g.paddle, 1);
  const h = scripted(5, 5, 0, 9);
  h.act(RIGHT);
  assert.equal(h.paddle, 9);
});

test('ball moves one diagonal cell; the trail marks its previous cell', () => {
  const g = scripted(4, 5, 1, 0); // up-right
  assert.equal(g.act(NOOP), 0);
  assert.deepEqual([g.ballX, g.ballY, g.lastX, g.lastY], [5, 4, 4, 5]);
  const s = stateOf(g);
  assert.deepEqual(cellsOf(s, 4, 1), ['4,5']);
  assert.deepEqual(cellsOf(s, 4, 2), ['5,4']);
});

test('side wall: x is clamped and the horizontal direction mirrors (y still advances)', () => {
  const g = scripted(9, 6, 1, 0); // up-right into the right wall
  g.act(NOOP);
  assert.deepEqual([g.ballX, g.ballY, g.dir], [9, 5, 0]);
  const h = scripted(0, 6, 3, 5); // down-left into the left wall
  h.act(NOOP);
  assert.deepEqual([h.ballX, h.ballY, h.dir], [0, 7, 2]);
});

test('ceiling: y is clamped to 0 and the vertical direction mirrors', () => {
  const g = scripted(5, 0, 0, 0); // up-left on row 0
  g.act(NOOP);
  assert.deepEqual([g.ballX, g.ballY, g.dir], [4, 0, 3]);
});

test('brick: +1, brick removed, ball stays in its old row, vertical mirror, strike set', () => {
  const g = scripted(4, 5, 1, 0, [[4, 5]]);
  assert.equal(g.act(NOOP), 1);
  assert.equal(g.bricks[45], 0);
  assert.deepEqual([g.ballX, g.ballY, g.dir, g.strike], [5, 5, 2, true]);
});

test('strike: the frame after a hit, the ball enters a brick without scoring or removing it', () => {
  const g = scripted(4, 5, 1, 0, [
    [4, 5],
    [6, 6],
  ]);
  assert.equal(g.act(NOOP), 1); // ball → (5, 5) moving down-right, strike set
  assert.equal(g.act(NOOP), 0); // into the brick at (6, 6) while strike is set
  assert.equal(g.bricks[66], 1);
  assert.deepEqual([g.ballX, g.ballY, g.strike], [6, 6, true]);
  g.act(NOOP); // (7, 7): no brick → strike cleared
  assert.equal(g.strike, false);
});

test('paddle under the old x: vertical mirror, ball stays in row 8', () => {
  const g = scripted(3, 8, 2, 3); // down-right, paddle below the ball
  assert.equal(g.act(NOOP), 0);
  assert.deepEqual([g.ballX, g.ballY, g.dir, g.terminal], [4, 8, 1, false]);
});

test('paddle under the new x: both directions reverse, ball stays in row 8', () => {
  const g = scripted(3, 8, 2, 4);
  g.act(NOOP);
  assert.deepEqual([g.ballX, g.ballY, g.dir, g.terminal], [4, 8, 0, false]);
});

test('miss: ball reaches row 9 without the paddle → terminal, no reward; then act returns 0 and nothing moves', () => {
  const g = scripted(3, 8, 2, 0);
  assert.equal(g.act(NOOP), 0);
  assert.equal(g.terminal, true);
  assert.deepEqual([g.ballX, g.ballY], [4, 9]);
  assert.equal(g.act(RIGHT), 0);
  assert.deepEqual([g.ballX, g.ballY, g.paddle], [4, 9, 0]);
});

test('cleared board: bricks refill rows 1–3 when the ball reaches row 9 with no bricks left', () => {
  const g = scripted(3, 8, 2, 3);
  g.act(NOOP);
  assert.equal(g.countBricks(), 30);
  const h = scripted(3, 8, 2, 3, [[2, 2]]);
  h.act(NOOP);
  assert.equal(h.countBricks(), 1, 'no refill while a brick remains');
});
