/**
 * Float64 reference for conv2d (NHWC, TF 'valid'/'same' padding) and its exact gradients, written
 * directly from the definition; used to check the wasm kernels and, via finite differences, itself.
 */
export interface RefConv {
  n: number;
  h: number;
  w: number;
  c: number;
  k: number;
  co: number;
  stride: number;
  pad: 'valid' | 'same';
}

export function outSize(size: number, k: number, s: number, pad: 'valid' | 'same'): number {
  return pad === 'same' ? Math.ceil(size / s) : Math.floor((size - k) / s) + 1;
}

/** TF padding: total = max((out−1)·s + k − in, 0), the smaller half on top/left. */
export function padBefore(size: number, k: number, s: number, pad: 'valid' | 'same'): number {
  if (pad === 'valid') return 0;
  const out = outSize(size, k, s, pad);
  return Math.floor(Math.max((out - 1) * s + k - size, 0) / 2);
}

function geometry(p: RefConv) {
  const oh = outSize(p.h, p.k, p.stride, p.pad);
  const ow = outSize(p.w, p.k, p.stride, p.pad);
  return { oh, ow, pt: padBefore(p.h, p.k, p.stride, p.pad), pl: padBefore(p.w, p.k, p.stride, p.pad) };
}

/** Visits every (output position, tap) pair with flat indices into x, w and y. */
function forEachTap(p: RefConv, f: (xi: number, wi: number, yi: number) => void): void {
  const { oh, ow, pt, pl } = geometry(p);
  for (let n = 0; n < p.n; n++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let ky = 0; ky < p.k; ky++) {
          const iy = oy * p.stride + ky - pt;
          if (iy < 0 || iy >= p.h) continue;
          for (let kx = 0; kx < p.k; kx++) {
            const ix = ox * p.stride + kx - pl;
            if (ix < 0 || ix >= p.w) continue;
            for (let ci = 0; ci < p.c; ci++) {
              const xi = ((n * p.h + iy) * p.w + ix) * p.c + ci;
              for (let co = 0; co < p.co; co++) {
                f(xi, ((ky * p.k + kx) * p.c + ci) * p.co + co, ((n * oh + oy) * ow + ox) * p.co + co);
              }
            }
          }
        }
}

export function convForward(p: RefConv, x: ArrayLike<number>, w: ArrayLike<number>): Float64Array {
  const { oh, ow } = geometry(p);
  const y = new Float64Array(p.n * oh * ow * p.co);
  forEachTap(p, (xi, wi, yi) => (y[yi] += x[xi] * w[wi]));
  return y;
}

/** Gradients of L = Σ y·r with respect to x and w. */
export function convGrads(p: RefConv, x: ArrayLike<number>, w: ArrayLike<number>, r: ArrayLike<number>) {
  const dx = new Float64Array(p.n * p.h * p.w * p.c);
  const dw = new Float64Array(p.k * p.k * p.c * p.co);
  forEachTap(p, (xi, wi, yi) => {
    dx[xi] += w[wi] * r[yi];
    dw[wi] += x[xi] * r[yi];
  });
  return { dx, dw };
}

export function outputShape(p: RefConv): [number, number, number, number] {
  const { oh, ow } = geometry(p);
  return [p.n, oh, ow, p.co];
}

/** Relative L2 error ‖a − b‖ / ‖b‖. */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-300));
}

/** Seeded uniform(-1, 1) values. */
export function randomValues(count: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = (s / 4294967296) * 2 - 1;
  }
  return out;
}
