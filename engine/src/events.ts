import { isNativeState, nativeAlgebra, type NativeState } from './state/native';
import type { StateAlgebra, VectorField } from './state/algebra';
import { SolverError, fmt } from './solvers/errors';
import { OdeSolve, type OdeintOptions, type SolveStats } from './solvers/solve';

/** g(t, y): the solve stops where g crosses zero. `y` is a float64 copy of the state. */
export type EventFn = (t: number, y: Float64Array) => number;

export interface OdeintEventOptions<S> extends OdeintOptions<S> {
  eventFn: EventFn;
  /** Give up at this time (default: integrate without bound, limited by maxNumSteps; required for fixed grids). */
  tMax?: number;
  /** Integrate towards decreasing t (torchdiffeq's reverse_time). Ignored when tMax is given. */
  reverseTime?: boolean;
  /** Tolerance on the event time (default: 4 ulp of t, i.e. as exact as t can be). */
  eventTol?: number;
}

export interface EventSolution<S> {
  /** Time of the first zero crossing of g, or null when tMax was reached first. */
  tEvent: number | null;
  /** [y(t0), y(tEvent)] (or y(tMax) when no event occurred). */
  ys: S[];
  stats: SolveStats;
}

/**
 * Solves until `eventFn` changes sign (torchdiffeq's odeint_event). After each accepted step the
 * event function is checked at the step's end; a sign change is located inside the step on the
 * dense output by the Illinois method to `eventTol`.
 */
export async function odeintEvent<S extends NativeState>(
  f: VectorField<S>,
  y0: S,
  t0: number,
  opts: OdeintEventOptions<S>,
): Promise<EventSolution<S>> {
  if (!isNativeState(y0)) throw new SolverError('input', 'y0 must be a Float64Array or Float32Array.');
  return solveToEvent(nativeAlgebra(y0) as never, f, y0, t0, opts);
}

/** The state-kind independent core of odeintEvent (the tensor API calls it with its algebra). */
export async function solveToEvent<S>(
  ops: StateAlgebra<S>,
  f: VectorField<S>,
  y0: S,
  t0: number,
  opts: OdeintEventOptions<S>,
): Promise<EventSolution<S>> {
  const g = opts.eventFn;
  if (typeof g !== 'function') throw new SolverError('input', 'odeintEvent needs eventFn: (t, y) => number.');
  const tMax = opts.tMax ?? (opts.reverseTime ? -Infinity : Infinity);
  if (!Number.isFinite(t0) || Number.isNaN(tMax) || tMax === t0) {
    throw new SolverError('input', `odeintEvent needs a finite t0 and a tMax different from it (t0 = ${t0}, tMax = ${tMax}).`);
  }
  const solve = new OdeSolve(ops, f, y0, [t0, tMax], opts, true);
  const stepper = solve.stepper!;
  const check = async (t: number, y: S): Promise<number> => {
    const v = g(t, await ops.read(y));
    if (!Number.isFinite(v)) {
      throw new SolverError('nonFinite', `eventFn returned ${v} at t = ${fmt(t)}: it must return a finite number.`, { t });
    }
    return v;
  };
  try {
    let tPrev = t0;
    let gPrev = await check(t0, y0);
    if (gPrev === 0) {
      solve.dispose();
      return { tEvent: t0, ys: [ops.clone(y0), ops.clone(y0)], stats: solve.stats };
    }
    await solve.init();
    while (stepper.t !== tMax) {
      const report = await stepper.step();
      if (!report.accepted) continue;
      const gNow = await check(stepper.t, stepper.y);
      if (Math.sign(gNow) !== Math.sign(gPrev)) {
        const tEvent = await locate(ops, stepper.interpolate.bind(stepper), check, tPrev, gPrev, stepper.t, gNow, opts.eventTol);
        const yEvent = tEvent === stepper.t ? ops.clone(stepper.y) : stepper.interpolate(tEvent);
        stepper.dispose();
        return { tEvent, ys: [solve.ys[0], yEvent], stats: solve.stats };
      }
      tPrev = stepper.t;
      gPrev = gNow;
    }
    const yEnd = ops.clone(stepper.y);
    stepper.dispose();
    return { tEvent: null, ys: [solve.ys[0], yEnd], stats: solve.stats };
  } catch (e) {
    solve.dispose();
    throw e;
  }
}

/** Illinois (modified regula falsi) on g(t, y(t)) over [ta, tb], where g changes sign. */
async function locate<S>(
  ops: StateAlgebra<S>,
  interpolate: (t: number) => S,
  check: (t: number, y: S) => Promise<number>,
  ta: number,
  ga: number,
  tb: number,
  gb: number,
  tol: number | undefined,
): Promise<number> {
  if (gb === 0) return tb;
  const eps = tol ?? 4 * Number.EPSILON * Math.max(Math.abs(ta), Math.abs(tb), 1e-300);
  let side = 0;
  for (let iter = 0; iter < 200 && Math.abs(tb - ta) > eps; iter++) {
    let t = (ta * gb - tb * ga) / (gb - ga);
    if (!(Math.min(ta, tb) < t && t < Math.max(ta, tb))) t = 0.5 * (ta + tb);
    const y = interpolate(t);
    const gt = await check(t, y);
    ops.dispose(y);
    if (gt === 0) return t;
    if (Math.sign(gt) === Math.sign(gb)) {
      tb = t;
      gb = gt;
      if (side === 1) ga /= 2; // Illinois: halve the stale end so the bracket shrinks from both sides
      side = 1;
    } else {
      ta = t;
      ga = gt;
      if (side === -1) gb /= 2;
      side = -1;
    }
  }
  // The crossing lies in [ta, tb]; report the end where g has already changed sign.
  return tb;
}
