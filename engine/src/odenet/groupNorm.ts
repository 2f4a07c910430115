/**
 * Group normalisation (Wu and He 2018) with a per-channel affine map, forward and exact
 * backward. Activations here are channel-major across the batch, [C × B·plane] ("CNP": row c
 * holds channel c of every sample, one plane after another), which is what the im2col
 * convolutions read and write. A group is `channels / groups` consecutive channels of one
 * sample; its mean and variance (biased, as PyTorch's) are taken over those channels' planes.
 */

export interface GroupNormShape {
  channels: number;
  groups: number;
  /** Pixels of one channel of one sample (height × width). */
  plane: number;
}

/** PyTorch's default ε. */
export const GROUP_NORM_EPS = 1e-5;

/**
 * y = γ_c·x̂ + β_c with x̂ = (x − μ)/√(σ² + ε) per (sample, group); γ at P[gamma], β at P[beta].
 * Writes x̂ (same size as x) and 1/√(σ² + ε) per [sample × group] for the backward pass.
 */
export function groupNormForward(
  P: Float64Array,
  gamma: number,
  beta: number,
  s: GroupNormShape,
  x: Float64Array,
  B: number,
  y: Float64Array,
  xhat: Float64Array,
  inv: Float64Array,
): void {
  const { channels: C, groups, plane } = s;
  const per = C / groups;
  const N = B * plane;
  const m = per * plane;
  for (let n = 0; n < B; n++) {
    const j0 = n * plane;
    for (let g = 0; g < groups; g++) {
      let sum = 0;
      for (let c = g * per; c < (g + 1) * per; c++) {
        const row = c * N + j0;
        for (let j = 0; j < plane; j++) sum += x[row + j];
      }
      const mean = sum / m;
      let sq = 0;
      for (let c = g * per; c < (g + 1) * per; c++) {
        const row = c * N + j0;
        for (let j = 0; j < plane; j++) {
          const d = x[row + j] - mean;
          sq += d * d;
        }
      }
      const r = 1 / Math.sqrt(sq / m + GROUP_NORM_EPS);
      inv[n * groups + g] = r;
      for (let c = g * per; c < (g + 1) * per; c++) {
        const row = c * N + j0;
        const gc = P[gamma + c];
        const bc = P[beta + c];
        for (let j = 0; j < plane; j++) {
          const h = (x[row + j] - mean) * r;
          xhat[row + j] = h;
          y[row + j] = gc * h + bc;
        }
      }
    }
  }
}

/**
 * The backward pass for the cotangent gy: adds dL/dγ and dL/dβ into G (laid out as P) and
 * writes dL/dx = (1/σ̂)·(ĝ − mean(ĝ) − x̂·mean(ĝ ⊙ x̂)) per group, ĝ = γ_c·gy, into gx.
 */
export function groupNormBackward(
  P: Float64Array,
  G: Float64Array,
  gamma: number,
  beta: number,
  s: GroupNormShape,
  xhat: Float64Array,
  inv: Float64Array,
  B: number,
  gy: Float64Array,
  gx: Float64Array,
): void {
  const { channels: C, groups, plane } = s;
  const per = C / groups;
  const N = B * plane;
  const m = per * plane;
  for (let n = 0; n < B; n++) {
    const j0 = n * plane;
    for (let g = 0; g < groups; g++) {
      let sg = 0;
      let sgx = 0;
      for (let c = g * per; c < (g + 1) * per; c++) {
        const row = c * N + j0;
        const gc = P[gamma + c];
        let db = 0;
        let dg = 0;
        for (let j = 0; j < plane; j++) {
          const v = gy[row + j];
          db += v;
          dg += v * xhat[row + j];
        }
        G[beta + c] += db;
        G[gamma + c] += dg;
        sg += gc * db;
        sgx += gc * dg;
      }
      const mg = sg / m;
      const mgx = sgx / m;
      const r = inv[n * groups + g];
      for (let c = g * per; c < (g + 1) * per; c++) {
        const row = c * N + j0;
        const gc = P[gamma + c];
        for (let j = 0; j < plane; j++) gx[row + j] = r * (gc * gy[row + j] - mg - xhat[row + j] * mgx);
      }
    }
  }
}
