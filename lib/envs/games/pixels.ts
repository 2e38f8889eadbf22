/**
 * From MinAtar's 10×10×C boolean channels to a grayscale frame.
 *
 * Gray levels: a game lists its channels back to front (`drawOrder`); the channel at rank k of C gets gray
 * round(255·(k+1)/C), so every channel has its own non-zero level, empty cells are 0 and the front-most
 * objects are the brightest. A cell shows its front-most active channel.
 *
 * Cell → pixel mapping: 84/10 is not an integer, so pixel p (0 ≤ p < size) of a row or column belongs to cell
 * ⌊p·10/size⌋ (nearest-neighbour upscaling, as an image resize would do). At size 84, cells 0, 2, 5 and 7 are
 * 9 pixels wide and the other six are 8: ⌈8.4·i⌉ … ⌈8.4·(i+1)⌉ − 1. Every pixel belongs to exactly one cell.
 */
/** MinAtar's grid side (local: hot loops should not read an import binding). */
const GRID = 10;

/** Gray level per channel index, from the back-to-front drawing order. */
export function grayLevels(drawOrder: readonly number[]): Uint8Array {
  const c = drawOrder.length;
  const levels = new Uint8Array(c);
  const seen = new Set<number>();
  drawOrder.forEach((ch, rank) => {
    if (!Number.isInteger(ch) || ch < 0 || ch >= c || seen.has(ch)) {
      throw new Error(`drawOrder must be a permutation of 0..${c - 1}, got [${drawOrder.join(', ')}]`);
    }
    seen.add(ch);
    levels[ch] = Math.round((255 * (rank + 1)) / c);
  });
  return levels;
}

/** The cell (0..9) each pixel coordinate falls into. */
export function cellOfPixel(size: number): Int32Array {
  const m = new Int32Array(size);
  for (let p = 0; p < size; p++) m[p] = Math.floor((p * GRID) / size);
  return m;
}

/** For each pixel of a size×size frame, the index (row·10 + col) of its cell. */
export function cellIndexMap(size: number): Int32Array {
  const cell = cellOfPixel(size);
  const map = new Int32Array(size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) map[y * size + x] = cell[y] * GRID + cell[x];
  return map;
}

/**
 * Collapses a [10, 10, C] boolean state into 100 cell grays: the level of the front-most active channel.
 * `frontToBack` is drawOrder reversed; `levels` comes from grayLevels.
 */
export function cellGrays(
  state: Uint8Array,
  channels: number,
  frontToBack: Int32Array,
  levels: Uint8Array,
  out: Uint8Array,
): void {
  const nOrder = frontToBack.length;
  for (let i = 0; i < 100; i++) {
    const base = i * channels;
    let g = 0;
    for (let k = 0; k < nOrder; k++) {
      const ch = frontToBack[k];
      if (state[base + ch]) {
        g = levels[ch];
        break;
      }
    }
    out[i] = g;
  }
}

/** Expands 100 cell grays into a size×size single-channel frame. */
export function renderFrame(
  grays: Uint8Array,
  size: number,
  out: Uint8Array = new Uint8Array(size * size),
): Uint8Array {
  const map = cellIndexMap(size);
  for (let p = 0; p < map.length; p++) out[p] = grays[map[p]];
  return out;
}
