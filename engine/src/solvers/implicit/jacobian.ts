import type { NativeState } from '../../state/native';
import { SolverError, fmt } from '../errors';

/** Above this many components a finite-difference Jacobian (n evaluations of f, n² numbers) is refused. */
export const MAX_FD_JACOBIAN_SIZE = 2000;

export type UserJacobian = (t: number, y: Float64Array) => Float64Array;

/**
 * ∂f/∂y at (t, y), row-major n×n, written into `out`: from the user's `options.jacobian`, or by
 * forward differences that reuse f(t, y) and cost n more evaluations of f (through `evalF`,
 * which counts them).
 *
 * The increment is Hairer's δ_j = √(ε·max(10⁻⁵, y_j²)) (ε of the state's precision), and the
 * difference is divided by the increment actually representable in y's element type, so
 * float32 states get a consistent quotient.
 */
export function evaluateJacobian(
  t: number,
  y: NativeState,
  fy: NativeState,
  evalF: (t: number, y: NativeState) => NativeState,
  user: UserJacobian | undefined,
  out: Float64Array,
): void {
  const n = y.length;
  if (user) {
    const yIn = y instanceof Float64Array ? y.slice() : Float64Array.from(y);
    const J: unknown = user(t, yIn);
    const len = (J as ArrayLike<number> | null)?.length;
    if (!(ArrayBuffer.isView(J) || Array.isArray(J)) || len !== n * n) {
      throw new SolverError(
        'shape',
        `options.jacobian(t, y) returned ${typeof len === 'number' ? `${len} values` : String(J)} at t = ${fmt(t)}, ` +
          `but the state has ${n} components: it must return ∂f/∂y as a row-major Float64Array of n·n = ${n * n} ` +
          '(entry [i·n + j] = ∂f_i/∂y_j).',
        { t, expected: n * n, got: len ?? null },
      );
    }
    const src = J as ArrayLike<number>;
    for (let k = 0; k < n * n; k++) {
      const v = src[k];
      if (!Number.isFinite(v)) {
        const i = Math.floor(k / n);
        throw new SolverError(
          'nonFinite',
          `options.jacobian(t, y) has a non-finite entry ∂f_${i}/∂y_${k - i * n} = ${v} at t = ${fmt(t)}. ` +
            'Check the Jacobian function (and that y is inside the domain of f), or leave options.jacobian out to use finite differences.',
          { t, row: i, column: k - i * n, value: v },
        );
      }
      out[k] = v;
    }
    return;
  }
  const sqrtEps = Math.sqrt(y instanceof Float32Array ? 2 ** -23 : Number.EPSILON);
  const yp = y.slice();
  for (let j = 0; j < n; j++) {
    const yj = y[j];
    const step = sqrtEps * Math.max(Math.sqrt(1e-5), Math.abs(yj));
    yp[j] = yj + (yj >= 0 ? step : -step);
    const delta = yp[j] - yj; // what the element type could represent
    const fp = evalF(t, yp);
    for (let i = 0; i < n; i++) {
      const v = (fp[i] - fy[i]) / delta;
      if (!Number.isFinite(v)) {
        throw new SolverError(
          'nonFinite',
          `The finite-difference Jacobian is not finite at t = ${fmt(t)}: ∂f_${i}/∂y_${j} = ${v} ` +
            `(f_${i} went from ${fy[i]} to ${fp[i]} when y_${j} moved by ${fmt(delta)}). ` +
            'f is not finite or not continuous near this state: check f there, or pass options.jacobian.',
          { t, row: i, column: j, value: v },
        );
      }
      out[i * n + j] = v;
    }
    yp[j] = yj;
  }
}

/** Refuses, at construction, a finite-difference Jacobian that would be too large to be useful. */
export function checkJacobianSize(method: string, n: number, user: UserJacobian | undefined): void {
  if (user || n <= MAX_FD_JACOBIAN_SIZE) return;
  throw new SolverError(
    'input',
    `${method} needs the Jacobian ∂f/∂y, a dense ${n}×${n} matrix for this state of ${n} components: by finite ` +
      `differences that is ${n} evaluations of f and ${fmt(n * n * 8 / 2 ** 20)} MiB per Jacobian, and an O(n³) ` +
      `factorisation. Implicit methods here are limited to ${MAX_FD_JACOBIAN_SIZE} components without an analytic ` +
      'Jacobian. Try: pass options.jacobian(t, y) (row-major n·n Float64Array), or an explicit method (dopri5) if the ' +
      'problem is not stiff.',
    { n, limit: MAX_FD_JACOBIAN_SIZE },
  );
}
