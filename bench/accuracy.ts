/**
 * Answers, not only times: an independent float64 reference y*(T) for each problem, and the
 * measures the table reports against it.
 */

type Field = (t: number, y: Float64Array) => Float64Array;

/**
 * Fixed-step RK4, classic or the 3/8 rule (kept apart from the engine, so the check is
 * independent of it). The two variants bracket what any "rk4" makes at a given step.
 */
export function rk4Fixed(f: Field, y0: Float64Array, T: number, steps: number, rule: 'classic' | '3/8'): Float64Array {
  const h = T / steps;
  const n = y0.length;
  let y = Float64Array.from(y0);
  const tmp = new Float64Array(n);
  const stage = (t: number, coeffs: number[], ks: Float64Array[]): Float64Array => {
    for (let i = 0; i < n; i++) {
      let s = y[i];
      for (let j = 0; j < ks.length; j++) s += h * coeffs[j] * ks[j][i];
      tmp[i] = s;
    }
    return f(t, tmp);
  };
  for (let s = 0; s < steps; s++) {
    const t = s * h;
    const k1 = f(t, y);
    let k2: Float64Array, k3: Float64Array, k4: Float64Array, b: number[];
    if (rule === 'classic') {
      k2 = stage(t + h / 2, [1 / 2], [k1]);
      k3 = stage(t + h / 2, [0, 1 / 2], [k1, k2]);
      k4 = stage(t + h, [0, 0, 1], [k1, k2, k3]);
      b = [1 / 6, 1 / 3, 1 / 3, 1 / 6];
    } else {
      k2 = stage(t + h / 3, [1 / 3], [k1]);
      k3 = stage(t + (2 * h) / 3, [-1 / 3, 1], [k1, k2]);
      k4 = stage(t + h, [1, -1, 1], [k1, k2, k3]);
      b = [1 / 8, 3 / 8, 3 / 8, 1 / 8];
    }
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) next[i] = y[i] + h * (b[0] * k1[i] + b[1] * k2[i] + b[2] * k3[i] + b[3] * k4[i]);
    y = next;
  }
  return y;
}

export interface Reference {
  readonly y: Float64Array;
  /** Estimated max abs error of `y` itself (Richardson). */
  readonly error: number;
}

/**
 * y*(T) by RK4 at h = 1/64 and 1/128 combined by Richardson extrapolation (order 5);
 * |y_{h/2} − y_h| / 15 estimates the error left, reported beside it.
 */
export function fineReference(f: Field, y0: Float64Array, T: number): Reference {
  const n = Math.ceil(64 * T);
  const coarse = rk4Fixed(f, y0, T, n, 'classic');
  const fine = rk4Fixed(f, y0, T, 2 * n, 'classic');
  const y = new Float64Array(y0.length);
  let error = 0;
  for (let i = 0; i < y.length; i++) {
    const d = (fine[i] - coarse[i]) / 15;
    y[i] = fine[i] + d;
    error = Math.max(error, Math.abs(d));
  }
  return { y, error };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`maxAbsDiff: lengths differ (${a.length} vs ${b.length})`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Unit roundoff of float32: a float32 solver rounds its state by up to this, relatively, each step. */
export const U32 = 2 ** -24;

export type Measure = 'rms-tol' | 'max-abs';

/**
 * How far one solver's y(T) may be from y*, in the measure `distance` uses.
 *
 * Adaptive methods ('rms-tol': weighted RMS in tolerance units, the norm the solvers control):
 * each accepted step keeps its local error estimate ≤ 1 unit, and the global error is at most
 * the local errors summed and carried forward, so 2 units per accepted step (the 2 for
 * propagation), plus, for float32 paths, two roundings per step (≤ 2·U32/rtol units): one of
 * the state, and one for f itself, whose float32 sums and tanh err by about as much.
 *
 * Fixed-step rk4 ('max-abs'): twice the larger error of a textbook RK4 (classic or 3/8 rule) at
 * the same step, plus, for float32 paths, two roundings per step (2·U32·max|y*|), as above.
 */
export function errorLimit(
  measure: Measure,
  args: { steps: number; float32: boolean; rtol: number; textbookError: number; yScale: number },
): number {
  const { steps, float32, rtol, textbookError, yScale } = args;
  if (measure === 'rms-tol') return 2 * steps + (float32 ? (2 * steps * U32) / rtol : 0);
  return 2 * textbookError + (float32 ? 2 * steps * U32 * yScale : 0);
}

/** The distance between two answers in a measure; tolerance units are weighted by y*. */
export function distance(
  measure: Measure,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  tol: { rtol: number; atol: number; yStar: ArrayLike<number> },
): number {
  if (measure === 'max-abs') return maxAbsDiff(a, b);
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const e = (a[i] - b[i]) / (tol.atol + tol.rtol * Math.abs(tol.yStar[i]));
    s += e * e;
  }
  return Math.sqrt(s / a.length);
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
