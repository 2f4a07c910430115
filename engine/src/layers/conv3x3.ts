/**
 * 3 × 3 convolutions (stride 1, zero padding 1: the image keeps its size), PyTorch's Conv2d
 * layout, for every family with convolutions: the discrete networks' conv blocks and the
 * ODE-Net's blocks, whose convolutions may read the time t as one more input channel, constant
 * over the image (the seed paper's ConcatConv2d). They work on channel-major batches
 * [C × B·plane]; sample-major batches [B × C × plane] go through toChannelMajor / toSampleMajor.
 * The input is unfolded once per call into columns [K × B·plane] (im2col, K = 9 taps per input
 * channel, the time channel's taps last), so the products run along rows of B·plane values,
 * which V8 compiles into tight loops. Weights are [Cout × K] (PyTorch's [Cout × Cin(+1) × 3 × 3]),
 * biases [Cout].
 */

export interface Conv3x3Shape {
  cin: number;
  cout: number;
  height: number;
  width: number;
  /** Whether t is an extra input channel (its weights are the last 9 of each output row). Default false. */
  time?: boolean;
}

/** Inputs the convolution reads per output channel: 9 per input channel, 9 more for t. */
export const convInputs = (s: Conv3x3Shape): number => 9 * (s.cin + (s.time ? 1 : 0));

/** Parameters of one convolution: weights then biases. */
export const convParams = (s: Conv3x3Shape): number => s.cout * convInputs(s) + s.cout;

/** dst[c][n·plane + j] = src[n][c][j]: sample-major [B × C × plane] to channel-major [C × B·plane]. */
export function toChannelMajor(src: Float64Array, B: number, C: number, plane: number, dst: Float64Array): void {
  const N = B * plane;
  for (let n = 0; n < B; n++) {
    for (let c = 0; c < C; c++) {
      const s = (n * C + c) * plane;
      dst.set(src.subarray(s, s + plane), c * N + n * plane);
    }
  }
}

/** dst[n][c][j] = src[c][n·plane + j]: channel-major back to sample-major. */
export function toSampleMajor(src: Float64Array, B: number, C: number, plane: number, dst: Float64Array): void {
  const N = B * plane;
  for (let c = 0; c < C; c++) {
    for (let n = 0; n < B; n++) {
      const s = c * N + n * plane;
      dst.set(src.subarray(s, s + plane), (n * C + c) * plane);
    }
  }
}

/**
 * Scratch shared by every convolution (JavaScript runs one at a time): the unfolded input and
 * one folded row, grown to the largest call, so that neither depth nor steps add workspace.
 */
let colScratch = new Float64Array(0);
let rowScratch = new Float64Array(0);

export class Conv3x3 {
  constructor(
    readonly shape: Conv3x3Shape,
    /** Offsets of the weights and biases in P. */
    readonly w: number,
    readonly b: number,
  ) {}

  /** Columns of x (and of t) for B samples: col[k][j] is the input tap k sees at output pixel j. */
  private unfold(x: Float64Array, B: number, t: number): Float64Array {
    const { cin, height: H, width: W, time } = this.shape;
    const plane = H * W;
    const N = B * plane;
    const K = convInputs(this.shape);
    if (colScratch.length < K * N) colScratch = new Float64Array(K * N);
    const col = colScratch;
    const channels = cin + (time ? 1 : 0);
    for (let ci = 0; ci < channels; ci++) {
      const isTime = ci === cin;
      for (let di = -1; di <= 1; di++) {
        for (let dj = -1; dj <= 1; dj++) {
          const k = ci * 9 + (di + 1) * 3 + (dj + 1);
          const ck = k * N;
          col.fill(0, ck, ck + N);
          const r0 = Math.max(0, -di);
          const r1 = Math.min(H, H - di);
          const c0 = Math.max(0, -dj);
          const c1 = Math.min(W, W - dj);
          for (let n = 0; n < B; n++) {
            const base = ck + n * plane;
            const src = ci * N + n * plane + di * W + dj;
            for (let r = r0; r < r1; r++) {
              const o = base + r * W;
              if (isTime) for (let c = c0; c < c1; c++) col[o + c] = t;
              else {
                const xr = src + r * W;
                for (let c = c0; c < c1; c++) col[o + c] = x[xr + c];
              }
            }
          }
        }
      }
    }
    return col;
  }

  /** out = conv(x, t) + b; x is [cin × B·plane], out [cout × B·plane]. */
  forward(P: Float64Array, x: Float64Array, B: number, t: number, out: Float64Array): void {
    const { cout, height: H, width: W } = this.shape;
    const N = B * H * W;
    const K = convInputs(this.shape);
    const col = this.unfold(x, B, t);
    for (let co = 0; co < cout; co++) {
      const o = co * N;
      out.fill(P[this.b + co], o, o + N);
      const wr = this.w + co * K;
      // Eight columns per pass over the output row: a quarter of the loads and stores of one.
      let k = 0;
      for (; k + 8 <= K; k += 8) {
        const a0 = P[wr + k], a1 = P[wr + k + 1], a2 = P[wr + k + 2], a3 = P[wr + k + 3];
        const a4 = P[wr + k + 4], a5 = P[wr + k + 5], a6 = P[wr + k + 6], a7 = P[wr + k + 7];
        const ck = k * N;
        for (let j = 0; j < N; j++) {
          const i = ck + j;
          out[o + j] +=
            a0 * col[i] + a1 * col[i + N] + a2 * col[i + 2 * N] + a3 * col[i + 3 * N] + a4 * col[i + 4 * N] + a5 * col[i + 5 * N] + a6 * col[i + 6 * N] + a7 * col[i + 7 * N];
        }
      }
      for (; k < K; k++) {
        const a = P[wr + k];
        const ck = k * N;
        for (let j = 0; j < N; j++) out[o + j] += a * col[ck + j];
      }
    }
  }

  /**
   * The backward pass for the cotangent g [cout × B·plane] of forward(P, x, B, t): adds dL/dw
   * and dL/db into G (laid out as P) and, when gx is given, writes dL/dx [cin × B·plane] into it.
   */
  backward(P: Float64Array, G: Float64Array, x: Float64Array, B: number, t: number, g: Float64Array, gx: Float64Array | null): void {
    const { cin, cout, height: H, width: W } = this.shape;
    const plane = H * W;
    const N = B * plane;
    const K = convInputs(this.shape);
    const col = this.unfold(x, B, t);
    for (let co = 0; co < cout; co++) {
      const o = co * N;
      let sum = 0;
      for (let j = 0; j < N; j++) sum += g[o + j];
      G[this.b + co] += sum;
      const wr = this.w + co * K;
      // Four columns per pass over the cotangent row.
      let k = 0;
      for (; k + 4 <= K; k += 4) {
        const ck = k * N;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let j = 0; j < N; j++) {
          const v = g[o + j];
          const i = ck + j;
          s0 += v * col[i];
          s1 += v * col[i + N];
          s2 += v * col[i + 2 * N];
          s3 += v * col[i + 3 * N];
        }
        G[wr + k] += s0;
        G[wr + k + 1] += s1;
        G[wr + k + 2] += s2;
        G[wr + k + 3] += s3;
      }
      for (; k < K; k++) {
        const ck = k * N;
        let acc = 0;
        for (let j = 0; j < N; j++) acc += g[o + j] * col[ck + j];
        G[wr + k] += acc;
      }
    }
    if (!gx) return;
    gx.fill(0, 0, cin * N);
    if (rowScratch.length < N) rowScratch = new Float64Array(N);
    const row = rowScratch;
    for (let ci = 0; ci < cin; ci++) {
      for (let di = -1; di <= 1; di++) {
        for (let dj = -1; dj <= 1; dj++) {
          const k = ci * 9 + (di + 1) * 3 + (dj + 1);
          // row = Σ_co w[co, k]·g[co]: the cotangent of column k, folded back onto x below
          row.fill(0, 0, N);
          let co = 0;
          for (; co + 4 <= cout; co += 4) {
            const wk = this.w + co * K + k;
            const a0 = P[wk], a1 = P[wk + K], a2 = P[wk + 2 * K], a3 = P[wk + 3 * K];
            const o = co * N;
            for (let j = 0; j < N; j++) {
              const i = o + j;
              row[j] += a0 * g[i] + a1 * g[i + N] + a2 * g[i + 2 * N] + a3 * g[i + 3 * N];
            }
          }
          for (; co < cout; co++) {
            const a = P[this.w + co * K + k];
            const o = co * N;
            for (let j = 0; j < N; j++) row[j] += a * g[o + j];
          }
          const r0 = Math.max(0, -di);
          const r1 = Math.min(H, H - di);
          const c0 = Math.max(0, -dj);
          const c1 = Math.min(W, W - dj);
          for (let n = 0; n < B; n++) {
            const dst = ci * N + n * plane + di * W + dj;
            for (let r = r0; r < r1; r++) {
              const src = n * plane + r * W;
              const d = dst + r * W;
              for (let c = c0; c < c1; c++) gx[d + c] += row[src + c];
            }
          }
        }
      }
    }
  }
}
