import { SolverError } from '../solvers/errors';
import { methods } from '../solvers/registry';
import type { CheckedTableau } from '../solvers/tableau';

/**
 * An explicit RK tableau prepared for differentiation: the weights that form y1, and which
 * stages reach y1 at all (only those need a vjp in the reverse sweep or an f when recomputed).
 */
export interface RkPlan {
  readonly tab: CheckedTableau;
  /** y1 = y0 + h·Σ w_i k_i. For FSAL tableaus y1 is the last stage input, so w = a[s−1] (and w[s−1] = 0). */
  readonly w: readonly number[];
  /** Stage i's k influences y1. */
  readonly needed: readonly boolean[];
}

const plans = new Map<string, RkPlan>();

/** The methods `backprop` and `checkpoint` can differentiate. */
export function discreteAdjointMethods(): string[] {
  return methods()
    .filter((m) => m.tableau !== undefined)
    .map((m) => m.name);
}

export function rkPlan(method: string, gradient: string): RkPlan {
  const cached = plans.get(method);
  if (cached) return cached;
  const checked = methods().find((m) => m.name === method)?.tableau;
  if (!checked) {
    throw new SolverError(
      'input',
      `gradient '${gradient}' differentiates the steps of explicit Runge–Kutta methods, and '${method}' is not one. ` +
        `Use one of ${discreteAdjointMethods().join(', ')}, or gradient: 'adjoint', which works with every method.`,
      { method, gradient },
    );
  }
  const s = checked.stages;
  const w = checked.fsal ? [...checked.a[s - 1], 0] : [...checked.b];
  const needed = new Array<boolean>(s).fill(false);
  for (let i = s - 1; i >= 0; i--) {
    needed[i] = w[i] !== 0;
    for (let j = i + 1; j < s && !needed[i]; j++) needed[i] = needed[j] && checked.a[j][i] !== 0;
  }
  const plan = { tab: checked, w, needed };
  plans.set(method, plan);
  return plan;
}
