/**
 * MinAtar Breakout: a paddle on the bottom row, a ball moving diagonally, three rows of bricks.
 * +1 per brick; the episode ends when the ball reaches the bottom row without the paddle under it.
 * Rules: environments.md B.2.
 */
import type { Rng } from '../rng';
import { ACTION, type Game } from './game';

const { LEFT, NOOP, RIGHT } = ACTION;

const C = 4;
/** Direction index → (dx, dy) with y pointing down: 0 up-left, 1 up-right, 2 down-right, 3 down-left. */
const DX = [-1, 1, 1, -1];
const DY = [-1, -1, 1, 1];
const FLIP_X = [1, 0, 3, 2];
const FLIP_Y = [3, 2, 1, 0];
const FLIP_XY = [2, 3, 0, 1];

export class Breakout implements Game {
  readonly channels = ['paddle', 'ball', 'trail', 'brick'] as const;
  readonly minimalActions = [NOOP, LEFT, RIGHT];
  readonly drawOrder = [2, 3, 0, 1];
  terminal = false;
  ramping = true;

  paddle = 4;
  ballX = 0;
  ballY = 3;
  dir = 2;
  lastX = 0;
  lastY = 3;
  /** A brick was hit on the previous frame: the ball passes through the next brick without scoring. */
  strike = false;
  /** Row-major 10×10 brick map. */
  readonly bricks = new Uint8Array(100);

  constructor(private readonly rng: Rng) {}

  reset(): void {
    this.ballY = 3;
    if (this.rng.int(2) === 0) {
      this.ballX = 0;
      this.dir = 2;
    } else {
      this.ballX = 9;
      this.dir = 3;
    }
    this.paddle = 4;
    this.bricks.fill(0);
    this.bricks.fill(1, 10, 40);
    this.strike = false;
    this.lastX = this.ballX;
    this.lastY = this.ballY;
    this.terminal = false;
  }

  act(a: number): number {
    if (this.terminal) return 0;
    let r = 0;
    if (a === LEFT) this.paddle = Math.max(0, this.paddle - 1);
    else if (a === RIGHT) this.paddle = Math.min(9, this.paddle + 1);

    this.lastX = this.ballX;
    this.lastY = this.ballY;
    let nx = this.ballX + DX[this.dir];
    let ny = this.ballY + DY[this.dir];
    let struck = false;
    if (nx < 0 || nx > 9) {
      nx = nx < 0 ? 0 : 9;
      this.dir = FLIP_X[this.dir];
    }
    if (ny < 0) {
      ny = 0;
      this.dir = FLIP_Y[this.dir];
    } else if (this.bricks[ny * 10 + nx] === 1) {
      struck = true;
      if (!this.strike) {
        r += 1;
        this.strike = true;
        this.bricks[ny * 10 + nx] = 0;
        ny = this.lastY;
        this.dir = FLIP_Y[this.dir];
      }
    } else if (ny === 9) {
      if (this.countBricks() === 0) this.bricks.fill(1, 10, 40);
      if (this.ballX === this.paddle) {
        this.dir = FLIP_Y[this.dir];
        ny = this.lastY;
      } else if (nx === this.paddle) {
        this.dir = FLIP_XY[this.dir];
        ny = this.lastY;
      } else {
        this.terminal = true;
      }
    }
    if (!struck) this.strike = false;
    this.ballX = nx;
    this.ballY = ny;
    return r;
  }

  countBricks(): number {
    let n = 0;
    for (let i = 0; i < 100; i++) n += this.bricks[i];
    return n;
  }

  render(out: Uint8Array): void {
    out[(90 + this.paddle) * C + 0] = 1;
    out[(this.ballY * 10 + this.ballX) * C + 1] = 1;
    out[(this.lastY * 10 + this.lastX) * C + 2] = 1;
    const bricks = this.bricks;
    for (let i = 0; i < 100; i++) if (bricks[i]) out[i * C + 3] = 1;
  }
}
