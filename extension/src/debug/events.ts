/**
 * The custom DAP events of the `neural-ode` adapter (docs/debugging.md): what a launch solves,
 * then every step attempt. Apart from the session, so that listeners in the extension (the
 * solver inspector) need not load the adapter.
 */
import type { StepRecord } from '../../../engine/src/debug/runtime';
import type { DebugTarget } from '../../../engine/src/debug/target';

/** The custom event that follows every step attempt (docs/debugging.md describes it). */
export const STEP_EVENT = 'neuralOde/step';

export interface StepEventBody {
  /** 'forward', or 'adjoint' for the backward solves of the continuous adjoint. */
  solve: 'forward' | 'adjoint';
  n: number;
  t: number;
  h: number;
  /** null where the solver has none (fixed grids) or it is not finite. */
  errRatio: number | null;
  accepted: boolean;
  hNext: number;
  nfe: number;
  nAccepted: number;
  nRejected: number;
  interval: number;
  /** The selected sample's state after the attempt; null for a non-finite component. */
  y: (number | null)[];
  /** Eigenvalues of ∂f/∂y where the attempt started (forward solves of ≤ 16 components), else null. */
  lambda: { re: number[]; im: number[] } | null;
}

/** The custom event sent once a launch has loaded its experiment, before the first step: what is solved. */
export const SOLVE_EVENT = 'neuralOde/solve';

export interface SolveEventBody {
  /** The experiment file and name, the run whose weights are used (null: untrained) and its checkpoint's iteration. */
  file: string;
  experiment: string;
  runId: string | null;
  iteration: number | null;
  solve: 'forward' | 'adjoint';
  method: string;
  rtol: number | null;
  atol: number | null;
  /** Components of the state, and which sample (observation or point) it starts from. */
  dim: number;
  input: number;
  /** Output times, and a trajectory's observations at them (components 0 and 1; null for a classifier). */
  times: number[];
  observed: { x: number[]; y: number[] } | null;
}

export function solveEventBody(file: string, target: DebugTarget, solve: 'forward' | 'adjoint'): SolveEventBody {
  const obs = target.observed;
  return {
    file, experiment: target.experiment, runId: target.runId, iteration: target.iteration, solve,
    method: target.method, rtol: target.rtol ?? null, atol: target.atol ?? null, dim: target.dim, input: target.input,
    times: Array.from(target.times),
    observed: obs ? { x: obs.map((y) => y[0]), y: obs.map((y) => (y.length > 1 ? y[1] : 0)) } : null,
  };
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

export function stepEventBody(r: StepRecord): StepEventBody {
  return {
    solve: r.solve, n: r.n, t: r.t, h: r.h, errRatio: finiteOrNull(r.errRatio), accepted: r.accepted, hNext: r.hNext,
    nfe: r.nfe, nAccepted: r.nAccepted, nRejected: r.nRejected, interval: r.interval, y: Array.from(r.y, finiteOrNull), lambda: r.lambda,
  };
}

