/**
 * MinAtar Seaquest: a two-cell submarine shoots fish and enemy subs, rescues divers and must surface for
 * oxygen. +1 per enemy; surfacing with 6 divers pays ⌊oxygen·10/200⌋. The episode ends on contact with a
 * fish, enemy sub or enemy bullet, when oxygen runs out, or when surfacing with no diver on board.
 * Rules: environments.md B.6.
 *
 * Reference quirk kept on purpose (documented choice, see test/envs/games/rules.test.ts): surfacing with
 * 6 divers sets the count to 0 and then, like every surfacing, subtracts one, leaving −1. With a count of −1
 * the next surfacing is not fatal (the check is `count == 0`), and 7 rescues are needed to fill the gauge
 * again. Published MinAtar Seaquest curves were produced with this behaviour, so we keep it.
 *
 * Other choices: entities are removed by identity, where the reference removes the first *equal* list entry
 * (they only differ for two entities with identical position, direction and timers); an enemy sub that left
 * the screen or was shot this frame still runs its shot timer, as in the reference (a bullet fired off-screen
 * disappears on its first move).
 */
import type { Rng } from '../rng';
import { ACTION, type Game } from './game';

const { DOWN, FIRE, LEFT, NOOP, RIGHT, UP } = ACTION;

const C = 10;
export const RAMP_INTERVAL = 100;
export const MAX_OXYGEN = 200;
export const INIT_SPAWN_SPEED = 20;
export const DIVER_SPAWN_SPEED = 30;
export const INIT_MOVE_INTERVAL = 5;
export const SHOT_COOL_DOWN = 5;
export const ENEMY_SHOT_INTERVAL = 10;
export const DIVER_MOVE_INTERVAL = 5;
export const MAX_DIVERS = 6;

export interface Bullet {
  x: number;
  y: number;
  right: boolean;
}
export interface Mover extends Bullet {
  /** Frames until the next move. */
  moveTimer: number;
}
export interface EnemySub extends Mover {
  /** Frames until the next shot. */
  shotTimer: number;
}

export class Seaquest implements Game {
  readonly channels = [
    'sub_front',
    'sub_back',
    'friendly_bullet',
    'trail',
    'enemy_bullet',
    'enemy_fish',
    'enemy_sub',
    'oxygen_guage',
    'diver_guage',
    'diver',
  ] as const;
  readonly minimalActions = [NOOP, LEFT, UP, RIGHT, DOWN, FIRE];
  readonly drawOrder = [7, 8, 3, 9, 5, 6, 4, 2, 1, 0];
  terminal = false;
  ramping = true;

  oxygen = MAX_OXYGEN;
  diverCount = 0;
  subX = 5;
  subY = 0;
  /** Facing right (the back cell is then at x − 1). */
  subRight = false;
  friendlyBullets: Bullet[] = [];
  enemyBullets: Bullet[] = [];
  fish: Mover[] = [];
  enemySubs: EnemySub[] = [];
  divers: Mover[] = [];
  spawnSpeed = INIT_SPAWN_SPEED;
  spawnTimer = INIT_SPAWN_SPEED;
  diverSpawnTimer = DIVER_SPAWN_SPEED;
  moveSpeed = INIT_MOVE_INTERVAL;
  rampIndex = 0;
  shotTimer = 0;
  /** The sub was on the surface last frame (arriving there from below triggers surfacing). */
  surface = true;

  constructor(private readonly rng: Rng) {}

  reset(): void {
    this.oxygen = MAX_OXYGEN;
    this.diverCount = 0;
    this.subX = 5;
    this.subY = 0;
    this.subRight = false;
    this.friendlyBullets = [];
    this.enemyBullets = [];
    this.fish = [];
    this.enemySubs = [];
    this.divers = [];
    this.spawnSpeed = INIT_SPAWN_SPEED;
    this.spawnTimer = this.spawnSpeed;
    this.diverSpawnTimer = DIVER_SPAWN_SPEED;
    this.moveSpeed = INIT_MOVE_INTERVAL;
    this.rampIndex = 0;
    this.shotTimer = 0;
    this.surface = true;
    this.terminal = false;
  }

  private onSub(e: Bullet): boolean {
    return e.x === this.subX && e.y === this.subY;
  }

  /** A fish (⅔) or a sub (⅓) enters a random row 1–8, unless that row has an enemy moving the other way. */
  spawnEnemy(): void {
    const right = this.rng.random() < 0.5;
    const isSub = this.rng.random() < 1 / 3;
    const x = right ? 0 : 9;
    const y = 1 + this.rng.int(8);
    for (const e of this.enemySubs) if (e.y === y && e.right !== right) return;
    for (const e of this.fish) if (e.y === y && e.right !== right) return;
    if (isSub) this.enemySubs.push({ x, y, right, moveTimer: this.moveSpeed, shotTimer: ENEMY_SHOT_INTERVAL });
    else this.fish.push({ x, y, right, moveTimer: this.moveSpeed });
  }

  spawnDiver(): void {
    const right = this.rng.random() < 0.5;
    const y = 1 + this.rng.int(8);
    this.divers.push({ x: right ? 0 : 9, y, right, moveTimer: DIVER_MOVE_INTERVAL });
  }

  /** Removes the first friendly bullet on (x, y); true if there was one. */
  private hitFriendlyBullet(x: number, y: number): boolean {
    const fb = this.friendlyBullets;
    for (let j = 0; j < fb.length; j++) {
      if (fb[j].x === x && fb[j].y === y) {
        fb.splice(j, 1);
        return true;
      }
    }
    return false;
  }

  act(a: number): number {
    if (this.terminal) return 0;
    let r = 0;

    // 1. Spawns.
    if (this.spawnTimer === 0) {
      this.spawnEnemy();
      this.spawnTimer = this.spawnSpeed;
    }
    if (this.diverSpawnTimer === 0) {
      this.spawnDiver();
      this.diverSpawnTimer = DIVER_SPAWN_SPEED;
    }

    // 2. Player.
    if (a === FIRE && this.shotTimer === 0) {
      this.friendlyBullets.push({ x: this.subX, y: this.subY, right: this.subRight });
      this.shotTimer = SHOT_COOL_DOWN;
    } else if (a === LEFT) {
      this.subX = Math.max(0, this.subX - 1);
      this.subRight = false;
    } else if (a === RIGHT) {
      this.subX = Math.min(9, this.subX + 1);
      this.subRight = true;
    } else if (a === UP) this.subY = Math.max(0, this.subY - 1);
    else if (a === DOWN) this.subY = Math.min(8, this.subY + 1);

    // 3. Friendly bullets (newest first, as the reference iterates in reverse); fish are checked before subs.
    const fb = this.friendlyBullets;
    for (let i = fb.length - 1; i >= 0; i--) {
      const b = fb[i];
      b.x += b.right ? 1 : -1;
      if (b.x < 0 || b.x > 9) {
        fb.splice(i, 1);
        continue;
      }
      let j = this.fish.findIndex((f) => f.x === b.x && f.y === b.y);
      if (j >= 0) {
        this.fish.splice(j, 1);
        fb.splice(i, 1);
        r += 1;
        continue;
      }
      j = this.enemySubs.findIndex((s) => s.x === b.x && s.y === b.y);
      if (j >= 0) {
        this.enemySubs.splice(j, 1);
        fb.splice(i, 1);
        r += 1;
      }
    }

    // 4. Divers: picked up when on the sub and fewer than 6 are aboard; otherwise they move every 6th frame.
    const dv = this.divers;
    for (let i = dv.length - 1; i >= 0; i--) {
      const d = dv[i];
      if (this.onSub(d) && this.diverCount < MAX_DIVERS) {
        dv.splice(i, 1);
        this.diverCount += 1;
      } else if (d.moveTimer === 0) {
        d.moveTimer = DIVER_MOVE_INTERVAL;
        d.x += d.right ? 1 : -1;
        if (d.x < 0 || d.x > 9) dv.splice(i, 1);
        else if (this.onSub(d) && this.diverCount < MAX_DIVERS) {
          dv.splice(i, 1);
          this.diverCount += 1;
        }
      } else {
        d.moveTimer -= 1;
      }
    }

    // 5. Enemy subs move, may be shot, and fire.
    const es = this.enemySubs;
    for (let i = es.length - 1; i >= 0; i--) {
      const s = es[i];
      if (this.onSub(s)) this.terminal = true;
      if (s.moveTimer === 0) {
        s.moveTimer = this.moveSpeed;
        s.x += s.right ? 1 : -1;
        if (s.x < 0 || s.x > 9) es.splice(i, 1);
        else if (this.onSub(s)) this.terminal = true;
        else if (this.hitFriendlyBullet(s.x, s.y)) {
          es.splice(i, 1);
          r += 1;
        }
      } else {
        s.moveTimer -= 1;
      }
      if (s.shotTimer === 0) {
        s.shotTimer = ENEMY_SHOT_INTERVAL;
        this.enemyBullets.push({ x: s.x, y: s.y, right: s.right });
      } else {
        s.shotTimer -= 1;
      }
    }

    // 6. Enemy bullets (including those fired this frame).
    const eb = this.enemyBullets;
    for (let i = eb.length - 1; i >= 0; i--) {
      const b = eb[i];
      if (this.onSub(b)) this.terminal = true;
      b.x += b.right ? 1 : -1;
      if (b.x < 0 || b.x > 9) eb.splice(i, 1);
      else if (this.onSub(b)) this.terminal = true;
    }

    // 7. Fish: like subs, without shooting.
    const fs = this.fish;
    for (let i = fs.length - 1; i >= 0; i--) {
      const f = fs[i];
      if (this.onSub(f)) this.terminal = true;
      if (f.moveTimer === 0) {
        f.moveTimer = this.moveSpeed;
        f.x += f.right ? 1 : -1;
        if (f.x < 0 || f.x > 9) fs.splice(i, 1);
        else if (this.onSub(f)) this.terminal = true;
        else if (this.hitFriendlyBullet(f.x, f.y)) {
          fs.splice(i, 1);
          r += 1;
        }
      } else {
        f.moveTimer -= 1;
      }
    }

    // 8. Timers.
    if (this.spawnTimer > 0) this.spawnTimer -= 1;
    if (this.diverSpawnTimer > 0) this.diverSpawnTimer -= 1;
    if (this.shotTimer > 0) this.shotTimer -= 1;

    // 9. Oxygen and surfacing.
    if (this.oxygen <= 0) this.terminal = true;
    if (this.subY > 0) {
      this.oxygen -= 1;
      this.surface = false;
    } else if (!this.surface) {
      if (this.diverCount === 0) this.terminal = true;
      else r += this.surfaceSub();
    }
    return r;
  }

  /** Refills oxygen, pays for a full load of divers, costs one diver (see the quirk above) and ramps difficulty. */
  private surfaceSub(): number {
    this.surface = true;
    let r = 0;
    if (this.diverCount === MAX_DIVERS) {
      this.diverCount = 0;
      r = Math.floor((this.oxygen * 10) / MAX_OXYGEN);
    }
    this.oxygen = MAX_OXYGEN;
    this.diverCount -= 1;
    if (this.ramping && (this.spawnSpeed > 1 || this.moveSpeed > 2)) {
      if (this.moveSpeed > 2 && this.rampIndex % 2 === 1) this.moveSpeed -= 1;
      if (this.spawnSpeed > 1) this.spawnSpeed -= 1;
      this.rampIndex += 1;
    }
    return r;
  }

  render(out: Uint8Array): void {
    const y = this.subY;
    out[(y * 10 + this.subX) * C + 0] = 1;
    const back = this.subRight ? this.subX - 1 : this.subX + 1;
    if (back >= 0 && back <= 9) out[(y * 10 + back) * C + 1] = 1;
    // The gauge is clamped at 0: the reference's negative slice lights 9 cells on the oxygen-death frame.
    const oxygenCells = Math.max(0, Math.floor((this.oxygen * 10) / MAX_OXYGEN));
    for (let x = 0; x < oxygenCells; x++) out[(90 + x) * C + 7] = 1;
    for (let x = 9 - this.diverCount; x < 9; x++) out[(90 + x) * C + 8] = 1;
    for (const b of this.friendlyBullets) out[(b.y * 10 + b.x) * C + 2] = 1;
    for (const b of this.enemyBullets) out[(b.y * 10 + b.x) * C + 4] = 1;
    this.drawMovers(out, this.fish, 5);
    this.drawMovers(out, this.enemySubs, 6);
    this.drawMovers(out, this.divers, 9);
  }

  private drawMovers(out: Uint8Array, list: readonly Mover[], channel: number): void {
    for (const m of list) {
      out[(m.y * 10 + m.x) * C + channel] = 1;
      const back = m.right ? m.x - 1 : m.x + 1;
      if (back >= 0 && back <= 9) out[(m.y * 10 + back) * C + 3] = 1;
    }
  }
}
