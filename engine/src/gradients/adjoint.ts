import type { NativeField } from '../fields/field';
import { odeint } from '../odeint';
import { SolverError } from '../solvers/errors';
import { methodInfo } from '../solvers/registry';
import type { SolverOptions } from '../solvers/stepper';
import type { Tolerance } from '../state/algebra';
import { adjointSolveError, gradStats } from './report';
import { resolveCotangents, type BackwardCounts, type CotangentSource, type NativeGradResult, type OdeintGradOptions } from './types';

const DEFAULT_RTOL = 1e-7;
const DEFAULT_ATOL = 1e-9;

/**
 * The tolerances of the augmented state [y, a, g] (sizes n, n, p). A scalar stays a scalar; a
 * per-component tolerance of length n applies to y and to a, and g gets its smallest entry.
 */
export function augmentedTolerance(
  name: 'rtol' | 'atol',
  tol: Tolerance | readonly number[] | undefined,
  n: number,
  p: number,
): Tolerance {
  const total = 2 * n + p;
  if (tol === undefined) return name === 'rtol' ? DEFAULT_RTOL : DEFAULT_ATOL;
  if (typeof tol === 'number') return tol;
  if (tol.length === total) return Float64Array.from(tol);
  if (tol.length === n && n > 0) {
    const full = new Float64Array(total);
    full.set(tol, 0);
    full.set(tol, n);
    full.fill(Math.min(...Array.from(tol)), 2 * n);
    return full;
  }
  throw new SolverError(
    'input',
    `adjointOptions.${name} has ${tol.length} entries: give one number, one per state component (${n}), ` +
      `or one per component of the augmented state [y, a, dL/dθ] (${total}).`,
  );
}

/**
 * The backward solve's options: adjointOptions, else the forward's (without its errorComponents,
 * which counted the forward state). `seminorm` limits the error norm to [y, a], the first 2n
 * components, as torchdiffeq's seminorm leaves the parameter adjoint out.
 */
export function adjointSolverOptions(opts: OdeintGradOptions, n: number): SolverOptions {
  const adj = opts.adjointOptions ?? {};
  let base: SolverOptions;
  if (adj.options) base = { ...adj.options };
  else {
    base = { ...(opts.options ?? {}) };
    delete base.errorComponents;
  }
  if (adj.seminorm === true) base.errorComponents = 2 * n;
  return base;
}

/** The backward solve's method, tolerances and options for the augmented state [y, a, g] (sizes n, n, p). */
export function backwardSolve(opts: OdeintGradOptions, method: string, n: number, p: number) {
  const adj = opts.adjointOptions ?? {};
  return {
    method: adj.method ?? method,
    rtol: augmentedTolerance('rtol', adj.rtol ?? opts.rtol, n, p),
    atol: augmentedTolerance('atol', adj.atol ?? opts.atol, n, p),
    options: adjointSolverOptions(opts, n),
    signal: opts.signal,
  };
}

/**
 * The augmented dynamics of the adjoint over z = [y, a, g]: dy/dt = f, da/dt = −aᵀ∂f/∂y,
 * dg/dt = −aᵀ∂f/∂θ, with f and the vjp from one pass where the field shares the work
 * (fAndVjp). Training's adjoint and the debugger's adjoint solve both evaluate this.
 */
export function adjointDynamics(field: NativeField, n: number, counts?: BackwardCounts): (t: number, z: Float64Array) => Float64Array {
  const p = field.params.length;
  return (t, z) => {
    const y = z.subarray(0, n);
    const adjointState = z.subarray(n, 2 * n);
    const out = new Float64Array(2 * n + p);
    if (counts) {
      counts.f++;
      counts.vjp++;
    }
    let g: { y: Float64Array; params: Float64Array };
    if (field.fAndVjp) {
      const both = field.fAndVjp(t, y, adjointState);
      out.set(both.f, 0);
      g = both;
    } else {
      out.set(field.f(t, y), 0);
      g = field.vjp(t, y, adjointState);
    }
    for (let i = 0; i < n; i++) out[n + i] = -g.y[i];
    for (let i = 0; i < p; i++) out[2 * n + i] = -g.params[i];
    return out;
  };
}

/**
 * `adjoint`: the continuous adjoint of Chen et al. (2018). After a plain forward solve, the
 * augmented state [y, a, g] obeys dy/dt = f, da/dt = −aᵀ∂f/∂y, dg/dt = −aᵀ∂f/∂θ, and is solved
 * backwards with odeint one output interval at a time; at each output time y is re-anchored to
 * the forward value and that time's cotangent is added to a. Memory does not grow with the
 * number of steps: only the outputs and the augmented state are kept.
 */
export async function adjointGrad(
  field: NativeField,
  y0: Float64Array,
  times: readonly number[],
  cotangentSource: CotangentSource<Float64Array>,
  opts: OdeintGradOptions,
): Promise<NativeGradResult> {
  const method = methodInfo(opts.method ?? 'dopri5').name;
  const sol = await odeint((t: number, y: Float64Array) => field.f(t, y), y0, times, {
    method,
    rtol: opts.rtol,
    atol: opts.atol,
    options: opts.options,
    signal: opts.signal,
  });
  const ys = sol.ys as Float64Array[];
  const cotangents = await resolveCotangents(cotangentSource, ys);
  const n = y0.length;
  const p = field.params.length;
  const backward = backwardSolve(opts, method, n, p);
  const counts: BackwardCounts = { f: 0, vjp: 0 };
  const augmented = adjointDynamics(field, n, counts);

  const N = times.length;
  const a = new Float64Array(n);
  const addCotangent = (i: number): void => {
    const c = cotangents[i];
    if (c) for (let r = 0; r < n; r++) a[r] += c[r];
  };
  let g = new Float64Array(p);
  let accepted = 0;
  let rejected = 0;
  addCotangent(N - 1);
  for (let i = N - 1; i > 0; i--) {
    const z = new Float64Array(2 * n + p);
    z.set(ys[i], 0);
    z.set(a, n);
    z.set(g, 2 * n);
    let zEnd: Float64Array;
    try {
      const back = await odeint(augmented, z, [times[i], times[i - 1]], backward);
      zEnd = back.ys[1] as Float64Array;
      accepted += back.stats.nAccepted;
      rejected += back.stats.nRejected;
    } catch (e) {
      if (!(e instanceof SolverError)) throw e;
      throw adjointSolveError(e, times[i], times[i - 1]);
    }
    a.set(zEnd.subarray(n, 2 * n));
    g = zEnd.slice(2 * n);
    addCotangent(i - 1);
  }

  const stats = gradStats('adjoint', method, sol.stats, counts, { accepted, rejected }, 8 * (N * n + 2 * (2 * n + p)));
  return { ys, gradY0: a, gradParams: g, stats };
}
