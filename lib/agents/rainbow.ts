/**
 * Data-efficient Rainbow (van Hasselt et al. 2019; Kaixhin's `--architecture data-efficient`): dueling
 * distributional head of factorised noisy layers on the data-efficient conv trunk, 51 atoms on [−10, 10],
 * double-Q n-step targets, prioritized-replay support, Adam(1e-4, eps 1.5e-4), grad-norm clip 10, hard
 * target update every 2,000 updates.
 *
 * What comes from outside (the values: options nStep, discount, rewardClip, priorityExponent, priorityWeight of
 * lib/agents/rainbow-args.ts; the runner builds the replay from them):
 * - the n-step return and γⁿ′(1 − terminated) arrive in `Batch.reward` / `Batch.discount` (the buffer cuts
 *   them at episode ends), IS weights in `Batch.weights`;
 * - reward clipping to ±1 is the runner's job (it clips before `replay.add`, as Kaixhin's main.py does),
 *   so the agent sees clipped rewards and never clips itself;
 * - β annealing of the IS exponent is the runner's, on the schedule `rainbowReplay` gives. `lastPriorities()`
 *   returns the raw per-sample cross-entropy loss, as Kaixhin's agent does; the buffer raises it to ω
 *   (lib/replay/step-ring.ts `updatePriorities`).
 * Noise: a new online noise sample on every exploring `act` (Kaixhin resets it once per environment
 * step, before acting and learning), a new target noise sample at every update; eval mode uses the means
 * with ε-greedy 0.001.
 *
 * SEER: `freezeEncoder()` removes the convs from Adam and ties the target convs to the online ones;
 * `encodeLatents` gives the 576-d post-ReLU conv output (at 84×84); after the freeze `update` accepts
 * latent batches (obs as float32 [B, 1, dim]).
 */
import * as tf from '@tensorflow/tfjs';
import type { FlopOptions } from '../nets/flops';
import { makeDuelingHead, type DuelingHead } from '../nets/heads';
import { childSeed } from '../nets/layers';
import { composeEncoder, type Encoder } from '../nets/encoders';
import { FlopCounter } from '../flops/counter';
import { rainbowActFlops, rainbowEncodeFlops, rainbowUpdateFlops, type RainbowFlopModel } from '../flops/plans';
import type { Observation } from '../envs/types';
import type { Batch } from '../replay/types';
import { pixelsToTensor } from '../backend/kernels/pixels';
import { hasRainbowLossKernels, rainbowLoss } from '../backend/kernels/rainbow_loss';
import { Adam } from './adam';
import { projectDistribution, support } from './distributional';
import {
  checkKind,
  hardCopy,
  instancePrefix,
  keyFn,
  loadAgentState,
  saveAgentState,
  type CheckpointParts,
} from './params';
import { Rng } from '../envs/rng';
import { RAINBOW_DEFAULTS, RAINBOW_SPEC, type RainbowOptions } from './rainbow-args';
export { RAINBOW_DEFAULTS, RAINBOW_SPEC, type RainbowOptions } from './rainbow-args';
import { checkField, checkOptions } from './spec';
import { makeTrunk, type Trunk } from './trunks';
import type { ActMode, Agent, AgentState, SeerHooks, UpdateStats } from './types';

/** What the agent is built for (from the environment), besides its options. */
interface RainbowInputs {
  /** Observation shape as stored: [84, 84, 4] frames, or e.g. [10, 10, C] native MinAtar with 'flatten'. */
  obsShape: number[];
  numActions: number;
  flops?: FlopOptions;
}

/**
 * Rainbow's options, each with its default, range and doc in one place: lib/agents/rainbow-args.ts RAINBOW_SPEC.
 * The agent reads the network and optimiser ones; nStep, discount, the PER exponents and rewardClip are the replay's
 * (the runner builds it from them), and `prioritizedReplay: false` makes every importance weight 1.
 */
export type RainbowConfig = RainbowInputs & Partial<RainbowOptions>;

type Resolved = Required<RainbowInputs> & RainbowOptions;

/** Checks Rainbow's options (names, types, ranges) without building an agent: throws naming the field and its range. */
export function checkRainbowOptions(cfg: RainbowConfig): void {
  resolve(cfg);
}

function resolve(cfg: RainbowConfig): Resolved {
  const r: Resolved = { ...RAINBOW_DEFAULTS, flops: {}, ...cfg };
  const posInt = (v: number) => Number.isInteger(v) && v > 0;
  const okShape = Array.isArray(r.obsShape) && r.obsShape.length >= 1 && r.obsShape.every(posInt);
  checkField('rainbow', 'obsShape', r.obsShape, okShape, 'an array of positive integers');
  const okActions = Number.isInteger(r.numActions) && r.numActions >= 2;
  checkField('rainbow', 'numActions', r.numActions, okActions, 'an integer >= 2');
  checkOptions('rainbow', RAINBOW_SPEC, r);
  return r;
}

/** An observation batch on its way into a trunk: `scaled` when uploaded already divided by 255. */
interface TrunkInput {
  x: tf.Tensor;
  scaled: boolean;
}

export class RainbowAgent implements Agent, SeerHooks {
  readonly kind = 'rainbow' as const;
  readonly config: Resolved;
  readonly flops = new FlopCounter();
  readonly latentHeads = 1;
  readonly latentDim: number;
  private readonly prefix: string;
  private readonly keyOf: (v: tf.Variable) => string;
  private readonly rng: Rng;
  private readonly trunk: Trunk;
  private readonly targetTrunk: Trunk;
  private readonly head: DuelingHead;
  private readonly targetHead: DuelingHead;
  private readonly z: tf.Tensor1D;
  private readonly optimizer: Adam;
  private readonly flopModel: RainbowFlopModel;
  private _frozen = false;
  private updates = 0;
  private priorities: Float32Array | undefined;

  constructor(cfg: RainbowConfig) {
    this.config = resolve(cfg);
    const c = this.config;
    this.prefix = instancePrefix('rainbow');
    this.keyOf = keyFn(this.prefix);
    this.rng = new Rng(childSeed(c.seed, 'rng'));
    const mk = (which: string) => {
      const trunk = makeTrunk(c.encoder, c.obsShape, childSeed(c.seed, 'trunk'), `${this.prefix}/${which}`);
      const head = makeDuelingHead({
        name: `${this.prefix}/${which}/head`,
        inDim: trunk.outputDim,
        hidden: c.hidden,
        numActions: c.numActions,
        atoms: c.atoms,
        sigma0: c.sigma0,
        seed: childSeed(c.seed, 'head'),
      });
      return { trunk, head };
    };
    const online = mk('online');
    const target = mk('target');
    this.trunk = online.trunk;
    this.head = online.head;
    this.targetTrunk = target.trunk;
    this.targetHead = target.head;
    this.latentDim = this.trunk.outputDim;
    hardCopy(this.onlineVars(), this.targetVars());
    this.z = tf.tensor1d(support(c.atoms, c.vMin, c.vMax));
    this.head.resetNoise(() => this.rng.normal());
    this.targetHead.resetNoise(() => this.rng.normal());
    this.optimizer = new Adam('online', this.onlineVars(), { lr: c.lr, eps: c.adamEps }, this.keyOf);
    this.flopModel = { trunk: this.trunk.layers, head: this.head.flopLayers };
  }

  get frozen(): boolean {
    return this._frozen;
  }

  private onlineVars(): tf.Variable[] {
    return [...this.trunk.variables(), ...this.head.variables()];
  }

  private targetVars(): tf.Variable[] {
    return [...this.targetTrunk.variables(), ...this.targetHead.variables()];
  }

  private noiseVars(): tf.Variable[] {
    return [this.head, this.targetHead].flatMap((h) => h.layers.flatMap((l) => [l.noise().epsIn, l.noise().epsOut]));
  }

  /**
   * Pixels/state as a float32 tensor [n, ...obsShape]. Uint8 pixels for a conv trunk are uploaded divided by 255
   * (`scaled`: the trunk skips its division, same values; for the update's next states that saves two full passes).
   */
  private obsTensor(obs: Observation | Float32Array, n: number): TrunkInput {
    const size = this.config.obsShape.reduce((a, b) => a * b, 1);
    if (obs.length !== n * size) {
      throw new Error(
        `rainbow: expected ${n} observation(s) of shape [${this.config.obsShape}] (${n * size} values), got ${obs.length}`,
      );
    }
    const shape = [n, ...this.config.obsShape];
    if (obs instanceof Float32Array) return { x: tf.tensor(obs, shape, 'float32'), scaled: false };
    // Pixels go straight into the backend's float32 memory (no intermediate array: lib/backend/kernels/pixels.ts).
    const scaled = this.trunk.scalesPixels;
    return { x: pixelsToTensor(obs as Uint8Array, shape, scaled ? { divisor: 255 } : {}), scaled };
  }

  private encode(trunk: Trunk, input: TrunkInput): tf.Tensor2D {
    return trunk.apply(input.x, { scaled: input.scaled });
  }

  /** Features for a batch field: stored latents after the freeze, else the given trunk on observations. */
  private features(obs: Uint8Array | Float32Array, n: number, trunk: Trunk): tf.Tensor2D {
    // A float32 batch of latent length after the freeze is stored latents (for 'flatten' the two coincide).
    if (this._frozen && obs instanceof Float32Array && obs.length === n * this.latentDim) {
      return tf.tensor2d(obs, [n, this.latentDim]);
    }
    return tf.tidy(() => this.encode(trunk, this.obsTensor(obs, n)));
  }

  /** Draws a new online noise sample (Kaixhin: once per environment step). */
  resetNoise(): void {
    this.head.resetNoise(() => this.rng.normal());
  }

  act(obs: Observation, mode: ActMode): number {
    const c = this.config;
    if (mode !== 'explore' && mode !== 'eval') throw new Error(`act mode must be 'explore' or 'eval', got '${mode}'`);
    if (mode === 'eval' && this.rng.uniform() < c.evalEpsilon) {
      this.flops.add('act', {}, 1);
      return this.rng.int(c.numActions);
    }
    if (mode === 'explore') this.resetNoise();
    const q = tf.tidy(() => {
      const f = this.encode(this.trunk, this.obsTensor(obs as Uint8Array | Float32Array, 1));
      const p = this.head.apply(f, { noisy: mode === 'explore' });
      return tf.sum(tf.mul(p, this.z), -1);
    });
    const values = q.dataSync();
    q.dispose();
    this.flops.add('act', rainbowActFlops(this.flopModel, c.flops));
    let best = 0;
    for (let a = 1; a < values.length; a++) if (values[a] > values[best]) best = a;
    return best;
  }

  /** Q-values (expected returns) for n observations, noise-free: for tests and analysis. */
  qValues(obs: Uint8Array | Float32Array, n: number): Float32Array {
    const q = tf.tidy(() => {
      const f = this.features(obs, n, this.trunk);
      return tf.sum(tf.mul(this.head.apply(f, { noisy: false }), this.z), -1);
    });
    const out = q.dataSync() as Float32Array;
    q.dispose();
    return out;
  }

  update(batch: Batch, _step?: number): UpdateStats {
    const c = this.config;
    const B = batch.size;
    if (!(batch.action instanceof Int32Array) || batch.action.length !== B) {
      throw new Error(`rainbow: batch.action must be an Int32Array of ${B} action indices`);
    }
    this.targetHead.resetNoise(() => this.rng.normal());
    const out = tf.tidy(() => {
      // Target distribution: online argmax, target evaluation (double Q), projected on the support.
      const target = tf.tidy(() => {
        // Pixels are converted and uploaded once for the online and the target trunk.
        const latent =
          this._frozen && batch.nextObs instanceof Float32Array && batch.nextObs.length === B * this.latentDim;
        const nextX = latent ? undefined : this.obsTensor(batch.nextObs, B);
        const next = nextX ? this.encode(this.trunk, nextX) : this.features(batch.nextObs, B, this.trunk);
        const pOnline = this.head.apply(next, { noisy: true });
        const argmax = tf.argMax(tf.sum(tf.mul(pOnline, this.z), -1), 1);
        const nextT = this._frozen ? next : this.encode(this.targetTrunk, nextX as TrunkInput);
        const pTarget = this.targetHead.apply(nextT, { noisy: true });
        const sel = tf.sum(tf.mul(pTarget, tf.oneHot(argmax, c.numActions).expandDims(2)), 1) as tf.Tensor2D;
        return projectDistribution(sel, tf.tensor1d(batch.reward), tf.tensor1d(batch.discount), c.vMin, c.vMax);
      });
      const actionIndices = tf.tensor1d(batch.action, 'int32');
      // The loss from the online head's last layers on: one fused kernel and its gradient where the backend has
      // them (native: lib/backend/kernels/rainbow_loss.ts, bit-identical), else the op composition below.
      const fused = hasRainbowLossKernels();
      const actions = fused ? undefined : tf.oneHot(actionIndices, c.numActions).expandDims(2);
      const weights = tf.tensor1d(batch.weights);
      const obsFrozen = this._frozen ? this.features(batch.obs, B, this.trunk) : undefined;
      const held: { perSample?: tf.Tensor } = {};
      const vars = this.optimizer.params();
      const { value, grads } = tf.variableGrads(() => {
        const f = obsFrozen ?? this.encode(this.trunk, this.obsTensor(batch.obs, B));
        if (!actions) {
          const { v, a } = this.head.streams(f, { noisy: true });
          const { loss, perSample } = rainbowLoss(v, a, actionIndices, target, weights);
          held.perSample = tf.keep(perSample);
          return loss;
        }
        const logp = this.head.apply(f, { noisy: true, log: true });
        const logpA = tf.sum(tf.mul(logp, actions), 1);
        const perSample = tf.keep(tf.neg(tf.sum(tf.mul(target, logpA), 1)));
        held.perSample = perSample;
        return tf.mean(tf.mul(weights, perSample)) as tf.Scalar;
      }, vars);
      // Clipping (PyTorch's clip_grad_norm_) is folded into the Adam step.
      const norm = this.optimizer.step(grads, { clipNorm: c.gradClip }) as tf.Scalar;
      const perSample = held.perSample as tf.Tensor;
      const read = tf.concat([perSample, tf.stack([value, norm])]);
      tf.dispose([perSample, value, norm, ...Object.values(grads)]);
      return read;
    });
    const read = out.dataSync() as Float32Array;
    out.dispose();
    const loss = read.subarray(0, B);
    const pr = new Float32Array(B);
    let mean = 0;
    for (let i = 0; i < B; i++) {
      pr[i] = Math.max(loss[i], 0);
      mean += loss[i] / B;
    }
    this.priorities = pr;
    this.updates++;
    if (this.updates % c.targetUpdate === 0) this.syncTarget();
    this.flops.add('update', rainbowUpdateFlops(this.flopModel, B, this._frozen, c.flops));
    return { loss: mean, weightedLoss: read[B], gradNorm: read[B + 1], updates: this.updates };
  }

  /** Target ← online (all layers; after the freeze the convs are equal anyway). */
  syncTarget(): void {
    hardCopy(this.onlineVars(), this.targetVars());
  }

  lastPriorities(): Float32Array | undefined {
    return this.priorities;
  }

  get updateCount(): number {
    return this.updates;
  }

  freezeEncoder(options: { scope?: 'all' | 'convs' } = {}): void {
    const scope = options.scope ?? 'all';
    if (scope !== 'all' && scope !== 'convs') throw new Error(`freeze scope must be 'all' or 'convs', got '${scope}'`);
    if (this._frozen) return;
    this.optimizer.remove(this.trunk.variables());
    hardCopy(this.trunk.variables(), this.targetTrunk.variables());
    this._frozen = true;
  }

  /** [n, 1, dim] post-ReLU conv features (Rainbow has no augmentation: `augment` is ignored). */
  encodeLatents(obs: Uint8Array, n: number, _augment = false): Float32Array {
    const size = this.config.obsShape.reduce((a, b) => a * b, 1);
    if (obs.length < n * size) throw new Error(`encodeLatents: expected ${n}·${size} values, got ${obs.length}`);
    const out = new Float32Array(n * this.latentDim);
    const chunk = 256;
    for (let s = 0; s < n; s += chunk) {
      const m = Math.min(chunk, n - s);
      const f = tf.tidy(() => this.encode(this.trunk, this.obsTensor(obs.subarray(s * size, (s + m) * size), m)));
      out.set(f.dataSync(), s * this.latentDim);
      f.dispose();
    }
    this.flops.add('encode', rainbowEncodeFlops(this.flopModel, n, this.config.flops), n);
    return out;
  }

  private checkpointParts(): CheckpointParts {
    return {
      kind: 'rainbow',
      vars: [...this.onlineVars(), ...this.targetVars(), ...this.noiseVars()],
      keyOf: this.keyOf,
      optimizers: [this.optimizer],
      flops: this.flops,
      rng: this.rng,
    };
  }

  save(): Promise<AgentState> {
    return saveAgentState(this.checkpointParts(), { updates: this.updates, frozen: this._frozen });
  }

  load(state: AgentState): void {
    checkKind(state, 'rainbow');
    if (state.scalars.frozen === true && !this._frozen) this.freezeEncoder();
    if (state.scalars.frozen !== true && this._frozen)
      throw new Error('cannot load an unfrozen checkpoint into a frozen agent');
    this.updates = loadAgentState(this.checkpointParts(), state);
  }

  /** The conv trunk as a tapped network, for SVCCA, attention maps and adaptive freezing (shares variables). */
  analysisNet(): Encoder {
    if (!this.trunk.conv) throw new Error(`rainbow: encoder '${this.trunk.kind}' has no conv layers to analyse`);
    return composeEncoder(this.trunk.conv, undefined, { name: this.trunk.conv.name, ownsTrunk: false });
  }

  dispose(): void {
    this.optimizer.dispose();
    this.trunk.dispose();
    this.head.dispose();
    this.targetTrunk.dispose();
    this.targetHead.dispose();
    this.z.dispose();
  }
}

export function makeRainbow(cfg: RainbowConfig): RainbowAgent {
  return new RainbowAgent(cfg);
}
