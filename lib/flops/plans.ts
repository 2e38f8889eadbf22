/**
 * What one update, one action and one encoded observation cost for each agent, by component, from the
 * per-layer forward FLOPs its networks report. Pure functions of layer lists, so tests can check them by
 * hand and the agents add exactly these numbers to their FlopCounter.
 *
 * Backward conventions (lib/nets/flops.ts): a layer whose weights train costs 2 × forward backward; with
 * `firstLayerBackward: 'weights-only'` a trained layer whose input needs no gradient (the first conv, or a
 * head reading a stored latent or a detached feature) costs 1 ×. A layer that only passes a gradient
 * through (CURL's Q-functions inside the actor loss) costs 1 × forward (input gradient only).
 * What the agents actually run, and these plans mirror:
 * - CURL update: critic step (actor + target critic on next obs, critic forward/backward on obs); every
 *   `actorUpdateFreq` an actor step (one detached conv pass shared by the actor's and critic's fc); a
 *   contrastive step (critic encoder forward/backward on the anchor, target encoder on the positive,
 *   bilinear logits) until the freeze. Target soft updates are elementwise and not counted.
 * - Rainbow update: online forward/backward on s, online forward on s' (double-Q argmax), target forward on s'.
 * After the freeze no encoder backward happens and stored latents replace the frozen layers' forwards.
 */
import type { FlopLayer, FlopOptions } from '../nets/flops';
import { emptyBreakdown, type FlopBreakdown } from './counter';

function fwd(layers: readonly FlopLayer[], opts: FlopOptions): number {
  let s = 0;
  for (const l of layers) s += l.forwardFlops + (opts.elementwise ? (l.elementwiseFlops ?? 0) : 0);
  return s;
}

/**
 * Backward of trained layers, per sample. `inputLayers`: how many leading MAC layers read the network
 * input (Rainbow's dueling head has two); they cost 1 × forward when the input needs no gradient and the
 * option says 'weights-only'.
 */
function bwd(layers: readonly FlopLayer[], inputNeedsGrad: boolean, opts: FlopOptions, inputLayers = 1): number {
  let s = 0;
  let macLayers = 0;
  for (const l of layers) {
    let factor = 2;
    if (l.forwardFlops > 0) {
      if (macLayers < inputLayers && !inputNeedsGrad && opts.firstLayerBackward === 'weights-only') factor = 1;
      macLayers++;
    }
    s += factor * l.forwardFlops + (opts.elementwise ? 2 * (l.elementwiseFlops ?? 0) : 0);
  }
  return s;
}

export type FreezeState = 'none' | 'convs' | 'all';

export interface CurlFlopModel {
  /** The shared conv trunk (per-sample layers). */
  trunk: readonly FlopLayer[];
  /** fc (+ LayerNorm) of one head; actor and critic heads have the same size. */
  fc: readonly FlopLayer[];
  /** One Q-function MLP (the critic has two). */
  q: readonly FlopLayer[];
  /** The actor's MLP. */
  actor: readonly FlopLayer[];
  /** Size of the contrastive feature (bilinear W is d × d). */
  featureDim: number;
}

export interface CurlUpdateWork {
  frozen: FreezeState;
  actorUpdate: boolean;
  contrastive: boolean;
}

export function curlUpdateFlops(
  m: CurlFlopModel,
  batch: number,
  work: CurlUpdateWork,
  opts: FlopOptions = {},
): FlopBreakdown {
  const b = emptyBreakdown();
  const T = fwd(m.trunk, opts);
  const F = fwd(m.fc, opts);
  const Q = fwd(m.q, opts);
  const P = fwd(m.actor, opts);
  const trunkRuns = work.frozen === 'none';
  const fcRuns = work.frozen !== 'all';
  // Critic step. Next observation: actor (online encoder) and target critic.
  if (trunkRuns) {
    b.encoderForward += T;
    b.target += T;
  }
  if (fcRuns) {
    b.encoderForward += F;
    b.target += F;
  }
  b.heads += P;
  b.target += 2 * Q;
  // Observation: critic forward and backward (through the encoder's trained layers).
  if (trunkRuns) {
    b.encoderForward += T;
    b.encoderBackward += bwd(m.trunk, false, opts);
  }
  if (fcRuns) {
    b.encoderForward += F;
    b.encoderBackward += bwd(m.fc, trunkRuns, opts);
  }
  b.heads += 2 * Q + 2 * bwd(m.q, fcRuns, opts);
  if (work.actorUpdate) {
    // One detached conv pass feeds the actor's and the critic's fc.
    if (trunkRuns) b.encoderForward += T;
    if (fcRuns) {
      b.encoderForward += 2 * F;
      b.encoderBackward += bwd(m.fc, false, opts);
    }
    b.heads += P + bwd(m.actor, fcRuns, opts);
    b.heads += 2 * Q + 2 * Q; // Q forward and its input gradient (weights not trained by the actor loss)
  }
  if (work.contrastive && trunkRuns) {
    b.encoderForward += T + F;
    b.encoderBackward += bwd(m.trunk, false, opts) + bwd(m.fc, true, opts);
    b.target += T + F;
  }
  for (const k of Object.keys(b) as (keyof FlopBreakdown)[]) b[k] *= batch;
  if (work.contrastive && trunkRuns) {
    // Bilinear logits: W·z_posᵀ (B·d·d MACs) and z_a·(W z_posᵀ) (B·B·d MACs); backward 2 ×.
    const d = m.featureDim;
    const f = 2 * (batch * d * d + batch * batch * d);
    b.heads += 3 * f;
  }
  return b;
}

/** One action: conv trunk, the actor's fc and MLP on one centre-cropped observation. */
export function curlActFlops(m: CurlFlopModel, opts: FlopOptions = {}): FlopBreakdown {
  const b = emptyBreakdown();
  b.acting = fwd(m.trunk, opts) + fwd(m.fc, opts) + fwd(m.actor, opts);
  return b;
}

/** Encoding n observations into SEER latents: convs once, then both fc heads (scope 'all'). */
export function curlEncodeFlops(
  m: CurlFlopModel,
  n: number,
  scope: 'convs' | 'all',
  opts: FlopOptions = {},
): FlopBreakdown {
  const b = emptyBreakdown();
  // The LayerNorm runs at update time on the stored fc output, so only fc's MACs are spent here.
  const fcOnly = m.fc.filter((l) => l.forwardFlops > 0);
  b.augmentation = n * (fwd(m.trunk, opts) + (scope === 'all' ? 2 * fwd(fcOnly, opts) : 0));
  return b;
}

export interface RainbowFlopModel {
  trunk: readonly FlopLayer[];
  /** The dueling head's layers (fc_h_v, fc_h_a, fc_z_v, fc_z_a). */
  head: readonly FlopLayer[];
}

export function rainbowUpdateFlops(
  m: RainbowFlopModel,
  batch: number,
  frozen: boolean,
  opts: FlopOptions = {},
): FlopBreakdown {
  const b = emptyBreakdown();
  const T = fwd(m.trunk, opts);
  const H = fwd(m.head, opts);
  if (!frozen) {
    b.encoderForward += 2 * T; // s (trained) and s' (online argmax)
    b.encoderBackward += bwd(m.trunk, false, opts);
    b.target += T;
  }
  b.heads += 2 * H + bwd(m.head, !frozen, opts, 2);
  b.target += H;
  for (const k of Object.keys(b) as (keyof FlopBreakdown)[]) b[k] *= batch;
  return b;
}

export function rainbowActFlops(m: RainbowFlopModel, opts: FlopOptions = {}): FlopBreakdown {
  const b = emptyBreakdown();
  b.acting = fwd(m.trunk, opts) + fwd(m.head, opts);
  return b;
}

export function rainbowEncodeFlops(m: RainbowFlopModel, n: number, opts: FlopOptions = {}): FlopBreakdown {
  const b = emptyBreakdown();
  b.augmentation = n * fwd(m.trunk, opts);
  return b;
}
