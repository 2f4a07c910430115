import { sampleTrajectory, type TrajectoryOptions } from './trajectory';
import type { Rng } from './rng';
import type { TrajectoryData } from './types';

export interface SpiralOptions extends Partial<TrajectoryOptions> {
  /** The 2 × 2 matrix of dy/dt = (y³)·A, row-major. */
  A?: ArrayLike<number>;
  y0?: ArrayLike<number>;
}

/** torchdiffeq's ode_demo: A = [[-0.1, 2], [-2, -0.1]]. */
export const SPIRAL_A = Object.freeze([-0.1, 2.0, -2.0, -0.1]);
export const SPIRAL_Y0 = Object.freeze([2, 0]);

/**
 * The vector field of ode_demo, dy/dt = (y³)·A with y a row vector (cube taken elementwise):
 * dy₀ = y₀³A₀₀ + y₁³A₁₀, dy₁ = y₀³A₀₁ + y₁³A₁₁.
 */
export function spiralField(A: ArrayLike<number> = SPIRAL_A): (t: number, y: Float64Array) => Float64Array {
  const [a00, a01, a10, a11] = [A[0], A[1], A[2], A[3]];
  return (_t, y) => {
    const c0 = y[0] * y[0] * y[0];
    const c1 = y[1] * y[1] * y[1];
    return Float64Array.of(c0 * a00 + c1 * a10, c0 * a01 + c1 * a11);
  };
}

/**
 * The ode_demo data: y0 = [2, 0], 1000 points evenly spaced on t ∈ [0, 25], the true trajectory
 * solved at tight tolerance. Options change any of these (and can add observation noise).
 */
export function spiral(opts: SpiralOptions = {}): Promise<TrajectoryData> {
  const y0 = Float64Array.from(opts.y0 ?? SPIRAL_Y0);
  return sampleTrajectory('spiral', spiralField(opts.A ?? SPIRAL_A), y0, {
    dataSize: opts.dataSize ?? 1000,
    t0: opts.t0 ?? 0,
    t1: opts.t1 ?? 25,
    noiseStd: opts.noiseStd,
    seed: opts.seed as number | Rng | undefined,
  });
}
