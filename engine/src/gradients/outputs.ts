import { hermiteWeights } from '../solvers/denseOutput';
import { SolverError, fmt } from '../solvers/errors';

/**
 * Where an output's cotangent enters the reverse sweep: at step boundary m (the state after m
 * accepted steps) with weight w on y_m, and, for a cubic Hermite output, weight vf on f(T_m, y_m).
 */
export interface Injection<C> {
  readonly m: number;
  readonly w: number;
  readonly vf: number;
  readonly c: C;
}

/**
 * Maps each output's cotangent onto the step boundaries T_0 … T_N. Adaptive methods step onto
 * every output time, so each output is a boundary; fixed grids with options.stepSize interpolate
 * between grid points (linearly, or by cubic Hermite), and the cotangent is split the same way.
 */
export function placeCotangents<C>(
  times: readonly number[],
  boundaries: readonly number[],
  cotangents: readonly (C | null)[],
  interp: 'linear' | 'cubic' | undefined,
): Injection<C>[][] {
  const out: Injection<C>[][] = boundaries.map(() => []);
  const dir = times.length > 1 && times[times.length - 1] < times[0] ? -1 : 1;
  let m = 0;
  times.forEach((t, i) => {
    const c = cotangents[i];
    while (m < boundaries.length - 1 && dir * (boundaries[m + 1] - t) <= 0) m++;
    if (c === null) return;
    if (boundaries[m] === t) {
      out[m].push({ m, w: 1, vf: 0, c });
      return;
    }
    if (m >= boundaries.length - 1) {
      throw new SolverError('input', `Output time t = ${fmt(t)} lies beyond the last step (an internal inconsistency).`, { t });
    }
    const t0 = boundaries[m];
    const h = boundaries[m + 1] - t0;
    const theta = (t - t0) / h;
    if (interp === 'cubic') {
      const hw = hermiteWeights(theta, h);
      out[m].push({ m, w: hw.w0, vf: hw.vf0, c });
      out[m + 1].push({ m: m + 1, w: hw.w1, vf: hw.vf1, c });
    } else {
      out[m].push({ m, w: 1 - theta, vf: 0, c });
      out[m + 1].push({ m: m + 1, w: theta, vf: 0, c });
    }
  });
  return out;
}
