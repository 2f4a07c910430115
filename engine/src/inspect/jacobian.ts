/**
 * The Jacobian ∂f/∂y of a native field at one sample's state, row by row from the field's own
 * VJP (row i = e_iᵀ·∂f/∂y), and its eigenvalues λ: h·λ against the method's stability region
 * says whether a step of size h is stable there (the stiffness signal).
 */
import type { NativeField } from '../fields/field';
import type { Complex } from './complex';
import { eigenvalues } from './eigen';

/** ∂f/∂y at (t, y) for a state y of one sample (d components), row-major d×d. */
export function fieldJacobian(field: Pick<NativeField, 'vjp'>, t: number, y: Float64Array): Float64Array {
  const d = y.length;
  const jac = new Float64Array(d * d);
  const unit = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    unit.fill(0);
    unit[i] = 1;
    const row = field.vjp(t, y, unit).y;
    if (row.length !== d) throw new RangeError(`The field's VJP returned ${row.length} components for a state of ${d}.`);
    jac.set(row, i * d);
  }
  return jac;
}

/** The eigenvalues of ∂f/∂y at (t, y), sorted by decreasing modulus (the dominant first). */
export function jacobianEigenvalues(field: Pick<NativeField, 'vjp'>, t: number, y: Float64Array): Complex[] {
  const d = y.length;
  return eigenvalues(fieldJacobian(field, t, y), d).sort((a, b) => Math.hypot(b.re, b.im) - Math.hypot(a.re, a.im));
}

/** h·λ for each eigenvalue (the points drawn on the stability region). */
export const scaleByStep = (lambda: readonly Complex[], h: number): Complex[] => lambda.map((z) => ({ re: h * z.re, im: h * z.im }));
