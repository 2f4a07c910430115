/**
 * lincomb for float64 states: per component, the terms are added in registers, four at a time,
 * instead of one pass over the whole array per term. Each component still sees
 * base + c₀x₀ + c₁x₁ + … added left to right, zero coefficients skipped, so the result is the
 * same bits as the one-pass-per-term loop (float32 states keep that loop: there every partial
 * sum is rounded to float32).
 */
export function lincombFloat64(base: Float64Array | null, coeffs: ArrayLike<number>, xs: readonly Float64Array[]): Float64Array {
  const n = base ? base.length : xs[0].length;
  const cs: number[] = [];
  const vs: Float64Array[] = [];
  for (let j = 0; j < xs.length; j++) {
    if (coeffs[j] === 0) continue;
    cs.push(coeffs[j]);
    vs.push(xs[j]);
  }
  // Zeroed, as the plain version's: with no base the first group starts from these zeros.
  const out = new Float64Array(n);
  if (cs.length === 0 && base) out.set(base);
  let s = base ?? out;
  for (let g = 0; g < cs.length; g += 4) {
    const k = Math.min(4, cs.length - g);
    const c0 = cs[g];
    const x0 = vs[g];
    if (k === 1) {
      for (let i = 0; i < n; i++) out[i] = s[i] + c0 * x0[i];
    } else if (k === 2) {
      const [c1, x1] = [cs[g + 1], vs[g + 1]];
      for (let i = 0; i < n; i++) out[i] = s[i] + c0 * x0[i] + c1 * x1[i];
    } else if (k === 3) {
      const [c1, x1, c2, x2] = [cs[g + 1], vs[g + 1], cs[g + 2], vs[g + 2]];
      for (let i = 0; i < n; i++) out[i] = s[i] + c0 * x0[i] + c1 * x1[i] + c2 * x2[i];
    } else {
      const [c1, x1, c2, x2, c3, x3] = [cs[g + 1], vs[g + 1], cs[g + 2], vs[g + 2], cs[g + 3], vs[g + 3]];
      for (let i = 0; i < n; i++) out[i] = s[i] + c0 * x0[i] + c1 * x1[i] + c2 * x2[i] + c3 * x3[i];
    }
    s = out;
  }
  return out;
}
