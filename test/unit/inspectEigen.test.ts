// The eigenvalue routine of the solver inspector against matrices with known spectra (real,
// complex pairs, defective, similarity transforms of block-diagonal matrices), and the Jacobian
// of a field built from its VJP against finite differences.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mlpField } from '../../engine/src/index';
import type { Complex } from '../../engine/src/inspect/complex';
import { eigenvalues } from '../../engine/src/inspect/eigen';
import { fieldJacobian, jacobianEigenvalues, scaleByStep } from '../../engine/src/inspect/jacobian';

/** Sorted by real part, then imaginary part, for comparison. */
const sorted = (zs: readonly Complex[]): Complex[] => [...zs].sort((a, b) => a.re - b.re || a.im - b.im);

function assertSpectrum(got: Complex[], expected: Complex[], tol: number): void {
  assert.equal(got.length, expected.length);
  // Match greedily: each expected eigenvalue takes the nearest unmatched computed one.
  const left = [...got];
  for (const e of sorted(expected)) {
    let best = 0;
    left.forEach((z, k) => {
      if (Math.hypot(z.re - e.re, z.im - e.im) < Math.hypot(left[best].re - e.re, left[best].im - e.im)) best = k;
    });
    const z = left.splice(best, 1)[0];
    assert.ok(Math.hypot(z.re - e.re, z.im - e.im) <= tol * Math.max(1, Math.hypot(e.re, e.im)), `expected ${JSON.stringify(e)}, nearest ${JSON.stringify(z)} in ${JSON.stringify(got)}`);
  }
}

/** Q·M·Q with Q = I − 2vvᵀ/vᵀv (Q = Q⁻¹): the same spectrum, a dense matrix. */
function reflect(m: number[], n: number, v: number[]): number[] {
  const vv = v.reduce((s, x) => s + x * x, 0);
  const q = Array.from({ length: n * n }, (_, k) => (Math.floor(k / n) === k % n ? 1 : 0) - (2 * v[Math.floor(k / n)] * v[k % n]) / vv);
  const mul = (a: number[], b: number[]) =>
    Array.from({ length: n * n }, (_, k) => {
      let s = 0;
      for (let j = 0; j < n; j++) s += a[Math.floor(k / n) * n + j] * b[j * n + (k % n)];
      return s;
    });
  return mul(mul(q, m), q);
}

const real = (...xs: number[]): Complex[] => xs.map((re) => ({ re, im: 0 }));

describe('eigenvalues', () => {
  it('of diagonal and triangular matrices: the diagonal', () => {
    assertSpectrum(eigenvalues([3, 0, 0, 0, -1, 0, 0, 0, 0.5], 3), real(3, -1, 0.5), 1e-14);
    assertSpectrum(eigenvalues([2, 5, -7, 0, -3, 4, 0, 0, 1], 3), real(2, -3, 1), 1e-12);
    assertSpectrum(eigenvalues([4], 1), real(4), 0);
  });

  it('of a rotation generator and a damped oscillator: a complex-conjugate pair', () => {
    assertSpectrum(eigenvalues([0, -1, 1, 0], 2), [{ re: 0, im: 1 }, { re: 0, im: -1 }], 1e-14);
    // y'' + 0.4y' + 4y = 0 as a system: λ = −0.2 ± i·√3.96.
    const w = Math.sqrt(3.96);
    const got = eigenvalues([0, 1, -4, -0.4], 2);
    assertSpectrum(got, [{ re: -0.2, im: w }, { re: -0.2, im: -w }], 1e-13);
    // A real matrix's pair is conjugate (to rounding).
    assert.ok(Math.abs(got[0].im + got[1].im) < 1e-12);
  });

  it('of a companion matrix: the roots of its polynomial (1, 2, 3, −1 ± 2i)', () => {
    // The polynomial (z − 1)(z − 2)(z − 3)(z² + 2z + 5), multiplied out here.
    let p = [1]; // coefficients, highest degree first
    const mulPoly = (a: number[], b: number[]) => {
      const out = new Array(a.length + b.length - 1).fill(0);
      a.forEach((x, i) => b.forEach((y, j) => (out[i + j] += x * y)));
      return out;
    };
    for (const f of [[1, -1], [1, -2], [1, -3], [1, 2, 5]]) p = mulPoly(p, f);
    const n = p.length - 1;
    const m = new Array(n * n).fill(0);
    for (let j = 0; j < n; j++) m[j] = -p[j + 1];
    for (let i = 1; i < n; i++) m[i * n + i - 1] = 1;
    assertSpectrum(eigenvalues(m, n), [...real(1, 2, 3), { re: -1, im: 2 }, { re: -1, im: -2 }], 1e-9);
  });

  it('of dense matrices similar to block-diagonal ones (several complex pairs and reals)', () => {
    const n = 6;
    const m = new Array(n * n).fill(0);
    const blocks: [number, number][] = [[-0.5, 3], [2, 0.25]];
    blocks.forEach(([a, b], k) => {
      const o = 2 * k;
      m[o * n + o] = a; m[o * n + o + 1] = -b; m[(o + 1) * n + o] = b; m[(o + 1) * n + o + 1] = a;
    });
    m[4 * n + 4] = -7;
    m[5 * n + 5] = 0.01;
    m[0 * n + 5] = 3; // off-diagonal coupling in the upper triangle keeps the spectrum
    const dense = reflect(reflect(m, n, [1, -2, 0.5, 3, 1, -1]), n, [0.3, 1, 1, -0.7, 2, 0.1]);
    assertSpectrum(eigenvalues(dense, n), [
      { re: -0.5, im: 3 }, { re: -0.5, im: -3 }, { re: 2, im: 0.25 }, { re: 2, im: -0.25 }, ...real(-7, 0.01),
    ], 1e-11);
  });

  it('of a defective matrix (a Jordan block) and of zero', () => {
    assertSpectrum(eigenvalues([2, 1, 0, 2], 2), real(2, 2), 1e-7);
    assertSpectrum(eigenvalues([0, 0, 0, 0], 2), real(0, 0), 0);
  });

  it('refuses non-finite entries and wrong sizes, saying where', () => {
    assert.throws(() => eigenvalues([1, NaN, 0, 1], 2), /entry \(0, 1\) is NaN/);
    assert.throws(() => eigenvalues([1, 2, 3], 2), /expected 2×2 = 4 entries, got 3/);
  });
});

describe('fieldJacobian', () => {
  it("equals central differences of the field's f (an MLP)", () => {
    const field = mlpField({ sizes: [3, 16, 3], seed: 4 });
    const y = Float64Array.of(0.3, -0.8, 1.1);
    const jac = fieldJacobian(field, 0, y);
    const eps = 1e-6;
    for (let j = 0; j < 3; j++) {
      const up = Float64Array.from(y);
      const down = Float64Array.from(y);
      up[j] += eps;
      down[j] -= eps;
      const fu = field.f(0, up);
      const fd = field.f(0, down);
      for (let i = 0; i < 3; i++) assert.ok(Math.abs(jac[i * 3 + j] - (fu[i] - fd[i]) / (2 * eps)) < 1e-7, `∂f${i}/∂y${j}`);
    }
  });

  it('of a linear field f = M·y: the eigenvalues of M, dominant first, scaled by h', () => {
    const M = [-1, 4, -4, -1]; // λ = −1 ± 4i
    const linear = {
      vjp: (_t: number, _y: Float64Array, a: Float64Array) => ({ y: Float64Array.of(M[0] * a[0] + M[2] * a[1], M[1] * a[0] + M[3] * a[1]), params: new Float64Array(0) }),
    };
    const ls = jacobianEigenvalues(linear, 0, Float64Array.of(1, 2));
    assertSpectrum(ls, [{ re: -1, im: 4 }, { re: -1, im: -4 }], 1e-14);
    const hl = scaleByStep(ls, 0.5);
    assertSpectrum(hl, [{ re: -0.5, im: 2 }, { re: -0.5, im: -2 }], 1e-14);
  });
});
