import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBaseline, svcca, svccaActivations, toDatapoints } from '../../lib/analysis/svcca';
import { makeInitRng, type InitRng } from '../../lib/nets/layers';

// ---------------------------------------------------------------------------------------------
// An independent float64 SVCCA/PWCCA, deliberately built differently from the library: it never forms
// a covariance matrix. Householder QR of the centred n×d data, one-sided (Hestenes) Jacobi SVD of R for
// the SVD step, QR of the projected data, and canonical correlations as the singular values of Q_aᵀQ_b
// (Björck & Golub 1973). Column-major arrays of columns throughout.
// ---------------------------------------------------------------------------------------------

type Cols = Float64Array[];

function centredColumns(x: Float64Array, n: number, d: number): Cols {
  const cols: Cols = [];
  for (let j = 0; j < d; j++) {
    const c = new Float64Array(n);
    let s = 0;
    for (let i = 0; i < n; i++) s += c[i] = x[i * d + j];
    for (let i = 0; i < n; i++) c[i] -= s / n;
    cols.push(c);
  }
  return cols;
}

const dot = (u: Float64Array, v: Float64Array) => {
  let s = 0;
  for (let i = 0; i < u.length; i++) s += u[i] * v[i];
  return s;
};

/** Householder QR of an n×d column set (n ≥ d): thin Q (d columns) and R (d×d, R[i][j]). */
function householderQr(a: Cols): { q: Cols; r: number[][] } {
  const n = a[0].length;
  const d = a.length;
  const w = a.map((c) => Float64Array.from(c));
  const vs: Float64Array[] = [];
  for (let k = 0; k < d; k++) {
    const x = w[k];
    let norm = 0;
    for (let i = k; i < n; i++) norm += x[i] * x[i];
    norm = Math.sqrt(norm);
    const alpha = x[k] > 0 ? -norm : norm;
    const v = new Float64Array(n);
    for (let i = k; i < n; i++) v[i] = x[i];
    v[k] -= alpha;
    const vn = Math.sqrt(dot(v, v));
    if (vn > 0) for (let i = k; i < n; i++) v[i] /= vn;
    vs.push(v);
    for (let j = k; j < d; j++) {
      const s = 2 * dot(v, w[j]);
      for (let i = k; i < n; i++) w[j][i] -= s * v[i];
    }
  }
  const r = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (j >= i ? w[j][i] : 0)));
  const q: Cols = [];
  for (let j = 0; j < d; j++) {
    const e = new Float64Array(n);
    e[j] = 1;
    for (let k = d - 1; k >= 0; k--) {
      const s = 2 * dot(vs[k], e);
      for (let i = 0; i < n; i++) e[i] -= s * vs[k][i];
    }
    q.push(e);
  }
  return { q, r };
}

/** One-sided Jacobi SVD of an m×p column set (m ≥ p): σ descending, V (p×p) as columns, sorted alike. */
function jacobiSvd(a: Cols): { s: number[]; v: Cols } {
  const p = a.length;
  const u = a.map((c) => Float64Array.from(c));
  const v: Cols = Array.from({ length: p }, (_, j) => {
    const e = new Float64Array(p);
    e[j] = 1;
    return e;
  });
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let i = 0; i < p - 1; i++) {
      for (let j = i + 1; j < p; j++) {
        const alpha = dot(u[i], u[i]);
        const beta = dot(u[j], u[j]);
        const gamma = dot(u[i], u[j]);
        if (gamma === 0) continue;
        off = Math.max(off, Math.abs(gamma) / Math.sqrt(alpha * beta));
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (const m of [u, v]) {
          const x = m[i];
          const y = m[j];
          for (let k = 0; k < x.length; k++) {
            const xi = x[k];
            x[k] = c * xi - s * y[k];
            y[k] = s * xi + c * y[k];
          }
        }
      }
    }
    if (off < 1e-15) break;
  }
  const sv = u.map((c) => Math.sqrt(dot(c, c)));
  const order = sv.map((_, i) => i).sort((i, j) => sv[j] - sv[i]);
  return { s: order.map((i) => sv[i]), v: order.map((i) => v[i]) };
}

function referenceSvcca(
  a: Float64Array,
  b: Float64Array,
  n: number,
  da: number,
  db: number,
  keep: number,
  method: 'svcca' | 'pwcca',
) {
  const side = (x: Float64Array, d: number) => {
    const cols = centredColumns(x, n, d);
    const { r } = householderQr(cols);
    const rCols: Cols = Array.from({ length: d }, (_, j) => Float64Array.from(r.map((row) => row[j])));
    const { s, v } = jacobiSvd(rCols); // singular values and right singular vectors of the data
    const total = s.reduce((acc, x) => acc + x * x, 0);
    let k = 0;
    let acc = 0;
    while (k < d) {
      acc += s[k] * s[k];
      k++;
      if (acc >= keep * total) break;
    }
    const proj: Cols = v.slice(0, k).map((vec) => {
      const out = new Float64Array(n);
      for (let j = 0; j < d; j++) for (let i = 0; i < n; i++) out[i] += cols[j][i] * vec[j];
      return out;
    });
    return { cols, q: householderQr(proj).q, k };
  };
  const A = side(a, da);
  const B = side(b, db);
  // C = Q_aᵀQ_b; take the SVD of whichever orientation is tall, and its V gives the short side's directions.
  const aShort = A.k <= B.k;
  const [short, tall] = aShort ? [A, B] : [B, A];
  const cCols: Cols = short.q.map((qs) => Float64Array.from(tall.q.map((qt) => dot(qt, qs)))); // tall.k × short.k
  const { s, v } = jacobiSvd(cCols);
  if (method === 'svcca') return { rho: s, mean: s.reduce((x, y) => x + y, 0) / s.length };
  const alphas = v.map((dir) => {
    const h = new Float64Array(n);
    dir.forEach((g, j) => short.q[j].forEach((val, i) => (h[i] += g * val)));
    return short.cols.reduce((acc, col) => acc + Math.abs(dot(h, col)), 0);
  });
  const z = alphas.reduce((x, y) => x + y, 0);
  return { rho: s, mean: s.reduce((acc, r, i) => acc + (alphas[i] / z) * r, 0) };
}

// ---------------------------------------------------------------------------------------------

function gaussian(rng: InitRng, n: number, d: number): Float64Array {
  const x = new Float64Array(n * d);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  return x;
}

/** x (n×d) times m (d×e). */
function matmul(x: Float64Array, n: number, d: number, m: Float64Array, e: number): Float64Array {
  const out = new Float64Array(n * e);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < d; k++) for (let j = 0; j < e; j++) out[i * e + j] += x[i * d + k] * m[k * e + j];
  return out;
}

/** Two views of a shared 6-d latent with decaying column scales (so the 99% rule truncates) and noise. */
function correlatedPair(seed: number, n: number, da: number, db: number) {
  const rng = makeInitRng(seed);
  const z = gaussian(rng, n, 6);
  const view = (d: number, noise: number) => {
    const x = matmul(z, n, 6, gaussian(rng, 6, d), d);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < d; j++) x[i * d + j] = (x[i * d + j] + noise * rng.normal()) * Math.pow(0.8, j);
    return x;
  };
  return { a: view(da, 0.7), b: view(db, 1.5) };
}

const close = (x: number, y: number, tol: number, what: string) =>
  assert.ok(Math.abs(x - y) <= tol, `${what}: ${x} vs ${y} (|Δ| = ${Math.abs(x - y)} > ${tol})`);

test('agrees with an independent QR/Jacobi float64 implementation within 1e-6', () => {
  for (const [da, db] of [
    [12, 9],
    [7, 14],
  ]) {
    const n = 400;
    const { a, b } = correlatedPair(11 + da, n, da, db);
    for (const method of ['svcca', 'pwcca'] as const) {
      for (const keep of [0.99, 1]) {
        const ours = svcca(a, b, { da, db, keep, method });
        const ref = referenceSvcca(a, b, n, da, db, keep, method);
        assert.equal(ours.correlations.length, ref.rho.length, `${method} keep=${keep}: number of directions`);
        ref.rho.forEach((r, i) => close(ours.correlations[i], r, 1e-6, `${method} keep=${keep} da=${da} ρ[${i}]`));
        close(ours.mean, ref.mean, 1e-6, `${method} keep=${keep} da=${da} mean`);
      }
    }
  }
});

test('the 99% SVD step truncates, and singular-value mass keeps fewer directions than variance', () => {
  const { a, b } = correlatedPair(3, 500, 16, 16);
  const v = svcca(a, b, { da: 16, db: 16, keep: 0.99 });
  const s = svcca(a, b, { da: 16, db: 16, keep: 0.99, varianceMeasure: 'singular-values' });
  assert.ok(v.keptA < 16 && v.keptA > 1, `keptA=${v.keptA}`);
  assert.ok(
    s.keptA >= v.keptA,
    `singular-value mass is flatter, so it keeps at least as many: ${s.keptA} vs ${v.keptA}`,
  );
});

test('a representation against itself scores 1 (svcca, pwcca, folded conv maps)', () => {
  const { a } = correlatedPair(5, 300, 10, 4);
  for (const method of ['svcca', 'pwcca'] as const) {
    // The default ridge ε = 1e-10 (relative) shrinks ρ by ~ε·scale/λ; without it the match is exact.
    const r = svcca(a, a, { da: 10, db: 10, method });
    close(r.mean, 1, 1e-8, method);
    const exact = svcca(a, a, { da: 10, db: 10, method, epsilon: 0 });
    for (const rho of exact.correlations) close(rho, 1, 1e-12, `${method} every ρ (ε = 0)`);
  }
  const rng = makeInitRng(9);
  const conv = {
    data: Float32Array.from(gaussian(rng, 20 * 5 * 5 * 8, 1), (v) => Math.max(0, v)),
    shape: [20, 5, 5, 8],
  };
  close(svccaActivations(conv, conv).mean, 1, 1e-9, 'conv fold');
  close(svccaActivations(conv, conv, { conv: 'pool' }).mean, 1, 1e-9, 'conv pool');
});

test('invariant to invertible linear maps (CCA) and to rotations with scaling (SVCCA)', () => {
  const n = 400;
  const { a, b } = correlatedPair(21, n, 8, 6);
  const rng = makeInitRng(22);
  // A generic invertible map (well-conditioned: identity plus a small random part).
  const t = gaussian(rng, 8, 8).map((v, i) => (i % 9 === 0 ? 1 : 0) + 0.3 * v);
  // ε = 0: the ridge is not invariant to rescaling the neurons, which is its purpose.
  const base = svcca(a, b, { da: 8, db: 6, keep: 1, epsilon: 0 });
  const mapped = svcca(matmul(a, n, 8, t, 8), b, { da: 8, db: 6, keep: 1, epsilon: 0 });
  base.correlations.forEach((r, i) => close(mapped.correlations[i], r, 1e-8, `CCA ρ[${i}] under invertible map`));
  // The SVD step is defined by variance, so SVCCA is invariant to orthogonal maps times a scalar.
  const g = gaussian(rng, 8, 8);
  const q: number[][] = [];
  for (let j = 0; j < 8; j++) {
    const col = Array.from({ length: 8 }, (_, i) => g[i * 8 + j]);
    for (const prev of q) {
      const p = col.reduce((s, v, i) => s + v * prev[i], 0);
      prev.forEach((v, i) => (col[i] -= p * v));
    }
    const norm = Math.hypot(...col);
    q.push(col.map((v) => v / norm));
  }
  const rot = new Float64Array(64);
  q.forEach((col, j) => col.forEach((v, i) => (rot[i * 8 + j] = 3.7 * v)));
  const sv = svcca(a, b, { da: 8, db: 6 });
  const svRot = svcca(matmul(a, n, 8, rot, 8), b, { da: 8, db: 6 });
  assert.equal(svRot.keptA, sv.keptA);
  close(svRot.mean, sv.mean, 1e-8, 'SVCCA under scaled rotation');
});

test('independent random representations score near the random baseline', () => {
  const rng = makeInitRng(31);
  const n = 3000;
  const p = 24;
  const q = 16;
  const trials = 4;
  let mean = 0;
  let mean2 = 0;
  for (let t = 0; t < trials; t++) {
    const r = svcca(gaussian(rng, n, p), gaussian(rng, n, q), { da: p, db: q, keep: 1 });
    mean += r.mean / trials;
    mean2 += r.correlations.reduce((s, v) => s + v * v, 0) / r.correlations.length / trials;
  }
  const base = randomBaseline(n, p, q);
  close(mean2, base.meanRho2, 0.1 * base.meanRho2, 'mean ρ² vs exact q/(n−1)');
  close(mean, base.meanRho, 0.06 * base.meanRho, 'mean ρ vs Wachter limit');
  assert.ok(base.meanRho <= Math.sqrt(base.meanRho2), 'Jensen bound');
  // And a shared signal lifts the score well above it.
  const shared = correlatedPair(32, n, p, q);
  assert.ok(svcca(shared.a, shared.b, { da: p, db: q, keep: 1 }).mean > 3 * base.meanRho);
});

test('randomBaseline: the Wachter density has the exact mean of ρ²', () => {
  // The same quadrature of x (not √x) must reproduce the exact q/(n−1): a check on the density's form.
  for (const [n, p, q] of [
    [1000, 20, 50],
    [400, 30, 30],
    [5000, 5, 200],
  ]) {
    const b = randomBaseline(n, p, q);
    close(b.wachterMeanRho2, b.meanRho2, 1e-6, `${n},${p},${q}: density mean of ρ²`);
    assert.ok(b.meanRho > 0 && b.meanRho < 1);
    assert.ok(
      b.meanRho ** 2 <= b.meanRho2 && b.meanRho ** 2 > 0.5 * b.meanRho2,
      `${n},${p},${q}: ${JSON.stringify(b)}`,
    );
  }
});

test('conv activations: fold uses every position as a datapoint, pool averages', () => {
  const data = Float32Array.from({ length: 2 * 2 * 3 * 2 }, (_, i) => i);
  const fold = toDatapoints({ data, shape: [2, 2, 3, 2] }, 'fold');
  assert.deepEqual([fold.n, fold.d], [12, 2]);
  const pool = toDatapoints({ data, shape: [2, 2, 3, 2] }, 'pool');
  assert.deepEqual([pool.n, pool.d], [2, 2]);
  assert.deepEqual(Array.from(pool.data), [5, 6, 17, 18]);
  assert.throws(
    () =>
      svccaActivations({ data: new Float32Array(2 * 4 * 4 * 2), shape: [2, 4, 4, 2] }, { data, shape: [2, 2, 3, 2] }),
    /different spatial sizes.*pool/,
  );
});

test('bad input gets a clear error', () => {
  const rng = makeInitRng(41);
  const a = gaussian(rng, 100, 4);
  assert.throws(
    () => svcca(a, gaussian(rng, 90, 4), { da: 4, db: 4 }),
    /mismatched datapoint counts: a has 100.*b has 90/,
  );
  assert.throws(
    () => svcca(gaussian(rng, 10, 20), gaussian(rng, 10, 3), { da: 20, db: 3 }),
    /fewer datapoints than neurons: n=10, da=20/,
  );
  const bad = Float64Array.from(a);
  bad[37] = NaN;
  assert.throws(() => svcca(a, bad, { da: 4, db: 4 }), /b contains a non-finite activation \(NaN\) at flat index 37/);
  assert.throws(
    () => svcca(a, a, { da: 4, db: 4, method: 'cka' as never }),
    /unknown method 'cka'. Accepted values: svcca, pwcca/,
  );
  assert.throws(() => svcca(a, a, { da: 4, db: 4, keep: 0 }), /keep must be in \(0, 1\]/);
  assert.throws(() => svcca(new Float64Array(400), a, { da: 4, db: 4 }), /a has zero variance/);
  assert.throws(() => svcca(a, a, { da: 3, db: 4 }), /not a multiple of da=3/);
});

test('dead neurons are dropped instead of blowing up the whitening', () => {
  const rng = makeInitRng(51);
  const n = 300;
  const a = gaussian(rng, n, 5);
  const withDead = new Float64Array(n * 6);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 5; j++) withDead[i * 6 + j] = a[i * 5 + j];
    withDead[i * 6 + 5] = 0.25; // a constant (dead) unit
  }
  const r = svcca(a, withDead, { da: 5, db: 6, keep: 1 });
  assert.equal(r.keptB, 5);
  close(r.mean, 1, 1e-9, 'same live units');
});
