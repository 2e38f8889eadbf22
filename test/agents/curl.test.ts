import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { CurlAgent, type CurlConfig } from '../../lib/agents/curl';
import { curlUpdateFlops } from '../../lib/flops/plans';
import type { Batch } from '../../lib/replay/types';
import { bitwiseEqual, imageBatch, setup, snapshot } from './helpers';

before(setup);

// 20×20×3 stored, 17×17 crops: the SAC-AE trunk gives 2×2×32 = 128 features. Hidden 32 keeps it fast.
const small: CurlConfig = { obsShape: [20, 20, 3], actionDim: 2, hidden: 32, seed: 3 };
const SIZE = 20 * 20 * 3;

type Internals = {
  trunk: { variables(): tf.Variable[] };
  targetTrunk: { variables(): tf.Variable[] };
  criticHead: { variables(): tf.Variable[] };
  actorHead: { variables(): tf.Variable[] };
  targetHead: { variables(): tf.Variable[] };
  q1: { variables(): tf.Variable[] };
  actor: { variables(): tf.Variable[] };
  W: tf.Variable;
  flopModel: Parameters<typeof curlUpdateFlops>[0];
};
const inside = (a: CurlAgent) => a as unknown as Internals;

function latentBatch(agent: CurlAgent, b: Batch): Batch {
  return {
    ...b,
    obs: agent.encodeLatents(b.obs as Uint8Array, b.size, true),
    nextObs: agent.encodeLatents(b.nextObs as Uint8Array, b.size, true),
  };
}

test('curl: critic and contrastive losses finite and decreasing on a fixed batch; no tensor leak', () => {
  const agent = new CurlAgent(small);
  const batch = imageBatch(8, [20, 20, 3], 2);
  const first = agent.update(batch);
  const n0 = tf.memory().numTensors;
  let last = first;
  const crit: number[] = [];
  const cpc: number[] = [];
  for (let i = 0; i < 40; i++) {
    last = agent.update(batch);
    crit.push(last.criticLoss);
    cpc.push(last.cpcLoss);
  }
  assert.equal(tf.memory().numTensors, n0, 'numTensors must stay flat over updates');
  for (const k of ['criticLoss', 'cpcLoss', 'actorLoss', 'alphaLoss', 'alpha']) assert.ok(Number.isFinite(first[k]), k);
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
  assert.ok(mean(crit.slice(-10)) < 0.7 * first.criticLoss, `critic ${first.criticLoss} → ${mean(crit.slice(-10))}`);
  assert.ok(mean(cpc.slice(-10)) < 0.7 * first.cpcLoss, `cpc ${first.cpcLoss} → ${mean(cpc.slice(-10))}`);
  // Actor and temperature steps every 2nd update (actor_update_freq 2).
  assert.ok('actorLoss' in first && !('actorLoss' in agent.update(batch)));
  agent.dispose();
});

test('curl learns a state-dependent continuous action (contextual bandit from pixels)', () => {
  // Two states (red or green image); reward −(a − t_s)² with t = −0.5 / +0.5; actions drawn uniformly,
  // one-step episodes. The policy can only get the sign right for both states by reading the pixels.
  const agent = new CurlAgent({ ...small, actionDim: 1, hidden: 64, seed: 2 });
  const frame = (s: number) => {
    const o = new Uint8Array(SIZE);
    for (let i = s; i < SIZE; i += 3) o[i] = 255;
    return o;
  };
  const B = 16;
  let u = 7;
  const uniform = () => ((u = (u * 1103515245 + 12345) % 2147483648), u / 2147483648);
  for (let t = 0; t < 120; t++) {
    const obs = new Uint8Array(B * SIZE);
    const action = new Float32Array(B);
    const reward = new Float32Array(B);
    for (let i = 0; i < B; i++) {
      const s = i % 2;
      obs.set(frame(s), i * SIZE);
      action[i] = 2 * uniform() - 1;
      reward[i] = -((action[i] - (s ? 0.5 : -0.5)) ** 2);
    }
    agent.update({ size: B, obs, nextObs: obs, action, reward, discount: new Float32Array(B), indices: new Int32Array(B), weights: new Float32Array(B).fill(1) });
  }
  const a0 = agent.act(frame(0), 'eval')[0];
  const a1 = agent.act(frame(1), 'eval')[0];
  assert.ok(a0 < -0.2 && a1 > 0.2, `actions ${a0} (want < 0) and ${a1} (want > 0)`);
  agent.dispose();
});

test("SAC from state (encoder 'flatten'): learns a state-dependent action; no contrastive loss, no SEER", () => {
  const agent = new CurlAgent({ obsShape: [3], actionDim: 1, encoder: 'flatten', hidden: 64, seed: 4 });
  const B = 16;
  let u = 3;
  const uniform = () => ((u = (u * 1103515245 + 12345) % 2147483648), u / 2147483648);
  let stats: Record<string, number> = {};
  for (let t = 0; t < 150; t++) {
    const obs = new Float32Array(B * 3);
    const action = new Float32Array(B);
    const reward = new Float32Array(B);
    for (let i = 0; i < B; i++) {
      const s = i % 2 ? 1 : -1;
      obs.set([s, 0.3, -0.2], i * 3);
      action[i] = 2 * uniform() - 1;
      reward[i] = -((action[i] - 0.5 * s) ** 2);
    }
    stats = agent.update({ size: B, obs, nextObs: obs, action, reward, discount: new Float32Array(B), indices: new Int32Array(B), weights: new Float32Array(B).fill(1) });
  }
  assert.ok(!('cpcLoss' in stats));
  const a0 = agent.act(new Float32Array([-1, 0.3, -0.2]), 'eval')[0];
  const a1 = agent.act(new Float32Array([1, 0.3, -0.2]), 'eval')[0];
  assert.ok(a0 < -0.2 && a1 > 0.2, `actions ${a0} and ${a1}`);
  assert.throws(() => agent.freezeEncoder(), /pixel encoder/);
  agent.dispose();
});

test('curl acting: centre crop, actions in [-1, 1]; eval is deterministic, explore samples', () => {
  const agent = new CurlAgent(small);
  const obs = imageBatch(1, [20, 20, 3], 2).obs as Uint8Array;
  const e1 = agent.act(obs, 'eval');
  const e2 = agent.act(obs, 'eval');
  assert.deepEqual(e1, e2);
  const x = agent.act(obs, 'explore');
  assert.equal(x.length, 2);
  assert.ok(x.every((v) => v >= -1 && v <= 1));
  assert.notDeepEqual(x, e1);
  assert.throws(() => agent.act(new Float32Array(SIZE), 'eval'), /uint8/);
  agent.dispose();
});

test('curl freeze (scope all): convs + fc + LN bitwise unchanged over 1,000 latent updates, heads learn, no contrastive', async () => {
  const agent = new CurlAgent(small);
  const imgs = imageBatch(8, [20, 20, 3], 2);
  for (let i = 0; i < 4; i++) agent.update(imgs);
  agent.freezeEncoder();
  assert.equal(agent.frozen, true);
  assert.equal(agent.latentHeads, 2);
  assert.equal(agent.latentDim, 50);
  const I = inside(agent);
  const frozenVars = [...I.trunk.variables(), ...I.criticHead.variables(), ...I.actorHead.variables()];
  const frozen = await snapshot(frozenVars);
  const target = await snapshot([...I.targetTrunk.variables(), ...I.targetHead.variables()]);
  const online = await snapshot([...I.trunk.variables(), ...I.criticHead.variables()]);
  online.forEach((o, i) => assert.ok(bitwiseEqual(o, target[i]), 'target encoder hard-copied at the freeze'));
  const W = await snapshot([I.W]);
  const q = await snapshot(I.q1.variables());
  const pi = await snapshot(I.actor.variables());
  const lat = latentBatch(agent, imgs);
  assert.equal(lat.obs.length, 8 * 2 * 50);
  for (let i = 0; i < 1000; i++) {
    const s = agent.update(lat);
    if (i < 3) assert.ok(!('cpcLoss' in s), 'no contrastive loss after the freeze');
  }
  const last = agent.flops.last.update;
  assert.equal(last.encoderForward + last.encoderBackward, 0, 'no encoder work in latent updates');
  const after = await snapshot(frozenVars);
  frozen.forEach((f, i) => assert.ok(bitwiseEqual(f, after[i]), `frozen variable ${frozenVars[i].name} changed`));
  const tAfter = await snapshot([...I.targetTrunk.variables(), ...I.targetHead.variables()]);
  target.forEach((t, i) => assert.ok(bitwiseEqual(t, tAfter[i]), 'target encoder no longer averaged'));
  assert.ok(bitwiseEqual(W[0], (await snapshot([I.W]))[0]), 'W is not trained after the freeze');
  assert.ok((await snapshot(I.q1.variables())).some((v, i) => !bitwiseEqual(v, q[i])), 'critic learns');
  assert.ok((await snapshot(I.actor.variables())).some((v, i) => !bitwiseEqual(v, pi[i])), 'actor learns');
  agent.dispose();
});

test('curl encodeLatents: [n, 2, 50] fc outputs; centre crop deterministic, random crops differ', () => {
  const agent = new CurlAgent(small);
  agent.freezeEncoder();
  const obs = imageBatch(3, [20, 20, 3], 2).obs as Uint8Array;
  const c1 = agent.encodeLatents(obs, 3, false);
  const c2 = agent.encodeLatents(obs, 3, false);
  assert.deepEqual(c1, c2);
  assert.equal(c1.length, 3 * 2 * 50);
  const r = agent.encodeLatents(obs, 3, true);
  assert.notDeepEqual(r, c1);
  // Critic and actor heads have their own fc: the two latents of one observation differ.
  assert.notDeepEqual(c1.subarray(0, 50), c1.subarray(50, 100));
  assert.equal(agent.flops.snapshot().encoded, 9);
  agent.dispose();
});

test("curl freeze scope 'convs': convs frozen, fc keeps training, latents are conv features", async () => {
  const agent = new CurlAgent(small);
  const imgs = imageBatch(8, [20, 20, 3], 2);
  agent.update(imgs);
  agent.freezeEncoder({ scope: 'convs' });
  assert.equal(agent.latentHeads, 1);
  assert.equal(agent.latentDim, 128);
  const I = inside(agent);
  const convs = await snapshot(I.trunk.variables());
  const fc = await snapshot(I.criticHead.variables());
  const lat = latentBatch(agent, imgs);
  for (let i = 0; i < 20; i++) agent.update(lat);
  (await snapshot(I.trunk.variables())).forEach((v, i) => assert.ok(bitwiseEqual(v, convs[i])));
  assert.ok((await snapshot(I.criticHead.variables())).some((v, i) => !bitwiseEqual(v, fc[i])), 'fc trains');
  assert.throws(() => agent.freezeEncoder({ scope: 'all' }), /already frozen/);
  agent.dispose();
});

test('curl flops: an update adds the plan; contrastive and actor work appear only when done', () => {
  const agent = new CurlAgent(small);
  const b = imageBatch(4, [20, 20, 3], 2);
  agent.update(b);
  const m = inside(agent).flopModel;
  assert.deepEqual(agent.flops.last.update, curlUpdateFlops(m, 4, { frozen: 'none', actorUpdate: true, contrastive: true }));
  agent.update(b);
  assert.deepEqual(agent.flops.last.update, curlUpdateFlops(m, 4, { frozen: 'none', actorUpdate: false, contrastive: true }));
  agent.dispose();
});

test('curl save/load: same actions and the same next update (weights, Adam moments, counters, RNG)', async () => {
  const a = new CurlAgent(small);
  const b0 = imageBatch(8, [20, 20, 3], 2);
  for (let i = 0; i < 3; i++) a.update(b0);
  const state = await a.save();
  const b = new CurlAgent({ ...small, seed: 77 });
  b.load(state);
  const obs = b0.obs.subarray(0, SIZE) as Uint8Array;
  assert.deepEqual(a.act(obs, 'explore'), b.act(obs, 'explore'));
  const sa = a.update(b0);
  const sb = b.update(b0);
  assert.deepEqual(sa, sb);
  assert.deepEqual(a.act(obs, 'eval'), b.act(obs, 'eval'));
  // A frozen checkpoint freezes the loading agent.
  a.freezeEncoder();
  const c = new CurlAgent(small);
  c.load(await a.save());
  assert.equal(c.frozen, true);
  for (const x of [a, b, c]) x.dispose();
});

test('curl rejects bad configuration and batches by name', () => {
  assert.throws(() => new CurlAgent({ ...small, actionDim: 0 }), /actionDim must be a positive integer/);
  assert.throws(() => new CurlAgent({ ...small, cropSize: 30 }), /cropSize must be an integer in \[1, 20\]/);
  assert.throws(() => new CurlAgent({ ...small, criticTau: 2 }), /criticTau must be in \(0, 1\]/);
  assert.throws(() => new CurlAgent({ ...small, obsShape: [20, 20] as never }), /obsShape/);
  const agent = new CurlAgent(small);
  const b = imageBatch(2, [20, 20, 3], 2);
  assert.throws(() => agent.update({ ...b, obs: new Float32Array(2 * 100), nextObs: new Float32Array(2 * 100) }), /only after freezeEncoder/);
  assert.throws(() => agent.update({ ...b, action: new Int32Array(2) }), /Float32Array/);
  agent.dispose();
});
