/**
 * Data layouts that turn convolution gradients into XNNPACK matrix products, on raw float32 heap arrays
 * (NHWC, TF padding). Patch index k = (ky·kw + kx)·inC + c matches the filter layout [kh, kw, inC, outC];
 * output row index m = (n·outH + oy)·outW + ox.
 */

export interface ConvGeom {
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
}

/**
 * Layout for the filter gradient without im2col ("shifted views").
 *
 * Pad x, split it into stride phases (py, px) and store each channel of each phase as a plane of
 * Hs × Ws values for all samples: row (py, px, c) of length rowLen = N·Hs·Ws. Tap (ky, kx) with
 * ky = sh·qy + py reads input (s·(oy+qy)+py, s·(ox+qx)+px), i.e. plane (py, px, c) at position
 * (oy+qy, ox+qx) — the whole row shifted by qy·Ws + qx. With dY zero-padded to the same Hs × Ws grid,
 * dW[ky, kx] = rows(py, px, ·) shifted · dYpad: one [inC, rowLen]·[rowLen, outC] product per tap, on views
 * that copy nothing. Positions where dYpad is 0 may read the next row or plane (or `slack` zeros at the
 * end); they add 0·finite. Valid positions never wrap: oy+qy < Hs and ox+qx < Ws.
 */
export interface PhaseGeom {
  phases: number;
  hs: number;
  ws: number;
  rowLen: number;
  slack: number;
  tapOffset(ky: number, kx: number): number;
}

export function phaseGeometry(g: ConvGeom, batch: number, padBottom: number, padRight: number): PhaseGeom {
  const hs = Math.ceil((g.inH + g.padTop + padBottom) / g.strideH);
  const ws = Math.ceil((g.inW + g.padLeft + padRight) / g.strideW);
  const rowLen = batch * hs * ws;
  return {
    phases: g.strideH * g.strideW,
    hs,
    ws,
    rowLen,
    slack: Math.floor((g.kh - 1) / g.strideH) * ws + Math.floor((g.kw - 1) / g.strideW),
    tapOffset(ky, kx) {
      const py = ky % g.strideH;
      const px = kx % g.strideW;
      const shift = ((ky - py) / g.strideH) * ws + (kx - px) / g.strideW;
      return (py * g.strideW + px) * g.inC * rowLen + shift;
    },
  };
}

/** Writes x (NHWC) into the phase planes of `phaseGeometry`, zeros in padding and slack. */
export function fillPhasePlanes(
  src: Float32Array,
  srcAt: number,
  dst: Float32Array,
  dstAt: number,
  g: ConvGeom,
  pg: PhaseGeom,
  batch: number,
): void {
  const { inH, inW, inC, strideH, strideW, padTop, padLeft } = g;
  dst.fill(0, dstAt, dstAt + pg.phases * inC * pg.rowLen + pg.slack);
  const plane = pg.hs * pg.ws;
  let s = srcAt;
  for (let n = 0; n < batch; n++) {
    for (let y = 0; y < inH; y++) {
      const yy = y + padTop;
      const py = yy % strideH;
      const rowBase = n * plane + ((yy - py) / strideH) * pg.ws;
      for (let x = 0; x < inW; x++) {
        const xx = x + padLeft;
        const px = xx % strideW;
        let d = dstAt + (py * strideW + px) * inC * pg.rowLen + rowBase + (xx - px) / strideW;
        for (let c = 0; c < inC; c++) {
          dst[d] = src[s++];
          d += pg.rowLen;
        }
      }
    }
  }
}

/** Writes dY [N, outH, outW, outC] into rows (n, i, j) of a zeroed [rowLen, outC] grid. */
export function padOutputGrad(
  src: Float32Array,
  srcAt: number,
  dst: Float32Array,
  dstAt: number,
  g: ConvGeom,
  pg: PhaseGeom,
  batch: number,
  outC: number,
): void {
  dst.fill(0, dstAt, dstAt + pg.rowLen * outC);
  const rowValues = g.outW * outC;
  let s = srcAt;
  for (let n = 0; n < batch; n++) {
    for (let oy = 0; oy < g.outH; oy++) {
      const d = dstAt + (n * pg.hs * pg.ws + oy * pg.ws) * outC;
      dst.copyWithin(d, s, s + rowValues);
      s += rowValues;
    }
  }
}

/**
 * Adds the patch-gradient matrix dP [M, K] (samples n0..n1-1) back into the input gradient
 * dX [N, inH, inW, inC] (the adjoint of im2col); taps in padding are dropped.
 */
export function col2imAdd(
  src: Float32Array,
  srcAt: number,
  dst: Float32Array,
  dstAt: number,
  g: ConvGeom,
  n0: number,
  n1: number,
): void {
  const { inH, inW, inC, outH, outW, kh, kw, strideH, strideW, padTop, padLeft } = g;
  const k = kh * kw * inC;
  const sampleSize = inH * inW * inC;
  let p = srcAt;
  for (let n = n0; n < n1; n++) {
    const dBase = dstAt + n * sampleSize;
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * strideH + ky - padTop;
          if (iy < 0 || iy >= inH) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * strideW + kx - padLeft;
            if (ix < 0 || ix >= inW) continue;
            const s = p + (ky * kw + kx) * inC;
            const d = dBase + (iy * inW + ix) * inC;
            for (let c = 0; c < inC; c++) dst[d + c] += src[s + c];
          }
        }
        p += k;
      }
    }
  }
}
