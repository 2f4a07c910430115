import type { StateAlgebra, Tolerance, VectorField } from '../state/algebra';

/** What one step attempt did: the unit the debugger steps over and the inspector plots. */
export interface StepReport {
  /** Attempt number, 1-based, counting accepted and rejected steps. */
  readonly n: number;
  /** Start of the attempted step. */
  readonly t: number;
  /** Signed step size attempted (negative when integrating backwards). */
  readonly h: number;
  readonly accepted: boolean;
  /** Error ratio (≤ 1 passes rtol/atol); NaN on fixed grids, which estimate no error. */
  readonly errRatio: number;
  /** Signed step the controller proposes next. */
  readonly hNext: number;
  /** Evaluations of f so far. */
  readonly nfe: number;
  readonly nAccepted: number;
  readonly nRejected: number;
}

/** One stage of a step: k_i = f(t_i, y_i). Valid only during the hook call (tensors are freed after). */
export interface StageReport<S> {
  readonly n: number;
  readonly i: number;
  readonly t: number;
  readonly y: S;
  readonly k: S;
}

/**
 * Observers of a solve. Unset hooks cost nothing; a hook may return a Promise, and the
 * stepper waits for it, which is how a debugger pauses a solve mid-step.
 */
export interface StepHooks<S> {
  onStep?(report: StepReport): void | Promise<void>;
  onStage?(stage: StageReport<S>): void | Promise<void>;
}

export interface SolverStats {
  nfe: number;
  nAccepted: number;
  nRejected: number;
  /** Smallest and largest |h| of accepted steps (NaN before the first step). */
  hMin: number;
  hMax: number;
  /** An explicit method saw h·|λ| at its stability boundary for many steps in a row. */
  stiff: boolean;
  /** Implicit methods: Jacobian evaluations (finite-difference ones also count in nfe). */
  njac?: number;
  /** Implicit methods: LU factorisations of the iteration matrix I − hγJ. */
  nlu?: number;
  /** Implicit methods: Newton iterations over all stages and steps. */
  nNewton?: number;
  /** Implicit methods: stage solves that did not converge (each rejected its step). */
  nNewtonFailed?: number;
}

/** Options every method understands, plus the ones of its family (ignored by the others). */
export interface SolverOptions {
  /** Fixed-grid methods: the grid spacing (default: the output times `t` form the grid). */
  stepSize?: number;
  /** Adaptive methods: the first step (default: Hairer's heuristic). */
  firstStep?: number;
  minStep?: number;
  maxStep?: number;
  /** Step attempts (accepted + rejected) before the solve stops with an error (default 100000). */
  maxNumSteps?: number;
  /** Times the adaptive solver must step onto (kinks of f). */
  stepT?: ArrayLike<number>;
  /** Times where f jumps: stepped onto, and f re-evaluated just past them. */
  jumpT?: ArrayLike<number>;
  safety?: number;
  ifactor?: number;
  dfactor?: number;
  pcoeff?: number;
  icoeff?: number;
  /**
   * Adaptive methods: only the first N components (flattened) enter the error norm; the rest are
   * integrated but not error-controlled (the seminorm of the adjoint, for its parameter part).
   */
  errorComponents?: number;
  /** Fixed-grid output between grid points: 'linear' (default, as torchdiffeq) or 'cubic' Hermite. */
  interp?: 'linear' | 'cubic';
  /** explicit_adams: order 1–4 (default 4). */
  order?: number;
  /** lm: the coefficient k of u_{n+1} = (1−k)u_n + k·u_{n−1} + (1+k)·h·f(u_n) (default 0). */
  k?: number;
  /** Implicit methods: Newton iterations per stage before the step is retried smaller (default 10). */
  maxNewtonIters?: number;
  /** Implicit methods on the native path: the Jacobian ∂f/∂y, row-major n×n (default: finite differences). */
  jacobian?: (t: number, y: Float64Array) => Float64Array;
}

/** Everything a stepper is built from. */
export interface StepperContext<S> {
  readonly ops: StateAlgebra<S>;
  readonly f: VectorField<S>;
  readonly t0: number;
  readonly y0: S;
  /** The last output time: steps never pass it. */
  readonly tEnd: number;
  /** The output times (fixed-grid methods use them as the grid when no stepSize is given). */
  readonly times: readonly number[];
  readonly rtol: Tolerance;
  readonly atol: Tolerance;
  readonly options: SolverOptions;
  readonly hooks: StepHooks<S>;
}

/**
 * A resumable solver: `init`, then `step` until `t` reaches the end. `odeint` is a loop over
 * it, and so are the debugger and the solver inspector: one code path for all three.
 */
export interface Stepper<S> {
  readonly method: string;
  readonly order: number;
  readonly adaptive: boolean;
  /** Time and state after the last accepted step. */
  readonly t: number;
  readonly y: S;
  readonly stats: Readonly<SolverStats>;
  /** Evaluates f at the start and chooses the first step. */
  init(): Promise<void>;
  /** One step attempt (accepted or rejected); never passes tEnd. */
  step(): Promise<StepReport>;
  /** The solution at t inside the last accepted step (dense output); a new state the caller owns. */
  interpolate(t: number): S;
  /** Releases every state the stepper holds. */
  dispose(): void;
}
