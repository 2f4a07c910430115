import type { Tensor } from '@tensorflow/tfjs';
import { isNativeState, nativeAlgebra, type NativeState } from './state/native';
import type { VectorField } from './state/algebra';
import { SolverError } from './solvers/errors';
import { OdeSolve, type OdeintOptions, type SolveStats } from './solvers/solve';

export interface NativeSolution<S extends NativeState> {
  /** ys[i] is the state at t[i]. */
  ys: S[];
  stats: SolveStats;
}

export interface TensorSolution {
  /** The states stacked along a new first axis: shape [t.length, ...y0.shape]. */
  ys: Tensor;
  stats: SolveStats;
}

/**
 * Solves dy/dt = f(t, y) from y(t[0]) = y0 and returns y at every time in t, as torchdiffeq's
 * odeint does. Decreasing t integrates backwards; a single time returns y0.
 *
 *   const sol = await odeint(f, y0, [0, 1], { method: 'dopri5', rtol: 1e-7, atol: 1e-9 });
 *
 * y0 a Float64Array/Float32Array: the native path (f returns a typed array of the same length).
 * y0 a tf.Tensor: the TensorFlow.js path on the engine's backend (f returns a tensor of y's shape).
 */
export async function odeint<S extends NativeState>(
  f: VectorField<S>,
  y0: S,
  t: ArrayLike<number>,
  opts?: OdeintOptions<S>,
): Promise<NativeSolution<S>>;
export async function odeint(
  f: VectorField<Tensor>,
  y0: Tensor,
  t: ArrayLike<number>,
  opts?: OdeintOptions<Tensor>,
): Promise<TensorSolution>;
export async function odeint(
  f: unknown,
  y0: unknown,
  t: ArrayLike<number>,
  opts: OdeintOptions<unknown> = {},
): Promise<NativeSolution<NativeState> | TensorSolution> {
  if (isNativeState(y0)) {
    const solve = new OdeSolve<NativeState>(nativeAlgebra(y0), f as VectorField<NativeState>, y0, t, opts);
    const ys = await solve.run();
    return { ys, stats: solve.stats };
  }
  // Loaded on first use, so typed-array users never pay for TensorFlow.js.
  const [{ isTensorState, tfjsAlgebra }, { ensureBackend, tf }] = await Promise.all([
    import('./state/tfjs'),
    import('./backend/index'),
  ]);
  if (!isTensorState(y0)) {
    throw new SolverError(
      'input',
      'y0 must be a Float64Array or Float32Array (native float64/float32 path) or a tf.Tensor (TensorFlow.js path). ' +
        'Wrap plain arrays: Float64Array.from([1, 0]).',
    );
  }
  await ensureBackend();
  const solve = new OdeSolve<Tensor>(tfjsAlgebra, f as VectorField<Tensor>, y0, t, opts);
  const ys = await solve.run();
  const stacked = tf.stack(ys);
  ys.forEach((y) => y.dispose());
  return { ys: stacked, stats: solve.stats };
}
