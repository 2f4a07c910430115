/**
 * The state algebra: the only thing the solvers know about a state.
 *
 * Two implementations share every solver: `nativeAlgebra` (Float64Array / Float32Array,
 * fused loops, no per-op overhead) and the TensorFlow.js algebra (tensors on the selected
 * backend). Solvers never look inside a state; they combine states, measure them and
 * dispose of them through this interface, so stepping, step-size control, dense output
 * and the debugger hooks are written once.
 */

/** A tolerance: one number for every component, or one per component (flattened). */
export type Tolerance = number | Float64Array;

/** The right-hand side as a user writes it: dy/dt = f(t, y). */
export type VectorField<S> = (t: number, y: S) => S;

export interface StateAlgebra<S> {
  /** 'native' for typed arrays, 'tfjs' for tensors. */
  readonly kind: 'native' | 'tfjs';
  /** Element type of the state. */
  readonly dtype: 'float64' | 'float32';

  /** Number of scalar components. */
  size(y: S): number;
  /** Shape, for messages (a flat typed array has shape [n]). */
  shape(y: S): number[];

  /**
   * `base + Σ coeffs[i]·xs[i]` as a new state; `base === null` means zero.
   * Zero coefficients are skipped, so a tableau's sparsity costs nothing.
   */
  lincomb(base: S | null, coeffs: ArrayLike<number>, xs: readonly S[]): S;

  /**
   * Weighted RMS norm used by error control and first-step selection:
   * sqrt(mean((x / (atol + rtol·max(|ref0|, |ref1|)))²)); `ref1` omitted means `ref0` alone.
   * `count` limits the norm to the first `count` components (flattened): a seminorm, as the
   * adjoint uses to leave its parameter part out of error control. Tensor backends that can
   * only read asynchronously return a Promise.
   */
  weightedRms(x: S, rtol: Tolerance, atol: Tolerance, ref0: S, ref1?: S, count?: number): number | Promise<number>;

  /**
   * Calls `f(t, y)` and checks that its result has y's shape (throwing a `SolverError` of
   * kind 'shape' otherwise). Temporaries that `f` creates are released (tf.tidy).
   */
  evaluate(f: VectorField<S>, t: number, y: S): S;

  /** Index (flattened) of the first NaN or ±Infinity, or -1 when all are finite. */
  firstNonFinite(y: S): number | Promise<number>;

  /** A float64 copy of the values (for reports, events and the command line). */
  read(y: S): Float64Array | Promise<Float64Array>;

  /** An independent copy that survives `dispose` of the original. */
  clone(y: S): S;

  /** Releases a state the solver no longer needs (a no-op for typed arrays). */
  dispose(y: S): void;
}
