/**
 * Dense LU factorisation with partial pivoting, P·A = L·U, for the Newton iteration matrices
 * of implicit methods. Factor once, then solve as many right-hand sides as needed: a step of
 * an implicit method solves one system per Newton iteration with the same matrix.
 */
export class DenseLU {
  /** L (unit diagonal, below) and U (on and above the diagonal), row-major n×n. */
  private readonly lu: Float64Array;
  /** Row i of the factors is row piv[i] of the original matrix. */
  private readonly piv: Int32Array;
  private factored = false;

  constructor(readonly n: number) {
    this.lu = new Float64Array(n * n);
    this.piv = new Int32Array(n);
  }

  /**
   * Factors the row-major n×n matrix `a` (left untouched). Returns false when a pivot is zero
   * or not finite: the matrix is singular to working precision and no solve may follow.
   */
  factor(a: ArrayLike<number>): boolean {
    const { n, lu, piv } = this;
    if (a.length !== n * n) throw new RangeError(`DenseLU.factor: expected ${n * n} entries, got ${a.length}.`);
    for (let i = 0; i < n * n; i++) lu[i] = a[i];
    for (let i = 0; i < n; i++) piv[i] = i;
    this.factored = false;
    for (let k = 0; k < n; k++) {
      // Partial pivoting: the largest |entry| of column k on or below the diagonal.
      let p = k;
      let max = Math.abs(lu[k * n + k]);
      for (let i = k + 1; i < n; i++) {
        const v = Math.abs(lu[i * n + k]);
        if (v > max) {
          max = v;
          p = i;
        }
      }
      if (!(max > 0) || !Number.isFinite(max)) return false;
      if (p !== k) {
        const rk = k * n;
        const rp = p * n;
        for (let j = 0; j < n; j++) {
          const tmp = lu[rk + j];
          lu[rk + j] = lu[rp + j];
          lu[rp + j] = tmp;
        }
        const tp = piv[k];
        piv[k] = piv[p];
        piv[p] = tp;
      }
      const rk = k * n;
      const pivot = lu[rk + k];
      for (let i = k + 1; i < n; i++) {
        const ri = i * n;
        const l = lu[ri + k] / pivot;
        lu[ri + k] = l;
        if (l === 0) continue;
        for (let j = k + 1; j < n; j++) lu[ri + j] -= l * lu[rk + j];
      }
    }
    this.factored = true;
    return true;
  }

  /** Solves A·x = b; writes x into `out` (may be `b` itself) and returns it. */
  solve(b: ArrayLike<number>, out: Float64Array = new Float64Array(this.n)): Float64Array {
    const { n, lu, piv } = this;
    if (!this.factored) throw new Error('DenseLU.solve: no successful factor() before the solve.');
    if (out === b) {
      const copy = Float64Array.from(b);
      for (let i = 0; i < n; i++) out[i] = copy[piv[i]];
    } else {
      for (let i = 0; i < n; i++) out[i] = b[piv[i]];
    }
    // Forward substitution with the unit lower triangle, then back substitution with U.
    for (let i = 1; i < n; i++) {
      const ri = i * n;
      let s = out[i];
      for (let j = 0; j < i; j++) s -= lu[ri + j] * out[j];
      out[i] = s;
    }
    for (let i = n - 1; i >= 0; i--) {
      const ri = i * n;
      let s = out[i];
      for (let j = i + 1; j < n; j++) s -= lu[ri + j] * out[j];
      out[i] = s / lu[ri + i];
    }
    return out;
  }

  /**
   * Solves A·X = B for m right-hand sides stored as the columns of the row-major n×m matrix B,
   * in place, with the one factorisation.
   */
  solveMany(B: Float64Array, m: number): Float64Array {
    const { n } = this;
    if (B.length !== n * m) throw new RangeError(`DenseLU.solveMany: expected ${n * m} entries, got ${B.length}.`);
    const col = new Float64Array(n);
    for (let c = 0; c < m; c++) {
      for (let i = 0; i < n; i++) col[i] = B[i * m + c];
      this.solve(col, col);
      for (let i = 0; i < n; i++) B[i * m + c] = col[i];
    }
    return B;
  }
}
