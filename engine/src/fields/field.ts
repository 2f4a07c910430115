import type { Tensor, Variable } from '@tensorflow/tfjs';

/**
 * A vector field that carries its parameters θ and knows its vector–Jacobian product:
 * what training needs from a model. `f` is dy/dt; `vjp(t, y, a)` returns aᵀ∂f/∂y and aᵀ∂f/∂θ
 * (summed over the batch). Native fields hold θ in one live Float64Array (writing to it changes
 * the field); tensor fields hold tf.Variables and get their VJP from autodiff.
 */
export interface NativeField {
  readonly kind: 'native';
  /** Components per sample (the state is batch-major [batch·dim]), when the field knows it. */
  readonly dim?: number;
  /** The live parameter vector θ. */
  readonly params: Float64Array;
  f(t: number, y: Float64Array): Float64Array;
  vjp(t: number, y: Float64Array, a: Float64Array): { y: Float64Array; params: Float64Array };
  /**
   * f(t, y) and vjp(t, y, a) at once, with the same results as calling both; a field may
   * implement it to share the work (the continuous adjoint needs both at every point).
   */
  fAndVjp?(t: number, y: Float64Array, a: Float64Array): { f: Float64Array; y: Float64Array; params: Float64Array };
}

export interface TensorField {
  readonly kind: 'tfjs';
  /** Components per sample, when the field knows it. */
  readonly dim?: number;
  readonly params: readonly Variable[];
  f(t: number, y: Tensor): Tensor;
  /** Cotangents of y and of each parameter, as new tensors the caller disposes. */
  vjp(t: number, y: Tensor, a: Tensor): { y: Tensor; params: Tensor[] };
}

export type Field = NativeField | TensorField;
