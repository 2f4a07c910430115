/**
 * Dense layers y = W x + b on flat float64 arrays, batch-major ([B × n] row-major), with their
 * backward pass, for every family that has one (discrete networks, the latent ODE's encoder,
 * decoder and GRU, the RNN baseline). W [nOut × nIn] and b [nOut] sit at offsets into one
 * parameter vector (PyTorch's nn.Linear layout), and gradients are added into a vector of the
 * same layout. Every inner loop runs over a contiguous row, which is what V8 compiles well.
 */

/** Where a dense layer's parameters lie: W [nOut × nIn] at P[w], b [nOut] at P[b]. */
export interface DenseLayer {
  readonly nIn: number;
  readonly nOut: number;
  readonly w: number;
  readonly b: number;
}

export const denseSize = (nIn: number, nOut: number): number => nOut * nIn + nOut;

/** A layer whose W starts at `offset` with b right after it. */
export const denseAt = (nIn: number, nOut: number, offset: number): DenseLayer => ({ nIn, nOut, w: offset, b: offset + nOut * nIn });

/** out[s, o] = b[o] + Σ_i W[o, i]·x[s, i] for the B rows of x. */
export function denseForward(P: Float64Array, d: DenseLayer, x: ArrayLike<number>, B: number, out: Float64Array): Float64Array {
  const { nIn, nOut, w, b } = d;
  for (let s = 0; s < B; s++) {
    const xs = s * nIn;
    for (let o = 0; o < nOut; o++) {
      const wo = w + o * nIn;
      // two partial sums: independent chains of multiply-adds
      let a0 = 0;
      let a1 = 0;
      let i = 0;
      for (; i + 1 < nIn; i += 2) {
        a0 += P[wo + i] * x[xs + i];
        a1 += P[wo + i + 1] * x[xs + i + 1];
      }
      if (i < nIn) a0 += P[wo + i] * x[xs + i];
      out[s * nOut + o] = P[b + o] + a0 + a1;
    }
  }
  return out;
}

/**
 * The backward pass of denseForward for the cotangent g [B × nOut]: adds dL/dW = gᵀx and
 * dL/db = Σ_s g into G (laid out as P) and, when gx is given, writes dL/dx = g W [B × nIn] into it.
 */
export function denseBackward(
  P: Float64Array,
  G: Float64Array,
  d: DenseLayer,
  x: ArrayLike<number>,
  B: number,
  g: ArrayLike<number>,
  gx: Float64Array | null,
): void {
  const { nIn, nOut, w, b } = d;
  if (gx) gx.fill(0, 0, B * nIn);
  for (let s = 0; s < B; s++) {
    const xs = s * nIn;
    for (let o = 0; o < nOut; o++) {
      const c = g[s * nOut + o];
      if (c === 0) continue;
      G[b + o] += c;
      const wo = w + o * nIn;
      for (let i = 0; i < nIn; i++) G[wo + i] += c * x[xs + i];
      if (gx) for (let i = 0; i < nIn; i++) gx[xs + i] += c * P[wo + i];
    }
  }
}

/** denseBackward of one sample, returning dL/dx as a new array. */
export function denseBackwardSample(P: Float64Array, G: Float64Array, d: DenseLayer, x: ArrayLike<number>, g: ArrayLike<number>): Float64Array {
  const gx = new Float64Array(d.nIn);
  denseBackward(P, G, d, x, 1, g, gx);
  return gx;
}
