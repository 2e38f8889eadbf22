/**
 * How stored latents are packed. The paper stores float32 (its factor 4 in Ĉ); float16 and int8 with one
 * float32 scale per vector are go-beyond options that double / nearly quadruple the capacity.
 *   float32: 4·L bytes per vector, exact
 *   float16: 2·L bytes, IEEE half with round-to-nearest-even: relative error ≤ 2^-11 for |x| in [2^-14, 65504]
 *   int8:    L + 4 bytes, symmetric per-vector scale s = max|x|/127: absolute error ≤ s/2 = max|x|/254
 * Node 20 has no Float16Array, so half floats are packed by hand into Uint16Array.
 */
export type LatentDtype = 'float32' | 'float16' | 'int8';
export const LATENT_DTYPES: readonly LatentDtype[] = ['float32', 'float16', 'int8'];

export function checkDtype(d: unknown): LatentDtype {
  if (!LATENT_DTYPES.includes(d as LatentDtype)) {
    throw new Error(`latent dtype must be one of ${LATENT_DTYPES.join(', ')}, got ${String(d)}`);
  }
  return d as LatentDtype;
}

/** Bytes to store one latent vector of length L. */
export function bytesPerVector(dtype: LatentDtype, L: number): number {
  return dtype === 'float32' ? 4 * L : dtype === 'float16' ? 2 * L : L + 4;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 → IEEE 754 half bits, rounding to nearest even; overflow gives ±Infinity. */
export function toHalf(v: number): number {
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++; // a carry into the exponent is still correct
  return sign | h;
}

let halfTable: Float32Array | null = null;

/** IEEE half bits → number (table lookup, built once: 256 KB). */
export function fromHalf(h: number): number {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let i = 0; i < 65536; i++) {
      const s = i & 0x8000 ? -1 : 1;
      const e = (i >>> 10) & 0x1f;
      const m = i & 0x3ff;
      halfTable[i] =
        e === 0 ? s * m * 2 ** -24 : e === 31 ? (m ? NaN : s * Infinity) : s * (1 + m / 1024) * 2 ** (e - 15);
    }
  }
  return halfTable[h & 0xffff];
}

/** Packed storage for `count` vectors of length L. */
export interface PackedLatents {
  dtype: LatentDtype;
  L: number;
  data: Float32Array | Uint16Array | Int8Array;
  /** int8 only: one scale per vector. */
  scale: Float32Array | null;
}

export function allocPacked(dtype: LatentDtype, L: number, count: number): PackedLatents {
  const n = count * L;
  return {
    dtype,
    L,
    data: dtype === 'float32' ? new Float32Array(n) : dtype === 'float16' ? new Uint16Array(n) : new Int8Array(n),
    scale: dtype === 'int8' ? new Float32Array(count) : null,
  };
}

export function packedBytes(p: PackedLatents): number {
  return p.data.byteLength + (p.scale ? p.scale.byteLength : 0);
}

/** Stores `count` vectors from src (at srcOff) into vector slot `vec` onwards. */
export function packVectors(
  dst: PackedLatents,
  vec: number,
  src: ArrayLike<number>,
  srcOff: number,
  count: number,
): void {
  const L = dst.L;
  const d0 = vec * L;
  if (dst.dtype === 'float32') {
    const data = dst.data as Float32Array;
    for (let i = 0; i < count * L; i++) data[d0 + i] = src[srcOff + i];
  } else if (dst.dtype === 'float16') {
    const data = dst.data as Uint16Array;
    for (let i = 0; i < count * L; i++) data[d0 + i] = toHalf(src[srcOff + i]);
  } else {
    const data = dst.data as Int8Array;
    const scale = dst.scale as Float32Array;
    for (let v = 0; v < count; v++) {
      const so = srcOff + v * L;
      let m = 0;
      for (let i = 0; i < L; i++) {
        const a = Math.abs(src[so + i]);
        if (a > m) m = a;
      }
      if (!Number.isFinite(m)) throw new Error('int8 latents: a latent vector holds a non-finite value');
      const s = m / 127;
      scale[vec + v] = s;
      const inv = s > 0 ? 1 / s : 0;
      for (let i = 0; i < L; i++) data[d0 + v * L + i] = Math.max(-127, Math.min(127, Math.round(src[so + i] * inv)));
    }
  }
}

/** Reads `count` vectors starting at vector slot `vec` into dst (float32) at dstOff. */
export function unpackVectors(src: PackedLatents, vec: number, count: number, dst: Float32Array, dstOff: number): void {
  const L = src.L;
  const s0 = vec * L;
  if (src.dtype === 'float32') {
    dst.set((src.data as Float32Array).subarray(s0, s0 + count * L), dstOff);
  } else if (src.dtype === 'float16') {
    const data = src.data as Uint16Array;
    for (let i = 0; i < count * L; i++) dst[dstOff + i] = fromHalf(data[s0 + i]);
  } else {
    const data = src.data as Int8Array;
    const scale = src.scale as Float32Array;
    for (let v = 0; v < count; v++) {
      const s = scale[vec + v];
      for (let i = 0; i < L; i++) dst[dstOff + v * L + i] = data[s0 + v * L + i] * s;
    }
  }
}
