// Analytic test problems and small numerical helpers shared by the solver tests. Every
// expected value here comes from a closed-form solution, never from a previous run.

export type F64Field = (t: number, y: Float64Array) => Float64Array;

export interface AnalyticProblem {
  readonly name: string;
  readonly f: F64Field;
  /** The exact solution at t. */
  exact(t: number): Float64Array;
}

/**
 * A smooth nonlinear, time-dependent system: y₀' = −2t·y₀², y₁' = cos(t)·y₁ with
 * y(0) = (1, 1), solved by y₀ = 1/(1 + t²), y₁ = exp(sin t). The explicit t-dependence makes
 * a wrong stage time c_i show up as a lost order.
 */
export const nonlinear: AnalyticProblem = {
  name: 'nonlinear',
  f: (t, y) => Float64Array.of(-2 * t * y[0] * y[0], Math.cos(t) * y[1]),
  exact: (t) => Float64Array.of(1 / (1 + t * t), Math.exp(Math.sin(t))),
};

/** y' = 0: every method is exact. */
export const constant = (c: readonly number[]): AnalyticProblem => ({
  name: 'constant',
  f: (_t, y) => new Float64Array(y.length),
  exact: () => Float64Array.from(c),
});

/** y' = cos t, y(0) = 0 ⇒ y = sin t (f independent of y). */
export const sine: AnalyticProblem = {
  name: 'sine',
  f: (t) => Float64Array.of(Math.cos(t)),
  exact: (t) => Float64Array.of(Math.sin(t)),
};

/**
 * The linear problem y' = a·y + b·t, y(0) = y0, per component, solved by
 * y = (y0 + b/a²)·e^{at} − (b/a)·t − b/a².
 */
export const linear = (a: readonly number[], b: readonly number[], y0: readonly number[]): AnalyticProblem => ({
  name: 'linear',
  f: (t, y) => Float64Array.from(y, (yi, i) => a[i] * yi + b[i] * t),
  exact: (t) =>
    Float64Array.from(y0, (y0i, i) => (y0i + b[i] / a[i] ** 2) * Math.exp(a[i] * t) - (b[i] / a[i]) * t - b[i] / a[i] ** 2),
});

/** y' = −λ·y, y(0) = 1 ⇒ y = e^{−λt}. */
export const decay = (lambda: number): AnalyticProblem => ({
  name: 'decay',
  f: (_t, y) => Float64Array.from(y, (yi) => -lambda * yi),
  exact: (t) => Float64Array.of(Math.exp(-lambda * t)),
});

/** Least-squares slope of y on x. */
export function slope(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  return sxy / sxx;
}

/** Largest |a_i − b_i|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** n evenly spaced times from a to b, ends included (a > b gives a decreasing grid). */
export function linspace(a: number, b: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? b : a + ((b - a) * i) / (n - 1)));
}

/** The weighted RMS norm of the solvers, in plain float64: the reference for the algebras. */
export function rmsReference(x: number[], rtol: number | number[], atol: number | number[], r0: number[], r1?: number[]): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const ref = r1 ? Math.max(Math.abs(r0[i]), Math.abs(r1[i])) : Math.abs(r0[i]);
    const rt = typeof rtol === 'number' ? rtol : rtol[i];
    const at = typeof atol === 'number' ? atol : atol[i];
    sum += (x[i] / (at + rt * ref)) ** 2;
  }
  return Math.sqrt(sum / x.length);
}
