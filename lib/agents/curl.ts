/**
 * CURL (Laskin et al. 2020) as the official code runs it: SAC with a tanh-Gaussian actor, a double-Q
 * critic and a learned temperature, on a SAC-AE pixel encoder whose convs are shared by actor and critic
 * while each keeps its own fc + LayerNorm; a contrastive (bilinear InfoNCE) loss between two random crops
 * of the same observation, keys from the critic-target encoder (the momentum encoder).
 *
 * One update (`update(batch)`):
 * 1. critic step: y = r + γ′·(min Q_target(s′, a′) − α·log π(a′|s′)), a′ ~ π(s′) from the online actor,
 *    loss = MSE(Q1, y) + MSE(Q2, y); γ′ = Batch.discount, which is γ at time limits ("infinite bootstrap":
 *    the buffer sets discount = γ·(1 − terminated)) and 0 only at true terminations;
 * 2. every `actorUpdateFreq` updates: actor step on α·log π − min Q (conv output detached, critic fixed)
 *    and temperature step on −α·(log π + target entropy);
 * 3. every `targetUpdateFreq` updates: Q EMA with `criticTau`, encoder EMA with `encoderTau`;
 * 4. contrastive step (every `cpcUpdateFreq`) on the anchor (the critic's crop of s) and an independent
 *    positive crop. As in the official code, the encoder is stepped by two Adams on this loss (the encoder
 *    optimizer and the CURL optimizer, MishaLaskin/curl#20); `cpcEncoderDoubleStep: false` keeps one.
 * `optimizers` picks which Adam state each gradient goes through: 'curl' (MishaLaskin/curl@0999558
 * curl_sac.py:312-331) or 'seer' (lili-chen/SEER@b962f09 seer_dmc/curl_sac.py:329-358): critic Adam over Q1/Q2
 * only, one encoder Adam stepped by the critic loss and then by the contrastive loss (twice per update, so its step
 * count runs twice as fast), and the actor's fc/LN in an Adam of their own at the encoder learning rate.
 * Crops: random `cropSize` crops of the stored images for updates, centre crops for acting.
 *
 * SEER (`freezeEncoder`): scope 'all' (default, the official code) freezes convs + both fc + LayerNorms;
 * the stored latent is each head's fc output before LayerNorm, [critic, actor] = 2 heads × featureDim.
 * Scope 'convs' freezes the convs only; the latent is then the flattened conv output (1 head).
 * Frozen variables leave every optimizer, the target encoder is hard-copied once and no longer averaged,
 * and the contrastive step stops. `targetCopyAtFreeze: 'critic'` also hard-copies Q1/Q2 into the target Qs, as
 * seer_dmc/train.py:395 does (a soft update with τ = 1 of the whole critic); they are averaged again afterwards.
 */
import * as tf from '@tensorflow/tfjs';
import { composeEncoder, makeFcHead, type Encoder, type FcHead } from '../nets/encoders';
import type { FlopOptions } from '../nets/flops';
import { makeMlp, type Mlp } from '../nets/heads';
import { childSeed, makeInitRng } from '../nets/layers';
import { centerCrop, cropSizeFor, randomCrop, toFloat } from '../augment/crop';
import { FlopCounter } from '../flops/counter';
import { curlActFlops, curlEncodeFlops, curlUpdateFlops, type CurlFlopModel, type FreezeState } from '../flops/plans';
import type { Observation } from '../envs/types';
import type { Batch } from '../replay/types';
import { Adam } from './adam';
import {
  checkField,
  checkKind,
  hardCopy,
  instancePrefix,
  keyFn,
  loadAgentState,
  saveAgentState,
  softUpdate,
  type CheckpointParts,
} from './params';
import { Rng } from '../envs/rng';
import { makeTrunk, type Trunk, type TrunkKind } from './trunks';
import type { ActMode, Agent, AgentState, SeerHooks, UpdateStats } from './types';

export interface CurlConfig {
  /** Stored image shape [H, W, C·stack], e.g. [100, 100, 9]; or [n] for state vectors with encoder 'flatten'. */
  obsShape: number[];
  actionDim: number;
  /** Crop side for training and acting (default: 84 for 100, the same ratio otherwise; = H disables cropping). */
  cropSize?: number;
  /** 'flatten': state vectors (SAC from state): no crops, no contrastive loss, no SEER. */
  encoder?: 'sac-ae' | 'impala' | 'flatten';
  featureDim?: number;
  hidden?: number;
  /** Batch size the runner should sample (the agent accepts any). Default 128 (the SEER scripts). */
  batchSize?: number;
  actorLr?: number;
  criticLr?: number;
  encoderLr?: number;
  /** Adam β1 of actor and critic (β2 0.999). */
  beta1?: number;
  alphaLr?: number;
  alphaBeta1?: number;
  initTemperature?: number;
  criticTau?: number;
  encoderTau?: number;
  targetUpdateFreq?: number;
  actorUpdateFreq?: number;
  cpcUpdateFreq?: number;
  logStdMin?: number;
  logStdMax?: number;
  cpcEncoderDoubleStep?: boolean;
  /** Adam layout: 'curl' as MishaLaskin/curl (default), 'seer' as the SEER authors' seer_dmc (see the header). */
  optimizers?: CurlOptimizers;
  /** What the freeze hard-copies into the target: the encoder (default) or the whole critic, Q1/Q2 included (SEER). */
  targetCopyAtFreeze?: CurlTargetCopy;
  seed?: number;
  flops?: FlopOptions;
}

export const CURL_OPTIMIZERS = ['curl', 'seer'] as const;
export type CurlOptimizers = (typeof CURL_OPTIMIZERS)[number];
export const CURL_TARGET_COPIES = ['encoder', 'critic'] as const;
export type CurlTargetCopy = (typeof CURL_TARGET_COPIES)[number];

export const CURL_DEFAULTS = {
  encoder: 'sac-ae' as 'sac-ae' | 'impala' | 'flatten',
  featureDim: 50,
  hidden: 1024,
  batchSize: 128,
  actorLr: 1e-3,
  criticLr: 1e-3,
  encoderLr: 1e-3,
  beta1: 0.9,
  alphaLr: 1e-4,
  alphaBeta1: 0.5,
  initTemperature: 0.1,
  criticTau: 0.01,
  encoderTau: 0.05,
  targetUpdateFreq: 2,
  actorUpdateFreq: 2,
  cpcUpdateFreq: 1,
  logStdMin: -10,
  logStdMax: 2,
  cpcEncoderDoubleStep: true,
  optimizers: 'curl' as CurlOptimizers,
  targetCopyAtFreeze: 'encoder' as CurlTargetCopy,
  seed: 0,
};

type Resolved = Required<Omit<CurlConfig, 'flops'>> & { flops: FlopOptions };

/** Checks CURL's options (names, types, ranges) without building an agent: throws naming the field and its range. */
export function checkCurlOptions(cfg: CurlConfig): void {
  resolve(cfg);
}

function resolve(cfg: CurlConfig): Resolved {
  const s = cfg.obsShape;
  const state = cfg.encoder === 'flatten';
  const okShape =
    Array.isArray(s) && (state ? s.length >= 1 : s.length === 3) && s.every((d) => Number.isInteger(d) && d > 0);
  checkField('curl', 'obsShape', s, okShape, state ? 'positive integers' : '[H, W, C] positive integers');
  const side = state ? 1 : Math.min(s[0], s[1]);
  const r = { ...CURL_DEFAULTS, cropSize: state ? 1 : cropSizeFor(side), flops: {}, ...cfg } as Resolved;
  const f = (field: keyof Resolved, ok: boolean, range: string) => checkField('curl', field, r[field], ok, range);
  const posInt = (v: number) => Number.isInteger(v) && v > 0;
  const pos = (v: number) => Number.isFinite(v) && v > 0;
  const unit = (v: number) => v >= 0 && v < 1;
  f('actionDim', posInt(r.actionDim), 'a positive integer');
  if (!state) f('cropSize', posInt(r.cropSize) && r.cropSize <= side, `an integer in [1, ${side}]`);
  f('encoder', ['sac-ae', 'impala', 'flatten'].includes(r.encoder), "'sac-ae' | 'impala' | 'flatten'");
  for (const k of [
    'featureDim',
    'hidden',
    'batchSize',
    'targetUpdateFreq',
    'actorUpdateFreq',
    'cpcUpdateFreq',
  ] as const)
    f(k, posInt(r[k]), 'a positive integer');
  for (const k of ['actorLr', 'criticLr', 'encoderLr', 'alphaLr', 'initTemperature'] as const)
    f(k, pos(r[k]), 'a positive number');
  f('beta1', unit(r.beta1), 'in [0, 1)');
  f('alphaBeta1', unit(r.alphaBeta1), 'in [0, 1)');
  f('criticTau', r.criticTau > 0 && r.criticTau <= 1, 'in (0, 1]');
  f('encoderTau', r.encoderTau > 0 && r.encoderTau <= 1, 'in (0, 1]');
  f('logStdMax', r.logStdMax > r.logStdMin, `greater than logStdMin (${r.logStdMin})`);
  const oneOf = (list: readonly string[]) => list.map((v) => `'${v}'`).join(' | ');
  f('optimizers', (CURL_OPTIMIZERS as readonly unknown[]).includes(r.optimizers), oneOf(CURL_OPTIMIZERS));
  const copyOk = (CURL_TARGET_COPIES as readonly unknown[]).includes(r.targetCopyAtFreeze);
  f('targetCopyAtFreeze', copyOk, oneOf(CURL_TARGET_COPIES));
  return r;
}

/** Latent representation of one batch field, from images or from stored latents. */
interface Rep {
  /** Flattened conv output [B, convDim] (images, or scope-'convs' latents). */
  h?: tf.Tensor2D;
  /** fc outputs before LayerNorm [B, featureDim] (scope-'all' latents). */
  fcCritic?: tf.Tensor2D;
  fcActor?: tf.Tensor2D;
}

export class CurlAgent implements Agent, SeerHooks {
  readonly kind = 'curl' as const;
  readonly config: Resolved;
  readonly flops = new FlopCounter();
  private readonly prefix: string;
  private readonly keyOf: (v: tf.Variable) => string;
  private readonly rng: Rng;
  private readonly cropShape: number[];
  /** State-vector mode (encoder 'flatten'). */
  private readonly state: boolean;
  private readonly trunk: Trunk;
  private readonly criticHead: FcHead;
  private readonly actorHead: FcHead;
  private readonly q1: Mlp;
  private readonly q2: Mlp;
  private readonly actor: Mlp;
  private readonly targetTrunk: Trunk;
  private readonly targetHead: FcHead;
  private readonly q1t: Mlp;
  private readonly q2t: Mlp;
  private readonly logAlpha: tf.Variable;
  private readonly W: tf.Variable;
  private readonly criticOpt: Adam;
  private readonly actorOpt: Adam;
  /** The actor's fc + LayerNorm under optimizers 'seer' (SEER's encoder_optimizer_actor); empty under 'curl'. */
  private readonly actorEncoderOpt: Adam;
  private readonly alphaOpt: Adam;
  private readonly encoderOpt: Adam;
  private readonly cpcOpt: Adam;
  private readonly flopModel: CurlFlopModel;
  private freeze: FreezeState = 'none';
  private updates = 0;

  constructor(cfg: CurlConfig) {
    this.config = resolve(cfg);
    const c = this.config;
    this.prefix = instancePrefix('curl');
    const p = this.prefix;
    this.keyOf = keyFn(p);
    this.rng = new Rng(childSeed(c.seed, 'rng'));
    this.state = c.encoder === 'flatten';
    this.cropShape = this.state ? c.obsShape.slice() : [c.cropSize, c.cropSize, c.obsShape[2]];
    const trunkKind: TrunkKind = c.encoder;
    this.trunk = makeTrunk(trunkKind, this.cropShape, childSeed(c.seed, 'trunk'), `${p}/critic`);
    this.targetTrunk = makeTrunk(trunkKind, this.cropShape, childSeed(c.seed, 'trunk'), `${p}/target`);
    const head = (name: string, seedKey: string) =>
      makeFcHead({
        inputDim: this.trunk.outputDim,
        featureDim: c.featureDim,
        seed: childSeed(c.seed, seedKey),
        name: `${p}/${name}`,
      });
    this.criticHead = head('critic', 'critic-head');
    this.actorHead = head('actor', 'actor-head');
    this.targetHead = head('target', 'critic-head');
    const d = c.featureDim;
    const A = c.actionDim;
    const mlp = (name: string, sizes: number[], key: string) =>
      makeMlp({ name: `${p}/${name}`, sizes, seed: childSeed(c.seed, key) });
    this.q1 = mlp('critic/q1', [d + A, c.hidden, c.hidden, 1], 'q1');
    this.q2 = mlp('critic/q2', [d + A, c.hidden, c.hidden, 1], 'q2');
    this.q1t = mlp('target/q1', [d + A, c.hidden, c.hidden, 1], 'q1');
    this.q2t = mlp('target/q2', [d + A, c.hidden, c.hidden, 1], 'q2');
    this.actor = mlp('actor/trunk', [d, c.hidden, c.hidden, 2 * A], 'actor');
    hardCopy(this.criticVars(), this.targetVarsAll());
    this.logAlpha = tf.tidy(() => tf.variable(tf.scalar(Math.log(c.initTemperature)), true, `${p}/log_alpha`));
    // CURL: W = torch.rand(d, d), uniform in [0, 1).
    const wRng = makeInitRng(childSeed(c.seed, 'W'));
    const w0 = new Float32Array(d * d);
    for (let i = 0; i < w0.length; i++) w0[i] = wRng.uniform();
    this.W = tf.tidy(() => tf.variable(tf.tensor2d(w0, [d, d]), true, `${p}/cpc/W`));

    const beta = { beta1: c.beta1, beta2: 0.999 };
    const seer = c.optimizers === 'seer';
    const encVars = [...this.trunk.variables(), ...this.criticHead.variables()];
    const qVars = [...this.q1.variables(), ...this.q2.variables()];
    this.criticOpt = new Adam('critic', seer ? qVars : this.criticVars(), { lr: c.criticLr, ...beta }, this.keyOf);
    const actorVars = seer ? this.actor.variables() : [...this.actorHead.variables(), ...this.actor.variables()];
    this.actorOpt = new Adam('actor', actorVars, { lr: c.actorLr, ...beta }, this.keyOf);
    // SEER's encoder optimizers take the encoder learning rate and PyTorch's default betas (0.9, 0.999).
    const actorEncVars = seer ? this.actorHead.variables() : [];
    this.actorEncoderOpt = new Adam('actor-encoder', actorEncVars, { lr: c.encoderLr }, this.keyOf);
    const alphaBetas = { beta1: c.alphaBeta1, beta2: 0.999 };
    this.alphaOpt = new Adam('alpha', [this.logAlpha], { lr: c.alphaLr, ...alphaBetas }, this.keyOf);
    const encoderOptVars = seer || c.cpcEncoderDoubleStep ? encVars : [];
    this.encoderOpt = new Adam('encoder', encoderOptVars, { lr: c.encoderLr }, this.keyOf);
    this.cpcOpt = new Adam('cpc', [this.W, ...encVars], { lr: c.encoderLr }, this.keyOf);
    this.flopModel = {
      trunk: this.trunk.layers,
      fc: this.criticHead.layers,
      q: this.q1.flopLayers,
      actor: this.actor.flopLayers,
      featureDim: d,
    };
  }

  // ---- variable groups --------------------------------------------------------------------------

  private criticVars(): tf.Variable[] {
    return [...this.trunk.variables(), ...this.criticHead.variables(), ...this.q1.variables(), ...this.q2.variables()];
  }

  private targetVarsAll(): tf.Variable[] {
    return [
      ...this.targetTrunk.variables(),
      ...this.targetHead.variables(),
      ...this.q1t.variables(),
      ...this.q2t.variables(),
    ];
  }

  private allVars(): tf.Variable[] {
    return [
      ...this.criticVars(),
      ...this.actorHead.variables(),
      ...this.actor.variables(),
      ...this.targetVarsAll(),
      this.logAlpha,
      this.W,
    ];
  }

  /** Layers that SEER froze (empty before the freeze). */
  frozenVariables(): tf.Variable[] {
    if (this.freeze === 'none') return [];
    const convs = this.trunk.variables();
    return this.freeze === 'convs' ? convs : [...convs, ...this.criticHead.variables(), ...this.actorHead.variables()];
  }

  // ---- SeerHooks ----------------------------------------------------------------------------------

  get frozen(): boolean {
    return this.freeze !== 'none';
  }

  get freezeScope(): FreezeState {
    return this.freeze;
  }

  get latentHeads(): number {
    return this.freeze === 'convs' ? 1 : 2;
  }

  get latentDim(): number {
    return this.freeze === 'convs' ? this.trunk.outputDim : this.config.featureDim;
  }

  freezeEncoder(options: { scope?: 'all' | 'convs' } = {}): void {
    const scope = options.scope ?? 'all';
    if (scope !== 'all' && scope !== 'convs') throw new Error(`freeze scope must be 'all' or 'convs', got '${scope}'`);
    if (this.state)
      throw new Error("curl: SEER needs a pixel encoder; this agent uses encoder 'flatten' (state vectors)");
    if (this.freeze !== 'none') {
      if (this.freeze !== scope) throw new Error(`encoder already frozen with scope '${this.freeze}'`);
      return;
    }
    this.freeze = scope;
    const frozen = this.frozenVariables();
    for (const opt of this.optimizerList()) opt.remove(frozen);
    // The target encoder becomes the online one (soft update with τ = 1), then is no longer averaged.
    const wholeCritic = this.config.targetCopyAtFreeze === 'critic';
    hardCopy(this.trunk.variables(), this.targetTrunk.variables());
    if (scope === 'all' || wholeCritic) hardCopy(this.criticHead.variables(), this.targetHead.variables());
    if (wholeCritic) {
      hardCopy([...this.q1.variables(), ...this.q2.variables()], [...this.q1t.variables(), ...this.q2t.variables()]);
    }
  }

  /**
   * n stored observations → latents [n, latentHeads, latentDim]: one conv pass on a crop (random when
   * `augment`, else centred), then (scope 'all') each head's fc output before LayerNorm, [critic, actor].
   */
  encodeLatents(obs: Uint8Array, n: number, augment: boolean): Float32Array {
    const size = this.config.obsShape.reduce((a, b) => a * b, 1);
    if (!(Number.isInteger(n) && n >= 0) || obs.length < n * size)
      throw new Error(`encodeLatents: expected ${n}·${size} values, got ${obs.length}`);
    const scope = this.freeze === 'convs' ? 'convs' : 'all';
    const heads = scope === 'convs' ? 1 : 2;
    const dim = scope === 'convs' ? this.trunk.outputDim : this.config.featureDim;
    const out = new Float32Array(n * heads * dim);
    const chunk = 64;
    for (let s = 0; s < n; s += chunk) {
      const m = Math.min(chunk, n - s);
      const lat = tf.tidy(() => {
        const x = this.imageTensor(obs.subarray(s * size, (s + m) * size), m, augment ? 'random' : 'center');
        const f = this.trunk.apply(x);
        if (scope === 'convs') return f;
        const fc = (head: FcHead) => {
          let t: tf.Tensor | undefined;
          head.run(f, (name, v) => {
            if (name === 'fc') t = v;
          });
          return t as tf.Tensor2D;
        };
        return tf.stack([fc(this.criticHead), fc(this.actorHead)], 1);
      });
      out.set(lat.dataSync(), s * heads * dim);
      lat.dispose();
    }
    this.flops.add('encode', curlEncodeFlops(this.flopModel, n, scope, this.config.flops), n);
    return out;
  }

  // ---- acting -------------------------------------------------------------------------------------

  /** Observations → float32 tensor: crops of images, or state vectors as they are. */
  private imageTensor(obs: Uint8Array | Float32Array, n: number, crop: 'random' | 'center' | 'none'): tf.Tensor4D {
    const c = this.config;
    if (this.state) {
      const size = c.obsShape.reduce((a, b) => a * b, 1);
      if (obs.length !== n * size)
        throw new Error(`curl: expected ${n} state vector(s) of [${c.obsShape}], got ${obs.length} values`);
      const t: tf.Tensor = tf.tensor(obs instanceof Float32Array ? obs : toFloat(obs, n, c.obsShape), [
        n,
        ...c.obsShape,
      ]);
      return t as tf.Tensor4D;
    }
    if (!(obs instanceof Uint8Array)) throw new Error('curl: pixel observations must be uint8');
    const geom = { inShape: c.obsShape, out: c.cropSize };
    const data =
      crop === 'random'
        ? randomCrop(obs, n, geom, this.rng)
        : crop === 'center'
          ? centerCrop(obs, n, geom)
          : toFloat(obs, n, c.obsShape);
    const t: tf.Tensor = tf.tensor(data, [n, ...this.cropShape]);
    return t as tf.Tensor4D;
  }

  /** Policy head on features z: tanh-squashed mean, sample and log-probability (CURL's Actor.forward). */
  private policy(
    z: tf.Tensor2D,
    eps: tf.Tensor2D | undefined,
  ): { mu: tf.Tensor2D; pi: tf.Tensor2D; logPi: tf.Tensor1D } {
    const c = this.config;
    const A = c.actionDim;
    const out = this.actor.apply(z);
    const muRaw = tf.slice(out, [0, 0], [-1, A]);
    const ls = tf.tanh(tf.slice(out, [0, A], [-1, A]));
    const logStd = tf.add(c.logStdMin, tf.mul(0.5 * (c.logStdMax - c.logStdMin), tf.add(ls, 1)));
    const mu = tf.tanh(muRaw) as tf.Tensor2D;
    if (!eps) return { mu, pi: mu, logPi: tf.zeros([z.shape[0]]) };
    const piRaw = tf.add(muRaw, tf.mul(eps, tf.exp(logStd)));
    const gauss = tf.sub(tf.sum(tf.sub(tf.mul(-0.5, tf.square(eps)), logStd), 1), 0.5 * Math.log(2 * Math.PI) * A);
    const pi = tf.tanh(piRaw) as tf.Tensor2D;
    const squash = tf.sum(tf.log(tf.add(tf.relu(tf.sub(1, tf.square(pi))), 1e-6)), 1);
    return { mu, pi, logPi: tf.sub(gauss, squash) as tf.Tensor1D };
  }

  private noise(n: number): tf.Tensor2D {
    return tf.tensor2d(this.rng.normals(n * this.config.actionDim), [n, this.config.actionDim]);
  }

  act(obs: Observation, mode: ActMode): Float32Array {
    if (mode !== 'explore' && mode !== 'eval') throw new Error(`act mode must be 'explore' or 'eval', got '${mode}'`);
    if (!this.state && !(obs instanceof Uint8Array)) throw new Error('curl: act expects a uint8 image observation');
    if (!(obs instanceof Uint8Array || obs instanceof Float32Array))
      throw new Error('curl: act expects a Uint8Array or Float32Array observation');
    const a = tf.tidy(() => {
      const z = this.actorHead.apply(this.trunk.apply(this.imageTensor(obs, 1, 'center')));
      const { mu, pi } = this.policy(z, mode === 'explore' ? this.noise(1) : undefined);
      return mode === 'explore' ? pi : mu;
    });
    const out = a.dataSync() as Float32Array;
    a.dispose();
    this.flops.add('act', curlActFlops(this.flopModel, this.config.flops));
    return out;
  }

  // ---- update -------------------------------------------------------------------------------------

  /** A batch field as the representation the update starts from. */
  private rep(field: Uint8Array | Float32Array, B: number, crop: 'random' | 'center'): Rep {
    const c = this.config;
    if (field instanceof Uint8Array || this.state) {
      if (field.length !== B * c.obsShape.reduce((a, b) => a * b, 1)) {
        throw new Error(`curl: image batch must hold ${B} observations of [${c.obsShape}], got ${field.length} values`);
      }
      return { h: this.trunk.apply(this.imageTensor(field, B, crop)) };
    }
    if (this.freeze === 'none')
      throw new Error('curl: float32 (latent) batches are accepted only after freezeEncoder()');
    const heads = this.latentHeads;
    const dim = this.latentDim;
    if (field.length !== B * heads * dim)
      throw new Error(`curl: latent batch must be [${B}, ${heads}, ${dim}], got ${field.length} values`);
    const t = tf.tensor3d(field, [B, heads, dim]);
    if (heads === 1) return { h: t.reshape([B, dim]) as tf.Tensor2D };
    const [cr, ac] = tf.unstack(t, 1) as tf.Tensor2D[];
    return { fcCritic: cr, fcActor: ac };
  }

  private zCritic(r: Rep): tf.Tensor2D {
    return r.fcCritic ? this.criticHead.apply(r.fcCritic, { from: 'fc' }) : this.criticHead.apply(r.h!);
  }

  private zActor(r: Rep): tf.Tensor2D {
    return r.fcActor ? this.actorHead.apply(r.fcActor, { from: 'fc' }) : this.actorHead.apply(r.h!);
  }

  update(batch: Batch, _step?: number): UpdateStats {
    const c = this.config;
    const B = batch.size;
    const A = c.actionDim;
    if (!(batch.action instanceof Float32Array) || batch.action.length !== B * A) {
      throw new Error(`curl: batch.action must be a Float32Array [${B}, ${A}]`);
    }
    if (batch.obs instanceof Uint8Array !== batch.nextObs instanceof Uint8Array)
      throw new Error('curl: obs and nextObs must have the same kind');
    // Raw observations (images, or state vectors in state mode) rather than stored latents.
    const images = batch.obs instanceof Uint8Array || this.state;
    const trunkTrains = this.freeze === 'none';
    const doActor = this.updates % c.actorUpdateFreq === 0;
    const doTarget = this.updates % c.targetUpdateFreq === 0;
    const doCpc = this.freeze === 'none' && images && !this.state && this.updates % c.cpcUpdateFreq === 0;
    const seerOpts = c.optimizers === 'seer';
    const names: string[] = [];
    const scalars: tf.Scalar[] = [];
    const record = (name: string, t: tf.Tensor) => {
      names.push(name);
      scalars.push(tf.keep(t.reshape([]) as tf.Scalar));
    };

    // Crops are drawn in a fixed order (obs, next, positive) so a seed reproduces the run.
    const obsCrop = images ? this.imageTensor(batch.obs, B, 'random') : undefined;
    const nextCrop = images ? this.imageTensor(batch.nextObs, B, 'random') : undefined;
    const posCrop = doCpc ? this.imageTensor(batch.obs, B, 'random') : undefined;
    const action = tf.tensor2d(batch.action, [B, A]);
    const reward = tf.tensor2d(batch.reward, [B, 1]);
    const discount = tf.tensor2d(batch.discount, [B, 1]);
    const weights = tf.tensor2d(batch.weights, [B, 1]);
    const repOf = (crop: tf.Tensor4D | undefined, field: Uint8Array | Float32Array): Rep =>
      crop ? { h: this.trunk.apply(crop) } : this.rep(field, B, 'random');

    try {
      // 1. Critic.
      tf.tidy(() => {
        const y = tf.tidy(() => {
          const next = repOf(nextCrop, batch.nextObs);
          const { pi, logPi } = this.policy(this.zActor(next), this.noise(B));
          let zT: tf.Tensor2D;
          if (next.fcCritic) zT = this.targetHead.apply(next.fcCritic, { from: 'fc' });
          else zT = this.targetHead.apply(nextCrop && trunkTrains ? this.targetTrunk.apply(nextCrop) : next.h!);
          const qIn = tf.concat([zT, pi], 1);
          const v = tf.sub(
            tf.minimum(this.q1t.apply(qIn), this.q2t.apply(qIn)),
            tf.mul(tf.exp(this.logAlpha), logPi.reshape([B, 1])),
          );
          return tf.add(reward, tf.mul(discount, v));
        });
        const { value, grads } = tf.variableGrads(
          () => {
            const r = repOf(obsCrop, batch.obs);
            const qIn = tf.concat([this.zCritic(r), action], 1);
            // Importance weights (all 1 under uniform replay) keep the loss usable with prioritized buffers.
            const e1 = tf.mul(weights, tf.square(tf.sub(this.q1.apply(qIn), y)));
            const e2 = tf.mul(weights, tf.square(tf.sub(this.q2.apply(qIn), y)));
            return tf.add(tf.mean(e1), tf.mean(e2)) as tf.Scalar;
          },
          seerOpts ? [...this.criticOpt.params(), ...this.encoderOpt.params()] : this.criticOpt.params(),
        );
        this.criticOpt.step(grads);
        // SEER: the critic encoder's critic-loss step goes through the encoder Adam (seer_dmc/curl_sac.py:416-418).
        if (seerOpts) this.encoderOpt.step(grads);
        record('criticLoss', value);
      });

      // 2. Actor and temperature.
      if (doActor) {
        tf.tidy(() => {
          // Computed outside variableGrads, the conv output is a constant: the actor detaches it.
          const rr = repOf(obsCrop, batch.obs);
          const zC = this.zCritic(rr);
          const eps = this.noise(B);
          const alpha = tf.exp(this.logAlpha);
          const held: { logPi?: tf.Tensor } = {};
          const { value, grads } = tf.variableGrads(
            () => {
              const { pi, logPi } = this.policy(this.zActor(rr), eps);
              held.logPi = tf.keep(logPi);
              const qIn = tf.concat([zC, pi], 1);
              const q = tf.minimum(this.q1.apply(qIn), this.q2.apply(qIn)).reshape([B]);
              return tf.mean(tf.sub(tf.mul(alpha, logPi), q)) as tf.Scalar;
            },
            seerOpts ? [...this.actorOpt.params(), ...this.actorEncoderOpt.params()] : this.actorOpt.params(),
          );
          this.actorOpt.step(grads);
          if (seerOpts) this.actorEncoderOpt.step(grads);
          const logPi = held.logPi as tf.Tensor1D;
          const entropyGap = tf.sub(tf.neg(logPi), -A); // −log π − target entropy, target = −|A|
          const alphaStep = tf.variableGrads(
            () => tf.mean(tf.mul(tf.exp(this.logAlpha), entropyGap)) as tf.Scalar,
            [this.logAlpha],
          );
          this.alphaOpt.step(alphaStep.grads);
          record('actorLoss', value);
          record('alphaLoss', alphaStep.value);
          record('entropy', tf.mean(tf.neg(logPi)));
          record('alpha', tf.exp(this.logAlpha));
          logPi.dispose();
        });
      }

      // 3. Targets.
      if (doTarget) {
        softUpdate(
          [...this.q1.variables(), ...this.q2.variables()],
          [...this.q1t.variables(), ...this.q2t.variables()],
          c.criticTau,
        );
        if (this.freeze === 'none') softUpdate(this.trunk.variables(), this.targetTrunk.variables(), c.encoderTau);
        if (this.freeze !== 'all') softUpdate(this.criticHead.variables(), this.targetHead.variables(), c.encoderTau);
      }

      // 4. Contrastive.
      if (doCpc && obsCrop && posCrop) {
        tf.tidy(() => {
          const zPos = this.targetHead.apply(this.targetTrunk.apply(posCrop));
          const labels = tf.oneHot(tf.range(0, B, 1, 'int32'), B);
          const { value, grads } = tf.variableGrads(() => {
            const zA = this.criticHead.apply(this.trunk.apply(obsCrop));
            const logits = tf.matMul(zA, tf.matMul(this.W, zPos, false, true)); // z_a W z_posᵀ [B, B]
            const shifted = tf.sub(logits, tf.max(logits, 1, true));
            return tf.losses.softmaxCrossEntropy(labels, shifted) as tf.Scalar;
          }, this.cpcOpt.params());
          if (seerOpts) {
            // seer_dmc/curl_sac.py:544-545: the encoder Adam (shared with the critic loss), then the CURL Adam.
            if (c.cpcEncoderDoubleStep) this.encoderOpt.step(grads);
            this.cpcOpt.step(grads);
          } else {
            this.cpcOpt.step(grads);
            if (c.cpcEncoderDoubleStep) this.encoderOpt.step(grads);
          }
          record('cpcLoss', value);
        });
      }
    } finally {
      tf.dispose(
        ([obsCrop, nextCrop, posCrop, action, reward, discount, weights] as (tf.Tensor | undefined)[]).filter(
          (t): t is tf.Tensor => !!t,
        ),
      );
    }

    const packed = tf.tidy(() => tf.stack(scalars));
    const values = packed.dataSync();
    tf.dispose([packed, ...scalars]);
    const stats: UpdateStats = { updates: this.updates + 1 };
    names.forEach((n, i) => (stats[n] = values[i]));
    this.flops.add(
      'update',
      curlUpdateFlops(this.flopModel, B, { frozen: this.freeze, actorUpdate: doActor, contrastive: doCpc }, c.flops),
    );
    this.updates++;
    return stats;
  }

  get updateCount(): number {
    return this.updates;
  }

  /** Current temperature α. */
  alpha(): number {
    return Math.exp(this.logAlpha.dataSync()[0]);
  }

  // ---- checkpoints --------------------------------------------------------------------------------

  private checkpointParts(): CheckpointParts {
    const optimizers = this.optimizerList();
    return { kind: 'curl', vars: this.allVars(), keyOf: this.keyOf, optimizers, flops: this.flops, rng: this.rng };
  }

  private optimizerList(): Adam[] {
    return [this.criticOpt, this.actorOpt, this.actorEncoderOpt, this.alphaOpt, this.encoderOpt, this.cpcOpt];
  }

  save(): Promise<AgentState> {
    // The Adam layout is written only when it is not the default, so default checkpoints keep their old contents.
    const scalars: AgentState['scalars'] = { updates: this.updates, freeze: this.freeze };
    if (this.config.optimizers !== 'curl') scalars.optimizers = this.config.optimizers;
    return saveAgentState(this.checkpointParts(), scalars);
  }

  load(state: AgentState): void {
    checkKind(state, 'curl');
    const layout = state.scalars.optimizers ?? 'curl';
    if (layout !== this.config.optimizers) {
      const mine = this.config.optimizers;
      throw new Error(
        `cannot load a checkpoint with optimizers '${String(layout)}' into an agent with optimizers '${mine}' ` +
          '(agentOptions.optimizers must match the run that wrote it)',
      );
    }
    const freeze = state.scalars.freeze as FreezeState;
    if (freeze !== this.freeze) {
      if (this.freeze !== 'none')
        throw new Error(`cannot load a checkpoint frozen as '${freeze}' into an agent frozen as '${this.freeze}'`);
      this.freezeEncoder({ scope: freeze as 'all' | 'convs' });
    }
    this.updates = loadAgentState(this.checkpointParts(), state);
  }

  /** The critic's encoder (shared convs + critic fc/LN) as a tapped network, for SVCCA, attention maps and
   *  adaptive freezing. Shares the agent's variables; disposing it leaves the agent intact. */
  analysisNet(): Encoder {
    if (!this.trunk.conv) throw new Error(`curl: encoder '${this.trunk.kind}' has no conv layers to analyse`);
    return composeEncoder(this.trunk.conv, this.criticHead, { name: this.trunk.conv.name, ownsTrunk: false });
  }

  dispose(): void {
    for (const opt of this.optimizerList()) opt.dispose();
    for (const m of [
      this.trunk,
      this.targetTrunk,
      this.criticHead,
      this.actorHead,
      this.targetHead,
      this.q1,
      this.q2,
      this.q1t,
      this.q2t,
      this.actor,
    ])
      m.dispose();
    tf.dispose([this.logAlpha, this.W]);
  }
}

export function makeCurl(cfg: CurlConfig): CurlAgent {
  return new CurlAgent(cfg);
}
