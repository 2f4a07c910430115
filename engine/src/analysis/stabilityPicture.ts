/**
 * The stability picture of a scheme: its region of absolute stability sampled on a grid of the
 * z = Δtλ plane (|R(z)| for RK methods, the largest root modulus for multistep schemes: ≤ 1
 * inside), its boundary as line segments, and the Δt·λ points of a learned field's Jacobian,
 * each marked stable or not. The window is the region's own, widened (up to 8×) to show the points.
 */
import { defaultBounds, methodCoefficients, stabilityFunction, stabilityRegion, type PlaneBounds } from '../inspect/stability';
import { eigenvalues } from '../inspect/eigen';
import { SolverError } from '../solvers/errors';
import type { SchemeChoice } from './fixedStep';
import { ab2Coefficients, boundaryLocus, isStable, lmCoefficients, multistepStabilityRegion, type MultistepCoefficients } from './multistepStability';

export interface RegionPicture {
  /** What the region is of, e.g. 'lm (k = 0.12, network form)'. */
  label: string;
  bounds: PlaneBounds;
  nx: number;
  ny: number;
  /** ≤ 1 inside the region; row-major, index j·nx + i. */
  absR: Float64Array;
  /** Segments [re0, im0, re1, im1, …]. */
  boundary: Float64Array;
  /** Where the region meets the negative real axis; null: nowhere in reach. */
  realAxis: number | null;
}

/** One Δt·λ point: which layer (or sampled state) it belongs to and whether its scheme is stable there. */
export interface SpectrumPoint {
  re: number;
  im: number;
  /** The layer (networks) or the sampled state's index (ODE fields). */
  group: number;
  stable: boolean;
}

function multistepOf(choice: SchemeChoice, scaling: 'network' | 'consistent'): MultistepCoefficients | null {
  if (choice.scheme === 'ab2') return ab2Coefficients;
  if (choice.scheme === 'lm') {
    if (choice.k === undefined) throw new SolverError('input', 'The lm scheme needs a value of k for its stability region.');
    return lmCoefficients(choice.k, scaling);
  }
  return null;
}

/** Is the scheme stable at z (lm in the given scaling)? */
export function stableAt(choice: SchemeChoice, scaling: 'network' | 'consistent', re: number, im: number): boolean {
  const m = multistepOf(choice, scaling);
  if (m) return isStable(m, { re, im });
  const c = methodCoefficients(choice.scheme).coefficients;
  if (!c) throw new SolverError('input', `'${choice.scheme}' has no stability function R(z).`);
  const R = stabilityFunction(c, { re, im });
  return Math.hypot(R.re, R.im) <= 1 + 1e-12;
}

function baseWindow(choice: SchemeChoice, m: MultistepCoefficients | null): PlaneBounds {
  if (!m) {
    const r = methodCoefficients(choice.scheme);
    if (!r.coefficients) throw new SolverError('input', r.note);
    return defaultBounds(r.coefficients);
  }
  const locus = boundaryLocus(m, 181);
  let [reMin, reMax, imMin, imMax] = [-1, 0.5, -1, 1];
  for (let i = 0; i < locus.length; i += 2) {
    if (!Number.isFinite(locus[i]) || !Number.isFinite(locus[i + 1])) continue;
    reMin = Math.min(reMin, locus[i]);
    reMax = Math.max(reMax, locus[i]);
    imMin = Math.min(imMin, locus[i + 1]);
    imMax = Math.max(imMax, locus[i + 1]);
  }
  const pad = 0.2 * Math.max(reMax - reMin, imMax - imMin);
  return { reMin: reMin - pad, reMax: reMax + pad, imMin: imMin - pad, imMax: imMax + pad };
}

/** The window of the region widened to take in the points, at most 8 widths beyond it. */
function widen(base: PlaneBounds, points: readonly { re: number; im: number }[]): PlaneBounds {
  const b = { ...base };
  const w = base.reMax - base.reMin;
  for (const p of points) {
    if (!Number.isFinite(p.re) || !Number.isFinite(p.im)) continue;
    b.reMin = Math.max(Math.min(b.reMin, p.re * 1.1), base.reMin - 8 * w);
    b.reMax = Math.min(Math.max(b.reMax, p.re * 1.1), base.reMax + 8 * w);
    b.imMin = Math.max(Math.min(b.imMin, p.im * 1.1), base.imMin - 8 * w);
    b.imMax = Math.min(Math.max(b.imMax, p.im * 1.1), base.imMax + 8 * w);
  }
  return b;
}

export function regionPicture(choice: SchemeChoice, scaling: 'network' | 'consistent', points: readonly { re: number; im: number }[] = [], grid = { nx: 141, ny: 111 }): RegionPicture {
  const m = multistepOf(choice, scaling);
  const bounds = widen(baseWindow(choice, m), points);
  const label = choice.scheme === 'lm' ? `lm (k = ${choice.k!.toPrecision(3)}, ${scaling} form)` : choice.scheme;
  if (m) {
    const r = multistepStabilityRegion(m, { bounds, nx: grid.nx, ny: grid.ny, samples: 361 });
    const seg: number[] = [];
    for (let i = 0; i + 3 < r.locus.length; i += 2) {
      const [a, b, c, d] = [r.locus[i], r.locus[i + 1], r.locus[i + 2], r.locus[i + 3]];
      if ([a, b, c, d].every(Number.isFinite)) seg.push(a, b, c, d);
    }
    const realAxis = r.realInterval && Number.isFinite(r.realInterval[0]) ? r.realInterval[0] : null;
    return { label, bounds, nx: grid.nx, ny: grid.ny, absR: r.rootModulus, boundary: Float64Array.from(seg), realAxis };
  }
  const c = methodCoefficients(choice.scheme).coefficients!;
  const r = stabilityRegion(c, bounds, grid.nx, grid.ny);
  return { label, bounds, nx: r.nx, ny: r.ny, absR: r.absR, boundary: r.boundary, realAxis: Number.isFinite(r.realAxis) ? r.realAxis : null };
}

/** The Jacobian of a batched map at one state u (d components) by central differences: one call on 2d states. */
export function differenceJacobian(map: (u: Float64Array) => Float64Array, u: Float64Array): Float64Array {
  const d = u.length;
  const batch = new Float64Array(2 * d * d);
  const eps = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    eps[j] = 1e-6 * Math.max(1, Math.abs(u[j]));
    batch.set(u, 2 * j * d);
    batch.set(u, (2 * j + 1) * d);
    batch[2 * j * d + j] += eps[j];
    batch[(2 * j + 1) * d + j] -= eps[j];
  }
  const out = map(batch);
  const jac = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < d; i++) jac[i * d + j] = (out[2 * j * d + i] - out[(2 * j + 1) * d + i]) / (2 * eps[j]);
  }
  return jac;
}

/** Δt·λ for the eigenvalues of a d×d Jacobian (row-major). */
export function scaledSpectrum(jac: Float64Array, d: number, dt: number): { re: number; im: number }[] {
  return eigenvalues(jac, d).map((z) => ({ re: dt * z.re, im: dt * z.im }));
}
