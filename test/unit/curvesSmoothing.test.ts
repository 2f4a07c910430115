// TensorBoard's smoothing of the training curves: a debiased exponential moving average, so the
// first smoothed value is the first raw value, gaps are skipped, and 0 leaves the curve alone.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { XY } from '../../webview/src/curves/series';
import { smooth } from '../../webview/src/curves/smoothing';

const xy = (ys: (number | null)[]): XY[] => ys.map((y, i) => ({ x: i + 1, y }));
const ys = (data: XY[]) => data.map((p) => p.y);

/** TensorBoard's formula, written out: last = last·w + (1 − w)·v; shown = last / (1 − wⁿ). */
function reference(values: number[], w: number): number[] {
  let last = 0;
  return values.map((v, n) => {
    last = last * w + (1 - w) * v;
    return last / (1 - w ** (n + 1));
  });
}

describe('smooth', () => {
  it('starts at the first raw value (debiased), whatever the weight', () => {
    for (const w of [0.1, 0.6, 0.9, 0.99]) assert.equal(smooth(xy([3, 1, 2]), w)[0].y, 3);
  });

  it("follows TensorBoard's debiased moving average", () => {
    const values = [1, 0.5, 0.8, 0.2, 0.4, 0.1];
    const got = ys(smooth(xy(values), 0.6)) as number[];
    reference(values, 0.6).forEach((v, i) => assert.ok(Math.abs(got[i] - v) < 1e-12, `point ${i}: ${got[i]} vs ${v}`));
  });

  it('keeps a constant series constant', () => {
    for (const v of ys(smooth(xy([0.25, 0.25, 0.25, 0.25]), 0.9))) assert.ok(Math.abs((v as number) - 0.25) < 1e-12);
  });

  it('skips gaps and non-finite values: they stay gaps and leave the average as it was', () => {
    const got = ys(smooth(xy([1, null, NaN, Infinity, 3]), 0.5));
    assert.deepEqual(got.slice(0, 4), [1, null, null, null]);
    assert.deepEqual(got[4], reference([1, 3], 0.5)[1]);
  });

  it('leaves the data as it is at weight 0, keeps every x, and does not touch its input', () => {
    const data = xy([1, 2, null, 4]);
    const copy = structuredClone(data);
    assert.deepEqual(smooth(data, 0), data);
    assert.deepEqual(smooth(data, 0.8).map((p) => p.x), [1, 2, 3, 4]);
    assert.deepEqual(data, copy);
  });

  it('keeps weights at or above 1 finite', () => {
    for (const v of ys(smooth(xy([1, 2, 3]), 1))) assert.ok(Number.isFinite(v));
  });
});
