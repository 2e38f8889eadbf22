/**
 * The native threads' wait policy (lib/backend/wait-policy.ts): the choice from threads, cores and load, the
 * environment it sets and restores, the user's settings left alone, and, the property it rests on, that an update
 * computes the same bits under either policy (two child processes at two threads, one spinning, one passive).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadNativeAddon } from '../../lib/backend/native';
import { applyWaitPolicy, busyCoresNow, chooseWaitPolicy, SPIN_ROUNDS } from '../../lib/backend/wait-policy';

test('chooseWaitPolicy: spins only when the whole team fits the idle cores', () => {
  assert.equal(chooseWaitPolicy(2, 2, 0).policy, 'spin');
  assert.equal(chooseWaitPolicy(2, 2, 0.2).policy, 'spin');
  assert.equal(chooseWaitPolicy(2, 2, 0.4).policy, 'passive');
  assert.equal(chooseWaitPolicy(2, 2, 1).policy, 'passive');
  assert.equal(chooseWaitPolicy(2, 4, 1.9).policy, 'spin');
  assert.equal(chooseWaitPolicy(4, 4, 1).policy, 'passive');
  assert.equal(chooseWaitPolicy(1, 2, 0).policy, 'passive', 'one thread has no team');
  assert.equal(chooseWaitPolicy(2, 2, undefined).policy, 'passive', 'unknown load');
  assert.match(chooseWaitPolicy(2, 2, 1).reason, /1\.00 of 2 cores busy/);
});

test('applyWaitPolicy sets what libgomp reads, restores it, and leaves the user settings alone', () => {
  const cores = os.availableParallelism();
  const spin: NodeJS.ProcessEnv = {};
  const a = applyWaitPolicy(cores, spin, () => 0);
  if (cores >= 2) {
    assert.equal(a.choice.policy, 'spin');
    assert.deepEqual(spin, { GOMP_SPINCOUNT: String(SPIN_ROUNDS) });
  }
  a.restore();
  assert.deepEqual(spin, {}, 'child processes choose for themselves');

  const busy: NodeJS.ProcessEnv = {};
  const b = applyWaitPolicy(2, busy, () => cores);
  assert.equal(b.choice.policy, 'passive');
  assert.deepEqual(busy, { OMP_WAIT_POLICY: 'passive' });
  b.restore();
  assert.deepEqual(busy, {});

  let measured = false;
  const one = applyWaitPolicy(1, {}, () => ((measured = true), 0));
  assert.equal(one.choice.policy, 'passive');
  assert.equal(measured, false, 'one thread: no load measurement (and no 100 ms wait)');

  const user: NodeJS.ProcessEnv = { OMP_WAIT_POLICY: 'active' };
  const c = applyWaitPolicy(2, user, () => 0);
  assert.deepEqual(c.choice, { policy: 'environment', reason: 'OMP_WAIT_POLICY=active' });
  c.restore();
  assert.deepEqual(user, { OMP_WAIT_POLICY: 'active' });
});

test('busyCoresNow reads a load between 0 and the core count on Linux', { skip: os.platform() !== 'linux' }, () => {
  const busy = busyCoresNow(50);
  assert.ok(busy !== undefined && busy >= 0 && busy <= os.cpus().length + 1e-9, `busy cores ${busy}`);
});

let addonProblem: string | undefined;
try {
  loadNativeAddon();
} catch (err) {
  addonProblem = (err as Error).message;
}

test('a Rainbow update computes the same bits spinning and passive', { skip: addonProblem }, () => {
  const root = path.join(__dirname, '..', '..');
  // Two updates of a Rainbow agent (84×84×4 pixels, a narrow head); prints the policy and a hash of every variable.
  const script = `
    const tf = require('@tensorflow/tfjs');
    const { createHash } = require('crypto');
    (async () => {
      await require('./lib/backend/select.ts').initBackend('native');
      const { RainbowAgent } = require('./lib/agents/rainbow.ts');
      const { filledReplay } = require('./bench/agents.ts');
      const replay = filledReplay([84, 84, 4], 4, true, 1, 300, false);
      const rb = new RainbowAgent({ obsShape: [84, 84, 4], numActions: 18, hidden: 64, prioritizedReplay: false, seed: 3 });
      for (let i = 0; i < 2; i++) rb.update(replay.sample(32));
      const h = createHash('sha256');
      const vars = Object.values(tf.engine().state.registeredVariables);
      for (const v of vars) h.update(Buffer.from(v.dataSync().buffer));
      if (vars.length < 10) throw new Error('too few variables: ' + vars.length);
      const info = require('./lib/backend/native.ts').nativeInfo();
      console.log(info.waitPolicy.policy + ' ' + info.threads + ' ' + h.digest('hex'));
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const run = (env: Record<string, string>) => {
    const { OMP_WAIT_POLICY: _w, GOMP_SPINCOUNT: _s, ...rest } = process.env;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: root,
      env: { ...rest, SEER_QUIET: '1', SEER_NATIVE_THREADS: '2', ...env },
      encoding: 'utf8',
    });
    return out.trim().split('\n').pop()!.split(' ');
  };
  const spinning = run({ GOMP_SPINCOUNT: String(SPIN_ROUNDS) });
  const passive = run({ OMP_WAIT_POLICY: 'passive' });
  assert.deepEqual([spinning[0], spinning[1]], ['environment', '2']);
  assert.deepEqual([passive[0], passive[1]], ['environment', '2']);
  assert.match(spinning[2], /^[0-9a-f]{64}$/);
  assert.equal(spinning[2], passive[2], 'the wait policy changed an update');
});
