/**
 * SVCCA (Raghu et al. 2017) and PWCCA (Morcos et al. 2018) between two representations of the same
 * datapoints, in float64.
 *
 * Layout: row-major [n datapoints, d neurons] — the natural layout of a batch of activations (the
 * transpose of google/svcca's neurons×datapoints). Conv activations [N, H, W, C] fold into
 * [N·H·W, C] without copying (see `toDatapoints`).
 *
 * The algorithm works on covariances only (d×d, d ≤ a few hundred), never on the n×d data beyond one
 * pass to build them:
 *  1. Centre each neuron and form Σaa, Σbb, Σab (divisor n−1, as np.cov).
 *  2. SVD step: eigendecompose Σaa. Its eigenvalues are the squared singular values of the centred data
 *     /(n−1), so "variance explained" here is the sum of squared singular values — the variance of the
 *     data, as in the SVCCA paper. (google/svcca's tutorial sums the singular values themselves; pass
 *     `varianceMeasure: 'singular-values'` for that.) Keep the fewest leading directions reaching `keep`.
 *     Directions with eigenvalue ≤ 1e-12·max are dropped as dead (constant) whatever `keep` is.
 *  3. CCA: in the kept eigenbasis Σaa is diagonal, so whitening is a division by √(λ + ε·scale), where
 *     scale is max diag(Σaa) — google/svcca rescales each covariance by its max and adds ε·I.
 *  4. The canonical correlations are the singular values of Wa Σab Wb (Wa, Wb the whitening maps).
 * SVCCA reports their plain mean (google/svcca's tutorial: np.mean(cca_coef1)); PWCCA weights each by
 * how much of its side's neurons the canonical variate accounts for (Σ_j |⟨h_i, x_j⟩| over the side with
 * fewer kept directions, h_i normalised), computed from covariances as Σ_j |(Σ w_i)_j| / √(w_iᵀ Σ w_i).
 */
import { jointCovariance, symmetricEigen, type Real } from './linalg';

export type SimilarityMethod = 'svcca' | 'pwcca';
export type VarianceMeasure = 'variance' | 'singular-values';

export interface SvccaOptions {
  /** Datapoints; inferred from the array lengths when omitted. */
  n?: number;
  /** Neurons of a and b. */
  da: number;
  db: number;
  /** Fraction of variance the SVD step keeps on each side, in (0, 1]; 1 = plain CCA. Default 0.99 (svcca), 1 (pwcca). */
  keep?: number;
  /** What "variance explained" sums: eigenvalues of the covariance (default) or singular values. */
  varianceMeasure?: VarianceMeasure;
  /** Ridge added to each (max-rescaled) covariance before whitening; google/svcca tutorials use 1e-10. */
  epsilon?: number;
  method?: SimilarityMethod;
}

export interface SvccaResult {
  /** SVCCA: mean canonical correlation; PWCCA: projection-weighted mean. */
  mean: number;
  /** Canonical correlations, descending, min(keptA, keptB) of them. */
  correlations: Float64Array;
  /** PWCCA weights (sum 1) aligned with `correlations`; undefined for SVCCA. */
  weights?: Float64Array;
  /** Directions kept by the SVD step on each side. */
  keptA: number;
  keptB: number;
  n: number;
  method: SimilarityMethod;
  /** Non-fatal concerns, e.g. fewer than 5 datapoints per neuron (spuriously high correlations). */
  warnings: string[];
}

const DEAD_TOL = 1e-12;
const METHODS: readonly SimilarityMethod[] = ['svcca', 'pwcca'];
const MEASURES: readonly VarianceMeasure[] = ['variance', 'singular-values'];

function checkFinite(x: Real, label: string): void {
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) {
      throw new Error(
        `${label} contains a non-finite activation (${x[i]}) at flat index ${i}; SVCCA needs finite values`,
      );
    }
  }
}

function checkShapes(a: Real, b: Real, opts: SvccaOptions): number {
  const { da, db } = opts;
  for (const [k, v] of [
    ['da', da],
    ['db', db],
  ] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new Error(`${k} must be a positive integer (neurons), got ${v}`);
  }
  if (a.length % da !== 0) throw new Error(`a has ${a.length} values, not a multiple of da=${da}`);
  if (b.length % db !== 0) throw new Error(`b has ${b.length} values, not a multiple of db=${db}`);
  const na = a.length / da;
  const nb = b.length / db;
  if (na !== nb) {
    throw new Error(
      `mismatched datapoint counts: a has ${na} datapoints (${a.length}/${da}), b has ${nb} (${b.length}/${db}); both must describe the same inputs`,
    );
  }
  if (opts.n !== undefined && opts.n !== na) throw new Error(`n=${opts.n} but the arrays hold ${na} datapoints`);
  const n = na;
  if (n <= Math.max(da, db)) {
    throw new Error(
      `fewer datapoints than neurons: n=${n}, da=${da}, db=${db}; CCA needs n > neurons (ideally 5-10×; fold conv positions into datapoints or probe more inputs)`,
    );
  }
  return n;
}

interface Side {
  /** Kept eigenvectors as columns, d×k row-major. */
  u: Float64Array;
  lambda: Float64Array;
  d: number;
  k: number;
  /** Whitening factors 1/√(λ + ε·scale). */
  inv: Float64Array;
}

function svdStep(
  cov: Float64Array,
  d: number,
  keep: number,
  measure: VarianceMeasure,
  epsilon: number,
  label: string,
): Side {
  const { values, vectors } = symmetricEigen(cov, d);
  const maxVal = values[0];
  if (!(maxVal > 0)) throw new Error(`${label} has zero variance: every neuron is constant over the datapoints`);
  let alive = 0;
  while (alive < d && values[alive] > DEAD_TOL * maxVal) alive++;
  const mass = (i: number) => (measure === 'variance' ? values[i] : Math.sqrt(values[i]));
  let total = 0;
  for (let i = 0; i < alive; i++) total += mass(i);
  let k = alive;
  if (keep < 1) {
    let acc = 0;
    for (k = 0; k < alive;) {
      acc += mass(k++);
      if (acc >= keep * total) break;
    }
  }
  let scale = 0;
  for (let i = 0; i < d; i++) scale = Math.max(scale, cov[i * d + i]);
  const u = new Float64Array(d * k);
  const lambda = new Float64Array(k);
  const inv = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    lambda[j] = values[j];
    inv[j] = 1 / Math.sqrt(values[j] + epsilon * scale);
    for (let i = 0; i < d; i++) u[i * k + j] = vectors[i * d + j];
  }
  return { u, lambda, d, k, inv };
}

/** PWCCA weights of the canonical directions of one side; `dirs` holds them in the kept basis (k×r). */
function pwccaWeights(side: Side, dirs: Float64Array, r: number): Float64Array {
  const { u, lambda, inv, d, k } = side;
  const w = new Float64Array(r);
  const t = new Float64Array(k);
  for (let c = 0; c < r; c++) {
    // In the kept basis, w_c = diag(inv)·dirs[:, c]; Σ w_c = U diag(λ·inv)·dirs[:, c]; w_cᵀ Σ w_c = Σ λ inv² dirs².
    let varH = 0;
    for (let j = 0; j < k; j++) {
      const g = dirs[j * r + c];
      t[j] = lambda[j] * inv[j] * g;
      varH += lambda[j] * inv[j] * inv[j] * g * g;
    }
    let s = 0;
    for (let i = 0; i < d; i++) {
      let dot = 0;
      for (let j = 0; j < k; j++) dot += u[i * k + j] * t[j];
      s += Math.abs(dot);
    }
    w[c] = s / Math.sqrt(varH);
  }
  let total = 0;
  for (let c = 0; c < r; c++) total += w[c];
  for (let c = 0; c < r; c++) w[c] /= total;
  return w;
}

function transpose(m: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = m[i * cols + j];
  return out;
}

/**
 * Singular values (descending) and left singular vectors (rows×rows, as columns) of a rows×cols matrix
 * with rows ≤ cols, from the eigen-decomposition of M·Mᵀ. Squaring costs no accuracy near ρ = 1 (what
 * SVCCA cares about) and at most ~1e-8 absolute near ρ = 0.
 */
function singularFromGram(m: Float64Array, rows: number, cols: number): { s: Float64Array; u: Float64Array } {
  const g = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j <= i; j++) {
      let acc = 0;
      for (let k = 0; k < cols; k++) acc += m[i * cols + k] * m[j * cols + k];
      g[i * rows + j] = acc;
      g[j * rows + i] = acc;
    }
  }
  const { values, vectors } = symmetricEigen(g, rows);
  return { s: values.map((v) => Math.sqrt(Math.max(v, 0))), u: vectors };
}

/** SVCCA (or PWCCA) similarity of two representations a [n, da] and b [n, db] of the same n inputs. */
export function svcca(a: Real, b: Real, opts: SvccaOptions): SvccaResult {
  const method = opts.method ?? 'svcca';
  if (!METHODS.includes(method)) throw new Error(`unknown method '${method}'. Accepted values: ${METHODS.join(', ')}`);
  const measure = opts.varianceMeasure ?? 'variance';
  if (!MEASURES.includes(measure))
    throw new Error(`unknown varianceMeasure '${measure}'. Accepted values: ${MEASURES.join(', ')}`);
  const keep = opts.keep ?? (method === 'svcca' ? 0.99 : 1);
  if (!(keep > 0 && keep <= 1)) throw new Error(`keep must be in (0, 1], got ${keep}`);
  const epsilon = opts.epsilon ?? 1e-10;
  if (!(epsilon >= 0) || !Number.isFinite(epsilon))
    throw new Error(`epsilon must be a finite number ≥ 0, got ${epsilon}`);
  const n = checkShapes(a, b, opts);
  checkFinite(a, 'a');
  checkFinite(b, 'b');
  const { da, db } = opts;
  const warnings: string[] = [];
  if (n < 5 * Math.max(da, db)) {
    warnings.push(
      `only ${(n / Math.max(da, db)).toFixed(1)} datapoints per neuron; below ~5 CCA finds spuriously high correlations (compare with randomBaseline)`,
    );
  }

  const d = da + db;
  const cov = jointCovariance(a, da, b, db, n);
  const caa = new Float64Array(da * da);
  const cbb = new Float64Array(db * db);
  for (let i = 0; i < da; i++) for (let j = 0; j < da; j++) caa[i * da + j] = cov[i * d + j];
  for (let i = 0; i < db; i++) for (let j = 0; j < db; j++) cbb[i * db + j] = cov[(da + i) * d + da + j];
  const A = svdStep(caa, da, keep, measure, epsilon, 'a');
  const B = svdStep(cbb, db, keep, measure, epsilon, 'b');

  // M = diag(invA) UAᵀ Σab UB diag(invB), ka×kb.
  const ka = A.k;
  const kb = B.k;
  const sabUb = new Float64Array(da * kb);
  for (let i = 0; i < da; i++) {
    const row = i * d + da;
    for (let q = 0; q < db; q++) {
      const s = cov[row + q];
      if (s === 0) continue;
      for (let j = 0; j < kb; j++) sabUb[i * kb + j] += s * B.u[q * kb + j];
    }
  }
  const m = new Float64Array(ka * kb);
  for (let p = 0; p < da; p++) {
    for (let i = 0; i < ka; i++) {
      const uai = A.u[p * ka + i];
      for (let j = 0; j < kb; j++) m[i * kb + j] += uai * sabUb[p * kb + j];
    }
  }
  for (let i = 0; i < ka; i++) for (let j = 0; j < kb; j++) m[i * kb + j] *= A.inv[i] * B.inv[j];

  // The canonical correlations are M's singular values: the square roots of the eigenvalues of M·Mᵀ taken
  // on the side with fewer directions, whose eigenvectors are that side's canonical directions (for PWCCA).
  const aShort = ka <= kb;
  const { s: correlations, u } = aShort ? singularFromGram(m, ka, kb) : singularFromGram(transpose(m, ka, kb), kb, ka);
  let weights: Float64Array | undefined;
  let mean: number;
  if (method === 'pwcca') weights = pwccaWeights(aShort ? A : B, u, correlations.length);
  if (weights) {
    mean = 0;
    for (let i = 0; i < correlations.length; i++) mean += weights[i] * correlations[i];
  } else {
    mean = correlations.reduce((acc, v) => acc + v, 0) / correlations.length;
  }
  return { mean, correlations, weights, keptA: ka, keptB: kb, n, method, warnings };
}

// ---------------------------------------------------------------------------------------------
// Activations with shapes: dense [N, D] or conv [N, H, W, C].
// ---------------------------------------------------------------------------------------------

export interface Activations {
  data: Real;
  /** [N, D] or [N, H, W, C] (NHWC, row-major). */
  shape: readonly number[];
}

export type ConvMode = 'fold' | 'pool';
const CONV_MODES: readonly ConvMode[] = ['fold', 'pool'];

/**
 * Rows = datapoints. 'fold' treats every spatial position as a datapoint ([N·H·W, C], no copy: NHWC is
 * already that layout); 'pool' averages over H and W ([N, C]).
 */
export function toDatapoints(act: Activations, mode: ConvMode): { data: Real; n: number; d: number } {
  const { data, shape } = act;
  const size = shape.reduce((p, v) => p * v, 1);
  if (!shape.every((v) => Number.isInteger(v) && v > 0) || size !== data.length) {
    throw new Error(`activation shape ${JSON.stringify(shape)} does not match ${data.length} values`);
  }
  if (shape.length === 2) return { data, n: shape[0], d: shape[1] };
  if (shape.length !== 4)
    throw new Error(`activations must be [N, D] or [N, H, W, C], got shape ${JSON.stringify(shape)}`);
  const [N, H, W, C] = shape;
  if (mode === 'fold') return { data, n: N * H * W, d: C };
  const out = new Float64Array(N * C);
  const hw = H * W;
  for (let i = 0; i < N; i++) {
    for (let p = 0; p < hw; p++) {
      const o = (i * hw + p) * C;
      for (let c = 0; c < C; c++) out[i * C + c] += data[o + c];
    }
    for (let c = 0; c < C; c++) out[i * C + c] /= hw;
  }
  return { data: out, n: N, d: C };
}

/** Every `stride`-th row of an n×d matrix (deterministic subsample of datapoints). */
function strideRows(x: Real, n: number, d: number, stride: number): Real {
  const rows = Math.ceil(n / stride);
  const out = new Float64Array(rows * d);
  for (let r = 0; r < rows; r++) for (let j = 0; j < d; j++) out[r * d + j] = x[r * stride * d + j];
  return out;
}

export interface ActivationSimilarityOptions extends Omit<SvccaOptions, 'n' | 'da' | 'db'> {
  /** How conv maps become datapoints (default 'fold'; a conv layer against a dense one is always pooled). */
  conv?: ConvMode;
  /** Subsample rows with a fixed stride so at most this many datapoints are used (default: all). */
  maxDatapoints?: number;
}

/** `svcca` on shaped activations of the same N inputs, handling conv layers by folding or pooling. */
export function svccaActivations(a: Activations, b: Activations, opts: ActivationSimilarityOptions = {}): SvccaResult {
  const mode = opts.conv ?? 'fold';
  if (!CONV_MODES.includes(mode))
    throw new Error(`unknown conv mode '${mode}'. Accepted values: ${CONV_MODES.join(', ')}`);
  if (a.shape[0] !== b.shape[0]) {
    throw new Error(`mismatched datapoint counts: a has ${a.shape[0]} inputs, b has ${b.shape[0]}`);
  }
  let ma = mode;
  let mb = mode;
  if (
    mode === 'fold' &&
    (a.shape.length !== b.shape.length ||
      (a.shape.length === 4 && (a.shape[1] !== b.shape[1] || a.shape[2] !== b.shape[2])))
  ) {
    if (a.shape.length === 4 && b.shape.length === 4) {
      throw new Error(
        `cannot fold conv maps of different spatial sizes ${a.shape.slice(1, 3).join('×')} and ${b.shape.slice(1, 3).join('×')}; use conv: 'pool'`,
      );
    }
    ma = mb = 'pool'; // conv vs dense: only pooling keeps one datapoint per input
  }
  let A = toDatapoints(a, ma);
  let B = toDatapoints(b, mb);
  const cap = opts.maxDatapoints;
  if (cap !== undefined) {
    if (!Number.isInteger(cap) || cap <= 0) throw new Error(`maxDatapoints must be a positive integer, got ${cap}`);
    if (A.n > cap) {
      const stride = Math.ceil(A.n / cap);
      A = { data: strideRows(A.data, A.n, A.d, stride), n: Math.ceil(A.n / stride), d: A.d };
      B = { data: strideRows(B.data, B.n, B.d, stride), n: Math.ceil(B.n / stride), d: B.d };
    }
  }
  const { conv: _c, maxDatapoints: _m, ...rest } = opts;
  return svcca(A.data, B.data, { ...rest, n: A.n, da: A.d, db: B.d });
}

// ---------------------------------------------------------------------------------------------
// Random baseline: what two independent representations score.
// ---------------------------------------------------------------------------------------------

/**
 * Expected canonical correlations of independent Gaussian representations with p and q kept directions
 * over n datapoints (p, q < n).
 *
 * Exact: under independence the p×p matrix of squared canonical correlations is matrix-Beta distributed
 * with mean q/(n−1)·I (p ≤ q, one degree of freedom spent on centring), so E[mean ρ²] = max(p,q)/(n−1).
 * Asymptotic (Wachter 1980): the squared correlations follow, for p ≤ q with γ₁ = p/(n−1), γ₂ = q/(n−1),
 * a density ∝ √((x−λ₋)(λ₊−x)) / (x(1−x)) on [λ₋, λ₊], λ± = (√(γ₁(1−γ₂)) ± √(γ₂(1−γ₁)))²; `meanRho` is the
 * mean of √x under it, by quadrature (needs p + q < n − 1). Jensen: meanRho ≤ √meanRho2.
 * `wachterMeanRho2` (the density's mean of x, same quadrature) must equal meanRho2: a check on the density.
 */
export function randomBaseline(
  n: number,
  p: number,
  q: number,
): { meanRho: number; meanRho2: number; wachterMeanRho2: number } {
  if (![n, p, q].every((v) => Number.isInteger(v) && v > 0))
    throw new Error(`n, p, q must be positive integers, got ${n}, ${p}, ${q}`);
  const lo = Math.min(p, q);
  const hi = Math.max(p, q);
  if (lo + hi >= n - 1)
    throw new Error(
      `randomBaseline needs p + q < n − 1 (got p=${p}, q=${q}, n=${n}); with more neurons than that, some correlations are exactly 1`,
    );
  const g1 = lo / (n - 1);
  const g2 = hi / (n - 1);
  const a = Math.sqrt(g1 * (1 - g2));
  const b = Math.sqrt(g2 * (1 - g1));
  const lm = (a - b) ** 2;
  const lp = (a + b) ** 2;
  // Substitute x = mid + half·cos θ to remove the square-root endpoint singularities; midpoint rule in θ.
  const mid = (lp + lm) / 2;
  const half = (lp - lm) / 2;
  const steps = 4000;
  let z = 0;
  let m1 = 0;
  let m2 = 0;
  for (let s = 0; s < steps; s++) {
    const th = ((s + 0.5) / steps) * Math.PI;
    const x = mid + half * Math.cos(th);
    const sin = Math.sin(th);
    const dens = (half * sin * half * sin) / (x * (1 - x)); // √((x−λ₋)(λ₊−x)) · dx/dθ
    z += dens;
    m1 += dens * Math.sqrt(x);
    m2 += dens * x;
  }
  return { meanRho: m1 / z, meanRho2: hi / (n - 1), wachterMeanRho2: m2 / z };
}
