/**
 * Analytic FLOP formulas, per layer and per sample.
 *
 * Convention (the one SEER's Ĉ comparison and the PyTorch peer benchmark use):
 * - A multiply-add (MAC) is 2 FLOPs: conv forward = 2·oh·ow·oc·kh·kw·ic, linear forward = 2·in·out.
 * - "Counted" FLOPs are those MAC FLOPs only (conv and linear). Bias adds, activations, pooling,
 *   LayerNorm and residual adds have their own formulas below (`elementwise` counts) and are reported
 *   separately, never silently mixed in: they are <1% of the SAC-AE encoder.
 * - Backward = 2 × forward (input gradient + weight gradient, each ≈ one forward). The first layer's
 *   input needs no gradient, so `firstLayerBackward: 'weights-only'` counts it as 1 × forward; the
 *   default `'full'` keeps the plain 3 × forward rule so numbers compare with the peer benchmark.
 */

export interface Conv2dGeom {
  inH: number;
  inW: number;
  inC: number;
  outC: number;
  kernel: number;
  stride: number;
  pad: 'valid' | 'same';
}

/** Output spatial size with TensorFlow's rules ('valid': no padding; 'same': ceil(in/stride)). */
export function convOutSize(inSize: number, kernel: number, stride: number, pad: 'valid' | 'same'): number {
  if (!(kernel >= 1 && stride >= 1))
    throw new Error(`kernel and stride must be >= 1, got kernel=${kernel} stride=${stride}`);
  const out = pad === 'same' ? Math.ceil(inSize / stride) : Math.floor((inSize - kernel) / stride) + 1;
  if (out < 1)
    throw new Error(`input size ${inSize} is too small for kernel ${kernel}, stride ${stride}, pad '${pad}'`);
  return out;
}

/** Multiply-adds of one conv forward pass on one sample (bias excluded). */
export function conv2dMacs(g: Conv2dGeom): number {
  const oh = convOutSize(g.inH, g.kernel, g.stride, g.pad);
  const ow = convOutSize(g.inW, g.kernel, g.stride, g.pad);
  return oh * ow * g.outC * g.kernel * g.kernel * g.inC;
}

/** Forward FLOPs (2 × MACs) of one conv on one sample. */
export function conv2dFlops(g: Conv2dGeom): number {
  return 2 * conv2dMacs(g);
}

/** Forward FLOPs (2 × MACs) of a Linear layer on one sample. */
export function linearFlops(inDim: number, outDim: number): number {
  return 2 * inDim * outDim;
}

/**
 * Elementwise work per sample, for reporting only (not in the counted total):
 * - bias add / ReLU / tanh / residual add: 1 FLOP per output element;
 * - LayerNorm over d features: mean (d), centre (d), variance (2d), normalise (2d), affine (2d) = 8d;
 * - max-pool k×k: k²−1 comparisons per output element.
 */
export function elementwiseFlops(elements: number, perElement = 1): number {
  return elements * perElement;
}
export function layerNormFlops(dim: number): number {
  return 8 * dim;
}
export function maxPoolFlops(outElements: number, kernel: number): number {
  return outElements * (kernel * kernel - 1);
}

/** What a network reports per layer so totals can be formed in one place. */
export interface FlopLayer {
  name: string;
  /** Counted forward FLOPs per sample (2 × MACs; 0 for layers without MACs). */
  forwardFlops: number;
  /** Bias/activation/normalisation/pooling work per sample (reported, not counted). */
  elementwiseFlops?: number;
  /** True when the layer's weights train (backward is counted only for those and the layers above them). */
  trainable?: boolean;
}

export interface FlopOptions {
  /** Also add the elementwise work (default false: MAC FLOPs only, the comparison convention). */
  elementwise?: boolean;
  /** 'full' (default): every layer's backward is 2 × forward. 'weights-only': the first MAC layer's
   *  backward is 1 × forward because nothing needs its input gradient. */
  firstLayerBackward?: 'full' | 'weights-only';
}

/** Forward FLOPs of `layers` for a batch. */
export function forwardFlops(layers: readonly FlopLayer[], batch: number, opts: FlopOptions = {}): number {
  checkBatch(batch);
  let perSample = 0;
  for (const l of layers) perSample += l.forwardFlops + (opts.elementwise ? (l.elementwiseFlops ?? 0) : 0);
  return perSample * batch;
}

/** Backward FLOPs (2 × forward, first MAC layer optionally 1 ×) for a batch. */
export function backwardFlops(layers: readonly FlopLayer[], batch: number, opts: FlopOptions = {}): number {
  checkBatch(batch);
  let perSample = 0;
  let seenMacLayer = false;
  for (const l of layers) {
    const first = !seenMacLayer && l.forwardFlops > 0;
    if (l.forwardFlops > 0) seenMacLayer = true;
    const factor = first && opts.firstLayerBackward === 'weights-only' ? 1 : 2;
    perSample += factor * l.forwardFlops + (opts.elementwise ? 2 * (l.elementwiseFlops ?? 0) : 0);
  }
  return perSample * batch;
}

/** One training pass (forward + backward) for a batch. */
export function trainingFlops(layers: readonly FlopLayer[], batch: number, opts: FlopOptions = {}): number {
  return forwardFlops(layers, batch, opts) + backwardFlops(layers, batch, opts);
}

function checkBatch(batch: number): void {
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`batch must be a positive integer, got ${batch}`);
}
