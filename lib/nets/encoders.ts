/**
 * Pixel encoders of the three agents, as a conv trunk plus an optional fc head.
 *
 *   makeEncoder({kind, inputShape: [H, W, C], featureDim?, tanh?, seed?, name?}) → Encoder
 *   makeConvTrunk({kind, inputShape, seed?, name?})                           → ConvTrunk
 *   makeFcHead({inputDim, featureDim?, tanh?, seed?, name?})                  → FcHead
 *   composeEncoder(trunk, head?, {name?, ownsTrunk?})                         → Encoder
 *
 * Encoder: layers (LayerInfo: name, kind, variables, outputShape, forwardFlops per sample), outputDim,
 * variables(), apply(x) → [N, outputDim], applyWithTaps(x, names) → {output, taps}, forwardFlops(batch),
 * trainingFlops(batch), dispose(); `trunk` and `head` expose the parts (trunk.apply: pixels → flat conv
 * features; head.apply(z, {from: 'fc'}) continues from stored fc outputs, SEER's latents).
 *
 * Kinds (any input size the convs fit, any channel count):
 * - 'sac-ae' (SAC-AE / CURL): conv 3×3 32ch strides 2,1,1,1 'valid', ReLU after each ('conv1'..'conv4'),
 *   flatten → head 'fc' (Linear → featureDim, default 50) → 'ln' (LayerNorm) → optional 'tanh'.
 *   CURL's actor and critic share the trunk and own separate heads: build one trunk, two heads, and
 *   compose twice with `ownsTrunk: false` for the second. Init: delta-orthogonal convs (ReLU gain),
 *   orthogonal Linear, zero biases (CURL's weight_init).
 * - 'rainbow' (data-efficient Rainbow): 'conv1' 32 5×5/5, ReLU, 'conv2' 64 5×5/5, ReLU, flatten
 *   (576 at 84×84). No head. PyTorch-default init (Kaixhin's code).
 * - 'impala' (IMPALA CNN, stacks 16, 32, 32): per stack 'stackS/conv' 3×3 'same' → 'stackS/pool' max-pool 3/2
 *   'same' → residual blocks 'stackS/res1', 'stackS/res2' = x + conv2(relu(conv1(relu(x)))) with convs
 *   'stackS/resR/conv1|conv2'; then 'relu' and flatten (15 convs; 11×11×32 = 3872 at 84×84). No head.
 *   PyTorch-default init.
 *
 * Inputs are float32 pixel values in 0..255, NHWC; the trunk divides by 255 as the official code does.
 * Taps (`applyWithTaps(x, names)`) return the named layer's output: conv outputs of 'sac-ae' and
 * 'rainbow' are post-ReLU (as CURL records them); IMPALA conv taps are the raw conv outputs and the
 * residual taps the block outputs; 'fc' is the pre-LayerNorm feature SEER stores.
 * Variables are named `${name}/${layer}/kernel|bias|gamma|beta`.
 * FLOPs per layer are per sample, 2 × MACs (see flops.ts for the convention).
 */
import * as tf from '@tensorflow/tfjs';
import { backwardFlops, forwardFlops, type FlopOptions, elementwiseFlops, maxPoolFlops, convOutSize } from './flops';
import { childSeed, makeConv2d, makeLayerNorm, makeLinear, type Conv2dLayer } from './layers';

export const ENCODER_KINDS = ['sac-ae', 'rainbow', 'impala'] as const;
export type EncoderKind = (typeof ENCODER_KINDS)[number];

export type LayerKind = 'conv2d' | 'linear' | 'layernorm' | 'tanh' | 'maxpool' | 'residual' | 'relu';

/** One named step of a network, in execution order. */
export interface LayerInfo {
  name: string;
  kind: LayerKind;
  variables: tf.Variable[];
  /** Per-sample output shape: [H, W, C] for feature maps, [D] for vectors. */
  outputShape: number[];
  /** Counted forward FLOPs per sample (2 × MACs; 0 for layers without MACs). */
  forwardFlops: number;
  /** Bias/activation/pool/norm work per sample (reported separately, see flops.ts). */
  elementwiseFlops: number;
}

/** What trunks, heads and encoders have in common. */
interface Block {
  readonly name: string;
  readonly layers: readonly LayerInfo[];
  readonly outputDim: number;
  variables(): tf.Variable[];
  dispose(): void;
}

type Tap = (name: string, t: tf.Tensor) => void;

export interface ConvTrunk extends Block {
  readonly kind: EncoderKind;
  readonly inputShape: [number, number, number];
  /** Per-sample shape of the last feature map before flattening. */
  readonly featureMapShape: [number, number, number];
  /**
   * Pixels (0..255, NHWC) → flattened features [N, outputDim]. `scaled`: x is already pixels / 255 (in float32, as
   * lib/backend/kernels/pixels.ts uploads them), so the trunk skips its own division; same features bit for bit.
   */
  apply(x: tf.Tensor4D, opts?: { scaled?: boolean }): tf.Tensor2D;
  /** Internal: runs the trunk and reports every layer output to `tap`. */
  run(x: tf.Tensor4D, tap: Tap, scaled?: boolean): tf.Tensor2D;
}

export interface FcHead extends Block {
  readonly inputDim: number;
  readonly tanh: boolean;
  /** Features [N, inputDim] → [N, featureDim]. `from: 'fc'` starts from stored fc outputs (SEER's latents). */
  apply(features: tf.Tensor2D, opts?: { from?: 'input' | 'fc' }): tf.Tensor2D;
  run(features: tf.Tensor2D, tap: Tap, from?: 'input' | 'fc'): tf.Tensor2D;
}

export interface Encoder extends Block {
  readonly kind: EncoderKind;
  readonly inputShape: [number, number, number];
  readonly trunk: ConvTrunk;
  readonly head: FcHead | undefined;
  /** Pixels (0..255, NHWC) → [N, outputDim]. */
  apply(x: tf.Tensor4D): tf.Tensor2D;
  /** Output plus the named layers' outputs (the caller disposes all of them). */
  applyWithTaps(x: tf.Tensor4D, names: readonly string[]): { output: tf.Tensor2D; taps: Record<string, tf.Tensor> };
  /** Forward FLOPs for a batch (MAC FLOPs; opts.elementwise adds the rest). */
  forwardFlops(batch: number, opts?: FlopOptions): number;
  /** Forward + backward FLOPs for a batch (backward = 2 × forward; see FlopOptions). */
  trainingFlops(batch: number, opts?: FlopOptions): number;
}

export interface TrunkConfig {
  kind: EncoderKind;
  inputShape: [number, number, number];
  seed?: number;
  name?: string;
}

export interface HeadConfig {
  inputDim: number;
  featureDim?: number;
  tanh?: boolean;
  seed?: number;
  name?: string;
}

export interface EncoderConfig {
  kind: EncoderKind;
  inputShape: [number, number, number];
  /** sac-ae only: size of the fc head (default 50). */
  featureDim?: number;
  /** sac-ae only: tanh after LayerNorm (SAC-AE's decoder-side encoder; CURL's actor/critic use none). */
  tanh?: boolean;
  seed?: number;
  name?: string;
}

let anonymous = 0;
function defaultName(prefix: string): string {
  return `${prefix}_${anonymous++}`;
}

function checkInputShape(shape: unknown): [number, number, number] {
  const ok = Array.isArray(shape) && shape.length === 3 && shape.every((d) => Number.isInteger(d) && (d as number) > 0);
  if (!ok) throw new Error(`inputShape must be [H, W, C] with positive integers, got ${JSON.stringify(shape)}`);
  return shape as [number, number, number];
}

function checkKind(kind: unknown): EncoderKind {
  if (!(ENCODER_KINDS as readonly unknown[]).includes(kind)) {
    throw new Error(`unknown encoder kind '${String(kind)}'. Accepted values: ${ENCODER_KINDS.join(', ')}`);
  }
  return kind as EncoderKind;
}

function convInfo(layer: Conv2dLayer, relu: boolean, prefix: string): LayerInfo {
  const name = layer.name.slice(prefix.length + 1);
  const shape = layer.outputShape;
  return {
    name,
    kind: 'conv2d',
    variables: [layer.kernel, layer.bias],
    outputShape: [...shape],
    forwardFlops: layer.forwardFlops,
    elementwiseFlops: elementwiseFlops(shape[0] * shape[1] * shape[2], relu ? 2 : 1),
  };
}

/** Builds the conv part of an encoder (pixel scaling included). */
export function makeConvTrunk(cfg: TrunkConfig): ConvTrunk {
  const kind = checkKind(cfg.kind);
  const inputShape = checkInputShape(cfg.inputShape);
  const name = cfg.name ?? defaultName(kind);
  const seed = cfg.seed ?? 0;
  const conv = (
    layer: string,
    inShape: [number, number, number],
    outC: number,
    k: number,
    stride: number,
    pad: 'valid' | 'same',
  ) =>
    makeConv2d({
      name: `${name}/${layer}`,
      inShape,
      outC,
      kernel: k,
      stride,
      pad,
      init: kind === 'sac-ae' ? 'delta-orthogonal' : 'torch-default',
      seed: childSeed(seed, layer),
    });

  const layers: LayerInfo[] = [];
  const owned: Conv2dLayer[] = [];
  let body: (x: tf.Tensor4D, tap: Tap) => tf.Tensor4D;

  try {
    if (kind === 'sac-ae' || kind === 'rainbow') {
      const plan: [number, number, number][] =
        kind === 'sac-ae'
          ? [
              [32, 3, 2],
              [32, 3, 1],
              [32, 3, 1],
              [32, 3, 1],
            ]
          : [
              [32, 5, 5],
              [64, 5, 5],
            ];
      let shape = inputShape;
      plan.forEach(([outC, k, s], i) => {
        const c = conv(`conv${i + 1}`, shape, outC, k, s, 'valid');
        owned.push(c);
        layers.push(convInfo(c, true, name));
        shape = c.outputShape;
      });
      body = (x, tap) => {
        let h = x;
        for (const c of owned) {
          h = c.apply(h, true);
          tap(c.name.slice(name.length + 1), h);
        }
        return h;
      };
    } else {
      const stacks: { conv: Conv2dLayer; res: [Conv2dLayer, Conv2dLayer][]; pool: string }[] = [];
      let shape = inputShape;
      [16, 32, 32].forEach((ch, si) => {
        const sname = `stack${si + 1}`;
        const c = conv(`${sname}/conv`, shape, ch, 3, 1, 'same');
        owned.push(c);
        layers.push(convInfo(c, false, name));
        const ph = convOutSize(c.outputShape[0], 3, 2, 'same');
        const pw = convOutSize(c.outputShape[1], 3, 2, 'same');
        shape = [ph, pw, ch];
        layers.push({
          name: `${sname}/pool`,
          kind: 'maxpool',
          variables: [],
          outputShape: [...shape],
          forwardFlops: 0,
          elementwiseFlops: maxPoolFlops(ph * pw * ch, 3),
        });
        const res: [Conv2dLayer, Conv2dLayer][] = [];
        for (let r = 1; r <= 2; r++) {
          const c1 = conv(`${sname}/res${r}/conv1`, shape, ch, 3, 1, 'same');
          const c2 = conv(`${sname}/res${r}/conv2`, shape, ch, 3, 1, 'same');
          owned.push(c1, c2);
          // The ReLU before each conv is counted with the conv that consumes it.
          layers.push(convInfo(c1, true, name), convInfo(c2, true, name));
          layers.push({
            name: `${sname}/res${r}`,
            kind: 'residual',
            variables: [],
            outputShape: [...shape],
            forwardFlops: 0,
            elementwiseFlops: elementwiseFlops(ph * pw * ch),
          });
          res.push([c1, c2]);
        }
        stacks.push({ conv: c, res, pool: `${sname}/pool` });
      });
      layers.push({
        name: 'relu',
        kind: 'relu',
        variables: [],
        outputShape: [...shape],
        forwardFlops: 0,
        elementwiseFlops: elementwiseFlops(shape[0] * shape[1] * shape[2]),
      });
      const local = (l: Conv2dLayer) => l.name.slice(name.length + 1);
      body = (x, tap) => {
        let h = x;
        for (const s of stacks) {
          h = s.conv.apply(h);
          tap(local(s.conv), h);
          h = tf.maxPool(h, 3, 2, 'same');
          tap(s.pool, h);
          for (const [c1, c2] of s.res) {
            const a = c1.apply(tf.relu(h));
            tap(local(c1), a);
            const b = c2.apply(tf.relu(a));
            tap(local(c2), b);
            h = tf.add(h, b);
            tap(local(c1).replace(/\/conv1$/, ''), h);
          }
        }
        h = tf.relu(h);
        tap('relu', h);
        return h;
      };
    }
  } catch (err) {
    for (const c of owned) tf.dispose([c.kernel, c.bias]);
    throw err;
  }

  const last = layers[layers.length - 1].outputShape as [number, number, number];
  const outputDim = last[0] * last[1] * last[2];
  const variables = () => owned.flatMap((c) => [c.kernel, c.bias]);
  const run = (x: tf.Tensor4D, tap: Tap, scaled = false): tf.Tensor2D => {
    const [, h, w, c] = x.shape;
    if (x.rank !== 4 || h !== inputShape[0] || w !== inputShape[1] || c !== inputShape[2]) {
      throw new Error(`encoder '${name}' expects input [N, ${inputShape.join(', ')}], got [${x.shape.join(', ')}]`);
    }
    if (scaled && x.dtype !== 'float32') throw new Error(`encoder '${name}': scaled input must be float32`);
    const xf = x.dtype === 'float32' ? x : tf.cast(x, 'float32');
    const out = body(scaled ? xf : tf.div(xf, 255), tap);
    return tf.reshape(out, [x.shape[0], outputDim]);
  };
  return {
    name,
    kind,
    inputShape,
    featureMapShape: last,
    layers,
    outputDim,
    variables,
    run,
    apply: (x, opts = {}) => tf.tidy(() => run(x, () => undefined, opts.scaled)),
    dispose: () => tf.dispose(variables()),
  };
}

/** SAC-AE's head: Linear → LayerNorm → optional tanh, named 'fc', 'ln', 'tanh'. */
export function makeFcHead(cfg: HeadConfig): FcHead {
  const name = cfg.name ?? defaultName('head');
  const featureDim = cfg.featureDim ?? 50;
  const tanh = cfg.tanh ?? false;
  const seed = cfg.seed ?? 0;
  const fc = makeLinear({
    name: `${name}/fc`,
    inDim: cfg.inputDim,
    outDim: featureDim,
    init: 'orthogonal',
    seed: childSeed(seed, 'fc'),
  });
  const ln = makeLayerNorm(`${name}/ln`, featureDim);
  const layers: LayerInfo[] = [
    {
      name: 'fc',
      kind: 'linear',
      variables: [fc.kernel, fc.bias],
      outputShape: [featureDim],
      forwardFlops: fc.forwardFlops,
      elementwiseFlops: fc.elementwiseFlops,
    },
    {
      name: 'ln',
      kind: 'layernorm',
      variables: [ln.gamma, ln.beta],
      outputShape: [featureDim],
      forwardFlops: 0,
      elementwiseFlops: ln.elementwiseFlops,
    },
  ];
  if (tanh)
    layers.push({
      name: 'tanh',
      kind: 'tanh',
      variables: [],
      outputShape: [featureDim],
      forwardFlops: 0,
      elementwiseFlops: featureDim,
    });
  const variables = () => [fc.kernel, fc.bias, ln.gamma, ln.beta];
  const run = (features: tf.Tensor2D, tap: Tap, from: 'input' | 'fc' = 'input'): tf.Tensor2D => {
    const want = from === 'fc' ? featureDim : cfg.inputDim;
    if (features.rank !== 2 || features.shape[1] !== want) {
      throw new Error(`head '${name}' expects [N, ${want}] (from '${from}'), got [${features.shape.join(', ')}]`);
    }
    let h = from === 'fc' ? features : fc.apply(features);
    if (from !== 'fc') tap('fc', h);
    h = ln.apply(h);
    tap('ln', h);
    if (tanh) {
      h = tf.tanh(h);
      tap('tanh', h);
    }
    return h;
  };
  return {
    name,
    inputDim: cfg.inputDim,
    tanh,
    layers,
    outputDim: featureDim,
    variables,
    run,
    apply: (features, opts = {}) => tf.tidy(() => run(features, () => undefined, opts.from)),
    dispose: () => tf.dispose(variables()),
  };
}

/** An encoder = trunk + optional head. `ownsTrunk: false` leaves a shared trunk alive on dispose(). */
export function composeEncoder(
  trunk: ConvTrunk,
  head?: FcHead,
  opts: { name?: string; ownsTrunk?: boolean } = {},
): Encoder {
  if (head && head.inputDim !== trunk.outputDim) {
    throw new Error(
      `head '${head.name}' takes ${head.inputDim} features but trunk '${trunk.name}' gives ${trunk.outputDim}`,
    );
  }
  const ownsTrunk = opts.ownsTrunk ?? true;
  const layers = [...trunk.layers, ...(head?.layers ?? [])];
  const layerNames = layers.map((l) => l.name);
  const run = (x: tf.Tensor4D, tap: Tap) => {
    const f = trunk.run(x, tap);
    return head ? head.run(f, tap) : f;
  };
  return {
    name: opts.name ?? head?.name ?? trunk.name,
    kind: trunk.kind,
    inputShape: trunk.inputShape,
    trunk,
    head,
    layers,
    outputDim: head ? head.outputDim : trunk.outputDim,
    variables: () => [...trunk.variables(), ...(head?.variables() ?? [])],
    apply: (x) => tf.tidy(() => run(x, () => undefined)),
    applyWithTaps(x, names) {
      const unknown = names.filter((n) => !layerNames.includes(n));
      if (unknown.length) throw new Error(`unknown layer(s) ${unknown.join(', ')}. Layers: ${layerNames.join(', ')}`);
      const wanted = new Set(names);
      return tf.tidy(() => {
        const taps: Record<string, tf.Tensor> = {};
        const output = run(x, (n, t) => {
          if (wanted.has(n)) taps[n] = t;
        });
        return { output, taps };
      });
    },
    forwardFlops: (batch, fo) => forwardFlops(layers, batch, fo),
    trainingFlops: (batch, fo) => forwardFlops(layers, batch, fo) + backwardFlops(layers, batch, fo),
    dispose() {
      head?.dispose();
      if (ownsTrunk) trunk.dispose();
    },
  };
}

/** The one-call constructor most code uses. */
export function makeEncoder(cfg: EncoderConfig): Encoder {
  const kind = checkKind(cfg.kind);
  if (kind !== 'sac-ae' && (cfg.featureDim !== undefined || cfg.tanh !== undefined)) {
    throw new Error(`featureDim and tanh apply to kind 'sac-ae' only; '${kind}' outputs its flattened conv features`);
  }
  const name = cfg.name ?? defaultName(kind);
  const seed = cfg.seed ?? 0;
  const trunk = makeConvTrunk({ kind, inputShape: cfg.inputShape, seed, name });
  if (kind !== 'sac-ae') return composeEncoder(trunk, undefined, { name });
  try {
    const head = makeFcHead({ inputDim: trunk.outputDim, featureDim: cfg.featureDim, tanh: cfg.tanh, seed, name });
    return composeEncoder(trunk, head, { name });
  } catch (err) {
    trunk.dispose();
    throw err;
  }
}
