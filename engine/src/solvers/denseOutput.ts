/**
 * Dense output of a Runge–Kutta step as weights: the interpolant at θ = (t − t0)/h is
 *   y(θ) = w0·y0 + w1·y1 + h·Σ_i v_i·k_i,
 * so evaluating it is one `lincomb`, on typed arrays and tensors alike.
 */
export interface DenseWeights {
  w0: number;
  w1: number;
  /** Per-stage weights v_i (already multiplied by h). */
  v: number[];
}

/**
 * Quartic through y0, y1, y(1/2) and the end slopes f0 = k_0, f1, with y(1/2) given by the
 * tableau's `mid` weights (Shampine's dopri5 interpolant; 4th order). `f1Index` is the stage
 * holding f(t1, y1), or −1 when f1 is passed as an extra stage after the last.
 */
export function quarticWeights(theta: number, h: number, mid: readonly number[], f1Index: number, stages: number): DenseWeights {
  const x = theta;
  const x2 = x * x;
  const x3 = x2 * x;
  const x4 = x3 * x;
  const wY0 = 1 - 11 * x2 + 18 * x3 - 8 * x4;
  const wY1 = -5 * x2 + 14 * x3 - 8 * x4;
  const wMid = 16 * x2 - 32 * x3 + 16 * x4;
  const wF0 = x - 4 * x2 + 5 * x3 - 2 * x4;
  const wF1 = x2 - 3 * x3 + 2 * x4;
  const v = new Array<number>(f1Index < 0 ? stages + 1 : stages).fill(0);
  for (let i = 0; i < stages; i++) v[i] = h * wMid * mid[i];
  v[0] += h * wF0;
  v[f1Index < 0 ? stages : f1Index] += h * wF1;
  return { w0: wY0 + wMid, w1: wY1, v };
}

/** Cubic Hermite through y0, y1 with end slopes f0, f1 (3rd order; for methods without `mid`). */
export function hermiteWeights(theta: number, h: number): { w0: number; w1: number; vf0: number; vf1: number } {
  const x = theta;
  const x2 = x * x;
  const x3 = x2 * x;
  return { w0: 2 * x3 - 3 * x2 + 1, w1: -2 * x3 + 3 * x2, vf0: h * (x3 - 2 * x2 + x), vf1: h * (x3 - x2) };
}
