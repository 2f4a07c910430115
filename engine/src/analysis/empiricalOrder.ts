/**
 * Empirical order of a scheme on a field: the global error at a fixed time T for a sequence of
 * step sizes, against an accurate dopri5 solution, and the slope of log(error) over log(Δt)
 * fitted by least squares on the smallest step sizes where the error is measurable (above the
 * reference's own error) and the run did not blow up (an unstable Δt).
 */
import { odeint } from '../odeint';
import { integrateFixed, theoreticalOrder, type StepField, type SchemeChoice } from './fixedStep';

export interface OrderStudy {
  scheme: string;
  k: number | null;
  /** The order the theory gives for a smooth field. */
  theoretical: number;
  /** The time the error is measured at. */
  horizon: number;
  dt: number[];
  /** max |u_N − u(T)| over components (and samples). */
  error: number[];
  /** Which points the slope was fitted on. */
  fitted: boolean[];
  /** The fitted slope; null with fewer than two usable points. */
  slope: number | null;
  notes: string[];
}

/** Points the slope is fitted on: the smallest step sizes, where the error's leading term dominates. */
export const FIT_POINTS = 4;

/** Least-squares slope of y over x. */
export function fitSlope(x: readonly number[], y: readonly number[]): number | null {
  const n = x.length;
  if (n < 2) return null;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  return sxx > 0 ? sxy / sxx : null;
}

export interface OrderOptions {
  /** Step counts over [0, T] (default 4, 8, …, 128). */
  steps?: readonly number[];
  /** Tolerance of the reference solve (default rtol 1e-12, atol 1e-14). */
  rtol?: number;
  atol?: number;
  /** Start time (default 0): a time-dependent field is integrated over [t0, t0 + T]. */
  t0?: number;
}

export async function empiricalOrder(choice: SchemeChoice, g: StepField, u0: Float64Array, horizon: number, opts: OrderOptions = {}): Promise<OrderStudy> {
  const steps = opts.steps ?? [4, 8, 16, 32, 64, 128];
  const rtol = opts.rtol ?? 1e-12;
  const atol = opts.atol ?? 1e-14;
  const t0 = opts.t0 ?? 0;
  const ref = (await odeint((t: number, y: Float64Array) => g(t, y), Float64Array.from(u0), [t0, t0 + horizon], { method: 'dopri5', rtol, atol })).ys[1];
  const scale = Math.max(1, ...Array.from(ref, Math.abs));
  // Below this the reference's own error shows, not the scheme's.
  const floor = 100 * (rtol * scale + atol);
  const dt: number[] = [];
  const error: number[] = [];
  for (const N of steps) {
    const h = horizon / N;
    const end = integrateFixed(choice, g, u0, h, N, t0)[N];
    let e = 0;
    for (let i = 0; i < end.length; i++) e = Math.max(e, Math.abs(end[i] - ref[i]));
    dt.push(h);
    error.push(Number.isFinite(e) ? e : Infinity);
  }
  const notes: string[] = [];
  const usable = error.map((e) => Number.isFinite(e) && e > floor && e < 10 * scale);
  // The asymptotic regime: the (up to) four smallest usable step sizes.
  const keep = new Set(usable.flatMap((ok, i) => (ok ? [i] : [])).sort((a, b) => dt[a] - dt[b]).slice(0, FIT_POINTS));
  const fitted = usable.map((_, i) => keep.has(i));
  if (error.some((e) => !(e < 10 * scale))) notes.push('Some step sizes blew up (outside the stability region); they are left out of the fit.');
  if (error.some((e) => e <= floor)) notes.push(`Errors below ${floor.toExponential(1)} reach the reference solution's accuracy; they are left out of the fit.`);
  const x = dt.filter((_, i) => fitted[i]).map(Math.log);
  const y = error.filter((_, i) => fitted[i]).map(Math.log);
  const slope = fitSlope(x, y);
  if (slope === null) notes.push('Fewer than two step sizes gave a measurable error: no slope.');
  return { scheme: choice.scheme, k: choice.k ?? null, theoretical: theoreticalOrder(choice), horizon, dt, error, fitted, slope, notes };
}
