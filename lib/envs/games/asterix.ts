/**
 * MinAtar Asterix: the player moves freely in rows 1–8 while enemies and gold cross the screen in eight lanes.
 * +1 per gold; an enemy ends the episode. Spawning and movement speed up every 100 frames while ramping.
 * Rules: environments.md B.5.
 */
import type { Rng } from '../rng';
import { ACTION, type Game } from './game';

const { DOWN, LEFT, NOOP, RIGHT, UP } = ACTION;

const C = 4;
export const RAMP_INTERVAL = 100;
export const INIT_SPAWN_SPEED = 10;
export const INIT_MOVE_INTERVAL = 5;

export class Asterix implements Game {
  readonly channels = ['player', 'enemy', 'trail', 'gold'] as const;
  readonly minimalActions = [NOOP, LEFT, UP, RIGHT, DOWN];
  readonly drawOrder = [2, 3, 1, 0];
  terminal = false;
  ramping = true;

  playerX = 5;
  playerY = 5;
  /** Slot k holds the entity of row k + 1 (at most one per row). */
  readonly alive = new Uint8Array(8);
  readonly entX = new Int8Array(8);
  /** 1: moving right (spawned at x 0), 0: moving left (spawned at x 9). */
  readonly entRight = new Uint8Array(8);
  readonly entGold = new Uint8Array(8);
  spawnSpeed = INIT_SPAWN_SPEED;
  spawnTimer = INIT_SPAWN_SPEED;
  moveSpeed = INIT_MOVE_INTERVAL;
  moveTimer = INIT_MOVE_INTERVAL;
  rampTimer = RAMP_INTERVAL;
  rampIndex = 0;

  private readonly free = new Int8Array(8);

  constructor(private readonly rng: Rng) {}

  reset(): void {
    this.playerX = 5;
    this.playerY = 5;
    this.alive.fill(0);
    this.spawnSpeed = INIT_SPAWN_SPEED;
    this.spawnTimer = this.spawnSpeed;
    this.moveSpeed = INIT_MOVE_INTERVAL;
    this.moveTimer = this.moveSpeed;
    this.rampTimer = RAMP_INTERVAL;
    this.rampIndex = 0;
    this.terminal = false;
  }

  /** Direction and kind are drawn even when every slot is taken (then nothing spawns), as in the reference. */
  spawn(): void {
    const right = this.rng.random() < 0.5;
    const gold = this.rng.random() < 1 / 3;
    let n = 0;
    for (let k = 0; k < 8; k++) if (!this.alive[k]) this.free[n++] = k;
    if (n === 0) return;
    const slot = this.free[this.rng.int(n)];
    this.alive[slot] = 1;
    this.entX[slot] = right ? 0 : 9;
    this.entRight[slot] = right ? 1 : 0;
    this.entGold[slot] = gold ? 1 : 0;
  }

  /** Gold under the player is collected (+1), an enemy there ends the episode. */
  private collide(k: number): number {
    if (!this.alive[k] || this.entX[k] !== this.playerX || k + 1 !== this.playerY) return 0;
    if (this.entGold[k]) {
      this.alive[k] = 0;
      return 1;
    }
    this.terminal = true;
    return 0;
  }

  act(a: number): number {
    if (this.terminal) return 0;
    let r = 0;
    if (this.spawnTimer === 0) {
      this.spawn();
      this.spawnTimer = this.spawnSpeed;
    }

    if (a === LEFT) this.playerX = Math.max(0, this.playerX - 1);
    else if (a === RIGHT) this.playerX = Math.min(9, this.playerX + 1);
    else if (a === UP) this.playerY = Math.max(1, this.playerY - 1);
    else if (a === DOWN) this.playerY = Math.min(8, this.playerY + 1);

    for (let k = 0; k < 8; k++) r += this.collide(k);
    if (this.moveTimer === 0) {
      this.moveTimer = this.moveSpeed;
      for (let k = 0; k < 8; k++) {
        if (!this.alive[k]) continue;
        const x = this.entX[k] + (this.entRight[k] ? 1 : -1);
        if (x < 0 || x > 9) {
          this.alive[k] = 0;
          continue;
        }
        this.entX[k] = x;
        r += this.collide(k);
      }
    }

    this.spawnTimer -= 1;
    this.moveTimer -= 1;

    if (this.ramping && (this.spawnSpeed > 1 || this.moveSpeed > 1)) {
      if (this.rampTimer >= 0) {
        this.rampTimer -= 1;
      } else {
        if (this.moveSpeed > 1 && this.rampIndex % 2 === 1) this.moveSpeed -= 1;
        if (this.spawnSpeed > 1) this.spawnSpeed -= 1;
        this.rampIndex += 1;
        this.rampTimer = RAMP_INTERVAL;
      }
    }
    return r;
  }

  render(out: Uint8Array): void {
    out[(this.playerY * 10 + this.playerX) * C + 0] = 1;
    for (let k = 0; k < 8; k++) {
      if (!this.alive[k]) continue;
      const row = k + 1;
      const x = this.entX[k];
      out[(row * 10 + x) * C + (this.entGold[k] ? 3 : 1)] = 1;
      const back = this.entRight[k] ? x - 1 : x + 1;
      if (back >= 0 && back <= 9) out[(row * 10 + back) * C + 2] = 1;
    }
  }
}
