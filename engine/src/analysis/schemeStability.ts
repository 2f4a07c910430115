/**
 * One entry point for the stability region of any scheme the analysis knows: Runge–Kutta
 * methods through their stability function R(z) (inspect/stability.ts), multistep schemes
 * through the root condition (multistepStability.ts).
 */
import type { Complex } from '../inspect/complex';
import { methodCoefficients, stabilityFunction, stabilityRegion, type StabilityRegion } from '../inspect/stability';
import { SolverError } from '../solvers/errors';
import { ab2Coefficients, isStable, lmCoefficients, multistepStabilityRegion, type MultistepStabilityRegion } from './multistepStability';

export type SchemeStability =
  | { readonly kind: 'rk'; readonly region: StabilityRegion; isStable(z: Complex): boolean }
  | { readonly kind: 'lmm'; readonly region: MultistepStabilityRegion; isStable(z: Complex): boolean };

/**
 * The stability region of `scheme` (a registry method, 'ab2', or 'lm' with its k; lm in the
 * network's form unless `scaling` is 'consistent').
 */
export function schemeStability(scheme: string, k?: number, scaling: 'network' | 'consistent' = 'network'): SchemeStability {
  if (scheme === 'lm' || scheme === 'ab2') {
    if (scheme === 'lm' && k === undefined) throw new SolverError('input', 'The lm scheme needs a value of k for its stability region.');
    const m = scheme === 'lm' ? lmCoefficients(k as number, scaling) : ab2Coefficients;
    return { kind: 'lmm', region: multistepStabilityRegion(m), isStable: (z) => isStable(m, z) };
  }
  if (k !== undefined) throw new SolverError('input', `k is a parameter of the lm scheme only; '${scheme}' has none.`);
  const r = methodCoefficients(scheme);
  if (!r.coefficients) throw new SolverError('input', r.note);
  const coefficients = r.coefficients;
  const abs = (z: Complex): number => {
    const R = stabilityFunction(coefficients, z);
    return Math.hypot(R.re, R.im);
  };
  return { kind: 'rk', region: stabilityRegion(coefficients), isStable: (z) => abs(z) <= 1 + 1e-12 };
}
