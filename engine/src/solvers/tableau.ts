import { SolverError } from './errors';

/**
 * An explicit Runge–Kutta method as data. Stage i is evaluated at t0 + c[i]·h on
 * y0 + h·Σ_j a[i][j]·k_j; the step is y1 = y0 + h·Σ b_i k_i. Embedded methods add
 * `bErr` = b − b̂ (the weights of the error estimate), and `mid` gives y(t0 + h/2), which
 * turns a step into a 4th-order interpolant (see denseOutput.ts).
 */
export interface ButcherTableau {
  readonly name: string;
  /** Order of the propagated solution. */
  readonly order: number;
  readonly c: readonly number[];
  /** Strictly lower-triangular rows: a[i] has i entries. */
  readonly a: readonly (readonly number[])[];
  readonly b: readonly number[];
  readonly bErr?: readonly number[];
  readonly mid?: readonly number[];
  /**
   * Just inside where the method's stability region meets the negative real axis (|h·λ|;
   * dopri5 3.31, tsit5 3.51, dopri8 5.17). With two final stages at c = 1 the stepper
   * estimates h·|λ| from them and flags stiffness beyond this.
   */
  readonly stabilityBoundary?: number;
  /**
   * The interpolant from `mid` is far less accurate than the steps (dopri8): the solver then
   * steps onto every output time instead of interpolating.
   */
  readonly stepOntoOutputs?: boolean;
}

/** A tableau that passed `validateTableau`, with the facts the stepper needs precomputed. */
export interface CheckedTableau extends ButcherTableau {
  readonly stages: number;
  /** First Same As Last: the last stage is f(t1, y1), so it is the next step's k_0. */
  readonly fsal: boolean;
}

const TOL = 1e-12;

/** Checks the tableau's consistency (row sums, Σb = 1, Σ(b − b̂) = 0) once, when loaded. */
export function validateTableau(t: ButcherTableau): CheckedTableau {
  const s = t.c.length;
  const fail = (what: string): never => {
    throw new SolverError('input', `Butcher tableau '${t.name}' is inconsistent: ${what}.`, { tableau: t.name });
  };
  if (s === 0) fail('it has no stages');
  if (t.c[0] !== 0) fail('c[0] must be 0 for an explicit method');
  if (t.a.length !== s) fail(`a has ${t.a.length} rows for ${s} stages`);
  if (t.b.length !== s) fail(`b has ${t.b.length} weights for ${s} stages`);
  t.a.forEach((row, i) => {
    if (row.length !== i) fail(`row ${i} of a has ${row.length} entries, expected ${i}`);
    const sum = row.reduce((x, y) => x + y, 0);
    if (Math.abs(sum - t.c[i]) > TOL) fail(`row ${i} of a sums to ${sum}, but c[${i}] = ${t.c[i]}`);
  });
  const sumB = t.b.reduce((x, y) => x + y, 0);
  if (Math.abs(sumB - 1) > TOL) fail(`Σb = ${sumB}, not 1`);
  if (t.bErr) {
    if (t.bErr.length !== s) fail(`bErr has ${t.bErr.length} weights for ${s} stages`);
    const sumE = t.bErr.reduce((x, y) => x + y, 0);
    if (Math.abs(sumE) > TOL) fail(`Σ(b − b̂) = ${sumE}, not 0: the embedded method is inconsistent`);
  }
  if (t.mid) {
    if (t.mid.length !== s) fail(`mid has ${t.mid.length} weights for ${s} stages`);
    const sumM = t.mid.reduce((x, y) => x + y, 0);
    if (Math.abs(sumM - 0.5) > 1e-9) fail(`Σmid = ${sumM}, not 1/2`);
  }
  const last = t.a[s - 1];
  const fsal =
    s > 1 && t.c[s - 1] === 1 && t.b[s - 1] === 0 && last.every((aij, j) => Math.abs(aij - t.b[j]) <= TOL);
  return { ...t, stages: s, fsal };
}
