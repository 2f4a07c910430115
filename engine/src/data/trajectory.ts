import { odeint } from '../odeint';
import { DataError } from './errors';
import { toRng, type Rng } from './rng';
import type { TrajectoryData } from './types';

/** How the true trajectories of the synthetic datasets are solved: tight, so data error ≪ model error. */
export const TRUE_SOLVE = { method: 'dopri5', rtol: 1e-10, atol: 1e-12 } as const;

export interface TrajectoryOptions {
  /** Number of sample times, evenly spaced on [t0, t1]. */
  dataSize: number;
  t0: number;
  t1: number;
  /** Standard deviation of Gaussian observation noise added to every component (0: none). */
  noiseStd?: number;
  seed?: number | Rng;
}

/** Evenly spaced as torch.linspace: t_i = t0 + (t1 − t0)·i/(n − 1), exact at both ends. */
export function linspace(t0: number, t1: number, n: number): Float64Array {
  if (!Number.isInteger(n) || n < 1) throw new DataError('input', `linspace needs n ≥ 1 points, got ${n}.`);
  const t = new Float64Array(n);
  if (n === 1) {
    t[0] = t0;
    return t;
  }
  for (let i = 0; i < n; i++) t[i] = t0 + ((t1 - t0) * i) / (n - 1);
  t[n - 1] = t1;
  return t;
}

/** Solves dy/dt = f(t, y) on the sample grid at TRUE_SOLVE tolerances, then adds the observation noise. */
export async function sampleTrajectory(
  name: string,
  f: (t: number, y: Float64Array) => Float64Array,
  y0: Float64Array,
  opts: TrajectoryOptions,
): Promise<TrajectoryData> {
  if (!Number.isInteger(opts.dataSize) || opts.dataSize < 2) {
    throw new DataError('input', `${name}: dataSize must be an integer ≥ 2, got ${opts.dataSize}.`);
  }
  if (!(opts.t1 > opts.t0)) throw new DataError('input', `${name}: the time span needs t1 > t0, got [${opts.t0}, ${opts.t1}].`);
  const t = linspace(opts.t0, opts.t1, opts.dataSize);
  const { ys } = await odeint(f, Float64Array.from(y0), t, TRUE_SOLVE);
  const noiseStd = opts.noiseStd ?? 0;
  if (noiseStd < 0 || !Number.isFinite(noiseStd)) throw new DataError('input', `${name}: noiseStd must be ≥ 0, got ${noiseStd}.`);
  if (noiseStd === 0) return { name, dim: y0.length, t, ys, y0: Float64Array.from(y0) };
  const rng = toRng(opts.seed);
  const noisy = ys.map((y) => y.map((v) => v + rng.normal(0, noiseStd)));
  return { name, dim: y0.length, t, ys: noisy, trueYs: ys, y0: Float64Array.from(y0) };
}
