/**
 * Linear stability of linear multistep schemes. Applied to u′ = λu, the scheme
 * Σ α_j u_{n+j} = Δt Σ β_j f_{n+j} is a linear recurrence with characteristic polynomial
 * π(ζ; z) = ρ(ζ) − z σ(ζ), z = Δtλ; it is stable where every root has |ζ| ≤ 1 and the roots on
 * |ζ| = 1 are simple (the root condition). The boundary of that region lies on the boundary
 * locus z(θ) = ρ(e^{iθ})/σ(e^{iθ}); which side is stable is checked with the root condition.
 */
import { cAbs, cAdd, cDiv, cMul, cSqrt, cSub, type Complex } from '../inspect/complex';
import { SolverError } from '../solvers/errors';
import type { MultistepScheme } from './schemes';

/** α_0 … α_s and β_0 … β_s as numbers, oldest state first. */
export interface MultistepCoefficients {
  readonly name: string;
  readonly alpha: readonly number[];
  readonly beta: readonly number[];
}

/** A scheme of `schemes.ts` with numbers for coefficients (k must have a value). */
export function multistepCoefficients(s: MultistepScheme): MultistepCoefficients {
  if (s.k === 'symbolic') throw new SolverError('input', `${s.name}: the stability region needs a value of k.`);
  return { name: s.name, alpha: s.alpha.map((a) => a.toNumber()), beta: s.beta.map((b) => b.toNumber()) };
}

/**
 * The LM scheme u_{n+1} = (1 − k)u_n + k u_{n−1} + c Δt f(u_n): c = 1 is the network's form
 * (the paper's), c = 1 + k the solver's `lm` method, consistent with u′ = f. The network form
 * solves (1 + k)u_t = f to first order, so its z = Δtλ is (1 + k) times the z of that ODE.
 */
export function lmCoefficients(k: number, scaling: 'network' | 'consistent' = 'network'): MultistepCoefficients {
  if (!Number.isFinite(k)) throw new SolverError('input', `k = ${k}: expected a finite number.`);
  const c = scaling === 'network' ? 1 : 1 + k;
  return { name: scaling === 'network' ? 'lm' : 'lm (consistent)', alpha: [-k, -(1 - k), 1], beta: [0, c, 0] };
}

export const ab2Coefficients: MultistepCoefficients = { name: 'ab2', alpha: [0, -1, 1], beta: [-0.5, 1.5, 0] };

const C = (re: number, im = 0): Complex => ({ re, im });

/** Roots of Σ c_j ζ^j (complex coefficients, lowest degree first). */
export function polynomialRoots(coeffs: readonly Complex[]): Complex[] {
  let n = coeffs.length - 1;
  while (n > 0 && cAbs(coeffs[n]) === 0) n--;
  if (n <= 0) return [];
  const c = coeffs.slice(0, n + 1).map((x) => cDiv(x, coeffs[n]));
  if (n === 1) return [C(-c[0].re, -c[0].im)];
  if (n === 2) {
    // ζ² + bζ + c0; the larger root from the formula, the other from c0/ζ₁ (no cancellation).
    const b = c[1];
    const disc = cSqrt(cSub(cMul(b, b), cMul(C(4), c[0])));
    const sgn = b.re * disc.re + b.im * disc.im >= 0 ? 1 : -1;
    const q = cMul(C(-0.5), cAdd(b, cMul(C(sgn), disc)));
    if (cAbs(q) === 0) return [C(0), C(0)];
    return [q, cDiv(c[0], q)];
  }
  // Durand–Kerner from points on a circle enclosing the roots.
  const radius = 1 + Math.max(...c.slice(0, n).map(cAbs));
  let z = Array.from({ length: n }, (_, i) => ({ re: radius * Math.cos(0.4 + (2 * Math.PI * i) / n), im: radius * Math.sin(0.4 + (2 * Math.PI * i) / n) }));
  const p = (x: Complex): Complex => c.reduceRight<Complex>((acc, ci) => cAdd(cMul(acc, x), ci), C(0));
  for (let it = 0; it < 500; it++) {
    let moved = 0;
    z = z.map((zi, i) => {
      let den = C(1);
      z.forEach((zj, j) => {
        if (j !== i) den = cMul(den, cSub(zi, zj));
      });
      const step = cDiv(p(zi), den);
      moved = Math.max(moved, cAbs(step));
      return cSub(zi, step);
    });
    if (moved < 1e-15 * radius) break;
  }
  return z;
}

/** The roots ζ of ρ(ζ) − zσ(ζ). */
export function characteristicRoots(m: MultistepCoefficients, z: Complex): Complex[] {
  return polynomialRoots(m.alpha.map((a, j) => C(a - z.re * m.beta[j], -z.im * m.beta[j])));
}

/** The largest |ζ|: above 1, a step of u′ = λu with Δtλ = z grows. */
export function rootModulus(m: MultistepCoefficients, z: Complex): number {
  const roots = characteristicRoots(m, z);
  // A vanishing leading coefficient sends a root to infinity.
  if (roots.length < m.alpha.length - 1) return Infinity;
  return Math.max(0, ...roots.map(cAbs));
}

/**
 * The root condition at z: all roots in the closed unit disc, those on its circle simple.
 * `tol` absorbs rounding on the boundary itself.
 */
export function isStable(m: MultistepCoefficients, z: Complex | number, tol = 1e-9): boolean {
  const zc = typeof z === 'number' ? C(z) : z;
  const roots = characteristicRoots(m, zc);
  if (roots.length < m.alpha.length - 1) return false;
  if (roots.some((r) => cAbs(r) > 1 + tol)) return false;
  const onCircle = roots.filter((r) => cAbs(r) >= 1 - tol);
  // A double root on the circle shows up as two roots √tol apart at worst.
  for (let i = 0; i < onCircle.length; i++) {
    for (let j = i + 1; j < onCircle.length; j++) if (cAbs(cSub(onCircle[i], onCircle[j])) < 1e-6) return false;
  }
  return true;
}

/** z(θ) = ρ(e^{iθ})/σ(e^{iθ}) at `samples` angles in [0, 2π], as [re0, im0, re1, im1, …]. */
export function boundaryLocus(m: MultistepCoefficients, samples = 361): Float64Array {
  const out = new Float64Array(2 * samples);
  for (let i = 0; i < samples; i++) {
    const th = (2 * Math.PI * i) / (samples - 1);
    const zeta = C(Math.cos(th), Math.sin(th));
    let rho = C(0);
    let sigma = C(0);
    let pw = C(1);
    m.alpha.forEach((a, j) => {
      rho = cAdd(rho, cMul(C(a), pw));
      sigma = cAdd(sigma, cMul(C(m.beta[j]), pw));
      pw = cMul(pw, zeta);
    });
    const z = cAbs(sigma) < 1e-14 ? C(NaN, NaN) : cDiv(rho, sigma);
    out[2 * i] = z.re;
    out[2 * i + 1] = z.im;
  }
  return out;
}

/** The interval [lo, hi] ∋ 0 of the real axis where the scheme is stable, or null if 0 is not stable. */
export function realStabilityInterval(m: MultistepCoefficients, limit = 20): [number, number] | null {
  if (!isStable(m, 0)) return null;
  const edge = (dir: -1 | 1): number => {
    const dx = 1e-3;
    let x = 0;
    while (Math.abs(x) < limit && isStable(m, x + dir * dx)) x += dir * dx;
    if (Math.abs(x) >= limit) return dir * Infinity;
    let inside = x;
    let outside = x + dir * dx;
    for (let i = 0; i < 50; i++) {
      const mid = (inside + outside) / 2;
      if (isStable(m, mid)) inside = mid;
      else outside = mid;
    }
    return inside;
  };
  return [edge(-1), edge(1)];
}

export interface PlaneWindow {
  reMin: number;
  reMax: number;
  imMin: number;
  imMax: number;
}

/** A multistep scheme's stability region, ready for a canvas. */
export interface MultistepStabilityRegion {
  readonly scheme: string;
  /** The boundary locus as [re, im, …]: the region's boundary lies on it. */
  readonly locus: Float64Array;
  /**
   * Which side of the locus (walked with θ increasing) is stable, by the root condition at
   * points just off it: 'none' when neither is (a region without interior, e.g. leapfrog's
   * segment of the imaginary axis), 'mixed' when it changes along the curve.
   */
  readonly stableSide: 'left' | 'right' | 'none' | 'mixed';
  readonly bounds: PlaneWindow;
  /** Samples per axis: node (i, j) is re = reMin + i·dRe, im = imMin + j·dIm. */
  readonly nx: number;
  readonly ny: number;
  /** max |ζ| at the nodes, row-major (index j·nx + i); ≤ 1 inside the region. */
  readonly rootModulus: Float64Array;
  /** The stable part of the real axis around 0 (null when z = 0 itself is unstable). */
  readonly realInterval: [number, number] | null;
}

function sideOfLocus(m: MultistepCoefficients, locus: Float64Array): MultistepStabilityRegion['stableSide'] {
  const n = locus.length / 2;
  const votes = { left: 0, right: 0, none: 0, both: 0 };
  for (let i = 1; i + 1 < n; i += Math.max(1, Math.floor(n / 48))) {
    const tx = locus[2 * i + 2] - locus[2 * i - 2];
    const ty = locus[2 * i + 3] - locus[2 * i - 1];
    const len = Math.hypot(tx, ty);
    if (!(len > 1e-12)) continue;
    const eps = 1e-4;
    const [x, y] = [locus[2 * i], locus[2 * i + 1]];
    const left = isStable(m, C(x - (eps * ty) / len, y + (eps * tx) / len));
    const right = isStable(m, C(x + (eps * ty) / len, y - (eps * tx) / len));
    if (left && right) votes.both++;
    else if (left) votes.left++;
    else if (right) votes.right++;
    else votes.none++;
  }
  const total = votes.left + votes.right + votes.none + votes.both;
  if (total === 0 || votes.none === total) return 'none';
  if (votes.left === total) return 'left';
  if (votes.right === total) return 'right';
  return 'mixed';
}

/** A window around the locus with a margin. */
function windowAround(locus: Float64Array): PlaneWindow {
  let [reMin, reMax, imMin, imMax] = [0, 0, 0, 0];
  for (let i = 0; i < locus.length; i += 2) {
    if (!Number.isFinite(locus[i]) || !Number.isFinite(locus[i + 1])) continue;
    reMin = Math.min(reMin, locus[i]);
    reMax = Math.max(reMax, locus[i]);
    imMin = Math.min(imMin, locus[i + 1]);
    imMax = Math.max(imMax, locus[i + 1]);
  }
  const pad = 0.15 * Math.max(reMax - reMin, imMax - imMin, 1);
  return { reMin: reMin - pad, reMax: reMax + pad, imMin: imMin - pad, imMax: imMax + pad };
}

/** The locus, the stable side, and max |ζ| sampled on an nx × ny grid over `bounds`. */
export function multistepStabilityRegion(
  m: MultistepCoefficients,
  options: { bounds?: PlaneWindow; nx?: number; ny?: number; samples?: number } = {},
): MultistepStabilityRegion {
  const locus = boundaryLocus(m, options.samples ?? 361);
  const bounds = options.bounds ?? windowAround(locus);
  const nx = options.nx ?? 161;
  const ny = options.ny ?? 121;
  if (!(nx >= 2 && ny >= 2 && bounds.reMin < bounds.reMax && bounds.imMin < bounds.imMax)) {
    throw new SolverError('input', 'The stability grid needs at least 2 × 2 samples over a non-empty window.');
  }
  const rootMod = new Float64Array(nx * ny);
  for (let j = 0; j < ny; j++) {
    const im = bounds.imMin + ((bounds.imMax - bounds.imMin) * j) / (ny - 1);
    for (let i = 0; i < nx; i++) {
      const re = bounds.reMin + ((bounds.reMax - bounds.reMin) * i) / (nx - 1);
      rootMod[j * nx + i] = rootModulus(m, C(re, im));
    }
  }
  return {
    scheme: m.name,
    locus,
    stableSide: sideOfLocus(m, locus),
    bounds,
    nx,
    ny,
    rootModulus: rootMod,
    realInterval: realStabilityInterval(m),
  };
}
