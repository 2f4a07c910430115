import type { Tensor } from '@tensorflow/tfjs';
import type { Tolerance } from '../state/algebra';
import type { SolverOptions } from '../solvers/stepper';

/** How odeintGrad differentiates the solve. */
export type GradientMethod = 'backprop' | 'adjoint' | 'checkpoint';

export const GRADIENT_METHODS: readonly GradientMethod[] = ['backprop', 'adjoint', 'checkpoint'];

/** The backward solve of `adjoint`: each field defaults to the forward solve's. */
export interface AdjointOptions {
  method?: string;
  /** Scalar, one per state component (used for y and a; θ gets the smallest), or one per augmented component. */
  rtol?: Tolerance | readonly number[];
  atol?: Tolerance | readonly number[];
  options?: SolverOptions;
  /**
   * Leave the parameter adjoint out of the error norm (torchdiffeq's seminorm): the step size
   * is controlled by the RMS over [y, a] only.
   */
  seminorm?: boolean;
}

export interface OdeintGradOptions {
  /** Forward solver (default 'dopri5'). */
  method?: string;
  rtol?: Tolerance | readonly number[];
  atol?: Tolerance | readonly number[];
  options?: SolverOptions;
  /** Default 'backprop'. */
  gradient?: GradientMethod;
  adjointOptions?: AdjointOptions;
  /** checkpoint: how many step-start states to keep (default 32); memory is this plus one segment. */
  checkpoints?: number;
  /** Checked between steps of every solve. */
  signal?: AbortSignal;
}

/**
 * Counts of a gradient computation. A vjp counts as one evaluation, as does an f: so an
 * augmented-dynamics evaluation of the adjoint (f and vjp at the same point) counts two.
 */
export interface GradStats {
  gradient: GradientMethod;
  method: string;
  /** Evaluations of f in the forward solve. */
  nfeForward: number;
  /** Evaluations in the backward pass: nfBackward + nVjpBackward. */
  nfeBackward: number;
  /** f evaluations in the backward pass (checkpoint recomputation, the adjoint's y equation). */
  nfBackward: number;
  /** vjp evaluations in the backward pass. */
  nVjpBackward: number;
  /** Forward accepted and rejected steps. */
  nAccepted: number;
  nRejected: number;
  /** Backward solve (adjoint only; the reverse sweeps replay the forward steps). */
  nAcceptedBackward: number;
  nRejectedBackward: number;
  /**
   * Peak bytes of states the gradient computation itself held (tape, checkpoints, the
   * recomputed segment, or the adjoint's outputs and augmented state), with the activation
   * records of a field's tape; the solvers' own few working states are not counted.
   */
  peakStoredBytes: number;
  /** The forward solve's stiffness detection fired (explicit methods). */
  stiff?: boolean;
}

export interface NativeGradResult {
  /** ys[i] is y(t[i]). */
  ys: Float64Array[];
  /** dL/dy0. */
  gradY0: Float64Array;
  /** dL/dθ, laid out as field.params. */
  gradParams: Float64Array;
  stats: GradStats;
}

export interface TensorGradResult {
  /** The states stacked along a new first axis: shape [t.length, ...y0.shape]. */
  ys: Tensor;
  gradY0: Tensor;
  /** One gradient per variable of field.params, in order. */
  gradParams: Tensor[];
  stats: GradStats;
}

/** Counters the backward pass increments. */
export interface BackwardCounts {
  f: number;
  vjp: number;
}

/**
 * The cotangents dL/dy(t_i), one per output time (null: the loss ignores that output), or a
 * function computing them from the outputs once the forward solve has made them, so a training
 * loop can differentiate a loss of the predictions with a single forward solve.
 */
/** The cotangents, or a function of the outputs that gives them (asynchronously where it must read a device). */
export type CotangentSource<S> = readonly (S | null)[] | ((ys: readonly S[]) => readonly (S | null)[] | Promise<readonly (S | null)[]>);

export const resolveCotangents = async <S>(source: CotangentSource<S>, ys: readonly S[]): Promise<readonly (S | null)[]> =>
  typeof source === 'function' ? source(ys) : source;
