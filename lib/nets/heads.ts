/**
 * The heads that sit on an encoder's features:
 * - `makeMlp`: Linear → ReLU → … → Linear (CURL's actor trunk and Q-functions: 3 layers, hidden 1024,
 *   orthogonal init with zero biases as CURL's weight_init).
 * - `makeDuelingHead`: data-efficient Rainbow's dueling distributional head of noisy layers
 *   (V: in→hidden→atoms, A: in→hidden→|A|·atoms; q = V + A − mean_a A, softmax over atoms).
 * Every head lists its layers with per-sample forward FLOPs (2 × MACs) for lib/flops.
 */
import * as tf from '@tensorflow/tfjs';
import type { FlopLayer } from './flops';
import { childSeed, makeLinear, type LinearInit, type LinearLayer } from './layers';
import { makeNoisyLinear, type NoisyLinear } from './noisy';

export interface Mlp {
  readonly name: string;
  readonly layers: readonly LinearLayer[];
  readonly flopLayers: readonly FlopLayer[];
  variables(): tf.Variable[];
  /** ReLU after every layer but the last. */
  apply(x: tf.Tensor2D): tf.Tensor2D;
  dispose(): void;
}

export interface MlpConfig {
  name: string;
  /** [in, hidden…, out]: at least two entries. */
  sizes: number[];
  seed: number;
  init?: LinearInit;
}

export function makeMlp(cfg: MlpConfig): Mlp {
  const { sizes } = cfg;
  if (!(Array.isArray(sizes) && sizes.length >= 2 && sizes.every((d) => Number.isInteger(d) && d > 0))) {
    throw new Error(`MLP '${cfg.name}': sizes must be at least two positive integers, got ${JSON.stringify(sizes)}`);
  }
  const layers: LinearLayer[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    layers.push(
      makeLinear({
        name: `${cfg.name}/l${i}`,
        inDim: sizes[i],
        outDim: sizes[i + 1],
        init: cfg.init ?? 'orthogonal',
        seed: childSeed(cfg.seed, `l${i}`),
      }),
    );
  }
  return {
    name: cfg.name,
    layers,
    flopLayers: layers.map((l, i) => ({
      name: `l${i}`,
      forwardFlops: l.forwardFlops,
      elementwiseFlops: l.elementwiseFlops,
    })),
    variables: () => layers.flatMap((l) => [l.kernel, l.bias]),
    apply(x) {
      return tf.tidy(() => {
        let h = x;
        layers.forEach((l, i) => {
          h = l.apply(h, i + 1 < layers.length ? 'relu' : 'linear');
        });
        return h;
      });
    },
    dispose: () => tf.dispose(layers.flatMap((l) => [l.kernel, l.bias])),
  };
}

export interface DuelingHead {
  readonly name: string;
  readonly numActions: number;
  readonly atoms: number;
  readonly layers: readonly NoisyLinear[];
  readonly flopLayers: readonly FlopLayer[];
  variables(): tf.Variable[];
  resetNoise(normal: () => number): void;
  /** Features [B, in] → log-probabilities [B, |A|, atoms] (`log`) or probabilities. */
  apply(features: tf.Tensor2D, opts?: { noisy?: boolean; log?: boolean }): tf.Tensor3D;
  /**
   * The two streams before they are combined: v [B, atoms] and a [B, |A|·atoms] (action-major), the outputs of
   * fc_z_v and fc_z_a, for a fused loss that does the combination itself (lib/backend/kernels/rainbow_loss.ts).
   */
  streams(features: tf.Tensor2D, opts?: { noisy?: boolean }): { v: tf.Tensor2D; a: tf.Tensor2D };
  dispose(): void;
}

export interface DuelingConfig {
  name: string;
  inDim: number;
  hidden: number;
  numActions: number;
  atoms: number;
  sigma0?: number;
  seed: number;
}

export function makeDuelingHead(cfg: DuelingConfig): DuelingHead {
  const { name, inDim, hidden, numActions, atoms, seed } = cfg;
  const mk = (layer: string, i: number, o: number) =>
    makeNoisyLinear({
      name: `${name}/${layer}`,
      inDim: i,
      outDim: o,
      sigma0: cfg.sigma0,
      seed: childSeed(seed, layer),
    });
  const hv = mk('fc_h_v', inDim, hidden);
  const ha = mk('fc_h_a', inDim, hidden);
  const zv = mk('fc_z_v', hidden, atoms);
  const za = mk('fc_z_a', hidden, numActions * atoms);
  const layers = [hv, ha, zv, za];
  const streams = (features: tf.Tensor2D, opts: { noisy?: boolean } = {}) => {
    const noisy = opts.noisy ?? true;
    return tf.tidy(() => ({
      v: zv.apply(hv.apply(features, { noisy, activation: 'relu' }), { noisy }),
      a: za.apply(ha.apply(features, { noisy, activation: 'relu' }), { noisy }),
    }));
  };
  return {
    name,
    numActions,
    atoms,
    layers,
    flopLayers: layers.map((l) => ({ name: l.name.slice(name.length + 1), forwardFlops: l.forwardFlops })),
    variables: () => layers.flatMap((l) => l.variables()),
    resetNoise(normal) {
      for (const l of layers) l.resetNoise(normal);
    },
    streams,
    apply(features, opts = {}) {
      return tf.tidy(() => {
        const b = features.shape[0];
        const s = streams(features, opts);
        const v = s.v.reshape([b, 1, atoms]);
        const a = s.a.reshape([b, numActions, atoms]);
        const q = tf.add(v, tf.sub(a, tf.mean(a, 1, true)));
        return (opts.log ? tf.logSoftmax(q, -1) : tf.softmax(q, -1)) as tf.Tensor3D;
      });
    },
    dispose() {
      for (const l of layers) l.dispose();
    },
  };
}
