/**
 * Ĉ, the latent replay capacity after the freeze, and the paper's memory settings.
 *
 * Paper (eq. in §4.2) and official code: Ĉ = ⌊C · P / (4 · N · K · L)⌋, P = bytes of ONE raw frame (3·100·100
 * for control before the crop, 84·84 for games — not the stack), N latent heads, K copies, L latent length,
 * 4 bytes per float32; the official DMC code also caps Ĉ at the number of training steps. With float16 the 4
 * becomes 2, with int8 + a float32 scale per vector 4·L becomes L + 4.
 *
 * Two accountings, for the paper's settings (CURL: k = 3 frames, N = 2, K = 4, L = 50; Rainbow: k = 4, N = 1,
 * K = 1, L = 576; metadata = action, reward, flags; bytes per stored transition):
 *
 * | setting                  | paper P | real image slot     | paper latent 4NKL | real latent slot     | C      | Ĉ (paper) |
 * |--------------------------|---------|---------------------|-------------------|----------------------|--------|-----------|
 * | cartpole/finger 0.03 GB  | 30,000  | 30,000 + 4·|A| + 5  | 1,600             | 1,600 + 4·|A| + 5    | 1,000  | 18,750    |
 * | reacher/walker 0.06 GB   | 30,000  | 30,000 + 4·|A| + 5  | 1,600             | 1,600 + 4·|A| + 5    | 2,000  | 37,500    |
 * | games 0.07 GB            | 7,056   | 7,056 + 9 (+PER)    | 2,304             | 2,313 (+PER)         | 10,000 | 30,625    |
 *
 * Real buffers also hold k − 1 history frames, one extra slot per episode (its final observation), a sum tree
 * (16 bytes per leaf, power of two) for prioritized replay, and one raw observation in latent replay. The
 * official CURL buffer stores obs AND next_obs stacks (2·9·100·100 = 180,000 B per transition, 6× P) and its
 * latent buffers obs and next_obs (3,200 B, 2× 4NKL); our per-step layout (lib/replay/step-ring.ts) stores each
 * observation once, so real bytes stay within a few percent of the paper's accounting. 0.07 GB for games is
 * rounded: C · P = 10,000 · 7,056 = 70.56 MB, so a strict 0.07 GB budget fits C ≈ 9,900.
 */
import { bytesPerVector, type LatentDtype } from '../replay/latent-codec';

export interface CapacityHatInput {
  /** Image replay capacity C. */
  C: number;
  /** Bytes of one raw frame (uint8). */
  P: number;
  /** Latent heads N (2 for actor-critic with separate fc, 1 for Q-learning). */
  N: number;
  /** Augmented copies K. */
  K: number;
  /** Latent length L. */
  L: number;
  /** Storage type: float32 is the paper's factor 4. */
  dtype?: LatentDtype;
  /** Cap, e.g. the number of training steps (the official DMC code's min(num_train_steps, ·)). */
  maxCapacity?: number;
}

/** Ĉ = ⌊C·P / (N·K·bytes(L))⌋ with bytes(L) = 4L for float32 (the paper), 2L float16, L + 4 int8. */
export function capacityHat(x: CapacityHatInput): number {
  for (const k of ['C', 'P', 'N', 'K', 'L'] as const) {
    if (!Number.isInteger(x[k]) || x[k] < 1) throw new Error(`capacityHat: ${k} must be an integer ≥ 1, got ${x[k]}`);
  }
  const c = Math.floor((x.C * x.P) / (x.N * x.K * bytesPerVector(x.dtype ?? 'float32', x.L)));
  if (x.maxCapacity !== undefined) {
    if (!Number.isInteger(x.maxCapacity) || x.maxCapacity < 1)
      throw new Error(`capacityHat: maxCapacity must be an integer ≥ 1, got ${x.maxCapacity}`);
    return Math.min(c, x.maxCapacity);
  }
  return c;
}

/** Ĉ / C: 84·84 / (4·576) = 3.0625 for data-efficient Rainbow (the official `--increase-buffer` factor). */
export function capacityFactor(P: number, N: number, K: number, L: number, dtype: LatentDtype = 'float32'): number {
  return P / (N * K * bytesPerVector(dtype, L));
}

export interface PaperMemorySetting {
  /** Budget as the paper states it. */
  budget: string;
  /** Image capacity the paper pairs with it. */
  C: number;
  /** One frame, bytes. */
  P: number;
  /** Latent heads, copies and length of the agent the paper uses there. */
  N: number;
  K: number;
  L: number;
}

const CONTROL_P = 3 * 100 * 100;
const GAMES_P = 84 * 84;

/** The constrained-memory settings of the paper (§5.2, Figs. 4–5; Table 1). */
export const PAPER_MEMORY: Readonly<Record<string, PaperMemorySetting>> = {
  'cartpole-swingup': { budget: '0.03GB', C: 1000, P: CONTROL_P, N: 2, K: 4, L: 50 },
  'finger-spin': { budget: '0.03GB', C: 1000, P: CONTROL_P, N: 2, K: 4, L: 50 },
  'reacher-easy': { budget: '0.06GB', C: 2000, P: CONTROL_P, N: 2, K: 4, L: 50 },
  'walker-walk': { budget: '0.06GB', C: 2000, P: CONTROL_P, N: 2, K: 4, L: 50 },
  games: { budget: '0.07GB', C: 10000, P: GAMES_P, N: 1, K: 1, L: 576 },
};

const isGame = (envId: string): boolean => envId.startsWith('minatar/') || envId.startsWith('atari/');

/** The paper's setting for an environment id ('minatar/…' and 'atari/…' ids map to 'games'). */
export function paperMemoryFor(envId: string): PaperMemorySetting {
  const key = isGame(envId) ? 'games' : envId;
  const s = PAPER_MEMORY[key];
  if (!s)
    throw new Error(
      `No paper memory setting for '${envId}'. Known: ${Object.keys(PAPER_MEMORY).join(', ')} (games: minatar/* or atari/*)`,
    );
  return s;
}

/**
 * The memory budget of constrained runs by default (lib/run/config.ts): the paper's for its tasks (PAPER_MEMORY);
 * a control task the paper did not constrain takes its domain's (cartpole-balance: cartpole-swingup's 0.03 GB), or
 * else the larger control budget, reacher's and walker's 0.06 GB.
 */
export function paperBudgetFor(envId: string): string {
  if (isGame(envId)) return PAPER_MEMORY.games.budget;
  const domain = (task: string): string => task.split('-')[0];
  const sameDomain = Object.keys(PAPER_MEMORY).find((task) => domain(task) === domain(envId));
  return PAPER_MEMORY[PAPER_MEMORY[envId] ? envId : (sameDomain ?? 'walker-walk')].budget;
}
