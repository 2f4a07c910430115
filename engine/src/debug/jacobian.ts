/**
 * The Jacobian ∂f/∂y of one sample, row by row from the field's VJP (row i is e_iᵀ·∂f/∂y,
 * exact, no finite differences), its eigenvalues λ, and where each h·λ lies relative to the
 * method's region of absolute stability: the stiffness signal.
 */
import type { NativeField } from '../fields/field';
import { eigenvalues } from '../inspect/eigen';
import { fieldJacobian } from '../inspect/jacobian';
import { methodCoefficients, stabilityFunction, type RkCoefficients } from '../inspect/stability';

/** Beyond this many components the d VJPs and the O(d³) eigen-solve are not worth a click. */
export const MAX_JACOBIAN_DIM = 64;

export interface EigenReport {
  /** 'y': an eigenvalue of ∂f/∂y; 'a': of the adjoint equation's −(∂f/∂y)ᵀ (the backward solve). */
  block: 'y' | 'a';
  re: number;
  im: number;
  /** h·λ */
  hRe: number;
  hIm: number;
  /** |R(h·λ)|; NaN when the method has no stability function here. */
  amplification: number;
  /** |R(hλ)| ≤ 1; null when unknown (multistep methods, or no h yet). */
  inside: boolean | null;
}

export interface JacobianReport {
  t: number;
  h: number;
  /** rows[i][j] = ∂f_i/∂y_j */
  rows: Float64Array[];
  /** Eigenvalues by decreasing |λ|. */
  eigen: EigenReport[];
  /** max |λ| */
  spectralRadius: number;
  /** Whether the method has a stability function the region comes from. */
  region: boolean;
  /**
   * A mode decaying in the direction of integration (Re h·λ < 0) has h·λ outside the stability
   * region: h is limited by stability, not accuracy. (Growing modes lie outside for every h;
   * they are not stiffness.)
   */
  outside: boolean;
}

const coefficients = new Map<string, RkCoefficients | null>();

function coefficientsOf(method: string): RkCoefficients | null {
  if (!coefficients.has(method)) coefficients.set(method, methodCoefficients(method).coefficients);
  return coefficients.get(method) ?? null;
}

const amplification = (c: RkCoefficients, re: number, im: number): number => {
  const r = stabilityFunction(c, { re, im });
  return Math.hypot(r.re, r.im);
};

/**
 * `adjoint`: the backward solve's augmented state also carries a' = −(∂f/∂y)ᵀa, whose
 * eigenvalues are the negated ones; both sets are checked against the stability region.
 */
export function analyseJacobian(field: NativeField, method: string, t: number, y: Float64Array, h: number, adjoint = false): JacobianReport {
  const d = y.length;
  if (d > MAX_JACOBIAN_DIM) {
    throw new RangeError(`The state has ${d} components; the Jacobian is shown up to ${MAX_JACOBIAN_DIM}.`);
  }
  const flat = fieldJacobian(field, t, Float64Array.from(y));
  const rows = Array.from({ length: d }, (_, i) => flat.slice(i * d, (i + 1) * d));
  const tab = coefficientsOf(method);
  const hKnown = Number.isFinite(h) && h !== 0;
  const spectrum = eigenvalues(flat, d);
  const blocks = [...spectrum.map((e) => ({ ...e, block: 'y' as const })), ...(adjoint ? spectrum.map((e) => ({ re: -e.re, im: -e.im, block: 'a' as const })) : [])];
  const eigen = blocks
    .map(({ re, im, block }): EigenReport => {
      const hRe = h * re;
      const hIm = h * im;
      const amp = tab && hKnown ? amplification(tab, hRe, hIm) : NaN;
      return { block, re, im, hRe, hIm, amplification: amp, inside: tab && hKnown ? amp <= 1 + 1e-12 : null };
    })
    .sort((a, b) => Math.hypot(b.re, b.im) - Math.hypot(a.re, a.im));
  return {
    t,
    h,
    rows,
    eigen,
    spectralRadius: eigen.length ? Math.hypot(eigen[0].re, eigen[0].im) : 0,
    region: tab !== null,
    outside: eigen.some((e) => e.inside === false && e.hRe < -1e-9 * Math.hypot(e.hRe, e.hIm)),
  };
}
