/**
 * TensorBoard's scalar smoothing: a debiased exponential moving average. Plain EMA starts from
 * 0 and so drags the first values towards it; dividing by 1 − weightⁿ (n: values seen) removes
 * that bias, so the first smoothed value is the first raw value.
 */
import type { XY } from './series';

/** Smooths `data` with `weight` in [0, 1): 0 returns the values as they are. Gaps (y null) stay gaps and do not reset the average. */
export function smooth(data: readonly XY[], weight: number): XY[] {
  const w = Math.min(Math.max(weight, 0), 0.999);
  if (w === 0) return data.map((p) => ({ x: p.x, y: p.y }));
  let last = 0;
  let seen = 0;
  return data.map((p) => {
    if (p.y === null || !Number.isFinite(p.y)) return { x: p.x, y: null };
    last = last * w + (1 - w) * p.y;
    seen++;
    // The first is the raw value exactly (the division would only add rounding).
    return { x: p.x, y: seen === 1 ? p.y : last / (1 - w ** seen) };
  });
}
