import { isNativeState, nativeAlgebra, type NativeState } from './state/native';
import type { VectorField } from './state/algebra';
import { SolverError } from './solvers/errors';
import { OdeSolve, type OdeintOptions, type SolveStats } from './solvers/solve';

export interface NativeSolution<S extends NativeState> {
  /** ys[i] is the state at t[i]. */
  ys: S[];
  stats: SolveStats;
}

/**
 * Solves dy/dt = f(t, y) from y(t[0]) = y0 and returns y at every time in t, as torchdiffeq's
 * odeint does. Decreasing t integrates backwards; a single time returns y0.
 *
 *   const sol = await odeint(f, y0, [0, 1], { method: 'dopri5', rtol: 1e-7, atol: 1e-9 });
 */
export async function odeint<S extends NativeState>(
  f: VectorField<S>,
  y0: S,
  t: ArrayLike<number>,
  opts: OdeintOptions<S> = {},
): Promise<NativeSolution<S>> {
  if (!isNativeState(y0)) {
    throw new SolverError(
      'input',
      'y0 must be a Float64Array or Float32Array (or a tf.Tensor with odeint from the tensor API). ' +
        'Wrap plain arrays: Float64Array.from([1, 0]).',
    );
  }
  const solve = new OdeSolve<S>(nativeAlgebra(y0) as never, f, y0, t, opts);
  const ys = await solve.run();
  return { ys, stats: solve.stats };
}
