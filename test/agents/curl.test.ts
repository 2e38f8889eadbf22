import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { CurlAgent, type CurlConfig, type CurlOptimizers } from '../../lib/agents/curl';
import { Adam } from '../../lib/agents/adam';
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
  q2: { variables(): tf.Variable[] };
  q1t: { variables(): tf.Variable[] };
  q2t: { variables(): tf.Variable[] };
  actor: { variables(): tf.Variable[] };
  W: tf.Variable;
  logAlpha: tf.Variable;
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
    agent.update({
      size: B,
      obs,
      nextObs: obs,
      action,
      reward,
      discount: new Float32Array(B),
      indices: new Int32Array(B),
      weights: new Float32Array(B).fill(1),
    });
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
    stats = agent.update({
      size: B,
      obs,
      nextObs: obs,
      action,
      reward,
      discount: new Float32Array(B),
      indices: new Int32Array(B),
      weights: new Float32Array(B).fill(1),
    });
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
  assert.ok(
    (await snapshot(I.q1.variables())).some((v, i) => !bitwiseEqual(v, q[i])),
    'critic learns',
  );
  assert.ok(
    (await snapshot(I.actor.variables())).some((v, i) => !bitwiseEqual(v, pi[i])),
    'actor learns',
  );
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
  assert.ok(
    (await snapshot(I.criticHead.variables())).some((v, i) => !bitwiseEqual(v, fc[i])),
    'fc trains',
  );
  assert.throws(() => agent.freezeEncoder({ scope: 'all' }), /already frozen/);
  agent.dispose();
});

test('curl flops: an update adds the plan; contrastive and actor work appear only when done', () => {
  const agent = new CurlAgent(small);
  const b = imageBatch(4, [20, 20, 3], 2);
  agent.update(b);
  const m = inside(agent).flopModel;
  assert.deepEqual(
    agent.flops.last.update,
    curlUpdateFlops(m, 4, { frozen: 'none', actorUpdate: true, contrastive: true }),
  );
  agent.update(b);
  assert.deepEqual(
    agent.flops.last.update,
    curlUpdateFlops(m, 4, { frozen: 'none', actorUpdate: false, contrastive: true }),
  );
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
  assert.throws(
    () => agent.update({ ...b, obs: new Float32Array(2 * 100), nextObs: new Float32Array(2 * 100) }),
    /only after freezeEncoder/,
  );
  assert.throws(() => agent.update({ ...b, action: new Int32Array(2) }), /Float32Array/);
  agent.dispose();
});

test('curl: a batch of the wrong size is refused naming the field, before a crop is drawn or a tensor made', () => {
  const a = new CurlAgent(small);
  const b = new CurlAgent(small);
  const good = imageBatch(8, [20, 20, 3], 2);
  a.update(good);
  b.update(good);
  const n0 = tf.memory().numTensors;
  const shortNext = { ...good, nextObs: good.nextObs.subarray(0, 7 * SIZE) };
  assert.throws(() => a.update(shortNext), /batch\.nextObs must hold 8 observations of \[20,20,3\], got 8400 values/);
  assert.throws(() => a.update({ ...good, reward: new Float32Array(7) }), /batch\.reward must hold 8 values, got 7/);
  assert.equal(tf.memory().numTensors, n0, 'no tensor left behind by a refused batch');
  // The refused batches drew no crops: the next update is the one an agent that never saw them makes.
  const next = imageBatch(8, [20, 20, 3], 2, 2);
  assert.deepEqual(a.update(next), b.update(next));
  a.freezeEncoder();
  const lat = latentBatch(a, good);
  const n1 = tf.memory().numTensors;
  assert.throws(
    () => a.update({ ...lat, obs: lat.obs.subarray(0, 7 * 2 * 50) }),
    /latent batch\.obs must be \[8, 2, 50\], got 700 values/,
  );
  assert.equal(tf.memory().numTensors, n1);
  for (const x of [a, b]) x.dispose();
});

// ---- Adam layouts (issue 18: follow the SEER authors' seer_dmc where it departs from MishaLaskin/curl) --------

/** One gradient computation (one loss) seen by the agent's Adams: its gradients, copied, by variable name. */
type LossGrads = Map<string, Float32Array>;

/** Runs `work` and returns, in order, every gradient map the agent's Adams were stepped with (one per loss). */
function recordLosses(work: () => void): LossGrads[] {
  const original = Adam.prototype.step;
  const seen = new Map<object, LossGrads>();
  Adam.prototype.step = function (this: Adam, grads: tf.NamedTensorMap, opts?: { clipNorm?: number }) {
    const loss = seen.get(grads) ?? new Map<string, Float32Array>();
    seen.set(grads, loss);
    for (const p of this.params()) if (grads[p.name]) loss.set(p.name, Float32Array.from(grads[p.name].dataSync()));
    return original.call(this, grads, opts);
  };
  try {
    work();
  } finally {
    Adam.prototype.step = original;
  }
  return [...seen.values()];
}

interface AdamSpec {
  lr: number;
  beta1: number;
}

/**
 * PyTorch's Adam written out in float64 (torch.optim.Adam: per-state step count t, bias corrections
 * 1 − β1^t and 1 − β2^t, eps 1e-8 added to √v̂), independent of lib/agents/adam.ts.
 */
class ReferenceAdamState {
  private m: Float64Array;
  private v: Float64Array;
  private t = 0;
  constructor(
    readonly spec: AdamSpec,
    size: number,
  ) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }
  delta(g: Float32Array): Float64Array {
    const { lr, beta1 } = this.spec;
    const beta2 = 0.999;
    this.t += 1;
    const bc1 = 1 - beta1 ** this.t;
    const bc2 = 1 - beta2 ** this.t;
    const out = new Float64Array(g.length);
    for (let i = 0; i < g.length; i++) {
      this.m[i] = beta1 * this.m[i] + (1 - beta1) * g[i];
      this.v[i] = beta2 * this.v[i] + (1 - beta2) * g[i] * g[i];
      out[i] = (-lr / bc1) * (this.m[i] / (Math.sqrt(this.v[i]) / Math.sqrt(bc2) + 1e-8));
    }
    return out;
  }
}

type Role = 'encoder' | 'q' | 'actorHead' | 'actorTrunk' | 'alpha' | 'W';
type LossKind = 'critic' | 'actor' | 'alpha' | 'cpc';
type Rates = Required<Pick<CurlConfig, 'criticLr' | 'actorLr' | 'encoderLr' | 'beta1' | 'alphaLr' | 'alphaBeta1'>>;

/**
 * Which Adam states (in step order) a variable's gradient from one loss goes through, written from the two codebases:
 * MishaLaskin/curl curl_sac.py:312-331 (optimizers), 386, 409, 420, 442-443 (steps);
 * lili-chen/SEER seer_dmc/curl_sac.py:329-358 (optimizers), 416-418, 473-475, 486, 544-545 (steps).
 */
function statesFor(layout: CurlOptimizers, loss: LossKind, role: Role, c: Rates): [string, AdamSpec][] {
  const critic: [string, AdamSpec] = ['critic', { lr: c.criticLr, beta1: c.beta1 }];
  const actor: [string, AdamSpec] = ['actor', { lr: c.actorLr, beta1: c.beta1 }];
  const encoder: [string, AdamSpec] = ['encoder', { lr: c.encoderLr, beta1: 0.9 }];
  const actorEncoder: [string, AdamSpec] = ['actor-encoder', { lr: c.encoderLr, beta1: 0.9 }];
  const cpc: [string, AdamSpec] = ['cpc', { lr: c.encoderLr, beta1: 0.9 }];
  if (loss === 'alpha') return [['alpha', { lr: c.alphaLr, beta1: c.alphaBeta1 }]];
  if (loss === 'cpc') return role === 'W' ? [cpc] : [encoder, cpc];
  if (loss === 'critic') return layout === 'seer' && role === 'encoder' ? [encoder] : [critic];
  return layout === 'seer' && role === 'actorHead' ? [actorEncoder] : [actor];
}

async function adamLayoutCase(layout: CurlOptimizers): Promise<void> {
  // Learning rates and β1 chosen apart so that each layout predicts different weights.
  const lrs = { criticLr: 1e-3, actorLr: 2e-3, encoderLr: 5e-4, beta1: 0.8, alphaLr: 1e-4, alphaBeta1: 0.5 };
  const agent = new CurlAgent({ ...small, ...lrs, optimizers: layout });
  const I = inside(agent);
  const roles = new Map<string, Role>();
  const vars: tf.Variable[] = [];
  const assign = (group: tf.Variable[], role: Role) => group.forEach((v) => (roles.set(v.name, role), vars.push(v)));
  assign([...I.trunk.variables(), ...I.criticHead.variables()], 'encoder');
  assign([...I.q1.variables(), ...I.q2.variables()], 'q');
  assign(I.actorHead.variables(), 'actorHead');
  assign(I.actor.variables(), 'actorTrunk');
  assign([I.logAlpha], 'alpha');
  assign([I.W], 'W');
  const before = await snapshot(vars);
  const batches = [1, 2, 3].map((s) => imageBatch(8, [20, 20, 3], 2, s));
  const losses = recordLosses(() => batches.forEach((b) => agent.update(b)));
  const after = await snapshot(vars);

  const kindOf = (l: LossGrads): LossKind => {
    const has = (role: Role) => [...l.keys()].some((n) => roles.get(n) === role);
    return has('W') ? 'cpc' : has('alpha') ? 'alpha' : has('actorTrunk') ? 'actor' : 'critic';
  };
  // 3 updates: critic + actor + alpha + cpc, critic + cpc, critic + actor + alpha + cpc.
  const order = ['critic', 'actor', 'alpha', 'cpc', 'critic', 'cpc', 'critic', 'actor', 'alpha', 'cpc'];
  assert.deepEqual(losses.map(kindOf), order);

  const predict = (assumed: CurlOptimizers): Float64Array[] => {
    const states = new Map<string, ReferenceAdamState>();
    const weights = before.map((w) => Float64Array.from(w));
    for (const l of losses) {
      const kind = kindOf(l);
      vars.forEach((v, i) => {
        const g = l.get(v.name);
        if (!g) return;
        for (const [state, spec] of statesFor(assumed, kind, roles.get(v.name)!, lrs)) {
          const key = `${state}/${v.name}`;
          if (!states.has(key)) states.set(key, new ReferenceAdamState(spec, g.length));
          const d = states.get(key)!.delta(g);
          for (let j = 0; j < d.length; j++) weights[i][j] += d[j];
        }
      });
    }
    return weights;
  };
  const maxDiff = (want: Float64Array[]) =>
    Math.max(...want.map((w, i) => Math.max(...w.map((x, j) => Math.abs(x - after[i][j])))));
  const other: CurlOptimizers = layout === 'seer' ? 'curl' : 'seer';
  const own = maxDiff(predict(layout));
  const wrong = maxDiff(predict(other));
  assert.ok(own < 1e-5, `${layout} layout: weights off the hand-written Adam by ${own}`);
  // The check can tell the layouts apart: the other layout's prediction is far off.
  assert.ok(wrong > 1e-4, `${other} predicts the ${layout} weights too (off by only ${wrong})`);
  agent.dispose();
}

test("curl optimizers 'curl': critic Adam over encoder + Q, actor Adam over fc/LN + trunk", async () => {
  await adamLayoutCase('curl');
});

test("curl optimizers 'seer': Q-only critic Adam; encoder critic + contrastive steps share an Adam", async () => {
  await adamLayoutCase('seer');
});

test("curl targetCopyAtFreeze: 'critic' copies Q1/Q2 into the targets at the freeze, 'encoder' not", async () => {
  for (const copy of ['encoder', 'critic'] as const) {
    const agent = new CurlAgent({ ...small, targetCopyAtFreeze: copy });
    const I = inside(agent);
    const online = [...I.q1.variables(), ...I.q2.variables()];
    const targets = [...I.q1t.variables(), ...I.q2t.variables()];
    const imgs = imageBatch(8, [20, 20, 3], 2);
    for (let i = 0; i < 4; i++) agent.update(imgs);
    const qBefore = await snapshot(online);
    const tBefore = await snapshot(targets);
    assert.ok(
      qBefore.some((q, i) => !bitwiseEqual(q, tBefore[i])),
      'the target Qs lag behind before the freeze',
    );
    agent.freezeEncoder();
    const tAtFreeze = await snapshot(targets);
    const want = copy === 'critic' ? qBefore : tBefore;
    tAtFreeze.forEach((t, i) => assert.ok(bitwiseEqual(t, want[i]), `${copy}: ${targets[i].name} at the freeze`));
    const enc = await snapshot([...I.trunk.variables(), ...I.criticHead.variables()]);
    const encT = await snapshot([...I.targetTrunk.variables(), ...I.targetHead.variables()]);
    enc.forEach((e, i) => assert.ok(bitwiseEqual(e, encT[i]), `${copy}: target encoder copied`));
    // Update 4 is a target update: q_t ← τ·q + (1 − τ)·q_t from the values at the freeze (criticTau 0.01).
    agent.update(latentBatch(agent, imgs));
    const qAfter = await snapshot(online);
    const tAfter = await snapshot(targets);
    tAfter.forEach((t, i) =>
      t.forEach((x, j) => {
        const expect = 0.01 * qAfter[i][j] + 0.99 * want[i][j];
        const ok = Math.abs(x - expect) <= 1e-6 * Math.max(1, Math.abs(expect));
        assert.ok(ok, `${copy}: ${targets[i].name}[${j}] ${x} vs ${expect}`);
      }),
    );
    agent.dispose();
  }
});

test("curl targetCopyAtFreeze 'critic' with scope 'convs': the critic's fc/LN and Q heads are copied too", async () => {
  const agent = new CurlAgent({ ...small, targetCopyAtFreeze: 'critic' });
  const I = inside(agent);
  const imgs = imageBatch(8, [20, 20, 3], 2);
  for (let i = 0; i < 4; i++) agent.update(imgs);
  agent.freezeEncoder({ scope: 'convs' });
  const online = await snapshot([
    ...I.trunk.variables(),
    ...I.criticHead.variables(),
    ...I.q1.variables(),
    ...I.q2.variables(),
  ]);
  const target = await snapshot([
    ...I.targetTrunk.variables(),
    ...I.targetHead.variables(),
    ...I.q1t.variables(),
    ...I.q2t.variables(),
  ]);
  online.forEach((o, i) => assert.ok(bitwiseEqual(o, target[i]), `target variable ${i} equals the online one`));
  agent.dispose();
});

test("curl optimizers 'seer': save/load keeps the next update; the other layout's checkpoint is refused", async () => {
  const cfg: CurlConfig = { ...small, optimizers: 'seer', targetCopyAtFreeze: 'critic' };
  const a = new CurlAgent(cfg);
  const b0 = imageBatch(8, [20, 20, 3], 2);
  for (let i = 0; i < 3; i++) a.update(b0);
  const state = await a.save();
  const b = new CurlAgent({ ...cfg, seed: 77 });
  b.load(state);
  assert.deepEqual(a.update(b0), b.update(b0));
  const c = new CurlAgent(small);
  assert.throws(() => c.load(state), /checkpoint with optimizers 'seer' into an agent with optimizers 'curl'/);
  const d = new CurlAgent(cfg);
  const curlState = await c.save();
  assert.throws(() => d.load(curlState), /checkpoint with optimizers 'curl' into an agent with optimizers 'seer'/);
  const badLayout = { ...small, optimizers: 'torch' as never };
  assert.throws(() => new CurlAgent(badLayout), /optimizers must be 'curl' \| 'seer', got "torch"/);
  const badCopy = { ...small, targetCopyAtFreeze: 'all' as never };
  assert.throws(() => new CurlAgent(badCopy), /targetCopyAtFreeze must be 'encoder' \| 'critic', got "all"/);
  for (const x of [a, b, c, d]) x.dispose();
});
