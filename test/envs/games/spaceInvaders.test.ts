/** Space Invaders rules (environments.md B.3): scripted state + action → expected next state and reward. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpaceInvaders } from '../../../lib/envs/games/spaceInvaders';
import { ACTION } from '../../../lib/envs/games/game';
import { cellsOf, mapWith, stateOf } from './helpers';

const { NOOP, LEFT, RIGHT, FIRE } = ACTION;

function fresh(): SpaceInvaders {
  const g = new SpaceInvaders();
  g.reset();
  return g;
}

function cells(m: Uint8Array): string[] {
  const out: string[] = [];
  for (let i = 0; i < 100; i++) if (m[i]) out.push(`${Math.floor(i / 10)},${i % 10}`);
  return out;
}

/** A game with only the given aliens and quiet timers (no move, no shot for a while). */
function withAliens(...at: [number, number][]): SpaceInvaders {
  const g = fresh();
  g.aliens.set(mapWith(...at));
  g.alienMoveTimer = 50;
  g.alienShotTimer = 50;
  return g;
}

test('reset: cannon at x 5, 24 aliens in rows 0–3 × cols 2–7 moving left, timers 12/10/0', () => {
  const g = fresh();
  assert.equal(g.pos, 5);
  assert.equal(g.countAliens(), 24);
  assert.deepEqual(
    cells(g.aliens).filter((c) => {
      const [y, x] = c.split(',').map(Number);
      return y > 3 || x < 2 || x > 7;
    }),
    [],
  );
  assert.deepEqual([g.alienDir, g.moveInterval, g.alienMoveTimer, g.alienShotTimer, g.shotTimer], [-1, 12, 12, 10, 0]);
});

test('fire: a bullet appears at the cannon and moves up the same frame; cool-down 5 (4 after the frame)', () => {
  const g = withAliens([0, 0]);
  g.act(FIRE);
  assert.deepEqual(cells(g.friendlyBullets), ['8,5']);
  assert.equal(g.shotTimer, 4);
  g.act(FIRE); // cooling down: nothing fired, cannon does not move
  assert.deepEqual(cells(g.friendlyBullets), ['7,5']);
  assert.equal(g.pos, 5);
});

test('fire and move are exclusive; l/r move the cannon, clamped', () => {
  const g = withAliens([0, 0]);
  g.pos = 0;
  g.act(LEFT);
  assert.equal(g.pos, 0);
  g.act(RIGHT);
  assert.equal(g.pos, 1);
  g.act(FIRE);
  assert.equal(g.pos, 1);
  g.pos = 9;
  g.act(RIGHT);
  assert.equal(g.pos, 9);
});

test('friendly bullets leave the screen from row 0', () => {
  const g = withAliens([5, 0]);
  g.friendlyBullets.set(mapWith([0, 3], [1, 4]));
  g.act(NOOP);
  assert.deepEqual(cells(g.friendlyBullets), ['0,4']);
});

test('enemy bullets move down; one reaching the cannon ends the episode, others leave from row 9', () => {
  const g = withAliens([0, 0]);
  g.enemyBullets.set(mapWith([8, 5], [9, 2], [3, 3]));
  assert.equal(g.act(NOOP), 0);
  assert.equal(g.terminal, true);
  assert.deepEqual(cells(g.enemyBullets), ['4,3', '9,5']);
  const h = withAliens([0, 0]);
  h.enemyBullets.set(mapWith([8, 6]));
  h.act(NOOP);
  assert.equal(h.terminal, false);
});

test('alien march: when the move timer is 0 aliens shift one column; timer ← min(#aliens, interval)', () => {
  const g = fresh();
  g.alienMoveTimer = 0;
  g.alienShotTimer = 50;
  g.act(NOOP);
  assert.deepEqual(cells(g.aliens).slice(0, 6), ['0,1', '0,2', '0,3', '0,4', '0,5', '0,6']);
  assert.equal(g.alienMoveTimer, 11, 'min(24, 12) = 12, then the end-of-frame decrement');
  const h = withAliens([2, 4], [2, 5], [3, 4]);
  h.alienMoveTimer = 0;
  h.act(NOOP);
  assert.equal(h.alienMoveTimer, 2, 'min(3, 12) = 3 → 2 after the frame: fewer aliens move faster');
});

test('alien march: 12 frames between moves at the start (the timer counts down from 12)', () => {
  const g = fresh();
  g.alienShotTimer = 1000;
  const before = cells(g.aliens).join(';');
  for (let t = 0; t < 12; t++) g.act(NOOP);
  assert.equal(cells(g.aliens).join(';'), before);
  g.act(NOOP);
  assert.notEqual(cells(g.aliens).join(';'), before);
});

test('edge: aliens in column 0 moving left reverse and step down one row', () => {
  const g = withAliens([2, 0], [2, 1]);
  g.alienMoveTimer = 0;
  g.act(NOOP);
  assert.equal(g.alienDir, 1);
  assert.deepEqual(cells(g.aliens), ['3,0', '3,1']);
  const h = withAliens([2, 9]);
  h.alienDir = 1;
  h.alienMoveTimer = 0;
  h.act(NOOP);
  assert.deepEqual([h.alienDir, ...cells(h.aliens)], [-1, '3,9']);
});

test('edge with an alien on row 9 → terminal; an alien reaching the cannon → terminal', () => {
  const g = withAliens([9, 0]);
  g.pos = 5;
  g.alienMoveTimer = 0;
  g.act(NOOP);
  assert.equal(g.terminal, true);
  const h = withAliens([9, 6]);
  h.pos = 5;
  h.alienMoveTimer = 0;
  h.act(NOOP); // moves left onto the cannon
  assert.equal(h.terminal, true);
  const k = withAliens([9, 5]);
  k.act(NOOP); // already on the cannon
  assert.equal(k.terminal, true);
});

test('enemy fire: the nearest alien column (ties → lower column) shoots from its lowest alien; timer ← 10', () => {
  const g = withAliens([0, 3], [2, 3], [1, 7]);
  g.pos = 5;
  g.alienShotTimer = 0;
  g.act(NOOP);
  assert.deepEqual(cells(g.enemyBullets), ['2,3']);
  assert.equal(g.alienShotTimer, 9);
  const h = withAliens([0, 3], [1, 6]);
  h.pos = 5;
  h.alienShotTimer = 0;
  h.act(NOOP);
  assert.deepEqual(cells(h.enemyBullets), ['1,6'], 'distance 1 beats distance 2');
});

test('hit: an alien and a friendly bullet in one cell → +1 each, both removed', () => {
  const g = withAliens([7, 5], [7, 6], [0, 0]);
  g.friendlyBullets.set(mapWith([8, 5], [8, 6]));
  assert.equal(g.act(NOOP), 2);
  assert.deepEqual(cells(g.aliens), ['0,0']);
  assert.deepEqual(cells(g.friendlyBullets), []);
});

test('wave cleared: a new 4×6 wave appears, the move interval drops by 1 (ramp index +1), direction kept', () => {
  const g = withAliens([7, 5]);
  g.alienDir = 1;
  g.friendlyBullets.set(mapWith([8, 5]));
  assert.equal(g.act(NOOP), 1);
  assert.equal(g.countAliens(), 24);
  assert.deepEqual([g.moveInterval, g.rampIndex, g.alienDir], [11, 1, 1]);
});

test('ramping: the interval stops at 6, and does not change with ramping off', () => {
  const g = withAliens([7, 5]);
  g.moveInterval = 6;
  g.friendlyBullets.set(mapWith([8, 5]));
  g.act(NOOP);
  assert.equal(g.moveInterval, 6);
  const h = withAliens([7, 5]);
  h.ramping = false;
  h.friendlyBullets.set(mapWith([8, 5]));
  h.act(NOOP);
  assert.deepEqual([h.moveInterval, h.rampIndex, h.countAliens()], [12, 0, 24]);
});

test('observation: alien_left holds the aliens while moving left, alien_right while moving right', () => {
  const g = withAliens([1, 1]);
  let s = stateOf(g);
  assert.deepEqual(
    [cellsOf(s, 6, 1), cellsOf(s, 6, 2), cellsOf(s, 6, 3), cellsOf(s, 6, 0)],
    [['1,1'], ['1,1'], [], ['9,5']],
  );
  g.alienDir = 1;
  s = stateOf(g);
  assert.deepEqual([cellsOf(s, 6, 2), cellsOf(s, 6, 3)], [[], ['1,1']]);
});
