/**
 * Random-policy statistics over 1,000 seeded episodes per game (uniform over the 6 actions, sticky p = 0.1,
 * ramping on — MinAtar's defaults).
 *
 * Where the ranges come from:
 * - Breakout return: MinAtar's README reports 0.5 ± 0.02 for random play over 1,000 episodes (a harness run of
 *   the reference gave 0.532 ± 0.024, environments.md B.7). The range is about ±4 standard errors around that.
 * - Freeway length: exactly 2501 frames, from the rules (environments.md B.4).
 * - Minimum lengths: derived from the rules (Breakout: the ball needs 6 frames from row 3 to row 9; Space
 *   Invaders: the first alien shot comes on frame 11 and needs 6 more frames to reach the cannon; Asterix: the
 *   first entity spawns on frame 11; Seaquest: dive then surface with no diver).
 * - All other ranges are ours: the means of our own runs (5 env seeds × 1,000 episodes, see the report) ± about
 *   5 standard errors. They catch rule regressions, not agreement with the reference.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeMinAtar } from '../../../lib/envs/games';
import { Rng } from '../../../lib/envs/rng';

interface Expect {
  ret: [number, number];
  len: [number, number];
  minLen: number;
}

const EXPECT: Record<string, Expect> = {
  breakout: { ret: [0.42, 0.64], len: [10.3, 12.5], minLen: 6 },
  space_invaders: { ret: [2.45, 3.2], len: [45, 56], minLen: 17 },
  freeway: { ret: [0.07, 0.19], len: [2501, 2501], minLen: 2501 },
  asterix: { ret: [0.38, 0.66], len: [64, 78], minLen: 11 },
  seaquest: { ret: [0.03, 0.16], len: [25, 35], minLen: 2 },
};

const EPISODES = 1000;

for (const [game, want] of Object.entries(EXPECT)) {
  test(`random policy on ${game}: ${EPISODES} seeded episodes within the stated ranges`, (t) => {
    const env = makeMinAtar(game, { obs: 'native', seed: 1 });
    const policy = new Rng(1001);
    let sum = 0;
    let sumSq = 0;
    let frames = 0;
    let minLen = Infinity;
    for (let e = 0; e < EPISODES; e++) {
      env.reset();
      let ret = 0;
      let len = 0;
      for (;;) {
        const s = env.step(policy.int(6));
        ret += s.reward;
        len++;
        if (s.terminated || s.truncated) break;
      }
      sum += ret;
      sumSq += ret * ret;
      frames += len;
      minLen = Math.min(minLen, len);
    }
    const mean = sum / EPISODES;
    const se = Math.sqrt((sumSq / EPISODES - mean * mean) / EPISODES);
    const meanLen = frames / EPISODES;
    t.diagnostic(
      `${game}: return ${mean.toFixed(3)} ± ${se.toFixed(3)} (s.e.), length ${meanLen.toFixed(1)}, shortest ${minLen}`,
    );
    assert.ok(mean >= want.ret[0] && mean <= want.ret[1], `${game} mean return ${mean} outside [${want.ret}]`);
    assert.ok(meanLen >= want.len[0] && meanLen <= want.len[1], `${game} mean length ${meanLen} outside [${want.len}]`);
    assert.ok(minLen >= want.minLen, `${game} shortest episode ${minLen} < ${want.minLen}`);
  });
}
