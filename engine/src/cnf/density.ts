/**
 * Densities and samples of a continuous normalising flow. Data x = z(0) flow forward to t = T,
 * where the base is N(0, I); the instantaneous change of variables gives
 *
 *   log p(x) = log N(z(T); 0, I) + ∫₀ᵀ tr(∂f/∂z) dt = log N(z(T)) − Δlogp(T)
 *
 * with Δlogp the augmented component (dΔlogp/dt = −tr ∂f/∂z, Δlogp(0) = 0). Samples go the
 * other way: z(T) ~ N(0, I) flowed back to t = 0, which needs f alone.
 */
import { Rng } from '../data/rng';
import { odeint } from '../odeint';
import type { SolverOptions } from '../solvers/stepper';
import { MAX_EXACT_DIM, type CnfField, type TraceEstimator } from './cnfField';
import { CnfError } from './errors';

const LOG_2PI = Math.log(2 * Math.PI);

/** Solver settings of density evaluation and sampling (FFJORD's toys use 1e-5 for both tolerances). */
export interface CnfSolveOptions {
  method?: string;
  rtol?: number;
  atol?: number;
  options?: SolverOptions;
  signal?: AbortSignal;
}

export const DEFAULT_CNF_SOLVER: Required<Pick<CnfSolveOptions, 'method' | 'rtol' | 'atol'>> = { method: 'dopri5', rtol: 1e-5, atol: 1e-5 };

export interface CnfDensityOptions extends CnfSolveOptions {
  /** Default 'exact' up to MAX_EXACT_DIM dimensions (deterministic), else 'hutchinson'. */
  trace?: TraceEstimator;
  /** Seed of Hutchinson's ε when that estimator is used. Default 0. */
  seed?: number;
}

export interface CnfDensity {
  /** log p(x) per point. */
  logp: Float64Array;
  /** z(T) per point, [n·d]. */
  z: Float64Array;
  /** Δlogp(T) = −∫ tr ∂f/∂z dt per point. */
  deltaLogp: Float64Array;
  nfe: number;
}

/** Points x [n·d] as the augmented initial state [x, 0] per sample. */
export function cnfInitialState(x: Float64Array, d: number): Float64Array {
  const n = x.length / d;
  const y = new Float64Array(n * (d + 1));
  for (let k = 0; k < n; k++) for (let i = 0; i < d; i++) y[k * (d + 1) + i] = x[k * d + i];
  return y;
}

/** log N(z; 0, I) of each sample of z [n·d]. */
export function standardNormalLogPdf(z: Float64Array, d: number): Float64Array {
  const n = z.length / d;
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let q = 0;
    for (let i = 0; i < d; i++) q += z[k * d + i] * z[k * d + i];
    out[k] = -0.5 * (d * LOG_2PI + q);
  }
  return out;
}

export interface CnfNll {
  /** Mean negative log-likelihood over the batch (nats). */
  loss: number;
  /** log p of each sample. */
  logp: Float64Array;
  /** dLoss/dy(T) for the augmented state: z/n for z, 1/n for Δlogp. */
  cotangent: Float64Array;
}

/** The mean NLL of a batch from its augmented state at t = T, and the cotangent odeintGrad takes there. */
export function cnfNll(yT: Float64Array, d: number): CnfNll {
  const D = d + 1;
  const n = yT.length / D;
  const logp = new Float64Array(n);
  const cotangent = new Float64Array(yT.length);
  let sum = 0;
  for (let k = 0; k < n; k++) {
    let q = 0;
    for (let i = 0; i < d; i++) {
      const z = yT[k * D + i];
      q += z * z;
      cotangent[k * D + i] = z / n;
    }
    cotangent[k * D + d] = 1 / n;
    logp[k] = -0.5 * (d * LOG_2PI + q) - yT[k * D + d];
    sum -= logp[k];
  }
  return { loss: sum / n, logp, cotangent };
}

function checkPoints(field: CnfField, xs: Float64Array, where: string): number {
  const d = field.dataDim;
  if (!(xs instanceof Float64Array) || xs.length === 0 || xs.length % d !== 0) {
    throw new CnfError(
      `${where}: points must be a Float64Array of n·${d} values (row-major, ${d} per point); got ` +
        `${xs instanceof Float64Array ? `${xs.length} values` : typeof xs}. Wrap arrays: Float64Array.from(points.flat()).`,
    );
  }
  const bad = xs.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new CnfError(`${where}: point ${Math.floor(bad / d)}, component ${bad % d}, is ${xs[bad]}; every coordinate must be finite.`);
  return xs.length / d;
}

const solverOf = (o: CnfSolveOptions) => ({
  method: o.method ?? DEFAULT_CNF_SOLVER.method,
  rtol: o.rtol ?? DEFAULT_CNF_SOLVER.rtol,
  atol: o.atol ?? DEFAULT_CNF_SOLVER.atol,
  options: o.options,
  signal: o.signal,
});

/** log p(x) of every point under the flow: one batched solve from t = 0 to T. */
export async function cnfLogDensity(field: CnfField, xs: Float64Array, opts: CnfDensityOptions = {}): Promise<CnfDensity> {
  const n = checkPoints(field, xs, 'cnfLogDensity');
  const d = field.dataDim;
  const trace = opts.trace ?? (d <= MAX_EXACT_DIM ? 'exact' : 'hutchinson');
  // a view with its own ε: the field's noise (a training step's) is left as it is
  const g = field.withTrace(trace);
  if (trace === 'hutchinson') g.drawNoise(n, new Rng(opts.seed ?? 0));
  const sol = await odeint((t, y: Float64Array) => g.f(t, y), cnfInitialState(xs, d), [0, field.time], solverOf(opts));
  const yT = sol.ys[1];
  const { logp } = cnfNll(yT, d);
  const z = new Float64Array(n * d);
  const deltaLogp = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < d; i++) z[k * d + i] = yT[k * (d + 1) + i];
    deltaLogp[k] = yT[k * (d + 1) + d];
  }
  return { logp, z, deltaLogp, nfe: sol.stats.nfe };
}

function checkCount(n: number, where: string): void {
  if (!Number.isInteger(n) || n < 1) throw new CnfError(`${where}: the number of samples must be a whole number ≥ 1; got ${n}.`);
}

/** n samples of the flow's density: z(T) ~ N(0, I) flowed back to t = 0; [n·d]. */
export async function cnfSample(field: CnfField, n: number, seed = 0, opts: CnfSolveOptions = {}): Promise<Float64Array> {
  const path = await cnfSamplePath(field, n, seed, 2, opts);
  return path.xs[path.xs.length - 1];
}

/**
 * The samples' flow over time, for drawing it: `frames` snapshots from t = T (the Gaussian) to
 * t = 0 (the data), evenly spaced; xs[i] is the cloud at t[i].
 */
export async function cnfSamplePath(
  field: CnfField,
  n: number,
  seed: number,
  frames: number,
  opts: CnfSolveOptions = {},
): Promise<{ t: number[]; xs: Float64Array[] }> {
  checkCount(n, 'cnfSample');
  if (!Number.isInteger(frames) || frames < 2) throw new CnfError(`cnfSamplePath: frames must be a whole number ≥ 2 (t = T and t = 0); got ${frames}.`);
  if (!Number.isSafeInteger(seed)) throw new CnfError(`cnfSample: seed must be a safe integer; got ${seed}.`);
  const z = new Rng(seed).fillNormal(new Float64Array(n * field.dataDim));
  const T = field.time;
  const t = Array.from({ length: frames }, (_, i) => (i === frames - 1 ? 0 : T * (1 - i / (frames - 1))));
  const sol = await odeint((s, y: Float64Array) => field.velocity(s, y), z, t, solverOf(opts));
  return { t, xs: sol.ys };
}
