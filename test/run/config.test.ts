import { test } from 'node:test';
import assert from 'node:assert/strict';
import { relativeFreeze, resolveConfig } from '../../lib/run/config';

test('defaults follow the environment: Rainbow for games, CURL for control, per scale', () => {
  const g = resolveConfig({ env: 'minatar/breakout', scale: 'paper' });
  assert.equal(g.agent, 'rainbow');
  assert.equal(g.encoder, 'rainbow');
  assert.equal(g.steps, 500_000);
  assert.equal(g.freezeAt, 50_004);
  assert.equal(g.memoryBudget, '0.07GB');
  const c = resolveConfig({ env: 'cartpole-swingup', scale: 'paper' });
  assert.equal(c.agent, 'curl');
  assert.equal(c.batchSize, 128);
  assert.equal(c.copies, 4);
  assert.equal(c.memoryBudget, '0.03GB');
  assert.equal(resolveConfig({ env: 'walker-walk' }).memoryBudget, '0.06GB');
});

test('bad configuration names the field and the accepted values', () => {
  assert.throws(() => resolveConfig({ env: 'pong' }), /config\.env: got "pong"; accepted values: .*minatar\/breakout/);
  assert.throws(
    () => resolveConfig({ env: 'minatar/breakout', variant: 'x' as never }),
    /config\.variant: .*baseline, seer, constrained-images/,
  );
  assert.throws(
    () => resolveConfig({ env: 'minatar/breakout', agent: 'curl' }),
    /config\.agent: 'curl' needs a continuous control task/,
  );
  assert.throws(
    () => resolveConfig({ env: 'minatar/breakout', batchSize: 0 }),
    /config\.batchSize: got 0; expected an integer in \[1, 4096\]/,
  );
  assert.throws(
    () => resolveConfig({ env: 'minatar/breakout', latentDtype: 'bf16' as never }),
    /latentDtype: .*float32, float16, int8/,
  );
  assert.throws(
    () => resolveConfig({ env: 'minatar/breakout', bogus: 1 } as never),
    /config\.bogus: unknown field; accepted fields: agent, env/,
  );
  assert.throws(
    () => resolveConfig({ env: 'minatar/breakout', freezeRule: 'sometimes' as never }),
    /freezeRule: .*fixed, adaptive/,
  );
});

test('T_f below zero or beyond the run, and K below 1, are errors that say so', () => {
  assert.throws(
    () => resolveConfig({ env: 'minatar/breakout', freezeAt: -1 }),
    /T_f = -1 must be an integer in \[0, 44\] \(the run does 44 updates\)/,
  );
  assert.throws(
    () => resolveConfig({ env: 'minatar/breakout', freezeAt: 45 }),
    /T_f = 45 must be an integer in \[0, 44\]/,
  );
  assert.equal(resolveConfig({ env: 'minatar/breakout', freezeAt: 44 }).freezeAt, 44);
  assert.throws(
    () => resolveConfig({ env: 'cartpole-swingup', copies: 0 }),
    /config\.copies: got 0; expected an integer in \[1, 64\]/,
  );
});

test("the adaptive rule's τ defaults per agent (Figure 8b data: lib/seer/adaptive.ts) and can be overridden", () => {
  assert.equal(resolveConfig({ env: 'minatar/breakout', scale: 'laptop' }).adaptiveTau, 0.9);
  assert.equal(resolveConfig({ env: 'cartpole-swingup', scale: 'laptop' }).adaptiveTau, 0.85);
  assert.equal(resolveConfig({ env: 'cartpole-swingup', adaptiveTau: 0.97 }).adaptiveTau, 0.97);
  assert.throws(() => resolveConfig({ env: 'cartpole-swingup', adaptiveTau: 1.5 }), /adaptiveTau/);
});

test("benchmark scale: Rainbow 100K agent steps without PER, CURL 100K env steps, T_f at the paper scripts' fraction", () => {
  const r = resolveConfig({ env: 'minatar/breakout', scale: 'benchmark' });
  assert.equal(r.steps, 100_000);
  assert.equal(r.freezeAt, relativeFreeze('rainbow', r.steps, r.initSteps));
  assert.deepEqual(r.agentOptions, { prioritizedReplay: false });
  const c = resolveConfig({ env: 'cartpole-swingup', scale: 'benchmark' });
  assert.equal(c.steps * 8, 100_000); // cartpole's action repeat 8
  assert.equal(c.evalEvery * 8, 10_000);
  assert.equal(c.batchSize, 128);
  // 9,000 of 79,000 updates in SEER's cartpole script; 11,500 updates here
  assert.equal(c.freezeAt, Math.round((11_500 * 9_000) / 79_000));
  const w = resolveConfig({ env: 'walker-walk', scale: 'benchmark' });
  assert.equal(w.steps, 50_000); // action repeat 2
  const w4 = resolveConfig({ env: 'walker-walk', scale: 'benchmark', actionRepeat: 4 });
  assert.equal(w4.steps, 25_000);
});

test('memoryBudget is checked for every variant, also those that never read it (issue 16 §5)', () => {
  for (const variant of ['baseline', 'seer', 'constrained-images', 'constrained-seer', 'capacity-control'] as const) {
    assert.throws(
      () => resolveConfig({ env: 'minatar/breakout', variant, memoryBudget: 'banana' }),
      /config\.memoryBudget: Memory budget 'banana' is not understood/,
    );
  }
  assert.throws(() => resolveConfig({ env: 'minatar/breakout', memoryBudget: '-1GB' }), /config\.memoryBudget/);
  // a number of bytes, as `--set memoryBudget=30000000` gives, is kept as its string
  assert.equal(resolveConfig({ env: 'minatar/breakout', memoryBudget: 30_000_000 as never }).memoryBudget, '30000000');
});

test("agentOptions are checked against the agent's own options when the config is resolved", () => {
  const curl = (agentOptions: Record<string, unknown>) => (): unknown =>
    resolveConfig({ env: 'cartpole-swingup', agentOptions });
  assert.throws(
    () => resolveConfig({ env: 'minatar/breakout', agentOptions: { fooBar: 1 } }),
    /config\.agentOptions\.fooBar: not an option of rainbow; accepted options: hidden, atoms, vMin, vMax, sigma0, lr, /,
  );
  assert.throws(
    curl({ targetUpdate: 5 }),
    /agentOptions\.targetUpdate: not an option of curl; accepted options: featureDim, hidden, actorLr/,
  );
  assert.throws(curl({ cropSize: 'big' }), /agentOptions\.cropSize: got "big"; expected a finite number/);
  assert.throws(curl({ cpcEncoderDoubleStep: 1 }), /expected a boolean like true/);
  // what the runner sets from the experiment's own fields cannot be overridden behind its back
  assert.throws(curl({ encoder: 'impala' }), /agentOptions\.encoder: is set by the runner: use --encoder/);
  assert.throws(() => resolveConfig({ env: 'minatar/breakout', agentOptions: { seed: 3 } }), /use --seed/);
  const ok = resolveConfig({ env: 'cartpole-swingup', scale: 'laptop', agentOptions: { cropSize: 42, actorLr: 5e-4 } });
  assert.deepEqual(ok.agentOptions, { cropSize: 42, actorLr: 5e-4 });
});

test('agent option ranges are checked when the config resolves, before a run writes anything', () => {
  assert.throws(
    () => resolveConfig({ env: 'cartpole-swingup', scale: 'smoke', agentOptions: { hidden: -5 } }),
    /config\.agentOptions: curl config: hidden must be .*got -5/,
  );
  assert.throws(
    () => resolveConfig({ env: 'cartpole-swingup', scale: 'smoke', agentOptions: { cropSize: 120 } }),
    /cropSize must be an integer in \[1, 100\], got 120/,
  );
  assert.throws(
    () => resolveConfig({ env: 'minatar/breakout', scale: 'smoke', agentOptions: { targetUpdate: 0 } }),
    /rainbow config: targetUpdate must be a positive integer, got 0/,
  );
  // every scale's own options pass
  for (const scale of ['smoke', 'laptop', 'benchmark', 'paper'] as const) {
    resolveConfig({ env: 'cartpole-swingup', scale });
    resolveConfig({ env: 'minatar/breakout', scale });
    resolveConfig({ env: 'cartpole-swingup', scale, encoder: 'impala', imageSize: 50, agentOptions: { cropSize: 42 } });
  }
});
