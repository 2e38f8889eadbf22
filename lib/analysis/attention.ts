/**
 * Spatial attention maps of a conv layer, overlaid on the observation — SEER Figure 8a.
 *
 * As the paper (§5.5, after RAD and Zagoruyko & Komodakis): mean of |activation| over channels, then a
 * 2-D softmax over the H×W positions. The softmax of raw channel means depends on the activation
 * scale (near-uniform for small activations, one-hot for large ones), so it takes a temperature:
 * softmax(m / temperature). For display the map is min-max scaled to [0, 1], upsampled bilinearly to the
 * frame size, coloured with a jet-like heat colormap and alpha-blended over the frame.
 *
 * Everything after the encoder's forward pass is plain float math on small arrays.
 */
import * as tf from '@tensorflow/tfjs';
import { encodePng } from '../envs/png';
import type { Encoder } from '../nets/encoders';
import { loadSnapshot, type Snapshot } from './snapshots';
import { writeFileAtomic } from '../util/atomic';

export interface SpatialMaps {
  /** [N, H, W] row-major; each map sums to 1. */
  data: Float32Array;
  shape: [number, number, number];
}

/** Attention maps from conv activations [N, H, W, C] (NHWC). */
export function spatialAttention(
  act: { data: ArrayLike<number>; shape: readonly number[] },
  temperature = 1,
): SpatialMaps {
  if (act.shape.length !== 4)
    throw new Error(`attention needs conv activations [N, H, W, C], got shape ${JSON.stringify(act.shape)}`);
  if (!(temperature > 0) || !Number.isFinite(temperature))
    throw new Error(`temperature must be a finite number > 0, got ${temperature}`);
  const [N, H, W, C] = act.shape;
  if (act.data.length !== N * H * W * C)
    throw new Error(`activation shape ${JSON.stringify(act.shape)} does not match ${act.data.length} values`);
  const hw = H * W;
  const out = new Float32Array(N * hw);
  const m = new Float64Array(hw);
  for (let n = 0; n < N; n++) {
    let max = -Infinity;
    for (let p = 0; p < hw; p++) {
      const o = (n * hw + p) * C;
      let s = 0;
      for (let c = 0; c < C; c++) s += Math.abs(act.data[o + c]);
      m[p] = s / C / temperature;
      if (!Number.isFinite(m[p])) throw new Error(`non-finite activation in observation ${n} at position ${p}`);
      if (m[p] > max) max = m[p];
    }
    let z = 0;
    for (let p = 0; p < hw; p++) z += m[p] = Math.exp(m[p] - max); // shift by the max: no overflow
    for (let p = 0; p < hw; p++) out[n * hw + p] = m[p] / z;
  }
  return { data: out, shape: [N, H, W] };
}

/**
 * Bilinear resize of one h×w map to outH×outW with half-pixel centres (tf.image.resizeBilinear with
 * halfPixelCenters: true), edges clamped.
 */
export function resizeBilinear(map: ArrayLike<number>, h: number, w: number, outH: number, outW: number): Float32Array {
  const out = new Float32Array(outH * outW);
  const sy = h / outH;
  const sx = w / outW;
  for (let y = 0; y < outH; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, h - 1);
    const ty = fy - y0;
    for (let x = 0; x < outW; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, w - 1);
      const tx = fx - x0;
      const top = map[y0 * w + x0] * (1 - tx) + map[y0 * w + x1] * tx;
      const bottom = map[y1 * w + x0] * (1 - tx) + map[y1 * w + x1] * tx;
      out[y * outW + x] = top * (1 - ty) + bottom * ty;
    }
  }
  return out;
}

/** Jet-like heat colormap: 0 → dark blue, 0.5 → green/yellow, 1 → dark red. */
export function heatColor(v: number): [number, number, number] {
  const t = Math.min(Math.max(v, 0), 1);
  const ramp = (c: number) => Math.round(255 * Math.min(Math.max(1.5 - Math.abs(4 * t - c), 0), 1));
  return [ramp(3), ramp(2), ramp(1)];
}

export interface Frame {
  /** uint8 pixels [H, W, C] with C = 1 (gray) or 3 (RGB). */
  data: Uint8Array;
  shape: [number, number, number];
}

/**
 * The last frame of a frame-stacked observation [H, W, k·frameChannels] as a displayable Frame
 * (DMC pixels stack RGB frames: frameChannels 3; grayscale Atari stacks: 1).
 */
export function lastFrame(
  obs: ArrayLike<number>,
  shape: readonly [number, number, number],
  frameChannels: 1 | 3,
  offset = 0,
): Frame {
  const [H, W, C] = shape;
  if (C % frameChannels !== 0)
    throw new Error(`observation has ${C} channels, not a stack of ${frameChannels}-channel frames`);
  if (obs.length < offset + H * W * C)
    throw new Error(
      `observation holds ${obs.length - offset} values, shape ${JSON.stringify(shape)} needs ${H * W * C}`,
    );
  const data = new Uint8Array(H * W * frameChannels);
  for (let p = 0; p < H * W; p++) {
    for (let c = 0; c < frameChannels; c++) data[p * frameChannels + c] = obs[offset + p * C + C - frameChannels + c];
  }
  return { data, shape: [H, W, frameChannels] };
}

/** Min-max scales one map, upsamples it to the frame and blends its heat colours over it: RGB uint8 [H, W, 3]. */
export function overlayAttention(
  frame: Frame,
  map: ArrayLike<number>,
  mapShape: readonly [number, number],
  alpha = 0.5,
): Frame {
  const [H, W, C] = frame.shape;
  if (C !== 1 && C !== 3) throw new Error(`frame must have 1 (gray) or 3 (RGB) channels, got ${C}`);
  if (!(alpha >= 0 && alpha <= 1)) throw new Error(`alpha must be in [0, 1], got ${alpha}`);
  const [h, w] = mapShape;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < h * w; i++) {
    lo = Math.min(lo, map[i]);
    hi = Math.max(hi, map[i]);
  }
  const span = hi - lo || 1; // a uniform map shows as all-cold
  const scaled = Float32Array.from({ length: h * w }, (_, i) => (map[i] - lo) / span);
  const up = resizeBilinear(scaled, h, w, H, W);
  const out = new Uint8Array(H * W * 3);
  for (let p = 0; p < H * W; p++) {
    const rgb = heatColor(up[p]);
    for (let c = 0; c < 3; c++) {
      const base = frame.data[p * C + (C === 3 ? c : 0)];
      out[p * 3 + c] = Math.round((1 - alpha) * base + alpha * rgb[c]);
    }
  }
  return { data: out, shape: [H, W, 3] };
}

export interface AttentionOptions {
  /** A conv layer of the encoder (default: its last conv2d layer). */
  layer?: string;
  temperature?: number;
  /**
   * Channels of one displayed frame in the stacked observation (default 3 if C % 3 == 0, else 1: DMC
   * stacks RGB frames, MinAtar pixels stack 4 gray ones; pass it for a gray stack of 3 or 6).
   */
  frameChannels?: 1 | 3;
  /** Frames to draw on instead of the observations' last frames (e.g. renders of native MinAtar grids). */
  frames?: Frame[];
  alpha?: number;
}

/**
 * Figure 8a for a batch of observations (uint8 or float 0..255, [N, H, W, C]): per observation the
 * attention map of `layer` and its overlay on the observation's last frame.
 */
export function attentionOverlays(
  encoder: Encoder,
  obs: { data: ArrayLike<number>; shape: [number, number, number, number] },
  opts: AttentionOptions = {},
): { layer: string; maps: SpatialMaps; overlays: Frame[] } {
  const convs = encoder.layers
    .filter((l) => l.kind === 'conv2d' || l.kind === 'residual' || l.kind === 'maxpool')
    .map((l) => l.name);
  const layer =
    opts.layer ??
    encoder.layers
      .filter((l) => l.kind === 'conv2d')
      .map((l) => l.name)
      .pop();
  if (!layer || !convs.includes(layer)) {
    throw new Error(
      `attention needs a spatial layer of encoder '${encoder.name}'; got '${layer}'. Spatial layers: ${convs.join(', ')}`,
    );
  }
  const [N, H, W, C] = obs.shape;
  const input = tf.tensor4d(Float32Array.from(obs.data), [N, H, W, C]);
  let act: { data: Float32Array; shape: number[] };
  try {
    const { output, taps } = encoder.applyWithTaps(input, [layer]);
    act = { data: taps[layer].dataSync() as Float32Array, shape: taps[layer].shape };
    tf.dispose([output, ...Object.values(taps)]);
  } finally {
    input.dispose();
  }
  if (opts.frames && opts.frames.length !== N)
    throw new Error(`frames holds ${opts.frames.length} frames for ${N} observations`);
  const maps = spatialAttention(act, opts.temperature ?? 1);
  const frameChannels = opts.frameChannels ?? (C % 3 === 0 ? 3 : 1);
  const [, h, w] = maps.shape;
  const overlays: Frame[] = [];
  for (let n = 0; n < N; n++) {
    const frame = opts.frames ? opts.frames[n] : lastFrame(obs.data, [H, W, C], frameChannels, n * H * W * C);
    overlays.push(overlayAttention(frame, maps.data.subarray(n * h * w, (n + 1) * h * w), [h, w], opts.alpha ?? 0.5));
  }
  return { layer, maps, overlays };
}

/** Tiles equal-sized frames into a grid (row-major, `cols` per row) with a `gap`-pixel white border. */
export function tileFrames(frames: Frame[], cols: number, gap = 2): Frame {
  if (frames.length === 0) throw new Error('tileFrames needs at least one frame');
  const [h, w, c] = frames[0].shape;
  if (frames.some((f) => f.shape[0] !== h || f.shape[1] !== w || f.shape[2] !== c))
    throw new Error('tileFrames needs frames of one shape');
  const rows = Math.ceil(frames.length / cols);
  const H = rows * h + (rows + 1) * gap;
  const W = cols * w + (cols + 1) * gap;
  const data = new Uint8Array(H * W * c).fill(255);
  frames.forEach((f, i) => {
    const y0 = gap + Math.floor(i / cols) * (h + gap);
    const x0 = gap + (i % cols) * (w + gap);
    for (let y = 0; y < h; y++) data.set(f.data.subarray(y * w * c, (y + 1) * w * c), ((y0 + y) * W + x0) * c);
  });
  return { data, shape: [H, W, c] };
}

/** Writes a frame as PNG (write-to-temp + rename, so readers never see half a file). */
export function saveFramePng(file: string, frame: Frame): void {
  writeFileAtomic(file, encodePng(frame.data, frame.shape[1], frame.shape[0], frame.shape[2] as 1 | 3));
}

/**
 * Figure 8a: attention overlays of the same observations at several points of training. Loads each
 * snapshot into `encoder` (its weights are overwritten) and returns one grid, a row per snapshot in the
 * given order and a column per observation.
 */
export function attentionOverTime(
  snapshots: Snapshot[],
  encoder: Encoder,
  obs: { data: ArrayLike<number>; shape: [number, number, number, number] },
  opts: AttentionOptions = {},
): { updates: number[]; layer: string; grid: Frame } {
  const tiles: Frame[] = [];
  let layer = '';
  for (const s of snapshots) {
    loadSnapshot(s, encoder);
    const r = attentionOverlays(encoder, obs, opts);
    layer = r.layer;
    tiles.push(...r.overlays);
  }
  return { updates: snapshots.map((s) => s.update), layer, grid: tileFrames(tiles, obs.shape[0]) };
}
