/**
 * The small dense layers of the latent models (encoder head, decoder, RNN readout), on one
 * sample at a time: y = W x + b with W [out × in] row-major in a parameter vector at `offset`,
 * and its backward pass that adds into a gradient vector of the same layout.
 */
import { kaimingBound } from '../fields/mlpField';
import type { Rand } from '../fields/prng';

export interface DenseSpec {
  nIn: number;
  nOut: number;
  /** Where W starts in the parameter vector; b follows W. */
  offset: number;
}

export const denseSize = (nIn: number, nOut: number): number => nOut * nIn + nOut;

/** PyTorch's nn.Linear initialisation, U(−1/√nIn, 1/√nIn) for W and b. */
export function initDense(params: Float64Array, d: DenseSpec, rand: Rand): void {
  const bound = kaimingBound(d.nIn);
  const n = denseSize(d.nIn, d.nOut);
  for (let i = 0; i < n; i++) params[d.offset + i] = (2 * rand() - 1) * bound;
}

/** W x + b into `out`. */
export function denseForward(params: Float64Array, d: DenseSpec, x: ArrayLike<number>, out: Float64Array): Float64Array {
  const { nIn, nOut, offset } = d;
  const b = offset + nOut * nIn;
  for (let o = 0; o < nOut; o++) {
    let s = params[b + o];
    const row = offset + o * nIn;
    for (let i = 0; i < nIn; i++) s += params[row + i] * x[i];
    out[o] = s;
  }
  return out;
}

/**
 * Adds dL/dW = g xᵀ and dL/db = g into `grads`; returns dL/dx = Wᵀ g (into `gx` when given).
 */
export function denseBackward(params: Float64Array, grads: Float64Array, d: DenseSpec, x: ArrayLike<number>, g: ArrayLike<number>, gx?: Float64Array): Float64Array {
  const { nIn, nOut, offset } = d;
  const b = offset + nOut * nIn;
  const dx = gx ?? new Float64Array(nIn);
  dx.fill(0);
  for (let o = 0; o < nOut; o++) {
    const go = g[o];
    if (go === 0) continue;
    grads[b + o] += go;
    const row = offset + o * nIn;
    for (let i = 0; i < nIn; i++) {
      grads[row + i] += go * x[i];
      dx[i] += go * params[row + i];
    }
  }
  return dx;
}
