/** Asterix rules (environments.md B.5): scripted state + action → expected next state and reward. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Asterix } from '../../../lib/envs/games/asterix';
import { ACTION } from '../../../lib/envs/games/game';
import { ScriptedRng, cellsOf, stateOf } from './helpers';

const { NOOP, LEFT, UP, RIGHT, DOWN } = ACTION;

function fresh(values: number[] = []): { g: Asterix; rng: ScriptedRng } {
  const rng = new ScriptedRng(values);
  const g = new Asterix(rng);
  g.reset();
  return { g, rng };
}

/** Places an entity in slot k (row k + 1). */
function put(g: Asterix, k: number, x: number, right: boolean, gold: boolean): void {
  g.alive[k] = 1;
  g.entX[k] = x;
  g.entRight[k] = right ? 1 : 0;
  g.entGold[k] = gold ? 1 : 0;
}

test('reset: player at (5, 5), no entities, spawn 10/10, move 5/5, ramp timer 100', () => {
  const { g } = fresh();
  assert.deepEqual([g.playerX, g.playerY, g.alive.reduce((a, b) => a + b, 0)], [5, 5, 0]);
  assert.deepEqual(
    [g.spawnSpeed, g.spawnTimer, g.moveSpeed, g.moveTimer, g.rampTimer, g.rampIndex],
    [10, 10, 5, 5, 100, 0],
  );
});

test('spawn: when the spawn timer is 0 an entity enters a random free lane; lr → x 0 moving right, gold w.p. ⅓', () => {
  const { g, rng } = fresh();
  g.spawnTimer = 0;
  g.moveTimer = 50;
  rng.push(0.3, 0.2, 0.5); // right, gold, free slot ⌊0.5·8⌋ = 4
  g.act(NOOP);
  assert.equal(rng.remaining, 0);
  assert.deepEqual([g.alive[4], g.entX[4], g.entRight[4], g.entGold[4]], [1, 0, 1, 1]);
  assert.equal(g.spawnTimer, 9, 'timer ← spawn speed 10, then −1');
  const { g: h, rng: hr } = fresh();
  h.spawnTimer = 0;
  h.moveTimer = 50;
  hr.push(0.7, 0.5, 0.0); // left, enemy, slot 0
  h.act(NOOP);
  assert.deepEqual([h.alive[0], h.entX[0], h.entRight[0], h.entGold[0]], [1, 9, 0, 0]);
});

test('spawn picks among free slots only; with all 8 lanes taken nothing spawns (lr and kind are still drawn)', () => {
  const { g, rng } = fresh();
  for (let k = 0; k < 8; k++) if (k !== 6) put(g, k, 9, false, true);
  g.playerY = 1;
  g.playerX = 0;
  g.spawnTimer = 0;
  g.moveTimer = 50;
  rng.push(0.3, 0.9, 0.99); // the only free slot is 6 whatever the draw
  g.act(NOOP);
  assert.deepEqual([g.alive[6], g.entX[6]], [1, 0]);
  g.spawnTimer = 0;
  rng.push(0.3, 0.9);
  g.act(NOOP);
  assert.equal(rng.remaining, 0);
});

test('player moves in x ∈ [0, 9] and y ∈ [1, 8]', () => {
  const { g } = fresh();
  g.spawnTimer = g.moveTimer = 1000;
  g.playerX = 0;
  g.playerY = 1;
  g.act(LEFT);
  g.act(UP);
  assert.deepEqual([g.playerX, g.playerY], [0, 1]);
  g.playerX = 9;
  g.playerY = 8;
  g.act(RIGHT);
  g.act(DOWN);
  assert.deepEqual([g.playerX, g.playerY], [9, 8]);
});

test('moving onto gold: +1 and the gold disappears; onto an enemy: terminal', () => {
  const { g } = fresh();
  g.spawnTimer = g.moveTimer = 1000;
  put(g, 4, 6, true, true); // row 5, x 6
  assert.equal(g.act(RIGHT), 1);
  assert.equal(g.alive[4], 0);
  const h = fresh().g;
  h.spawnTimer = h.moveTimer = 1000;
  put(h, 4, 6, true, false);
  assert.equal(h.act(RIGHT), 0);
  assert.equal(h.terminal, true);
});

test('entities move one cell when the move timer is 0 (timer ← move speed), leave the screen, collide after moving', () => {
  const { g } = fresh();
  g.spawnTimer = 1000;
  g.moveTimer = 0;
  put(g, 0, 9, true, false); // row 1, moving right off-screen
  put(g, 1, 3, false, false); // row 2, moving left
  put(g, 4, 4, true, true); // row 5, moving right onto the player at x 5
  assert.equal(g.act(NOOP), 1);
  assert.deepEqual([g.alive[0], g.alive[1], g.entX[1], g.alive[4]], [0, 1, 2, 0]);
  assert.equal(g.moveTimer, 4);
  const h = fresh().g;
  h.spawnTimer = 1000;
  h.moveTimer = 0;
  put(h, 4, 6, false, false); // enemy moving left onto the player
  h.act(NOOP);
  assert.equal(h.terminal, true);
});

test('ramping: once the ramp timer has run below 0, spawn speed −1, move speed −1 on odd ramp indices; timer ← 100', () => {
  const { g } = fresh();
  g.spawnTimer = g.moveTimer = 1000;
  g.rampTimer = 0;
  g.act(NOOP);
  assert.equal(g.rampTimer, -1);
  g.act(NOOP); // index 0 (even): only the spawn speed drops
  assert.deepEqual([g.spawnSpeed, g.moveSpeed, g.rampIndex, g.rampTimer], [9, 5, 1, 100]);
  g.rampTimer = -1;
  g.act(NOOP); // index 1 (odd): both drop
  assert.deepEqual([g.spawnSpeed, g.moveSpeed, g.rampIndex], [8, 4, 2]);
  g.spawnSpeed = 1;
  g.moveSpeed = 1;
  g.rampTimer = -1;
  g.act(NOOP);
  assert.deepEqual(
    [g.spawnSpeed, g.moveSpeed, g.rampIndex, g.rampTimer],
    [1, 1, 2, -1],
    'fully ramped: nothing changes',
  );
  const h = fresh().g;
  h.ramping = false;
  h.spawnTimer = h.moveTimer = 1000;
  h.rampTimer = -1;
  h.act(NOOP);
  assert.deepEqual([h.spawnSpeed, h.rampIndex], [10, 0]);
});

test('first ramp happens on frame 102 of an episode (timer 100 counts down to −1, then fires)', () => {
  const { g, rng } = fresh();
  for (let i = 0; i < 200; i++) rng.push(0.99, 0.99, 0.0); // spawn enemies moving left in lane 0 (row 1)
  g.playerY = 8;
  g.playerX = 0;
  for (let t = 1; t <= 101; t++) {
    g.act(NOOP);
    assert.equal(g.spawnSpeed, 10, `frame ${t}`);
  }
  g.act(NOOP);
  assert.equal(g.spawnSpeed, 9);
});

test('observation: player, enemy/gold channel, trail behind each entity when on screen', () => {
  const { g } = fresh();
  put(g, 0, 0, true, false); // trail at x −1: off-screen, not drawn
  put(g, 2, 5, false, true); // trail at x 6
  const s = stateOf(g);
  assert.deepEqual(cellsOf(s, 4, 0), ['5,5']);
  assert.deepEqual(cellsOf(s, 4, 1), ['1,0']);
  assert.deepEqual(cellsOf(s, 4, 3), ['3,5']);
  assert.deepEqual(cellsOf(s, 4, 2), ['3,6']);
});
