/**
 * The feature extractor an agent puts under its heads: one of the conv trunks of lib/nets/encoders.ts,
 * or 'flatten' for small native observations (MinAtar's 10×10×C 0/1 channels, state vectors) that are
 * used as they are, without the /255 pixel scaling.
 */
import * as tf from '@tensorflow/tfjs';
import { makeConvTrunk, type ConvTrunk, type EncoderKind } from '../nets/encoders';
import type { FlopLayer } from '../nets/flops';

export type TrunkKind = EncoderKind | 'flatten';
export const TRUNK_KINDS: readonly TrunkKind[] = ['sac-ae', 'rainbow', 'impala', 'flatten'];

export interface Trunk {
  readonly kind: TrunkKind;
  readonly inputShape: number[];
  readonly layers: readonly FlopLayer[];
  readonly outputDim: number;
  variables(): tf.Variable[];
  /**
   * Input [N, ...inputShape] float32 → features [N, outputDim]. Conv trunks divide pixels by 255 first unless
   * `scaled` says x already is pixels / 255 (lib/backend/kernels/pixels.ts `divisor`); 'flatten' uses x as it is.
   */
  apply(x: tf.Tensor, opts?: { scaled?: boolean }): tf.Tensor2D;
  /** Whether apply divides pixels by 255 (the conv trunks), i.e. whether a `scaled` upload can spare it that. */
  readonly scalesPixels: boolean;
  /** The conv trunk with named layers (for analysis and adaptive freezing); undefined for 'flatten'. */
  readonly conv?: ConvTrunk;
  dispose(): void;
}

export function makeTrunk(kind: TrunkKind, inputShape: number[], seed: number, name: string): Trunk {
  if (!TRUNK_KINDS.includes(kind))
    throw new Error(`unknown encoder '${String(kind)}'. Accepted values: ${TRUNK_KINDS.join(', ')}`);
  if (kind === 'flatten') {
    const dim = inputShape.reduce((a, b) => a * b, 1);
    return {
      kind,
      inputShape: inputShape.slice(),
      layers: [],
      outputDim: dim,
      scalesPixels: false,
      variables: () => [],
      apply: (x, opts = {}) => {
        if (opts.scaled) throw new Error("trunk 'flatten' does not scale its input: upload it unscaled");
        return tf.reshape(x, [x.shape[0], dim]) as tf.Tensor2D;
      },
      dispose: () => undefined,
    };
  }
  if (inputShape.length !== 3) throw new Error(`encoder '${kind}' needs an image shape [H, W, C], got [${inputShape}]`);
  const t = makeConvTrunk({ kind, inputShape: inputShape as [number, number, number], seed, name });
  return {
    kind,
    inputShape: inputShape.slice(),
    layers: t.layers,
    outputDim: t.outputDim,
    scalesPixels: true,
    variables: () => t.variables(),
    apply: (x, opts) => t.apply(x as tf.Tensor4D, opts),
    conv: t,
    dispose: () => t.dispose(),
  };
}
