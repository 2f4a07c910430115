/**
 * Batched dense layers on flat float64 arrays, batch-major ([B × n] row-major), with the
 * products of their backward pass. Every inner loop runs over a contiguous row (a weight row
 * against an input row, or a row added into another), which is what V8 compiles well.
 */

/** out[s, o] = b[o] + Σ_i W[o, i]·x[s, i]; W [nOut × nIn] at P[w], b [nOut] at P[b]. */
export function denseForward(P: Float64Array, w: number, b: number, nIn: number, nOut: number, x: Float64Array, B: number, out: Float64Array): void {
  for (let s = 0; s < B; s++) {
    const xs = s * nIn;
    for (let o = 0; o < nOut; o++) {
      const wo = w + o * nIn;
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
}

/**
 * The backward pass of denseForward for the cotangent g [B × nOut]: adds dL/dW and dL/db into
 * G (laid out as P), and, when gx is given, writes dL/dx [B × nIn] into it.
 */
export function denseBackward(
  P: Float64Array,
  G: Float64Array,
  w: number,
  b: number,
  nIn: number,
  nOut: number,
  x: Float64Array,
  B: number,
  g: Float64Array,
  gx: Float64Array | null,
): void {
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
