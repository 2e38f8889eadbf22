/**
 * MinAtar Space Invaders: a cannon on the bottom row shoots a 4×6 block of aliens that marches sideways,
 * steps down at the edges and fires at the cannon. +1 per alien; the episode ends when an enemy bullet or an
 * alien reaches the cannon, or an alien block on the bottom row has to step down. Rules: environments.md B.3.
 */
import { ACTION, type Game } from './game';

const { FIRE, LEFT, NOOP, RIGHT } = ACTION;

const C = 6;
export const SHOT_COOL_DOWN = 5;
export const ENEMY_MOVE_INTERVAL = 12;
export const ENEMY_SHOT_INTERVAL = 10;
/** Ramping stops once the move interval reaches this value. */
const MIN_MOVE_INTERVAL = 6;

export class SpaceInvaders implements Game {
  readonly channels = ['cannon', 'alien', 'alien_left', 'alien_right', 'friendly_bullet', 'enemy_bullet'] as const;
  readonly minimalActions = [NOOP, LEFT, RIGHT, FIRE];
  // The 'alien' channel always coincides with alien_left or alien_right, which are drawn over it.
  readonly drawOrder = [1, 2, 3, 0, 5, 4];
  terminal = false;
  ramping = true;

  pos = 5;
  /** Row-major 10×10 maps. */
  readonly aliens = new Uint8Array(100);
  readonly friendlyBullets = new Uint8Array(100);
  readonly enemyBullets = new Uint8Array(100);
  alienDir = -1;
  moveInterval = ENEMY_MOVE_INTERVAL;
  alienMoveTimer = ENEMY_MOVE_INTERVAL;
  alienShotTimer = ENEMY_SHOT_INTERVAL;
  shotTimer = 0;
  rampIndex = 0;

  private readonly tmp = new Uint8Array(100);

  // The game has no randomness; the constructor takes the generator for a uniform signature.
  constructor(_rng?: unknown) {}

  reset(): void {
    this.pos = 5;
    this.aliens.fill(0);
    this.placeWave();
    this.friendlyBullets.fill(0);
    this.enemyBullets.fill(0);
    this.alienDir = -1;
    this.moveInterval = ENEMY_MOVE_INTERVAL;
    this.alienMoveTimer = this.moveInterval;
    this.alienShotTimer = ENEMY_SHOT_INTERVAL;
    this.shotTimer = 0;
    this.rampIndex = 0;
    this.terminal = false;
  }

  /** Aliens in rows 0–3 × columns 2–7. */
  private placeWave(): void {
    for (let y = 0; y < 4; y++) this.aliens.fill(1, y * 10 + 2, y * 10 + 8);
  }

  act(a: number): number {
    if (this.terminal) return 0;
    let r = 0;
    const aliens = this.aliens;
    const fb = this.friendlyBullets;
    const eb = this.enemyBullets;

    // (1) Fire and move are exclusive: fire wins when the cannon is ready.
    if (a === FIRE && this.shotTimer === 0) {
      fb[90 + this.pos] = 1;
      this.shotTimer = SHOT_COOL_DOWN;
    } else if (a === LEFT) this.pos = Math.max(0, this.pos - 1);
    else if (a === RIGHT) this.pos = Math.min(9, this.pos + 1);

    // (2) Friendly bullets move up; those on row 0 leave the screen.
    fb.copyWithin(0, 10, 100);
    fb.fill(0, 90, 100);
    // (3) Enemy bullets move down; those on row 9 leave the screen.
    eb.copyWithin(10, 0, 90);
    eb.fill(0, 0, 10);
    if (eb[90 + this.pos]) this.terminal = true;

    // (4)–(5) Aliens.
    if (aliens[90 + this.pos]) this.terminal = true;
    if (this.alienMoveTimer === 0) {
      this.alienMoveTimer = Math.min(this.countAliens(), this.moveInterval);
      if ((this.alienDir < 0 && this.columnHasAlien(0)) || (this.alienDir > 0 && this.columnHasAlien(9))) {
        this.alienDir = -this.alienDir;
        for (let x = 0; x < 10; x++) if (aliens[90 + x]) this.terminal = true;
        this.rollRowsDown();
      } else {
        this.rollColumns(this.alienDir);
      }
      if (aliens[90 + this.pos]) this.terminal = true;
    }

    // (6) The alien column nearest the cannon fires from its lowest alien.
    if (this.alienShotTimer === 0) {
      this.alienShotTimer = ENEMY_SHOT_INTERVAL;
      const col = this.nearestAlienColumn();
      if (col >= 0) eb[this.lowestAlien(col) * 10 + col] = 1;
    }

    // (7) Friendly bullets destroy the aliens they share a cell with.
    for (let i = 0; i < 100; i++) {
      if (aliens[i] && fb[i]) {
        aliens[i] = 0;
        fb[i] = 0;
        r += 1;
      }
    }

    // (8) Timers.
    if (this.shotTimer > 0) this.shotTimer -= 1;
    this.alienMoveTimer -= 1;
    this.alienShotTimer -= 1;

    // (9) A cleared wave brings a new one, faster while ramping (direction and timers carry over).
    if (this.countAliens() === 0) {
      if (this.ramping && this.moveInterval > MIN_MOVE_INTERVAL) {
        this.moveInterval -= 1;
        this.rampIndex += 1;
      }
      this.placeWave();
    }
    return r;
  }

  countAliens(): number {
    let n = 0;
    for (let i = 0; i < 100; i++) n += this.aliens[i];
    return n;
  }

  private columnHasAlien(x: number): boolean {
    for (let y = 0; y < 10; y++) if (this.aliens[y * 10 + x]) return true;
    return false;
  }

  private lowestAlien(x: number): number {
    for (let y = 9; y >= 0; y--) if (this.aliens[y * 10 + x]) return y;
    return -1;
  }

  /** Columns by distance |col − cannon|, ties to the lower column (the reference's stable sort). */
  private nearestAlienColumn(): number {
    for (let d = 0; d < 10; d++) {
      const lo = this.pos - d;
      if (lo >= 0 && this.columnHasAlien(lo)) return lo;
      const hi = this.pos + d;
      if (d > 0 && hi <= 9 && this.columnHasAlien(hi)) return hi;
    }
    return -1;
  }

  /** Every row moves down one; row 9 wraps to row 0 like the reference's roll (the game is over then anyway). */
  private rollRowsDown(): void {
    const t = this.tmp;
    t.set(this.aliens);
    this.aliens.set(t.subarray(90, 100), 0);
    this.aliens.set(t.subarray(0, 90), 10);
  }

  /** Every column moves by dx (±1) with wrap-around; the edge check guarantees nothing actually wraps. */
  private rollColumns(dx: number): void {
    const t = this.tmp;
    t.set(this.aliens);
    for (let y = 0; y < 10; y++) {
      for (let x = 0; x < 10; x++) this.aliens[y * 10 + ((x + dx + 10) % 10)] = t[y * 10 + x];
    }
  }

  render(out: Uint8Array): void {
    out[(90 + this.pos) * C + 0] = 1;
    const dirChannel = this.alienDir < 0 ? 2 : 3;
    for (let i = 0; i < 100; i++) {
      if (this.aliens[i]) {
        out[i * C + 1] = 1;
        out[i * C + dirChannel] = 1;
      }
      if (this.friendlyBullets[i]) out[i * C + 4] = 1;
      if (this.enemyBullets[i]) out[i * C + 5] = 1;
    }
  }
}
