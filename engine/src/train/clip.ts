/**
 * Gradient clipping, in place, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_.
 */

/**
 * Scales grads so that their global norm is at most maxNorm (p-norm, p = 2 by default or
 * Infinity) and returns the norm before clipping. As in PyTorch the scale is
 * maxNorm / (norm + 1e-6), applied only when below 1. A non-finite norm leaves the gradients
 * untouched: the caller sees it in the return value and decides (a NaN loss stops training).
 */
export function clipGradNorm(grads: Float64Array | Float64Array[], maxNorm: number, normType = 2): number {
  if (!(maxNorm >= 0)) throw new RangeError(`clipGradNorm: maxNorm must be ≥ 0, got ${maxNorm}.`);
  if (!(normType > 0)) throw new RangeError(`clipGradNorm: normType must be > 0 or Infinity, got ${normType}.`);
  const parts = Array.isArray(grads) ? grads : [grads];
  let norm: number;
  if (normType === Infinity) {
    norm = 0;
    for (const g of parts) for (let i = 0; i < g.length; i++) norm = Math.max(norm, Math.abs(g[i])); // NaN propagates
  } else {
    // Scaled by the largest entry so that squares of huge gradients do not overflow.
    let scale = 0;
    for (const g of parts) for (let i = 0; i < g.length; i++) scale = Math.max(scale, Math.abs(g[i]));
    if (!Number.isFinite(scale)) {
      norm = Number.isNaN(scale) || parts.some((g) => g.some(Number.isNaN)) ? NaN : Infinity;
    } else if (scale === 0) {
      norm = 0;
    } else {
      let s = 0;
      for (const g of parts) for (let i = 0; i < g.length; i++) s += Math.pow(Math.abs(g[i]) / scale, normType);
      norm = scale * Math.pow(s, 1 / normType);
    }
  }
  if (!Number.isFinite(norm)) return norm;
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) for (const g of parts) for (let i = 0; i < g.length; i++) g[i] *= coef;
  return norm;
}

/** Clamps every gradient entry to [−clipValue, clipValue]; returns how many entries were clipped. */
export function clipGradValue(grads: Float64Array | Float64Array[], clipValue: number): number {
  if (!(clipValue >= 0)) throw new RangeError(`clipGradValue: clipValue must be ≥ 0, got ${clipValue}.`);
  let clipped = 0;
  for (const g of Array.isArray(grads) ? grads : [grads]) {
    for (let i = 0; i < g.length; i++) {
      if (g[i] > clipValue) {
        g[i] = clipValue;
        clipped++;
      } else if (g[i] < -clipValue) {
        g[i] = -clipValue;
        clipped++;
      }
    }
  }
  return clipped;
}
