import { sampleTrajectory, type TrajectoryOptions } from './trajectory';
import type { TrajectoryData } from './types';

/** One trajectory of a system from its y0 (or the given one), 200 samples on [t0, t1] unless the options say otherwise. */
function systemTrajectory(
  name: string,
  f: (t: number, y: Float64Array) => Float64Array,
  y0: ArrayLike<number>,
  t1: number,
  opts: Partial<TrajectoryOptions>,
): Promise<TrajectoryData> {
  return sampleTrajectory(name, f, Float64Array.from(y0), {
    dataSize: opts.dataSize ?? 200,
    t0: opts.t0 ?? 0,
    t1: opts.t1 ?? t1,
    noiseStd: opts.noiseStd,
    seed: opts.seed,
  });
}

export interface DampedOscillatorOptions extends Partial<TrajectoryOptions> {
  /** Natural angular frequency ω (default 1). */
  omega?: number;
  /** Damping ratio ζ (default 0.1: underdamped). */
  zeta?: number;
  /** [position, velocity] at t0 (default [1, 0]). */
  y0?: ArrayLike<number>;
}

/** x'' + 2ζω x' + ω² x = 0 as a first-order system in y = [x, v]. */
export function dampedOscillatorField(omega = 1, zeta = 0.1): (t: number, y: Float64Array) => Float64Array {
  const w2 = omega * omega;
  const c = 2 * zeta * omega;
  return (_t, y) => Float64Array.of(y[1], -w2 * y[0] - c * y[1]);
}

/** A damped harmonic oscillator, 200 samples on [0, 20] by default. */
export function dampedOscillator(opts: DampedOscillatorOptions = {}): Promise<TrajectoryData> {
  return systemTrajectory('dampedOscillator', dampedOscillatorField(opts.omega ?? 1, opts.zeta ?? 0.1), opts.y0 ?? [1, 0], 20, opts);
}

export interface LotkaVolterraOptions extends Partial<TrajectoryOptions> {
  /** Prey growth α, predation β, predator growth per prey δ, predator death γ. */
  alpha?: number;
  beta?: number;
  delta?: number;
  gamma?: number;
  /** [prey, predators] at t0 (default [1, 1]). */
  y0?: ArrayLike<number>;
}

/** x' = αx − βxy, y' = δxy − γy. */
export function lotkaVolterraField(alpha = 1.5, beta = 1, delta = 1, gamma = 3): (t: number, y: Float64Array) => Float64Array {
  return (_t, y) => Float64Array.of(alpha * y[0] - beta * y[0] * y[1], delta * y[0] * y[1] - gamma * y[1]);
}

/** Lotka–Volterra predator–prey cycles (α 1.5, β 1, δ 1, γ 3), 200 samples on [0, 15] by default. */
export function lotkaVolterra(opts: LotkaVolterraOptions = {}): Promise<TrajectoryData> {
  const f = lotkaVolterraField(opts.alpha ?? 1.5, opts.beta ?? 1, opts.delta ?? 1, opts.gamma ?? 3);
  return systemTrajectory('lotkaVolterra', f, opts.y0 ?? [1, 1], 15, opts);
}

export interface DampedPendulumOptions extends Partial<TrajectoryOptions> {
  /** g/L, the square of the small-swing angular frequency (default 1). */
  gOverL?: number;
  /** Linear friction c in θ'' = −(g/L) sin θ − c θ' (default 0.2). */
  damping?: number;
  /** [angle, angular velocity] at t0 (default [2.5, 0]: a wide swing, where sin θ is far from θ). */
  y0?: ArrayLike<number>;
}

/** θ'' = −(g/L) sin θ − c θ' as a first-order system in y = [θ, ω]. */
export function dampedPendulumField(gOverL = 1, damping = 0.2): (t: number, y: Float64Array) => Float64Array {
  return (_t, y) => Float64Array.of(y[1], -gOverL * Math.sin(y[0]) - damping * y[1]);
}

/** A damped pendulum swinging down from θ = 2.5 rad, 200 samples on [0, 20] by default. */
export function dampedPendulum(opts: DampedPendulumOptions = {}): Promise<TrajectoryData> {
  return systemTrajectory('dampedPendulum', dampedPendulumField(opts.gOverL ?? 1, opts.damping ?? 0.2), opts.y0 ?? [2.5, 0], 20, opts);
}
