import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { jointCovariance, symmetricEigen } from '../../lib/analysis/linalg';
import { makeInitRng } from '../../lib/nets/layers';

function randomSymmetric(n: number, seed: number, spectrum?: (i: number) => number): Float64Array {
  const rng = makeInitRng(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = rng.normal();
  if (!spectrum) return a;
  // Q·diag(spectrum)·Qᵀ with Q from the eigenvectors of the random matrix: prescribed (possibly repeated) eigenvalues.
  const q = symmetricEigen(a, n).vectors;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += q[i * n + k] * spectrum(k) * q[j * n + k];
      out[i * n + j] = s;
    }
  return out;
}

test('symmetricEigen: A·v = λ·v, orthonormal vectors, values match ml-matrix', () => {
  for (const [n, seed] of [
    [1, 1],
    [2, 2],
    [7, 3],
    [40, 4],
    [130, 5],
  ]) {
    const a = randomSymmetric(n, seed);
    const { values, vectors } = symmetricEigen(a, n);
    for (let i = 1; i < n; i++) assert.ok(values[i] <= values[i - 1], 'descending');
    let resid = 0;
    let ortho = 0;
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let k = 0; k < n; k++) av += a[i * n + k] * vectors[k * n + j];
        resid = Math.max(resid, Math.abs(av - values[j] * vectors[i * n + j]));
      }
      for (let l = 0; l < n; l++) {
        let dot = 0;
        for (let k = 0; k < n; k++) dot += vectors[k * n + j] * vectors[k * n + l];
        ortho = Math.max(ortho, Math.abs(dot - (j === l ? 1 : 0)));
      }
    }
    assert.ok(resid < 1e-11 * Math.max(1, Math.abs(values[0])), `n=${n}: residual ${resid}`);
    assert.ok(ortho < 1e-12, `n=${n}: orthonormality ${ortho}`);
    const ref = new EigenvalueDecomposition(
      new Matrix(Array.from({ length: n }, (_, i) => Array.from(a.subarray(i * n, i * n + n)))),
      { assumeSymmetric: true },
    );
    const refValues = [...ref.realEigenvalues].sort((x, y) => y - x);
    refValues.forEach((v, i) =>
      assert.ok(
        Math.abs(v - values[i]) < 1e-11 * Math.max(1, Math.abs(v)),
        `n=${n} λ${i}: ${values[i]} vs ml-matrix ${v}`,
      ),
    );
  }
});

test('symmetricEigen: repeated, zero and tiny eigenvalues (rank-deficient covariances)', () => {
  const n = 12;
  const spectrum = (k: number) => (k < 4 ? 5 : k < 8 ? 0 : 1e-9 * k);
  const a = randomSymmetric(n, 8, spectrum);
  const { values } = symmetricEigen(a, n);
  const want = Array.from({ length: n }, (_, k) => spectrum(k)).sort((x, y) => y - x);
  want.forEach((v, i) => assert.ok(Math.abs(values[i] - v) < 1e-13 * 5 * n, `λ${i}: ${values[i]} vs ${v}`));
});

test('jointCovariance: equals the textbook two-pass covariance for any n and width', () => {
  const rng = makeInitRng(9);
  for (const [n, dx, dy] of [
    [3, 1, 1],
    [130, 5, 2],
    [257, 3, 6],
  ]) {
    const x = Float64Array.from({ length: n * dx }, () => 10 + rng.normal());
    const y = Float32Array.from({ length: n * dy }, () => -3 + rng.normal());
    const c = jointCovariance(x, dx, y, dy, n);
    const d = dx + dy;
    const col = (j: number) => Array.from({ length: n }, (_, i) => (j < dx ? x[i * dx + j] : y[i * dy + j - dx]));
    for (let j = 0; j < d; j++) {
      for (let k = 0; k < d; k++) {
        const u = col(j);
        const v = col(k);
        const mu = u.reduce((s, t) => s + t, 0) / n;
        const mv = v.reduce((s, t) => s + t, 0) / n;
        const want = u.reduce((s, t, i) => s + (t - mu) * (v[i] - mv), 0) / (n - 1);
        assert.ok(Math.abs(c[j * d + k] - want) < 1e-12, `n=${n} c[${j},${k}] = ${c[j * d + k]} vs ${want}`);
      }
    }
  }
});
