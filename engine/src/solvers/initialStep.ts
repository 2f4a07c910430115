import type { StateAlgebra, Tolerance } from '../state/algebra';

/**
 * Hairer, Nørsett & Wanner's starting step (Solving ODEs I, II.4): a step that would make
 * an explicit Euler step's error ≈ 1 % of the tolerance, refined by one more evaluation of f
 * to estimate the second derivative. Costs one evaluation of f. Returns |h|.
 */
export async function selectInitialStep<S>(
  ops: StateAlgebra<S>,
  evalF: (t: number, y: S) => S,
  t0: number,
  y0: S,
  f0: S,
  dir: number,
  order: number,
  rtol: Tolerance,
  atol: Tolerance,
  count?: number,
): Promise<number> {
  const d0 = await ops.weightedRms(y0, rtol, atol, y0, undefined, count);
  const d1 = await ops.weightedRms(f0, rtol, atol, y0, undefined, count);
  const h0 = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : (0.01 * d0) / d1;
  const y1 = ops.lincomb(y0, [dir * h0], [f0]);
  const f1 = evalF(t0 + dir * h0, y1);
  const diff = ops.lincomb(f1, [-1], [f0]);
  const d2 = (await ops.weightedRms(diff, rtol, atol, y0, undefined, count)) / h0;
  ops.dispose(y1);
  ops.dispose(f1);
  ops.dispose(diff);
  const h1 =
    d1 <= 1e-15 && d2 <= 1e-15 ? Math.max(1e-6, h0 * 1e-3) : Math.pow(0.01 / Math.max(d1, d2), 1 / (order + 1));
  const h = Math.min(100 * h0, h1);
  return Number.isFinite(h) && h > 0 ? h : 1e-6;
}
