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
import { CURL_DEFAULTS, CURL_SPEC, type CurlOptions } from './curl-args';
export { CURL_DEFAULTS, CURL_SPEC, type CurlOptimizers, type CurlOptions, type CurlTargetCopy } from './curl-args';
import { checkField, checkOptions } from './spec';
import { makeTrunk, type Trunk, type TrunkKind } from './trunks';
import type { ActMode, Agent, AgentState, SeerHooks, UpdateStats } from './types';

/** What the agent is built for (from the environment), besides its options. */
interface CurlInputs {
  /** Stored image shape [H, W, C·stack], e.g. [100, 100, 9]; or [n] for state vectors with encoder 'flatten'. */
  obsShape: number[];
  actionDim: number;
  flops?: FlopOptions;
}

/** CURL's options, each with its default, range and doc in one place: lib/agents/curl-args.ts CURL_SPEC. */
export type CurlConfig = CurlInputs & Partial<CurlOptions>;

type Resolved = Required<CurlInputs> & CurlOptions;

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
  const r: Resolved = { ...CURL_DEFAULTS, cropSize: state ? 1 : cropSizeFor(side), flops: {}, ...cfg };
  checkField('curl', 'actionDim', r.actionDim, Number.isInteger(r.actionDim) && r.actionDim > 0, 'a positive integer');
  // The crop's bound is the image side, known only here; state vectors are not cropped.
  const cropOk = state || (Number.isInteger(r.cropSize) && r.cropSize > 0 && r.cropSize <= side);
  checkField('curl', 'cropSize', r.cropSize, cropOk, `an integer in [1, ${side}]`);
  checkOptions('curl', CURL_SPEC, r);
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

/** One batch field as an update holds it: a random crop of the pixels, or the latents SEER stored at the freeze. */
type Field = { crop: tf.Tensor4D; latents?: undefined } | { crop?: undefined; latents: Float32Array };

/** One update's batch: what its steps read. */
interface UpdateInputs {
  size: number;
  obs: Field;
  next: Field;
  /** The contrastive step's positive: a second, independent crop of obs (only when that step runs). */
  positive?: tf.Tensor4D;
  action: tf.Tensor2D;
  reward: tf.Tensor2D;
  discount: tf.Tensor2D;
  weights: tf.Tensor2D;
}

/** Which of the optional steps (2-4 in the header) one update runs. */
interface UpdatePlan {
  actor: boolean;
  target: boolean;
  cpc: boolean;
}

/** The scalars one update reports, held as tensors until a single read at its end (one device sync per update). */
class UpdateScalars {
  private readonly names: string[] = [];
  private readonly values: tf.Scalar[] = [];

  add(name: string, t: tf.Tensor): void {
    this.names.push(name);
    this.values.push(tf.keep(t.reshape([]) as tf.Scalar));
  }

  /** The recorded values by name, after `updates`; releases the tensors. */
  read(updates: number): UpdateStats {
    const packed = tf.tidy(() => tf.stack(this.values));
    const values = packed.dataSync();
    tf.dispose(packed);
    this.dispose();
    const stats: UpdateStats = { updates };
    this.names.forEach((n, i) => (stats[n] = values[i]));
    return stats;
  }

  dispose(): void {
    tf.dispose(this.values.splice(0));
  }
}

/** Releases an update's input tensors (stored latents are the replay's arrays, not tensors). */
function disposeInputs(x: UpdateInputs): void {
  const crops = [x.obs.crop, x.next.crop, x.positive].filter((t): t is tf.Tensor4D => t !== undefined);
  tf.dispose([...crops, x.action, x.reward, x.discount, x.weights]);
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

  // ---- update: MishaLaskin/curl curl_sac.py CurlSacAgent.update and its parts --------------------

  /**
   * One update, steps 1-4 of the header in the reference's order (curl_sac.py:448-473). The batch's crops are drawn
   * first; each step then reads the features it needs (`features`), so no step knows pixels from stored latents.
   */
  update(batch: Batch, _step?: number): UpdateStats {
    const plan = this.plan();
    const x = this.inputs(batch, plan.cpc);
    const scalars = new UpdateScalars();
    try {
      this.updateCritic(x, scalars); // 1. every update
      if (plan.actor) this.updateActorAndAlpha(x, scalars); // 2. every actorUpdateFreq
      if (plan.target) this.updateTargets(); // 3. every targetUpdateFreq
      // 4. every cpcUpdateFreq while the pixel encoder trains
      if (plan.cpc && x.obs.crop && x.positive) this.updateCpc(x.obs.crop, x.positive, scalars);
    } catch (err) {
      scalars.dispose();
      throw err;
    } finally {
      disposeInputs(x);
    }
    const stats = scalars.read(this.updates + 1);
    this.countUpdateFlops(x.size, plan);
    this.updates++;
    return stats;
  }

  /**
   * Which optional steps run, from the update count (the reference's `step % freq == 0`). The contrastive step
   * needs the pixel encoder to train: not for state vectors, and not after SEER's freeze.
   */
  private plan(): UpdatePlan {
    const c = this.config;
    const n = this.updates;
    return {
      actor: n % c.actorUpdateFreq === 0,
      target: n % c.targetUpdateFreq === 0,
      cpc: this.freeze === 'none' && !this.state && n % c.cpcUpdateFreq === 0,
    };
  }

  /**
   * The batch as tensors, checked before anything is drawn or built (a bad batch changes nothing). Crops are drawn
   * in a fixed order (obs, next, positive) so a seed reproduces the run.
   */
  private inputs(batch: Batch, positive: boolean): UpdateInputs {
    const B = batch.size;
    const A = this.config.actionDim;
    if (!(batch.action instanceof Float32Array) || batch.action.length !== B * A) {
      throw new Error(`curl: batch.action must be a Float32Array [${B}, ${A}]`);
    }
    if (batch.obs instanceof Uint8Array !== batch.nextObs instanceof Uint8Array)
      throw new Error('curl: obs and nextObs must have the same kind');
    this.checkBatchField('obs', batch.obs, B);
    this.checkBatchField('nextObs', batch.nextObs, B);
    for (const k of ['reward', 'discount', 'weights'] as const)
      if (batch[k].length !== B) throw new Error(`curl: batch.${k} must hold ${B} values, got ${batch[k].length}`);
    return {
      size: B,
      obs: this.field(batch.obs, B),
      next: this.field(batch.nextObs, B),
      positive: positive ? this.imageTensor(batch.obs, B, 'random') : undefined,
      action: tf.tensor2d(batch.action, [B, A]),
      reward: tf.tensor2d(batch.reward, [B, 1]),
      discount: tf.tensor2d(batch.discount, [B, 1]),
      weights: tf.tensor2d(batch.weights, [B, 1]),
    };
  }

  /** Throws naming the field when it does not hold B observations (or, after the freeze, B latents). */
  private checkBatchField(name: string, data: Uint8Array | Float32Array, B: number): void {
    const c = this.config;
    if (data instanceof Uint8Array || this.state) {
      if (data.length !== B * c.obsShape.reduce((a, b) => a * b, 1)) {
        const what = this.state ? 'state vectors' : 'observations';
        throw new Error(`curl: batch.${name} must hold ${B} ${what} of [${c.obsShape}], got ${data.length} values`);
      }
      return;
    }
    if (this.freeze === 'none')
      throw new Error('curl: float32 (latent) batches are accepted only after freezeEncoder()');
    const heads = this.latentHeads;
    const dim = this.latentDim;
    if (data.length !== B * heads * dim)
      throw new Error(`curl: latent batch.${name} must be [${B}, ${heads}, ${dim}], got ${data.length} values`);
  }

  /** Raw observations (images, or state vectors in state mode) as a random crop; stored latents as they are. */
  private field(data: Uint8Array | Float32Array, B: number): Field {
    if (data instanceof Uint8Array || this.state) return { crop: this.imageTensor(data, B, 'random') };
    return { latents: data };
  }

  /**
   * The representation a step starts from. Pixels: the conv output of the crop, computed afresh at each use since
   * the steps before moved the weights. After SEER's freeze: the latents from replay, the frozen encoder skipped.
   */
  private features(f: Field, B: number): Rep {
    if (f.crop) return { h: this.trunk.apply(f.crop) };
    const heads = this.latentHeads;
    const dim = this.latentDim;
    const t = tf.tensor3d(f.latents, [B, heads, dim]);
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

  /**
   * The critic-target encoder's output for a field whose online features are `r`. Once the convs are frozen the
   * target convs are their copy, so the online conv output `r.h` stands in for a second pass.
   */
  private zTarget(f: Field, r: Rep): tf.Tensor2D {
    if (r.fcCritic) return this.targetHead.apply(r.fcCritic, { from: 'fc' });
    return this.targetHead.apply(f.crop && this.freeze === 'none' ? this.targetTrunk.apply(f.crop) : r.h!);
  }

  /**
   * 1. Critic step (curl_sac.py:366-388 update_critic): loss = MSE(Q1, y) + MSE(Q2, y) on s's crop, through the
   * encoder; under optimizers 'seer' the encoder's share goes through the encoder Adam.
   */
  private updateCritic(x: UpdateInputs, scalars: UpdateScalars): void {
    const seerOpts = this.config.optimizers === 'seer';
    tf.tidy(() => {
      const y = tf.tidy(() => this.criticTarget(x));
      const { value, grads } = tf.variableGrads(
        () => {
          const qIn = tf.concat([this.zCritic(this.features(x.obs, x.size)), x.action], 1);
          // Importance weights (all 1 under uniform replay) keep the loss usable with prioritized buffers.
          const e1 = tf.mul(x.weights, tf.square(tf.sub(this.q1.apply(qIn), y)));
          const e2 = tf.mul(x.weights, tf.square(tf.sub(this.q2.apply(qIn), y)));
          return tf.add(tf.mean(e1), tf.mean(e2)) as tf.Scalar;
        },
        seerOpts ? [...this.criticOpt.params(), ...this.encoderOpt.params()] : this.criticOpt.params(),
      );
      this.criticOpt.step(grads);
      // SEER: the critic encoder's critic-loss step goes through the encoder Adam (seer_dmc/curl_sac.py:416-418).
      if (seerOpts) this.encoderOpt.step(grads);
      scalars.add('criticLoss', value);
    });
  }

  /** The critic's target y = r + γ′·(min Q_target(s′, a′) − α·log π(a′|s′)), a′ ~ π(s′); no gradient flows into it. */
  private criticTarget(x: UpdateInputs): tf.Tensor2D {
    const B = x.size;
    const next = this.features(x.next, B);
    const { pi, logPi } = this.policy(this.zActor(next), this.noise(B));
    const qIn = tf.concat([this.zTarget(x.next, next), pi], 1);
    const v = tf.sub(
      tf.minimum(this.q1t.apply(qIn), this.q2t.apply(qIn)),
      tf.mul(tf.exp(this.logAlpha), logPi.reshape([B, 1])),
    );
    return tf.add(x.reward, tf.mul(x.discount, v));
  }

  /**
   * 2. Actor and temperature steps (curl_sac.py:390-420 update_actor_and_alpha): the actor on α·log π − min Q with
   * the conv output detached and the critic fixed, then α on −α·(log π + target entropy), target entropy −|A|.
   */
  private updateActorAndAlpha(x: UpdateInputs, scalars: UpdateScalars): void {
    const B = x.size;
    const A = this.config.actionDim;
    const seerOpts = this.config.optimizers === 'seer';
    tf.tidy(() => {
      // Computed outside variableGrads, the conv output is a constant: the actor detaches it.
      const r = this.features(x.obs, B);
      const zC = this.zCritic(r);
      const eps = this.noise(B);
      const alpha = tf.exp(this.logAlpha);
      const held: { logPi?: tf.Tensor } = {};
      const { value, grads } = tf.variableGrads(
        () => {
          const { pi, logPi } = this.policy(this.zActor(r), eps);
          // variableGrads disposes what it builds: log π is kept for the temperature step (log_pi.detach() there).
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
      scalars.add('actorLoss', value);
      scalars.add('alphaLoss', alphaStep.value);
      scalars.add('entropy', tf.mean(tf.neg(logPi)));
      scalars.add('alpha', tf.exp(this.logAlpha));
      logPi.dispose();
    });
  }

  /**
   * 3. Target soft updates (curl_sac.py:459-469): Q EMA with `criticTau`, encoder EMA with `encoderTau`. Frozen layers
   * were hard-copied into the target at the freeze and are no longer averaged.
   */
  private updateTargets(): void {
    const c = this.config;
    softUpdate(
      [...this.q1.variables(), ...this.q2.variables()],
      [...this.q1t.variables(), ...this.q2t.variables()],
      c.criticTau,
    );
    if (this.freeze === 'none') softUpdate(this.trunk.variables(), this.targetTrunk.variables(), c.encoderTau);
    if (this.freeze !== 'all') softUpdate(this.criticHead.variables(), this.targetHead.variables(), c.encoderTau);
  }

  /**
   * 4. Contrastive step (curl_sac.py:422-445 update_cpc): bilinear InfoNCE between the anchor (the critic's crop of
   * s) through the online encoder and an independent positive crop through the target encoder. The encoder takes
   * two Adam steps on this loss, as the reference does (MishaLaskin/curl#20; `cpcEncoderDoubleStep`).
   */
  private updateCpc(anchor: tf.Tensor4D, positive: tf.Tensor4D, scalars: UpdateScalars): void {
    const c = this.config;
    const B = anchor.shape[0];
    tf.tidy(() => {
      const zPos = this.targetHead.apply(this.targetTrunk.apply(positive));
      const labels = tf.oneHot(tf.range(0, B, 1, 'int32'), B);
      const { value, grads } = tf.variableGrads(() => {
        const zA = this.criticHead.apply(this.trunk.apply(anchor));
        const logits = tf.matMul(zA, tf.matMul(this.W, zPos, false, true)); // z_a W z_posᵀ [B, B]
        const shifted = tf.sub(logits, tf.max(logits, 1, true));
        return tf.losses.softmaxCrossEntropy(labels, shifted) as tf.Scalar;
      }, this.cpcOpt.params());
      if (c.optimizers === 'seer') {
        // seer_dmc/curl_sac.py:544-545: the encoder Adam (shared with the critic loss), then the CURL Adam.
        if (c.cpcEncoderDoubleStep) this.encoderOpt.step(grads);
        this.cpcOpt.step(grads);
      } else {
        this.cpcOpt.step(grads);
        if (c.cpcEncoderDoubleStep) this.encoderOpt.step(grads);
      }
      scalars.add('cpcLoss', value);
    });
  }

  /** The FLOPs of one update, counted once from the analytic plan of the steps it ran (lib/flops/plans.ts). */
  private countUpdateFlops(B: number, plan: UpdatePlan): void {
    const steps = { frozen: this.freeze, actorUpdate: plan.actor, contrastive: plan.cpc };
    this.flops.add('update', curlUpdateFlops(this.flopModel, B, steps, this.config.flops));
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
