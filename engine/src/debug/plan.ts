/**
 * What the runtime solves, as a sequence of legs (one OdeSolve each). The forward solve is one
 * leg over every output time. The adjoint (Chen et al.'s continuous adjoint, as the engine's
 * adjointGrad computes it) is the forward solve, then one backward leg per output interval on
 * the augmented state z = [y, a, dL/dθ], with y re-anchored to the forward output and the
 * loss's cotangent added to a at each output time.
 */
import { adjointDynamics, adjointSolverOptions, augmentedTolerance } from '../gradients/adjoint';
import type { AdjointOptions } from '../gradients/types';
import { trajectoryLoss } from '../experiments/loss';
import { odeint } from '../odeint';
import { methodInfo } from '../solvers/registry';
import type { SolverOptions } from '../solvers/stepper';
import type { Tolerance } from '../state/algebra';
import type { DebugTarget } from './target';

export interface SolveLeg {
  /** Output times of this leg's solve. */
  times: Float64Array;
  y0: Float64Array;
  f: (t: number, y: Float64Array) => Float64Array;
  method: string;
  rtol?: Tolerance;
  atol?: Tolerance;
  options: SolverOptions;
  /** The output interval a one-interval leg is (the adjoint's backward legs); undefined: the leg's own intervals. */
  interval?: number;
}

/** Named parts of a leg's state, for the State scope and expressions. */
export interface StatePart {
  name: string;
  /** What it is, in words. */
  label: string;
  start: number;
  length: number;
}

export interface SolvePlan {
  kind: 'forward' | 'adjoint';
  /** Output intervals of the whole solve. */
  intervalCount: number;
  /** The first leg (previous null), then the next from the previous leg's outputs; null when done. */
  next(previous: { ys: Float64Array[] } | null): Promise<SolveLeg | null>;
  /** How a leg's state splits into parts (the forward state is just y). */
  parts: StatePart[];
  /** After the last leg: what the solve computed, for the end message. */
  summary(): string;
  /** The adjoint's results (dL/dy0 and dL/dθ) once done. */
  result?: { gradY0: Float64Array; gradParams: Float64Array; loss: number };
}

export function forwardPlan(target: DebugTarget): SolvePlan {
  const field = target.field;
  return {
    kind: 'forward',
    intervalCount: target.times.length - 1,
    parts: [{ name: 'y', label: 'state', start: 0, length: target.dim }],
    next: async (previous) =>
      previous
        ? null
        : {
            times: target.times,
            y0: Float64Array.from(target.y0),
            f: (t, y) => field.f(t, y),
            method: target.method,
            rtol: target.rtol,
            atol: target.atol,
            options: target.options,
          },
    summary: () => '',
  };
}

export interface AdjointSetup {
  /** Observations at the target's times (the loss compares the forward outputs with them). */
  observed: Float64Array[];
  loss: 'l1' | 'mse';
  adjointOptions?: AdjointOptions;
}

export function adjointPlan(target: DebugTarget, setup: AdjointSetup): SolvePlan {
  const field = target.field;
  const n = target.dim;
  const p = field.params.length;
  const N = target.times.length;
  const method = methodInfo(target.method).name;
  const adj = setup.adjointOptions ?? {};
  const gradOpts = { method, rtol: target.rtol, atol: target.atol, options: target.options, adjointOptions: adj };
  const backward = {
    method: adj.method ?? method,
    rtol: augmentedTolerance('rtol', adj.rtol ?? target.rtol, n, p),
    atol: augmentedTolerance('atol', adj.atol ?? target.atol, n, p),
    options: adjointSolverOptions(gradOpts, n),
  };
  const augmented = adjointDynamics(field, n);
  let ys: Float64Array[] = [];
  let cotangents: readonly (Float64Array | null)[] = [];
  let loss = NaN;
  const a = new Float64Array(n);
  let g = new Float64Array(p);
  let i = N - 1;
  const addCotangent = (k: number): void => {
    const c = cotangents[k];
    if (c) for (let r = 0; r < n; r++) a[r] += c[r];
  };
  const plan: SolvePlan = {
    kind: 'adjoint',
    intervalCount: N - 1,
    parts: [
      { name: 'y', label: 'state (re-anchored at each output time)', start: 0, length: n },
      { name: 'a', label: 'adjoint state a = dL/dy', start: n, length: n },
      { name: 'dLdTheta', label: 'parameter-gradient accumulator dL/dθ', start: 2 * n, length: p },
    ],
    async next(previous) {
      if (previous === null) {
        // The forward pass, as training runs it before the backward solve.
        const sol = await odeint((t, y: Float64Array) => field.f(t, y), Float64Array.from(target.y0), target.times, {
          method, rtol: target.rtol, atol: target.atol, options: target.options,
        });
        ys = sol.ys;
        const l = trajectoryLoss(setup.loss, ys, setup.observed);
        loss = l.value;
        cotangents = l.grads;
        addCotangent(N - 1);
      } else {
        const zEnd = previous.ys[1];
        a.set(zEnd.subarray(n, 2 * n));
        g = zEnd.slice(2 * n);
        addCotangent(i - 1);
        i--;
      }
      if (i < 1) {
        plan.result = { gradY0: Float64Array.from(a), gradParams: g, loss };
        return null;
      }
      const z = new Float64Array(2 * n + p);
      z.set(ys[i], 0);
      z.set(a, n);
      z.set(g, 2 * n);
      return { times: Float64Array.of(target.times[i], target.times[i - 1]), y0: z, f: augmented, ...backward, interval: i };
    },
    summary: () => {
      const r = plan.result;
      if (!r) return '';
      const norm = (v: Float64Array): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
      return `loss ${loss}, ‖dL/dy0‖ = ${norm(r.gradY0)}, ‖dL/dθ‖ = ${norm(r.gradParams)}`;
    },
  };
  return plan;
}
