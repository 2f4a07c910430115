/**
 * The schemes of the analysis run as fixed-step integrators on a field u′ = g(t, u):
 * explicit RK methods from their Butcher tableaus, Adams–Bashforth 2, and the LM scheme in the
 * solver's consistent form u_{n+1} = (1 − k)u_n + k u_{n−1} + (1 + k)Δt g(u_n), whose first
 * step, as in the network, is a forward Euler step (at k = 0 the scheme is forward Euler).
 * States may hold a batch of samples (flat): g acts on the whole array.
 */
import { SolverError } from '../solvers/errors';
import { methodInfo } from '../solvers/registry';

/** A field on flat states (one sample, or a batch laid end to end); network blocks ignore t. */
export type StepField = (t: number, u: Float64Array) => Float64Array;

/** A scheme the diagnostics run: an explicit RK method of the registry, 'ab2', or 'lm' with its k. */
export interface SchemeChoice {
  scheme: string;
  /** lm only. */
  k?: number;
}

/** The order the theory gives for a scheme applied to a smooth field. */
export function theoreticalOrder(choice: SchemeChoice): number {
  if (choice.scheme === 'ab2') return 2;
  // Consistent lm: first order, except k = 1 (second order, but only weakly stable).
  if (choice.scheme === 'lm') return choice.k === 1 ? 2 : 1;
  const tab = methodInfo(choice.scheme).tableau;
  if (!tab) throw new SolverError('input', `'${choice.scheme}' is not an explicit Runge–Kutta method, ab2 or lm.`);
  return tab.order;
}

const axpy = (y: Float64Array, a: number, x: Float64Array): Float64Array => {
  const out = Float64Array.from(y);
  for (let i = 0; i < out.length; i++) out[i] += a * x[i];
  return out;
};

/** One step of an explicit RK tableau. */
function rkStep(a: readonly (readonly number[])[], b: readonly number[], g: StepField, t: number, u: Float64Array, dt: number): Float64Array {
  const K: Float64Array[] = [];
  const out = Float64Array.from(u);
  for (let i = 0; i < b.length; i++) {
    let z = u;
    const row = a[i] ?? [];
    if (row.some((x) => x !== 0)) {
      z = Float64Array.from(u);
      row.forEach((aij, j) => {
        if (aij !== 0) for (let q = 0; q < z.length; q++) z[q] += dt * aij * K[j][q];
      });
    }
    // c_i = Σ_j a_ij: the stage's time
    K.push(g(t + dt * row.reduce((x, y) => x + y, 0), z));
    if (b[i] !== 0) for (let q = 0; q < out.length; q++) out[q] += dt * b[i] * K[i][q];
  }
  return out;
}

/** The states u_0 … u_N of N steps of size dt from u0. */
export function integrateFixed(choice: SchemeChoice, g: StepField, u0: Float64Array, dt: number, N: number, t0 = 0): Float64Array[] {
  if (!(Number.isInteger(N) && N >= 1 && dt > 0)) throw new SolverError('input', `A fixed-step run needs N ≥ 1 steps of dt > 0, got N = ${N}, dt = ${dt}.`);
  const states: Float64Array[] = [Float64Array.from(u0)];
  if (choice.scheme === 'lm' || choice.scheme === 'ab2') {
    const lm = choice.scheme === 'lm';
    const k = choice.k ?? NaN;
    if (lm && !Number.isFinite(k)) throw new SolverError('input', 'The lm scheme needs a value of k.');
    // The first step: Euler for lm (the network's ResNet step), the midpoint rule for ab2 (second order, as ab2).
    let fPrev = g(t0, states[0]);
    states.push(lm ? axpy(states[0], dt, fPrev) : rkStep([[], [0.5]], [0, 1], g, t0, states[0], dt));
    for (let n = 1; n < N; n++) {
      const u = states[n];
      const prev = states[n - 1];
      const f = g(t0 + n * dt, u);
      const next = new Float64Array(u.length);
      if (lm) for (let i = 0; i < u.length; i++) next[i] = (1 - k) * u[i] + k * prev[i] + (1 + k) * dt * f[i];
      else for (let i = 0; i < u.length; i++) next[i] = u[i] + dt * (1.5 * f[i] - 0.5 * fPrev[i]);
      fPrev = f;
      states.push(next);
    }
    return states.slice(0, N + 1);
  }
  const tab = methodInfo(choice.scheme).tableau;
  if (!tab) throw new SolverError('input', `'${choice.scheme}' is not an explicit Runge–Kutta method; choose euler, midpoint, rk4, ab2 or lm.`);
  if (choice.k !== undefined) throw new SolverError('input', `k is a parameter of the lm scheme only; '${choice.scheme}' has none.`);
  for (let n = 0; n < N; n++) states.push(rkStep(tab.a, tab.b, g, t0 + n * dt, states[n], dt));
  return states;
}
