import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { RainbowAgent } from '../../lib/agents/rainbow';
import { rainbowUpdateFlops } from '../../lib/flops/plans';
import type { Batch } from '../../lib/replay/types';
import { bitwiseEqual, setup, snapshot } from './helpers';

before(setup);

// 25×25×2 frames: the data-efficient trunk gives 5×5 → 1×1×64 features; small and fast.
const SHAPE = [25, 25, 2];
const SIZE = 25 * 25 * 2;

/** State s ∈ {0, 1} as an image: channel s lit. */
function frame(s: number): Uint8Array {
  const o = new Uint8Array(SIZE);
  for (let i = s; i < SIZE; i += 2) o[i] = 255;
  return o;
}

/**
 * A two-state contextual bandit: reward 1 when the action equals the state, else 0; one-step episodes
 * (discount 0). Actions are drawn uniformly, so only learning the state-action values picks the right one.
 */
function banditBatch(B: number, t: number): Batch {
  const obs = new Uint8Array(B * SIZE);
  const action = new Int32Array(B);
  const reward = new Float32Array(B);
  for (let i = 0; i < B; i++) {
    const s = (i + t) % 2;
    obs.set(frame(s), i * SIZE);
    action[i] = ((i * 7 + t * 3) >> 1) % 2;
    reward[i] = action[i] === s ? 1 : 0;
  }
  return {
    size: B,
    obs,
    nextObs: obs,
    action,
    reward,
    discount: new Float32Array(B),
    indices: new Int32Array(B),
    weights: new Float32Array(B).fill(1),
  };
}

const small = { obsShape: SHAPE, numActions: 2, hidden: 32, seed: 1 };

test('rainbow learns which action pays in each state of a 2-state bandit', () => {
  const agent = new RainbowAgent({ ...small, lr: 1e-3, targetUpdate: 20 });
  for (let t = 0; t < 150; t++) agent.update(banditBatch(32, t));
  const q0 = agent.qValues(frame(0), 1);
  const q1 = agent.qValues(frame(1), 1);
  assert.ok(q0[0] > q0[1] + 0.5, `state 0: Q = ${q0}`);
  assert.ok(q1[1] > q1[0] + 0.5, `state 1: Q = ${q1}`);
  assert.equal(agent.act(frame(0), 'eval'), 0);
  assert.equal(agent.act(frame(1), 'eval'), 1);
  agent.dispose();
});

test('rainbow: loss finite and decreasing on a fixed batch; tensors do not leak', () => {
  const agent = new RainbowAgent({ ...small, lr: 3e-3 });
  const batch = banditBatch(16, 0);
  const first = agent.update(batch);
  const n0 = tf.memory().numTensors;
  let last = first;
  for (let i = 0; i < 40; i++) last = agent.update(batch);
  assert.equal(tf.memory().numTensors, n0, 'numTensors must stay flat over updates');
  assert.ok(Number.isFinite(first.loss) && Number.isFinite(last.loss));
  assert.ok(last.loss < 0.7 * first.loss, `loss ${first.loss} → ${last.loss}`);
  agent.dispose();
});

test('rainbow: priorities are the per-sample losses; IS weights scale the loss', () => {
  const a = new RainbowAgent(small);
  const b = new RainbowAgent(small);
  const batch = banditBatch(8, 1);
  const sa = a.update(batch);
  const pr = a.lastPriorities()!;
  assert.equal(pr.length, 8);
  assert.ok(pr.every((p) => p > 0));
  assert.ok(Math.abs(pr.reduce((x, y) => x + y, 0) / 8 - sa.loss) < 1e-5);
  const sb = b.update({ ...batch, weights: new Float32Array(8).fill(2) });
  assert.ok(Math.abs(sb.weightedLoss - 2 * sa.weightedLoss) < 1e-4, `${sb.weightedLoss} vs 2·${sa.weightedLoss}`);
  a.dispose();
  b.dispose();
});

test('rainbow freeze: convs bitwise unchanged over further updates, heads change, target convs tied; latents work', async () => {
  const agent = new RainbowAgent({ ...small, lr: 1e-3, targetUpdate: 5 });
  for (let t = 0; t < 5; t++) agent.update(banditBatch(8, t));
  agent.freezeEncoder();
  assert.equal(agent.frozen, true);
  assert.equal(agent.latentHeads, 1);
  assert.equal(agent.latentDim, 64);
  const internals = agent as unknown as {
    trunk: { variables(): tf.Variable[] };
    targetTrunk: { variables(): tf.Variable[] };
    head: { variables(): tf.Variable[] };
  };
  const convs = await snapshot(internals.trunk.variables());
  const heads = await snapshot(internals.head.variables());
  const tconv = await snapshot(internals.targetTrunk.variables());
  convs.forEach((c, i) => assert.ok(bitwiseEqual(c, tconv[i]), 'target convs = online convs at the freeze'));
  for (let t = 0; t < 200; t++) {
    const b = banditBatch(8, t);
    const lat = agent.encodeLatents(b.obs as Uint8Array, 8, false);
    assert.equal(lat.length, 8 * 64);
    const stats = agent.update({ ...b, obs: lat, nextObs: lat });
    assert.ok(Number.isFinite(stats.loss));
    const last = agent.flops.last.update;
    assert.equal(last.encoderBackward, 0);
    assert.equal(last.encoderForward, 0);
  }
  const after = await snapshot(internals.trunk.variables());
  convs.forEach((c, i) => assert.ok(bitwiseEqual(c, after[i]), `frozen conv variable ${i} changed`));
  const tafter = await snapshot(internals.targetTrunk.variables());
  convs.forEach((c, i) => assert.ok(bitwiseEqual(c, tafter[i]), 'target convs stay tied'));
  const headsAfter = await snapshot(internals.head.variables());
  assert.ok(
    headsAfter.some((h, i) => !bitwiseEqual(h, heads[i])),
    'heads keep learning',
  );
  // Latent and image paths agree: Q from stored latents = Q from the frozen encoder on images.
  const img = frame(1);
  const lat = agent.encodeLatents(img, 1, false);
  const qImg = agent.qValues(img, 1);
  const qLat = agent.qValues(lat, 1);
  for (let a = 0; a < 2; a++) assert.ok(Math.abs(qImg[a] - qLat[a]) < 1e-5);
  agent.dispose();
});

test('rainbow flops: the counter adds exactly the plan per update, act and encode', () => {
  const agent = new RainbowAgent(small);
  agent.update(banditBatch(8, 0));
  const internals = agent as unknown as { flopModel: Parameters<typeof rainbowUpdateFlops>[0] };
  assert.deepEqual(agent.flops.last.update, rainbowUpdateFlops(internals.flopModel, 8, false));
  agent.act(frame(0), 'explore');
  agent.encodeLatents(frame(0), 1, false);
  const snap = agent.flops.snapshot();
  assert.equal(snap.updates, 1);
  assert.equal(snap.acts, 1);
  assert.equal(snap.encoded, 1);
  assert.ok(snap.cumulative.acting > 0 && snap.cumulative.augmentation > 0);
  agent.dispose();
});

test('rainbow save/load: a fresh agent reproduces actions and the next update exactly', async () => {
  const a = new RainbowAgent({ ...small, lr: 1e-3 });
  for (let t = 0; t < 5; t++) a.update(banditBatch(8, t));
  const state = await a.save();
  const b = new RainbowAgent({ ...small, lr: 1e-3, seed: 99 }); // same config, other seed: weights and RNG come from the checkpoint
  b.load(state);
  for (let i = 0; i < 5; i++) assert.equal(a.act(frame(i % 2), 'explore'), b.act(frame(i % 2), 'explore'));
  const sa = a.update(banditBatch(8, 7));
  const sb = b.update(banditBatch(8, 7));
  assert.equal(sa.loss, sb.loss);
  assert.deepEqual(a.qValues(frame(0), 1), b.qValues(frame(0), 1));
  assert.deepEqual(a.flops.snapshot(), b.flops.snapshot());
  a.dispose();
  b.dispose();
});

test('rainbow rejects bad configuration and batches with a clear message', () => {
  assert.throws(() => new RainbowAgent({ ...small, numActions: 1 }), /numActions must be an integer >= 2/);
  assert.throws(() => new RainbowAgent({ ...small, vMin: 1, vMax: 0 }), /vMax must be greater than vMin/);
  assert.throws(() => new RainbowAgent({ ...small, encoder: 'mlp' as never }), /encoder must be/);
  const agent = new RainbowAgent(small);
  const b = banditBatch(4, 0);
  assert.throws(() => agent.update({ ...b, action: new Float32Array(4) }), /Int32Array/);
  assert.throws(() => agent.act(new Uint8Array(3), 'eval'), /expected 1 observation/);
  agent.dispose();
});
