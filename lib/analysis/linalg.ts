/**
 * The float64 linear algebra SVCCA needs, on small dense row-major matrices.
 *
 * tfjs is float32 and has neither SVD nor a symmetric eigensolver. SVCCA needs only two things, both
 * here on flat Float64Arrays: covariances over the N datapoints (the only O(N) work) and a symmetric
 * eigensolver for matrices of at most a few thousand rows (SVD step on Σ; canonical correlations as the
 * square roots of the eigenvalues of M·Mᵀ). ml-matrix, a well-kept float64 library, serves as the
 * independent reference in the tests.
 */
export type Real = Float32Array | Float64Array;

/** Per-column means of an n×d row-major matrix. */
export function columnMeans(x: Real, n: number, d: number): Float64Array {
  const mean = new Float64Array(d);
  for (let i = 0, o = 0; i < n; i++, o += d) for (let j = 0; j < d; j++) mean[j] += x[o + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  return mean;
}

const ROW_CHUNK = 128;

/**
 * Covariance (divisor n−1, as np.cov) of the joint vector [x_i, y_i] for n rows of x (n×dx) and y (n×dy),
 * returned as the full (dx+dy)² symmetric matrix. This is the only O(n) work in SVCCA, so it is blocked:
 * rows are centred in chunks into a neuron-major buffer, and each 4×4 tile of the upper triangle is
 * accumulated in 16 locals over the chunk (8 loads per 16 multiply-adds instead of 2 per 1). About 4×
 * faster than the plain outer-product loop; summation order differs from np.cov only by rounding.
 */
export function jointCovariance(x: Real, dx: number, y: Real, dy: number, n: number): Float64Array {
  const mx = columnMeans(x, n, dx);
  const my = columnMeans(y, n, dy);
  const d = dx + dy;
  const d4 = Math.ceil(d / 4) * 4; // padded with zero neurons so every tile is 4×4
  const B = ROW_CHUNK;
  const t = new Float64Array(d4 * B);
  const acc = new Float64Array(d4 * d4);
  for (let r0 = 0; r0 < n; r0 += B) {
    const nb = Math.min(B, n - r0);
    if (nb < B) t.fill(0);
    for (let i = 0; i < nb; i++) {
      const ox = (r0 + i) * dx;
      const oy = (r0 + i) * dy;
      for (let j = 0; j < dx; j++) t[j * B + i] = x[ox + j] - mx[j];
      for (let j = 0; j < dy; j++) t[(dx + j) * B + i] = y[oy + j] - my[j];
    }
    for (let j = 0; j < d4; j += 4) {
      const a0 = j * B, a1 = a0 + B, a2 = a1 + B, a3 = a2 + B; // prettier-ignore
      for (let k = j; k < d4; k += 4) {
        const b0 = k * B, b1 = b0 + B, b2 = b1 + B, b3 = b2 + B; // prettier-ignore
        let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0; // prettier-ignore
        let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0; // prettier-ignore
        for (let i = 0; i < nb; i++) {
          const x0 = t[a0 + i], x1 = t[a1 + i], x2 = t[a2 + i], x3 = t[a3 + i]; // prettier-ignore
          const y0 = t[b0 + i], y1 = t[b1 + i], y2 = t[b2 + i], y3 = t[b3 + i]; // prettier-ignore
          s00 += x0 * y0;
          s01 += x0 * y1;
          s02 += x0 * y2;
          s03 += x0 * y3; // prettier-ignore
          s10 += x1 * y0;
          s11 += x1 * y1;
          s12 += x1 * y2;
          s13 += x1 * y3; // prettier-ignore
          s20 += x2 * y0;
          s21 += x2 * y1;
          s22 += x2 * y2;
          s23 += x2 * y3; // prettier-ignore
          s30 += x3 * y0;
          s31 += x3 * y1;
          s32 += x3 * y2;
          s33 += x3 * y3; // prettier-ignore
        }
        let o = j * d4 + k;
        acc[o] += s00;
        acc[o + 1] += s01;
        acc[o + 2] += s02;
        acc[o + 3] += s03;
        o += d4; // prettier-ignore
        acc[o] += s10;
        acc[o + 1] += s11;
        acc[o + 2] += s12;
        acc[o + 3] += s13;
        o += d4; // prettier-ignore
        acc[o] += s20;
        acc[o + 1] += s21;
        acc[o + 2] += s22;
        acc[o + 3] += s23;
        o += d4; // prettier-ignore
        acc[o] += s30;
        acc[o + 1] += s31;
        acc[o + 2] += s32;
        acc[o + 3] += s33; // prettier-ignore
      }
    }
  }
  const c = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    for (let k = j; k < d; k++) {
      const v = acc[j * d4 + k] / (n - 1);
      c[j * d + k] = v;
      c[k * d + j] = v;
    }
  }
  return c;
}

/** The rows r0..r0+nr, columns c0..c0+nc block of a d×d row-major matrix. */
export function block(a: Float64Array, d: number, r0: number, nr: number, c0: number, nc: number): Float64Array {
  const out = new Float64Array(nr * nc);
  for (let i = 0; i < nr; i++) for (let j = 0; j < nc; j++) out[i * nc + j] = a[(r0 + i) * d + c0 + j];
  return out;
}

/**
 * Eigen-decomposition of a symmetric d×d matrix (row-major): values descending, vectors as columns of a
 * d×d row-major matrix.
 *
 * Householder tridiagonalisation then the implicit QL algorithm with Wilkinson-like shifts — the classic
 * EISPACK tred2/tql2 pair (as in JAMA, which ml-matrix also ports). Written here on one flat Float64Array
 * that holds the transpose of the transformation matrix, so every O(d³) loop walks memory contiguously:
 * about 2× faster than ml-matrix's Matrix-object version at d = 128–512 (measured here), which matters for
 * 1024-wide fc layers. The test suite checks it against ml-matrix.
 */
export function symmetricEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  if (a.length !== n * n) throw new Error(`symmetricEigen: expected ${n}×${n} values, got ${a.length}`);
  // t[y*n + x] holds JAMA's V[x][y]; a is symmetric so the copy is also V's starting value.
  const t = Float64Array.from(a);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tridiagonalize(t, d, e, n);
  diagonalize(t, d, e, n);
  const order = Array.from(d.keys()).sort((i, j) => d[j] - d[i]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = d[src];
    for (let i = 0; i < n; i++) vectors[i * n + dst] = t[src * n + i];
  });
  return { values, vectors };
}

/** tred2: Householder reduction to tridiagonal form (diagonal d, sub-diagonal e), accumulating the transforms. */
function tridiagonalize(t: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) d[j] = t[j * n + n - 1];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = t[j * n + i - 1];
        t[j * n + i] = 0;
        t[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        t[i * n + j] = f;
        const row = j * n;
        g = e[j] + t[row + j] * f;
        for (let k = j + 1; k < i; k++) {
          g += t[row + k] * d[k];
          e[k] += t[row + k] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        const row = j * n;
        for (let k = j; k < i; k++) t[row + k] -= f * e[k] + g * d[k];
        d[j] = t[row + i - 1];
        t[row + i] = 0;
      }
    }
    d[i] = h;
  }
  // Accumulate the transformations.
  for (let i = 0; i < n - 1; i++) {
    t[i * n + n - 1] = t[i * n + i];
    t[i * n + i] = 1;
    const h = d[i + 1];
    const r1 = (i + 1) * n;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = t[r1 + k] / h;
      for (let j = 0; j <= i; j++) {
        const rj = j * n;
        let g = 0;
        for (let k = 0; k <= i; k++) g += t[r1 + k] * t[rj + k];
        for (let k = 0; k <= i; k++) t[rj + k] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) t[r1 + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = t[j * n + n - 1];
    t[j * n + n - 1] = 0;
  }
  t[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/** tql2: implicit QL iterations on the tridiagonal matrix, rotating the accumulated transforms into eigenvectors. */
function diagonalize(t: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]) > eps * tst1) m++;
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 60) throw new Error(`symmetricEigen: no convergence for eigenvalue ${l} after 60 QL iterations`);
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.sqrt(p * p + 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.sqrt(p * p + e[i] * e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          const ra = (i + 1) * n;
          const rb = i * n;
          for (let k = 0; k < n; k++) {
            const v = t[ra + k];
            t[ra + k] = s * t[rb + k] + c * v;
            t[rb + k] = c * t[rb + k] - s * v;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
}
