/** The fixed observation scale of the latent models: per component, the mean and std of the training observations. */
export interface ObservationScale {
  mean: Float64Array;
  std: Float64Array;
}

/** Sets `scale` to the mean and std of each component over these observations (row-major, mean.length components each). */
export function fitScale(scale: ObservationScale, observations: readonly Float64Array[]): void {
  const { mean, std } = scale;
  const D = mean.length;
  const sum = new Float64Array(D);
  const sq = new Float64Array(D);
  let n = 0;
  for (const ys of observations) {
    for (let i = 0; i + D <= ys.length; i += D) {
      for (let k = 0; k < D; k++) {
        sum[k] += ys[i + k];
        sq[k] += ys[i + k] * ys[i + k];
      }
      n++;
    }
  }
  for (let k = 0; k < D; k++) {
    mean[k] = n > 0 ? sum[k] / n : 0;
    const v = n > 1 ? sq[k] / n - mean[k] * mean[k] : 1;
    std[k] = v > 1e-12 ? Math.sqrt(v) : 1;
  }
}
