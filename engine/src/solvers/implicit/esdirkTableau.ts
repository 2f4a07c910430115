import { SolverError } from '../errors';

/**
 * An ESDIRK method as data: explicit first stage, then stages
 *   z_i = y0 + h·Σ_{j<i} a[i][j]·k_j + h·γ·k_i,   k_i = f(t0 + c_i·h, z_i),
 * all with the same diagonal γ (one LU of I − hγJ per step serves every stage).
 * `a[i]` holds the i entries left of the diagonal; `b` the weights of the solution and
 * `bHat` those of the embedded one (the error estimate is h·Σ(b − b̂)·k).
 */
export interface EsdirkTableau {
  readonly name: string;
  /** Order of the propagated solution. */
  readonly order: number;
  /** Order of the embedded solution. */
  readonly embeddedOrder: number;
  readonly gamma: number;
  readonly c: readonly number[];
  readonly a: readonly (readonly number[])[];
  readonly b: readonly number[];
  readonly bHat: readonly number[];
}

export interface CheckedEsdirk extends EsdirkTableau {
  readonly stages: number;
  /** The last stage is the solution (b = last row, c = 1): y1 = z_s and k_s = f(t1, y1). */
  readonly stifflyAccurate: boolean;
  /** b − b̂. */
  readonly bErr: readonly number[];
}

// γ: the root of 6γ³ − 18γ² + 9γ − 1 = 0 in (1/3, 1/2) that makes the method L-stable.
const G = 0.435866521508458999416;

/**
 * Kværnø's ESDIRK 3(2), 4 stages (A. Kværnø, "Singly diagonally implicit Runge–Kutta methods
 * with an explicit first stage", BIT 44, 2004): L-stable and stiffly accurate; the embedded
 * second-order solution is the third stage (c = 1).
 */
export const kvaerno3Tableau: EsdirkTableau = {
  name: 'kvaerno3',
  order: 3,
  embeddedOrder: 2,
  gamma: G,
  c: [0, 2 * G, 1, 1],
  a: [
    [],
    [G],
    [(-4 * G * G + 6 * G - 1) / (4 * G), (1 - 2 * G) / (4 * G)],
    [(6 * G - 1) / (12 * G), -1 / ((24 * G - 12) * G), (-6 * G * G + 6 * G - 1) / (6 * G - 3)],
  ],
  b: [(6 * G - 1) / (12 * G), -1 / ((24 * G - 12) * G), (-6 * G * G + 6 * G - 1) / (6 * G - 3), G],
  bHat: [(-4 * G * G + 6 * G - 1) / (4 * G), (1 - 2 * G) / (4 * G), G, 0],
};

const TOL = 1e-12;

/**
 * The order conditions of a Runge–Kutta method up to order 3 (enough for the methods here),
 * as residuals: Σb − 1, Σb·c − 1/2, Σb·c² − 1/3, Σb·A·c − 1/6.
 */
export function orderResiduals(A: readonly (readonly number[])[], b: readonly number[], c: readonly number[]): number[] {
  const s = b.length;
  const sum = (fn: (i: number) => number): number => {
    let x = 0;
    for (let i = 0; i < s; i++) x += fn(i);
    return x;
  };
  const Ac = (i: number): number => {
    let x = 0;
    for (let j = 0; j < s; j++) x += (A[i][j] ?? 0) * c[j];
    return x;
  };
  return [sum((i) => b[i]) - 1, sum((i) => b[i] * c[i]) - 1 / 2, sum((i) => b[i] * c[i] * c[i]) - 1 / 3, sum((i) => b[i] * Ac(i)) - 1 / 6];
}

/** The full s×s Butcher matrix of an ESDIRK tableau (γ on the diagonal after the first stage). */
export function butcherMatrix(t: EsdirkTableau): number[][] {
  const s = t.c.length;
  return t.a.map((row, i) => {
    const full = new Array<number>(s).fill(0);
    row.forEach((v, j) => (full[j] = v));
    if (i > 0) full[i] = t.gamma;
    return full;
  });
}

/** Checks shapes, row sums and the order conditions of both solutions when the method is loaded. */
export function validateEsdirk(t: EsdirkTableau): CheckedEsdirk {
  const s = t.c.length;
  const fail = (what: string): never => {
    throw new SolverError('input', `ESDIRK tableau '${t.name}' is inconsistent: ${what}.`, { tableau: t.name });
  };
  if (s < 2) fail('it needs at least two stages');
  if (t.c[0] !== 0) fail('c[0] must be 0 (explicit first stage)');
  if (!(t.gamma > 0)) fail('γ must be positive');
  if (t.a.length !== s || t.b.length !== s || t.bHat.length !== s) fail('a, b, bHat and c must have one entry per stage');
  const A = butcherMatrix(t);
  t.a.forEach((row, i) => {
    if (row.length !== i) fail(`row ${i} of a has ${row.length} entries, expected ${i}`);
    const sum = A[i].reduce((x, y) => x + y, 0);
    if (Math.abs(sum - t.c[i]) > TOL) fail(`row ${i} sums to ${sum}, but c[${i}] = ${t.c[i]}`);
  });
  if (t.order > 3 || t.embeddedOrder > 3) fail('order conditions are only checked up to order 3 here');
  const conditions = [1, 2, 3, 3]; // the order each residual belongs to
  const check = (w: readonly number[], p: number, which: string): void =>
    orderResiduals(A, w, t.c).forEach((r, k) => {
      if (conditions[k] <= p && Math.abs(r) > TOL) fail(`the ${which} weights miss an order-${conditions[k]} condition by ${r}`);
    });
  check(t.b, t.order, 'solution');
  check(t.bHat, t.embeddedOrder, 'embedded');
  const last = A[s - 1];
  const stifflyAccurate = t.c[s - 1] === 1 && last.every((v, j) => Math.abs(v - t.b[j]) <= TOL);
  return { ...t, stages: s, stifflyAccurate, bErr: t.b.map((b, i) => b - t.bHat[i]) };
}
