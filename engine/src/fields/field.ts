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
  /**
   * Opens an activation tape (see ActivationTape), or gives null when this field has none now;
   * fields that do not implement it are differentiated with vjp alone.
   */
  tape?(): ActivationTape | null;
}

/**
 * What a field's forward evaluation makes on the way (an MLP's hidden activations), kept until
 * a vjp at the same point, which then need not recompute it: backprop's reverse sweep runs a
 * vjp at every stage the forward solve evaluated. Results are bit for bit those of f and vjp.
 */
export interface ActivationTape {
  /**
   * f(t, y) as the field's f gives it, and a record of this evaluation, or -1 when none was kept
   * (memory). f may be a buffer the tape reuses: read or copy it before the next call.
   */
  f(t: number, y: Float64Array): { f: Float64Array; record: number };
  /** Whether `record` was made by f at exactly this t and these values of y (bit for bit). */
  matches(record: number, t: number, y: Float64Array): boolean;
  /**
   * The field's vjp(t, y, a), from a record that f made at this t and these values of y, as new
   * arrays. With `into`, dL/dθ is added into it (the same bits as adding the returned params to
   * it), and `params` is `into`.
   */
  vjp(record: number, t: number, y: Float64Array, a: Float64Array, into?: Float64Array): { y: Float64Array; params: Float64Array };
  /** Frees one record. */
  free(record: number): void;
  /** Frees every record still held; the tape is not used afterwards. */
  close(): void;
  /** Records held and their bytes. */
  readonly size: number;
  readonly bytes: number;
}

export interface TensorField {
  readonly kind: 'tfjs';
  /** Components per sample, when the field knows it. */
  readonly dim?: number;
  readonly params: readonly Variable[];
  /** What checkpoints and exports call each parameter (state_dict keys), in the order of `params`. */
  readonly paramNames?: readonly string[];
  /**
   * Parameters exported as their transpose: a tf.layers Dense kernel [in, out] travels as
   * PyTorch's Linear weight [out, in], so the file loads into the equivalent nn.Sequential.
   */
  readonly transposedParams?: readonly boolean[];
  /**
   * false keeps the field on TensorFlow.js; otherwise the engine compiles it where it can
   * (records its operations and replays them on its own kernels, checked against tfjs).
   */
  readonly compile?: boolean;
  f(t: number, y: Tensor): Tensor;
  /** Cotangents of y and of each parameter, as new tensors the caller disposes. */
  vjp(t: number, y: Tensor, a: Tensor): { y: Tensor; params: Tensor[] };
  /**
   * f(t, y) with what its vjp at this point needs kept, so that vjp runs the backward pass alone
   * (the same bits as vjp); null where TensorFlow.js cannot keep it.
   */
  taped?(t: number, y: Tensor): TapedField | null;
}

/** One taped evaluation of a tensor field (TensorField.taped). */
export interface TapedField {
  /** f(t, y); the caller disposes it. */
  readonly f: Tensor;
  /** Bytes of the buffers it keeps alive for vjp. */
  readonly bytes: number;
  /** vjp(t, y, a) at the taped point, as new tensors the caller disposes. */
  vjp(a: Tensor): { y: Tensor; params: Tensor[] };
  dispose(): void;
}

export type Field = NativeField | TensorField;
