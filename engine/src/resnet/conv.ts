/**
 * 3 × 3 convolutions, stride 1, zero padding 1 (the image keeps its size), on batches of
 * channel-major images [B × C × H × W] in flat float64 arrays, with their backward pass.
 * Weights are [Cout × Cin × 3 × 3] at P[w], biases [Cout] at P[b] (PyTorch's Conv2d layout).
 * The loops run over a shifted row of the image for each kernel tap, so the innermost loop is
 * a contiguous multiply-add.
 */

export interface ConvShape {
  cin: number;
  cout: number;
  height: number;
  width: number;
}

/** out = conv3x3(x) + b for B images. */
export function conv3x3Forward(P: Float64Array, w: number, b: number, s: ConvShape, x: Float64Array, B: number, out: Float64Array): void {
  const { cin, cout, height: H, width: W } = s;
  const plane = H * W;
  for (let n = 0; n < B; n++) {
    for (let co = 0; co < cout; co++) {
      const o = (n * cout + co) * plane;
      out.fill(P[b + co], o, o + plane);
      for (let ci = 0; ci < cin; ci++) {
        const xi = (n * cin + ci) * plane;
        const wk = w + (co * cin + ci) * 9;
        for (let di = -1; di <= 1; di++) {
          const r0 = Math.max(0, -di);
          const r1 = Math.min(H, H - di);
          for (let dj = -1; dj <= 1; dj++) {
            const k = P[wk + (di + 1) * 3 + (dj + 1)];
            if (k === 0) continue;
            const c0 = Math.max(0, -dj);
            const c1 = Math.min(W, W - dj);
            for (let r = r0; r < r1; r++) {
              const orow = o + r * W;
              const xrow = xi + (r + di) * W + dj;
              for (let c = c0; c < c1; c++) out[orow + c] += k * x[xrow + c];
            }
          }
        }
      }
    }
  }
}

/**
 * The backward pass for the cotangent g [B × Cout × H × W]: adds dL/dw and dL/db into G (laid
 * out as P) and, when gx is given, writes dL/dx [B × Cin × H × W] into it.
 */
export function conv3x3Backward(
  P: Float64Array,
  G: Float64Array,
  w: number,
  b: number,
  s: ConvShape,
  x: Float64Array,
  B: number,
  g: Float64Array,
  gx: Float64Array | null,
): void {
  const { cin, cout, height: H, width: W } = s;
  const plane = H * W;
  if (gx) gx.fill(0, 0, B * cin * plane);
  for (let n = 0; n < B; n++) {
    for (let co = 0; co < cout; co++) {
      const o = (n * cout + co) * plane;
      let sum = 0;
      for (let q = 0; q < plane; q++) sum += g[o + q];
      G[b + co] += sum;
      for (let ci = 0; ci < cin; ci++) {
        const xi = (n * cin + ci) * plane;
        const wk = w + (co * cin + ci) * 9;
        for (let di = -1; di <= 1; di++) {
          const r0 = Math.max(0, -di);
          const r1 = Math.min(H, H - di);
          for (let dj = -1; dj <= 1; dj++) {
            const tap = wk + (di + 1) * 3 + (dj + 1);
            const k = P[tap];
            const c0 = Math.max(0, -dj);
            const c1 = Math.min(W, W - dj);
            let acc = 0;
            for (let r = r0; r < r1; r++) {
              const grow = o + r * W;
              const xrow = xi + (r + di) * W + dj;
              for (let c = c0; c < c1; c++) acc += g[grow + c] * x[xrow + c];
              if (gx) for (let c = c0; c < c1; c++) gx[xrow + c] += k * g[grow + c];
            }
            G[tap] += acc;
          }
        }
      }
    }
  }
}
