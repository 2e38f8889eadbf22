/** Seaquest rules (environments.md B.6): scripted state + action → expected next state and reward. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Seaquest } from '../../../lib/envs/games/seaquest';
import { ACTION } from '../../../lib/envs/games/game';
import { ScriptedRng, cellsOf, stateOf } from './helpers';

const { NOOP, LEFT, UP, RIGHT, DOWN, FIRE } = ACTION;

/** A game with the sub at (x, y) underwater and spawns far away. */
function underwater(x = 5, y = 4): { g: Seaquest; rng: ScriptedRng } {
  const rng = new ScriptedRng();
  const g = new Seaquest(rng);
  g.reset();
  g.subX = x;
  g.subY = y;
  g.surface = false;
  g.spawnTimer = 1000;
  g.diverSpawnTimer = 1000;
  return { g, rng };
}

test('reset: oxygen 200, no divers, sub at (5, 0) facing left on the surface; timers 20/30, move speed 5', () => {
  const g = new Seaquest(new ScriptedRng());
  g.reset();
  assert.deepEqual([g.oxygen, g.diverCount, g.subX, g.subY, g.subRight, g.surface], [200, 0, 5, 0, false, true]);
  assert.deepEqual([g.spawnSpeed, g.spawnTimer, g.diverSpawnTimer, g.moveSpeed, g.shotTimer], [20, 20, 30, 5, 0]);
  assert.equal(
    g.fish.length + g.enemySubs.length + g.divers.length + g.friendlyBullets.length + g.enemyBullets.length,
    0,
  );
});

test('enemy spawn: lr → x 0 moving right, sub w.p. ⅓ (else fish), row uniform 1..8; timer ← spawn speed', () => {
  const { g, rng } = underwater(5, 8);
  g.spawnTimer = 0;
  rng.push(0.3, 0.2, 0.5); // right, sub, row 1 + ⌊0.5·8⌋ = 5
  g.act(NOOP);
  assert.deepEqual(
    g.enemySubs.map((s) => [s.x, s.y, s.right]),
    [[0, 5, true]],
  );
  assert.equal(g.spawnTimer, 19);
  g.spawnTimer = 0;
  rng.push(0.7, 0.9, 0.0); // left, fish, row 1
  g.act(NOOP);
  assert.deepEqual(
    g.fish.map((f) => [f.x, f.y, f.right]),
    [[9, 1, false]],
  );
});

test('enemy spawn is skipped when its row holds an enemy moving the other way', () => {
  const { g, rng } = underwater(5, 8);
  g.fish.push({ x: 5, y: 3, right: true, moveTimer: 100 });
  g.spawnTimer = 0;
  rng.push(0.7, 0.9, 0.25); // left fish in row 3: blocked
  g.act(NOOP);
  assert.equal(g.fish.length, 1);
  g.spawnTimer = 0;
  rng.push(0.3, 0.9, 0.25); // right fish in row 3: allowed
  g.act(NOOP);
  assert.equal(g.fish.length, 2);
});

test('diver spawn every 30 frames: lr and a row 1..8', () => {
  const { g, rng } = underwater(5, 8);
  g.diverSpawnTimer = 0;
  rng.push(0.7, 0.99); // left, row 8
  g.act(NOOP);
  assert.deepEqual(
    g.divers.map((d) => [d.x, d.y, d.right]),
    [[9, 8, false]],
  );
  assert.equal(g.diverSpawnTimer, 29);
});

test('player: l/r move and set the facing, u/d move within rows 0..8; fire excludes movement', () => {
  const { g } = underwater(0, 8);
  g.act(LEFT);
  assert.deepEqual([g.subX, g.subRight], [0, false]);
  g.act(RIGHT);
  assert.deepEqual([g.subX, g.subRight], [1, true]);
  g.act(DOWN);
  assert.equal(g.subY, 8);
  g.act(FIRE);
  assert.deepEqual([g.subX, g.subY], [1, 8]);
  g.subY = 1;
  g.act(UP);
  assert.equal(g.subY, 0);
});

test('fire: a bullet leaves the sub in the facing direction and moves the same frame; cool-down 5', () => {
  const { g } = underwater(5, 4);
  g.subRight = true;
  g.act(FIRE);
  assert.deepEqual(
    g.friendlyBullets.map((b) => [b.x, b.y]),
    [[6, 4]],
  );
  assert.equal(g.shotTimer, 4);
  g.act(FIRE);
  assert.deepEqual(
    g.friendlyBullets.map((b) => [b.x, b.y]),
    [[7, 4]],
    'no second bullet during the cool-down',
  );
  g.friendlyBullets[0].x = 9;
  g.act(NOOP);
  assert.equal(g.friendlyBullets.length, 0, 'bullets leave the screen');
});

test("bullet hits: fish first, then sub, on the bullet's move (+1 each, both removed)", () => {
  const { g } = underwater(0, 8);
  g.friendlyBullets.push({ x: 3, y: 2, right: true });
  g.fish.push({ x: 4, y: 2, right: false, moveTimer: 100 });
  g.enemySubs.push({ x: 4, y: 2, right: false, moveTimer: 100, shotTimer: 100 });
  assert.equal(g.act(NOOP), 1);
  assert.deepEqual([g.fish.length, g.enemySubs.length, g.friendlyBullets.length], [0, 1, 0]);
});

test('enemy moving onto a bullet: +1, both removed', () => {
  const { g } = underwater(0, 8);
  g.friendlyBullets.push({ x: 7, y: 2, right: false }); // moves to x 6 first
  g.enemySubs.push({ x: 5, y: 2, right: true, moveTimer: 0, shotTimer: 100 });
  assert.equal(g.act(NOOP), 1);
  assert.deepEqual([g.enemySubs.length, g.friendlyBullets.length], [0, 0]);
});

test('divers: picked up on contact (+1 carried, max 6); otherwise they move every 6th frame', () => {
  const { g } = underwater(5, 4);
  g.divers.push({ x: 5, y: 4, right: true, moveTimer: 3 });
  g.act(NOOP);
  assert.deepEqual([g.divers.length, g.diverCount], [0, 1]);
  g.diverCount = 6;
  g.divers.push({ x: 5, y: 4, right: true, moveTimer: 0 });
  g.act(NOOP);
  assert.deepEqual([g.divers.length, g.diverCount, g.divers[0]?.x], [1, 6, 6], 'full: the diver swims on');
  const xs: number[] = [];
  for (let t = 0; t < 6; t++) {
    g.act(NOOP);
    xs.push(g.divers[0].x);
  }
  assert.deepEqual(xs, [6, 6, 6, 6, 6, 7]);
});

test('enemy sub: moves every move-speed + 1 frames, fires every 11th frame a bullet travelling its way', () => {
  const { g } = underwater(0, 8);
  g.enemySubs.push({ x: 2, y: 3, right: true, moveTimer: 5, shotTimer: 10 });
  const xs: number[] = [];
  let firstShot = -1;
  for (let t = 1; t <= 12; t++) {
    g.act(NOOP);
    xs.push(g.enemySubs[0].x);
    if (firstShot < 0 && g.enemyBullets.length > 0) firstShot = t;
  }
  assert.deepEqual(xs, [2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 4]);
  assert.equal(firstShot, 11);
  assert.deepEqual(
    g.enemyBullets.map((b) => [b.x, b.y, b.right]),
    [[5, 3, true]],
    'fired from x 3, moved once, then moved again',
  );
});

test('enemy bullet reaching the sub → terminal', () => {
  const { g } = underwater(5, 4);
  g.enemyBullets.push({ x: 4, y: 4, right: true });
  g.act(NOOP);
  assert.equal(g.terminal, true);
});

test('fish contact → terminal (already on the sub, or moving onto it); subs too', () => {
  const a = underwater(5, 4).g;
  a.fish.push({ x: 6, y: 4, right: false, moveTimer: 0 });
  a.act(NOOP);
  assert.equal(a.terminal, true);
  const b = underwater(5, 4).g;
  b.enemySubs.push({ x: 4, y: 4, right: true, moveTimer: 3, shotTimer: 100 });
  b.act(RIGHT);
  assert.equal(b.terminal, false);
  b.subX = 4;
  b.act(NOOP);
  assert.equal(b.terminal, true);
});

test('oxygen: −1 per frame below the surface; terminal once it is ≤ 0 at the start of the check', () => {
  const { g } = underwater(5, 4);
  g.oxygen = 2;
  g.act(NOOP);
  assert.deepEqual([g.oxygen, g.terminal], [1, false]);
  g.act(NOOP);
  assert.deepEqual([g.oxygen, g.terminal], [0, false]);
  g.act(NOOP);
  assert.equal(g.terminal, true);
});

test('surfacing with no diver → terminal', () => {
  const { g } = underwater(5, 1);
  assert.equal(g.act(UP), 0);
  assert.equal(g.terminal, true);
});

test('surfacing with 1–5 divers: one diver is lost, oxygen refilled, no reward, difficulty ramps', () => {
  const { g } = underwater(5, 1);
  g.diverCount = 3;
  g.oxygen = 50;
  assert.equal(g.act(UP), 0);
  assert.deepEqual([g.terminal, g.diverCount, g.oxygen, g.surface], [false, 2, 200, true]);
  assert.deepEqual([g.spawnSpeed, g.moveSpeed, g.rampIndex], [19, 5, 1], 'index 0 → only the spawn speed drops');
  g.act(NOOP); // staying on the surface is not a new surfacing
  assert.deepEqual([g.diverCount, g.oxygen, g.rampIndex], [2, 200, 1]);
});

test('surfacing with 6 divers pays ⌊oxygen·10/200⌋, and (reference quirk) leaves the count at −1', () => {
  const { g } = underwater(5, 1);
  g.diverCount = 6;
  g.oxygen = 150;
  assert.equal(g.act(UP), 7);
  assert.equal(g.diverCount, -1);
  // Quirk consequence: surfacing again with −1 divers is not fatal (the check is count == 0) and costs another.
  g.act(DOWN);
  assert.equal(g.act(UP), 0);
  assert.deepEqual([g.terminal, g.diverCount], [false, -2]);
  const s = stateOf(g);
  assert.deepEqual(cellsOf(s, 10, 8), [], 'a negative count shows an empty diver gauge');
});

test('ramping on surfacing: move speed drops on odd ramp indices while > 2; spawn speed while > 1; off when disabled', () => {
  const { g } = underwater(5, 1);
  g.diverCount = 2;
  g.rampIndex = 1;
  g.act(UP);
  assert.deepEqual([g.spawnSpeed, g.moveSpeed, g.rampIndex], [19, 4, 2]);
  const h = underwater(5, 1).g;
  h.diverCount = 2;
  h.rampIndex = 1;
  h.moveSpeed = 2;
  h.spawnSpeed = 1;
  h.act(UP);
  assert.deepEqual([h.spawnSpeed, h.moveSpeed, h.rampIndex], [1, 2, 1], 'fully ramped: index unchanged');
  const k = underwater(5, 1).g;
  k.ramping = false;
  k.diverCount = 2;
  k.act(UP);
  assert.deepEqual([k.spawnSpeed, k.moveSpeed, k.rampIndex], [20, 5, 0]);
});

test('observation: sub front/back by facing, gauges on row 9, trails behind fish, subs and divers', () => {
  const { g } = underwater(5, 4);
  g.subRight = true;
  g.oxygen = 99; // ⌊990/200⌋ = 4 cells
  g.diverCount = 2;
  g.fish.push({ x: 0, y: 2, right: true, moveTimer: 1 }); // trail off-screen
  g.enemySubs.push({ x: 3, y: 3, right: false, moveTimer: 1, shotTimer: 1 });
  g.divers.push({ x: 7, y: 6, right: true, moveTimer: 1 });
  g.enemyBullets.push({ x: 1, y: 1, right: true });
  g.friendlyBullets.push({ x: 8, y: 4, right: true });
  const s = stateOf(g);
  const ch = (c: number) => cellsOf(s, 10, c);
  assert.deepEqual([ch(0), ch(1)], [['4,5'], ['4,4']]);
  assert.deepEqual(ch(7), ['9,0', '9,1', '9,2', '9,3']);
  assert.deepEqual(ch(8), ['9,7', '9,8']);
  assert.deepEqual([ch(5), ch(6), ch(9), ch(4), ch(2)], [['2,0'], ['3,3'], ['6,7'], ['1,1'], ['4,8']]);
  assert.deepEqual(ch(3), ['3,4', '6,6']);
  g.oxygen = -1;
  assert.deepEqual(cellsOf(stateOf(g), 10, 7), [], 'the oxygen gauge is clamped at empty');
});
