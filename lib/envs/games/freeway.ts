/**
 * MinAtar Freeway: a chicken in column 4 crosses eight lanes of traffic. +1 per crossing (then car speeds are
 * redrawn); a car sends the chicken back to the bottom row. Every episode lasts exactly 2501 frames.
 * Rules: environments.md B.4.
 */
import type { Rng } from '../rng';
import { ACTION, type Game } from './game';

const { DOWN, NOOP, UP } = ACTION;

const C = 7;
export const PLAYER_SPEED = 3;
export const TIME_LIMIT = 2500;
const CHICKEN_X = 4;

export class Freeway implements Game {
  readonly channels = ['chicken', 'car', 'speed1', 'speed2', 'speed3', 'speed4', 'speed5'] as const;
  readonly minimalActions = [NOOP, UP, DOWN];
  readonly drawOrder = [2, 3, 4, 5, 6, 1, 0];
  terminal = false;
  ramping = true;

  /** Chicken row. */
  pos = 9;
  moveTimer = PLAYER_SPEED;
  terminateTimer = TIME_LIMIT;
  /** Car i drives in row i + 1. */
  readonly carX = new Int8Array(8);
  /** Frames until the car next moves. */
  readonly carTimer = new Int8Array(8);
  /** Signed speed: |s| ∈ 1..5 (the car moves every |s| + 1 frames), sign = direction. */
  readonly carSpeed = new Int8Array(8);

  constructor(private readonly rng: Rng) {}

  reset(): void {
    this.carX.fill(0);
    this.randomizeCars();
    this.pos = 9;
    this.moveTimer = PLAYER_SPEED;
    this.terminateTimer = TIME_LIMIT;
    this.terminal = false;
  }

  /** New speeds ~ uniform{1..5} and directions ±1 for all cars; the move timer restarts at |s| (positions kept). */
  randomizeCars(): void {
    for (let i = 0; i < 8; i++) this.carSpeed[i] = 1 + this.rng.int(5);
    for (let i = 0; i < 8; i++) {
      if (this.rng.random() < 0.5) this.carSpeed[i] = -this.carSpeed[i];
      this.carTimer[i] = Math.abs(this.carSpeed[i]);
    }
  }

  act(a: number): number {
    if (this.terminal) return 0;
    let r = 0;
    if (a === UP && this.moveTimer === 0) {
      this.moveTimer = PLAYER_SPEED;
      this.pos = Math.max(0, this.pos - 1);
    } else if (a === DOWN && this.moveTimer === 0) {
      this.moveTimer = PLAYER_SPEED;
      this.pos = Math.min(9, this.pos + 1);
    }

    if (this.pos === 0) {
      r += 1;
      this.randomizeCars();
      this.pos = 9;
    }

    for (let i = 0; i < 8; i++) {
      const row = i + 1;
      if (this.carX[i] === CHICKEN_X && row === this.pos) this.pos = 9;
      if (this.carTimer[i] === 0) {
        const s = this.carSpeed[i];
        this.carTimer[i] = Math.abs(s);
        let x = this.carX[i] + (s > 0 ? 1 : -1);
        if (x < 0) x = 9;
        else if (x > 9) x = 0;
        this.carX[i] = x;
        if (x === CHICKEN_X && row === this.pos) this.pos = 9;
      } else {
        this.carTimer[i] -= 1;
      }
    }

    if (this.moveTimer > 0) this.moveTimer -= 1;
    this.terminateTimer -= 1;
    if (this.terminateTimer < 0) this.terminal = true;
    return r;
  }

  render(out: Uint8Array): void {
    out[(this.pos * 10 + CHICKEN_X) * C + 0] = 1;
    for (let i = 0; i < 8; i++) {
      const row = i + 1;
      const x = this.carX[i];
      const s = this.carSpeed[i];
      out[(row * 10 + x) * C + 1] = 1;
      let back = s > 0 ? x - 1 : x + 1;
      if (back < 0) back = 9;
      else if (back > 9) back = 0;
      out[(row * 10 + back) * C + 1 + Math.abs(s)] = 1;
    }
  }
}
