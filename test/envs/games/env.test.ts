/** The MinAtar suite through the Env interface: registry, options, sticky actions, frame skip, limits, errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeEnv } from '../../../lib/envs/registry';
import { GAME_NAMES, makeMinAtar, type MinAtarEnv } from '../../../lib/envs/games';
import { ACTION } from '../../../lib/envs/games/game';
import type { Breakout } from '../../../lib/envs/games/breakout';
import type { Seaquest } from '../../../lib/envs/games/seaquest';
import { Rng } from '../../../lib/envs/rng';

const CHANNELS: Record<string, number> = { breakout: 4, space_invaders: 6, freeway: 7, asterix: 4, seaquest: 10 };
const MINIMAL: Record<string, string> = {
  breakout: 'n,l,r',
  space_invaders: 'n,l,r,f',
  freeway: 'n,u,d',
  asterix: 'n,l,u,r,d',
  seaquest: 'n,l,u,r,d,f',
};

test('registry: minatar/<game> ids build envs with native [10,10,C] or pixel [84,84,4] observations', async () => {
  for (const g of GAME_NAMES) {
    const native = await makeEnv(`minatar/${g}`, { obs: 'native', seed: 1 });
    assert.deepEqual(native.observationSpace.shape, [10, 10, CHANNELS[g]]);
    assert.deepEqual(native.actionSpace, { kind: 'discrete', n: 6 });
    assert.equal(native.reset().obs.length, 100 * CHANNELS[g]);
    const pixels = await makeEnv(`minatar/${g}`, { obs: 'pixels', frameStack: 4, seed: 1 });
    assert.deepEqual(pixels.observationSpace.shape, [84, 84, 4]);
    assert.equal(pixels.observationSpace.dtype, 'uint8');
    const { obs } = pixels.reset();
    assert.ok(obs instanceof Uint8Array && obs.length === 84 * 84 * 4);
    const d = await makeEnv(`minatar/${g}`);
    assert.deepEqual(d.observationSpace.shape, [84, 84, 4], 'pixels, stack 4 by default');
  }
});

test('unknown game: an error listing the games (registry and direct)', async () => {
  await assert.rejects(
    makeEnv('minatar/pong'),
    /minatar\/breakout.*minatar\/space_invaders.*minatar\/freeway.*minatar\/asterix.*minatar\/seaquest/,
  );
  assert.throws(
    () => makeMinAtar('pong'),
    /Unknown MinAtar game 'pong'. Games: breakout, space_invaders, freeway, asterix, seaquest/,
  );
});

test('actions outside the action set: an error naming the valid range', () => {
  const full = makeMinAtar('breakout', { obs: 'native' });
  full.reset();
  assert.throws(
    () => full.step(6),
    /Action 6 is outside the action set of minatar\/breakout: expected an integer in \[0, 5\]/,
  );
  assert.throws(() => full.step(-1), /\[0, 5\]/);
  assert.throws(() => full.step(1.5), /\[0, 5\]/);
  assert.throws(() => full.step([1]), /array.*\[0, 5\]/);
  const min = makeMinAtar('breakout', { obs: 'native', minimalActions: true });
  min.reset();
  assert.throws(() => min.step(3), /expected an integer in \[0, 2\] \(n, l, r\)/);
});

test('minimal action sets map onto the full set', () => {
  for (const g of GAME_NAMES) {
    const env = makeMinAtar(g, { obs: 'native', minimalActions: true });
    assert.equal(env.actionNames.join(','), MINIMAL[g]);
    assert.equal(env.actionSpace.n, MINIMAL[g].split(',').length);
  }
  const env = makeMinAtar('breakout', { obs: 'native', minimalActions: true, stickyActionProb: 0 });
  env.reset();
  env.step(2); // 'r'
  assert.equal((env.game as Breakout).paddle, 5);
  env.step(1); // 'l'
  env.step(1);
  assert.equal((env.game as Breakout).paddle, 3);
});

test('bad options: unknown keys, obs modes and values are errors naming the accepted values', () => {
  assert.throws(
    () => makeMinAtar('breakout', { frameskip: 4 }),
    /Unknown MinAtar option 'frameskip'. Accepted options: seed, obs, size, frameStack, frameSkip/,
  );
  assert.throws(() => makeMinAtar('breakout', { obs: 'state' as 'native' }), /'native' or 'pixels'/);
  assert.throws(() => makeMinAtar('breakout', { obs: 'native', size: 84 }), /'pixels' only/);
  assert.throws(() => makeMinAtar('breakout', { stickyActionProb: 1.5 }), /\[0, 1\]/);
  assert.throws(() => makeMinAtar('breakout', { frameStack: 0 }), /integer ≥ 1/);
  assert.throws(() => makeMinAtar('breakout', { size: 8 }), /integer ≥ 10/);
  assert.throws(() => makeMinAtar('breakout', { frameSkip: 2, actionRepeat: 3 }), /disagree/);
  assert.throws(() => makeMinAtar('breakout', { seed: 0.5 }), /safe integer/);
});

test('episode protocol: step before reset or after the end is an error; closed envs refuse to run', () => {
  const env = makeMinAtar('breakout', { obs: 'native' });
  assert.throws(() => env.step(0), /call reset\(\) first/);
  env.reset();
  let s = env.step(0);
  while (!s.terminated) s = env.step(0);
  assert.throws(() => env.step(0), /episode has ended/);
  env.reset();
  env.close();
  assert.throws(() => env.reset(), /closed/);
});

test('sticky actions: with p = 0.1 the executed action differs from the chosen one on 1/11 of frames', () => {
  const env = makeMinAtar('space_invaders', { obs: 'native', seed: 5 });
  const executed: number[] = [];
  const game = env.game;
  const act = game.act.bind(game);
  game.act = (a: number) => {
    executed.push(a);
    return act(a);
  };
  const chosen: number[] = [];
  env.reset();
  for (let t = 0; t < 50000; t++) {
    const a = t % 2 ? ACTION.LEFT : ACTION.RIGHT;
    chosen.push(a);
    const s = env.step(a);
    if (s.terminated) env.reset();
  }
  let differ = 0;
  for (let t = 0; t < chosen.length; t++) if (executed[t] !== chosen[t]) differ++;
  // P(differ) = 0.1·(1 − P(differ)) for alternating actions → 1/11 ≈ 0.0909; ±0.01 is about 7 standard errors.
  assert.ok(Math.abs(differ / chosen.length - 1 / 11) < 0.01, `differ fraction ${differ / chosen.length}`);
  const never = makeMinAtar('breakout', { obs: 'native', stickyActionProb: 1 });
  never.reset();
  for (let t = 0; t < 3; t++) never.step(ACTION.RIGHT);
  assert.equal((never.game as Breakout).paddle, 4, 'p = 1 repeats the initial no-op forever');
});

test('sticky actions: the last executed action survives reset() (as in MinAtar) but not reset({seed})', () => {
  const env = makeMinAtar('breakout', { obs: 'native', stickyActionProb: 1 });
  const priv = env as unknown as { lastAction: number };
  env.reset();
  priv.lastAction = ACTION.RIGHT;
  env.reset();
  env.step(ACTION.LEFT);
  assert.equal((env.game as Breakout).paddle, 5);
  env.reset({ seed: 3 });
  env.step(ACTION.LEFT);
  assert.equal((env.game as Breakout).paddle, 4);
});

test('frame skip: k frames per step with summed rewards, stopping at termination', () => {
  const env = makeMinAtar('freeway', { obs: 'native', frameSkip: 4, seed: 2 });
  env.reset();
  let steps = 0;
  let last = env.step(0);
  steps++;
  assert.equal(last.info.frame, 4);
  while (!last.terminated) {
    last = env.step(2);
    steps++;
  }
  assert.equal(steps, Math.ceil(2501 / 4));
  assert.equal(last.info.frame, 2501);
  const alias = makeMinAtar('freeway', { obs: 'native', actionRepeat: 3 });
  assert.equal(alias.frameSkip, 3);
  // Summed reward: a Breakout script that bounces between the ceiling and row 1, hitting bricks on frames 2 and 4.
  const bo = makeMinAtar('breakout', { obs: 'native', frameSkip: 4, stickyActionProb: 0 });
  bo.reset();
  const g = bo.game as Breakout;
  g.bricks.fill(0);
  g.bricks[1 * 10 + 6] = 1;
  g.bricks[1 * 10 + 8] = 1;
  g.ballX = 4;
  g.ballY = 0;
  g.dir = 1;
  const r = bo.step(0);
  assert.deepEqual([r.reward, r.info.frame, g.countBricks()], [2, 4, 0]);
});

test('maxEpisodeSteps: truncated (not terminated) at the limit; reset starts over', () => {
  const env = makeMinAtar('freeway', { obs: 'native', maxEpisodeSteps: 5 });
  env.reset();
  for (let t = 1; t <= 4; t++) assert.equal(env.step(0).truncated, false);
  const s = env.step(0);
  assert.deepEqual([s.truncated, s.terminated], [true, false]);
  assert.throws(() => env.step(0), /episode has ended/);
  env.reset();
  assert.equal(env.step(0).truncated, false);
});

test('reward clipping: summed rewards clipped to [−1, 1], the raw value in info', () => {
  for (const clip of [false, true]) {
    const env = makeMinAtar('seaquest', { obs: 'native', clipRewards: clip, stickyActionProb: 0 });
    env.reset();
    const g = env.game as Seaquest;
    Object.assign(g, { subY: 1, surface: false, diverCount: 6, oxygen: 150 });
    const s = env.step(ACTION.UP);
    assert.equal(s.info.rawReward, 7);
    assert.equal(s.reward, clip ? 1 : 7);
  }
});

test('determinism: a seed fixes every episode; makeEnv({seed}) equals reset({seed}); seeds differ', () => {
  const run = (env: MinAtarEnv, seedReset?: number): string => {
    const policy = new Rng(9);
    const parts: string[] = [];
    env.reset(seedReset === undefined ? {} : { seed: seedReset });
    for (let e = 0; e < 3; e++) {
      if (e > 0) env.reset();
      let s;
      let hash = 2166136261; // FNV-1a over every observation byte and reward
      do {
        s = env.step(policy.int(6));
        hash = Math.imul(hash ^ s.reward, 16777619);
        for (const v of s.obs as Uint8Array) hash = Math.imul(hash ^ v, 16777619);
      } while (!s.terminated && !s.truncated);
      parts.push((hash >>> 0).toString(16));
    }
    return parts.join('|');
  };
  for (const g of GAME_NAMES) {
    const opts = { obs: 'native' as const, maxEpisodeSteps: 300 };
    const a = run(makeMinAtar(g, { ...opts, seed: 11 }));
    const b = run(makeMinAtar(g, { ...opts, seed: 11 }));
    const c = run(makeMinAtar(g, { ...opts, seed: 0 }), 11);
    const d = run(makeMinAtar(g, { ...opts, seed: 12 }));
    assert.equal(a, b, g);
    assert.equal(a, c, g);
    assert.notEqual(a, d, g);
  }
});

test('observations are fresh arrays: later steps do not overwrite earlier observations', () => {
  for (const obs of ['native', 'pixels'] as const) {
    const env = makeMinAtar('breakout', { obs, seed: 1 });
    const first = env.reset().obs as Uint8Array;
    const copy = first.slice();
    env.step(1);
    env.step(3);
    assert.deepEqual(first, copy);
  }
});
