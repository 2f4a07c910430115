/**
 * Eigenvalues of a small dense real matrix: Householder reduction to upper Hessenberg form, then
 * the shifted QR iteration in complex arithmetic (Wilkinson shifts, Givens rotations, deflation),
 * which finds complex-conjugate pairs without special cases. O(d³): meant for the d×d Jacobian of
 * one sample's state, d up to a few hundred.
 */
import { cAbs, cConj, cDiv, cMul, cSqrt, cSub, type Complex } from './complex';

/** Reduces a (row-major, n×n, overwritten) to upper Hessenberg form by similarity transforms. */
function hessenberg(a: Float64Array, n: number): void {
  const v = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    let norm = 0;
    for (let i = k + 1; i < n; i++) norm = Math.hypot(norm, a[i * n + k]);
    if (norm === 0) continue;
    const x0 = a[(k + 1) * n + k];
    const alpha = x0 >= 0 ? -norm : norm;
    v.fill(0);
    for (let i = k + 1; i < n; i++) v[i] = a[i * n + k];
    v[k + 1] -= alpha;
    let vv = 0;
    for (let i = k + 1; i < n; i++) vv += v[i] * v[i];
    if (vv === 0) continue;
    // a ← (I − 2vvᵀ/vᵀv)·a
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = k + 1; i < n; i++) s += v[i] * a[i * n + j];
      s = (2 * s) / vv;
      for (let i = k + 1; i < n; i++) a[i * n + j] -= s * v[i];
    }
    // a ← a·(I − 2vvᵀ/vᵀv)
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = k + 1; j < n; j++) s += a[i * n + j] * v[j];
      s = (2 * s) / vv;
      for (let j = k + 1; j < n; j++) a[i * n + j] -= s * v[j];
    }
  }
}

/** The eigenvalue of the 2×2 block [[a, b], [c, d]] closer to d. */
function wilkinsonShift(a: Complex, b: Complex, c: Complex, d: Complex): Complex {
  const half = { re: (a.re - d.re) / 2, im: (a.im - d.im) / 2 };
  const root = cSqrt({ re: half.re * half.re - half.im * half.im + (b.re * c.re - b.im * c.im), im: 2 * half.re * half.im + (b.re * c.im + b.im * c.re) });
  // d − bc/(half ± root), with the sign that avoids cancellation.
  const plus = { re: half.re + root.re, im: half.im + root.im };
  const minus = { re: half.re - root.re, im: half.im - root.im };
  const den = cAbs(plus) >= cAbs(minus) ? plus : minus;
  if (cAbs(den) === 0) return d;
  return cSub(d, cDiv(cMul(b, c), den));
}

/**
 * The eigenvalues of the n×n real matrix `m` (row-major), in no particular order. Throws when
 * the iteration does not converge (a matrix with NaN or Infinity entries, say).
 */
export function eigenvalues(m: ArrayLike<number>, n: number): Complex[] {
  if (m.length !== n * n) throw new RangeError(`eigenvalues: expected ${n}×${n} = ${n * n} entries, got ${m.length}.`);
  for (let i = 0; i < m.length; i++) {
    if (!Number.isFinite(m[i])) throw new RangeError(`eigenvalues: entry (${Math.floor(i / n)}, ${i % n}) is ${m[i]}; the matrix must be finite.`);
  }
  if (n === 0) return [];
  const a = Float64Array.from(m);
  hessenberg(a, n);
  const re = Float64Array.from(a);
  const im = new Float64Array(n * n);
  const get = (i: number, j: number): Complex => ({ re: re[i * n + j], im: im[i * n + j] });
  const set = (i: number, j: number, z: Complex): void => {
    re[i * n + j] = z.re;
    im[i * n + j] = z.im;
  };
  let scale = 0;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(a[i]));
  const out: Complex[] = [];
  const eps = Number.EPSILON;
  let hi = n - 1;
  let iterations = 0;
  const cs: { c: Complex; s: Complex }[] = [];
  while (hi >= 0) {
    if (hi === 0) {
      out.push(get(0, 0));
      break;
    }
    // The start of the unreduced block that ends at hi.
    let lo = hi;
    while (lo > 0) {
      const sub = cAbs(get(lo, lo - 1));
      const diag = cAbs(get(lo, lo)) + cAbs(get(lo - 1, lo - 1));
      if (sub <= eps * (diag === 0 ? scale : diag)) {
        set(lo, lo - 1, { re: 0, im: 0 });
        break;
      }
      lo--;
    }
    if (lo === hi) {
      out.push(get(hi, hi));
      hi--;
      iterations = 0;
      continue;
    }
    if (++iterations > 60 * n) throw new Error(`eigenvalues: the QR iteration did not converge for the ${n}×${n} matrix.`);
    // An occasional ad-hoc shift breaks the cycles a fixed shift can fall into.
    const mu =
      iterations % 11 === 0
        ? { re: re[hi * n + hi] + 0.75 * Math.abs(re[hi * n + hi - 1]), im: 0.5 * Math.abs(re[hi * n + hi - 1]) }
        : wilkinsonShift(get(hi - 1, hi - 1), get(hi - 1, hi), get(hi, hi - 1), get(hi, hi));
    for (let k = lo; k <= hi; k++) set(k, k, cSub(get(k, k), mu));
    // H − μI = QR by Givens rotations, then RQ + μI.
    cs.length = 0;
    for (let k = lo; k < hi; k++) {
      const x = get(k, k);
      const y = get(k + 1, k);
      const r = Math.hypot(cAbs(x), cAbs(y));
      const c = r === 0 ? { re: 1, im: 0 } : { re: x.re / r, im: x.im / r };
      const s = r === 0 ? { re: 0, im: 0 } : { re: y.re / r, im: y.im / r };
      cs.push({ c, s });
      for (let j = k; j <= hi; j++) {
        const p = get(k, j);
        const q = get(k + 1, j);
        set(k, j, { re: cMul(cConj(c), p).re + cMul(cConj(s), q).re, im: cMul(cConj(c), p).im + cMul(cConj(s), q).im });
        set(k + 1, j, cSub(cMul(c, q), cMul(s, p)));
      }
    }
    for (let k = lo; k < hi; k++) {
      const { c, s } = cs[k - lo];
      for (let i = lo; i <= Math.min(k + 2, hi); i++) {
        const p = get(i, k);
        const q = get(i, k + 1);
        const pc = cMul(p, c);
        const qs = cMul(q, s);
        set(i, k, { re: pc.re + qs.re, im: pc.im + qs.im });
        set(i, k + 1, cSub(cMul(q, cConj(c)), cMul(p, cConj(s))));
      }
    }
    for (let k = lo; k <= hi; k++) {
      const z = get(k, k);
      set(k, k, { re: z.re + mu.re, im: z.im + mu.im });
    }
  }
  // A real matrix's eigenvalues are real or come in conjugate pairs: clean the rounding.
  for (const z of out) if (Math.abs(z.im) <= 64 * eps * Math.max(scale, cAbs(z))) z.im = 0;
  return out;
}
