/**
 * The benchmark MLP as a vector field for the engine's native path:
 * f(t, y) = tanh(y W1ᵀ + b1) W2ᵀ + b2 with state 2, y batch-major ([batch·2], row i = sample i).
 *
 * `mlpNativeF32` (float32 states) runs the engine's WebAssembly SIMD kernel
 * (engine/src/kernels/mlpKernel.ts); the float64 path is an mlpField (bench/paths.ts). `mlpNativeJs` is the same field in plain
 * JavaScript, kept as a path of its own and as the reference the answers are checked with.
 *
 * The JavaScript one is written for speed: with state 2 each hidden unit's activation is consumed as soon as it is
 * computed, so one fused pass per sample needs no hidden buffer at all (30 % faster than
 * filling one), and nothing is allocated per call besides the returned array (the solver
 * keeps it as a stage value).
 */

import { mlpForward } from '../engine/src/kernels/mlpKernel';

export interface MlpWeights {
  /** [hidden, 2], row-major. */
  readonly W1: Float64Array;
  readonly b1: Float64Array;
  /** [2, hidden], row-major. */
  readonly W2: Float64Array;
  readonly b2: Float64Array;
}

/**
 * tanh(x) = 1 − 2 / (exp(2x) + 1). V8's Math.exp is about 1.5× faster than its Math.tanh and
 * tanh dominates at large sizes; the absolute error stays below 4e-16 (float64 rounding of a
 * value in [−1, 1]), and exp's overflow to Infinity gives exactly 1.
 */
function fastTanh(x: number): number {
  return 1 - 2 / (Math.exp(2 * x) + 1);
}

/** f(t, y) on the SIMD kernel, float32 states (weights rounded to float32 once). */
export function mlpNativeF32(w: MlpWeights): (t: number, y: Float32Array) => Float32Array {
  const k = mlpForward(w, { precision: 'float32' });
  return (_t, y) => k.forward(y);
}

/** Builds f(t, y) in plain JavaScript for the given weights (state dimension 2, any hidden width and batch). */
export function mlpNativeJs(w: MlpWeights): (t: number, y: Float64Array) => Float64Array {
  const hidden = w.b1.length;
  if (w.W1.length !== hidden * 2 || w.W2.length !== 2 * hidden || w.b2.length !== 2) {
    throw new Error(
      `mlpNativeJs: expected W1 [${hidden}, 2], W2 [2, ${hidden}] and b2 [2] for hidden width ${hidden}; ` +
        `got ${w.W1.length}, ${w.W2.length} and ${w.b2.length} values`,
    );
  }
  const { W1, b1, W2, b2 } = w;
  const c0 = b2[0];
  const c1 = b2[1];
  return (_t: number, y: Float64Array): Float64Array => {
    const out = new Float64Array(y.length);
    for (let i = 0; i < y.length; i += 2) {
      const y0 = y[i];
      const y1 = y[i + 1];
      let o0 = c0;
      let o1 = c1;
      for (let j = 0; j < hidden; j++) {
        const a = fastTanh(W1[2 * j] * y0 + W1[2 * j + 1] * y1 + b1[j]);
        o0 += W2[j] * a;
        o1 += W2[hidden + j] * a;
      }
      out[i] = o0;
      out[i + 1] = o1;
    }
    return out;
  };
}
