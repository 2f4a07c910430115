/**
 * The benchmark MLP for the engine's TensorFlow.js path (float32 tensors):
 * f(t, y) = tanh(y W1ᵀ + b1) W2ᵀ + b2 with y of shape [batch, 2].
 *
 * Three kernels per call: a fused matMul+bias, tanh, a fused matMul+bias (tfjs's fused
 * activations do not include tanh), which is what a tfjs user would write for speed.
 * The weights are transposed once here rather than with `transposeB` on every call: on the
 * wasm backend (tfjs 4.22) a fused matMul with transposeB and a bias returns wrong values.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { MlpWeights } from './mlpNative';

type Tf = typeof tfTypes;

export interface TfjsMlp {
  readonly f: (t: number, y: tfTypes.Tensor) => tfTypes.Tensor;
  /** Releases the weight tensors. */
  dispose(): void;
}

export function mlpTfjs(tf: Tf, w: MlpWeights): TfjsMlp {
  const hidden = w.b1.length;
  const W1t = tf.tidy(() => tf.transpose(tf.tensor2d(Float32Array.from(w.W1), [hidden, 2])));
  const b1 = tf.tensor1d(Float32Array.from(w.b1));
  const W2t = tf.tidy(() => tf.transpose(tf.tensor2d(Float32Array.from(w.W2), [2, hidden])));
  const b2 = tf.tensor1d(Float32Array.from(w.b2));
  const f = (_t: number, y: tfTypes.Tensor): tfTypes.Tensor =>
    tf.tidy(() => {
      const a = tf.tanh(tf.fused.matMul({ a: y as tfTypes.Tensor2D, b: W1t, bias: b1 }));
      return tf.fused.matMul({ a, b: W2t, bias: b2 });
    });
  return {
    f,
    dispose: () => {
      for (const x of [W1t, b1, W2t, b2]) x.dispose();
    },
  };
}
