/**
 * CURL's image augmentation: random crops for training (each sample its own offset) and a centre crop
 * for acting and evaluation, on uint8 NHWC batches as replay stores them. The output is float32 pixel
 * values 0..255 ready for a tensor (encoders divide by 255 themselves); conversion happens in
 * TypedArray.set, one native copy per row.
 *
 * Offsets follow the official numpy crop: top/left ~ U{0, …, size − out − 1} (CURL's
 * `randint(0, size − out)`, so 0..15 for 100 → 84); the centre crop starts at ⌊(size − out)/2⌋.
 */
import type { Rng } from '../envs/rng';

/** The crop size that keeps CURL's 84/100 ratio at other render sizes (100 → 84, 64 → 54, 50 → 42). */
export function cropSizeFor(size: number): number {
  if (!(Number.isInteger(size) && size > 1)) throw new Error(`image size must be an integer > 1, got ${size}`);
  return Math.max(1, Math.round((size * 84) / 100));
}

export interface CropGeom {
  /** Stored image [H, W, C]. */
  inShape: readonly [number, number, number] | readonly number[];
  /** Square crop side. */
  out: number;
}

function checkGeom(src: ArrayLike<number>, n: number, g: CropGeom): [number, number, number] {
  const [h, w, c] = g.inShape as [number, number, number];
  if (!(g.inShape.length === 3 && h > 0 && w > 0 && c > 0))
    throw new Error(`inShape must be [H, W, C], got ${JSON.stringify(g.inShape)}`);
  if (!(Number.isInteger(g.out) && g.out >= 1 && g.out <= h && g.out <= w)) {
    throw new Error(`crop size must be an integer in [1, ${Math.min(h, w)}], got ${g.out}`);
  }
  if (!(Number.isInteger(n) && n >= 0) || src.length < n * h * w * c) {
    throw new Error(`expected at least ${n}·${h}·${w}·${c} values, got ${src.length}`);
  }
  return [h, w, c];
}

/** Crops sample i at (top[i], left[i]); `out` receives n·out·out·C floats. */
export function cropAt(
  src: Uint8Array,
  n: number,
  g: CropGeom,
  top: ArrayLike<number>,
  left: ArrayLike<number>,
  dst: Float32Array = new Float32Array(n * g.out * g.out * (g.inShape[2] as number)),
): Float32Array {
  const [h, w, c] = checkGeom(src, n, g);
  const o = g.out;
  const row = o * c;
  if (dst.length < n * o * row) throw new Error(`destination holds ${dst.length} values, needs ${n * o * row}`);
  for (let i = 0; i < n; i++) {
    const t = top[i];
    const l = left[i];
    if (!(t >= 0 && t + o <= h && l >= 0 && l + o <= w))
      throw new Error(`crop offset (${t}, ${l}) out of range for ${h}×${w} → ${o}`);
    const base = i * h * w * c;
    for (let y = 0; y < o; y++) {
      const s = base + ((t + y) * w + l) * c;
      dst.set(src.subarray(s, s + row), (i * o + y) * row);
    }
  }
  return dst;
}

/** Independent random crops, one per sample (offsets drawn from `rng`). */
export function randomCrop(src: Uint8Array, n: number, g: CropGeom, rng: Rng): Float32Array {
  const [h, w] = checkGeom(src, n, g);
  const top = new Int32Array(n);
  const left = new Int32Array(n);
  // CURL draws randint(0, size − out): at least one offset even when size == out.
  const maxH = Math.max(1, h - g.out);
  const maxW = Math.max(1, w - g.out);
  for (let i = 0; i < n; i++) {
    left[i] = rng.int(maxW);
    top[i] = rng.int(maxH);
  }
  return cropAt(src, n, g, top, left);
}

/** Centre crops (acting and evaluation). */
export function centerCrop(src: Uint8Array, n: number, g: CropGeom): Float32Array {
  const [h, w] = checkGeom(src, n, g);
  const top = new Int32Array(n).fill(Math.floor((h - g.out) / 2));
  const left = new Int32Array(n).fill(Math.floor((w - g.out) / 2));
  return cropAt(src, n, g, top, left);
}

/** No crop: the uint8 pixels as float32 (Rainbow, or CURL configured without augmentation). */
export function toFloat(src: Uint8Array, n: number, shape: readonly number[]): Float32Array {
  const len = n * shape.reduce((a, b) => a * b, 1);
  if (src.length < len) throw new Error(`expected at least ${len} values, got ${src.length}`);
  const dst = new Float32Array(len);
  dst.set(src.subarray(0, len));
  return dst;
}
