// Axis ticks at 1, 2 or 5 × 10ᵏ and their labels: what every chart of the panels puts on its axes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatLogTick, formatTick, logTicks, niceStepAtLeast, niceTicks, stepDecimals } from '../../webview/src/shared/niceTicks';

describe('niceStepAtLeast', () => {
  it('rounds up to 1, 2 or 5 × 10ᵏ', () => {
    const cases: [number, number][] = [[0.3, 0.5], [0.2, 0.2], [0.21, 0.5], [1, 1], [1.01, 2], [3, 5], [7, 10], [0.0042, 0.005], [1234, 2000], [5e-7, 5e-7]];
    for (const [raw, step] of cases) assert.ok(Math.abs(niceStepAtLeast(raw) - step) < step * 1e-12, `${raw} → ${niceStepAtLeast(raw)}, want ${step}`);
  });
  it('is 1 for a step that is not positive', () => {
    assert.equal(niceStepAtLeast(0), 1);
    assert.equal(niceStepAtLeast(Number.NaN), 1);
  });
});

describe('niceTicks', () => {
  it('puts ticks at multiples of the step, never at the data ends', () => {
    // The trajectories panel's y(t) chart showed 1.29, 0.285, −0.715.
    const t = niceTicks(-0.715, 1.29, 5);
    assert.equal(t.step, 0.5);
    assert.deepEqual(t.ticks, [-0.5, 0, 0.5, 1]);
    assert.equal(t.niceMin, -1);
    assert.equal(t.niceMax, 1.5);
  });
  it('writes every tick without binary noise', () => {
    const t = niceTicks(0, 1, 10);
    assert.equal(t.step, 0.1);
    assert.deepEqual(t.ticks, [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
  });
  it('keeps ticks that fall on the ends', () => {
    assert.deepEqual(niceTicks(0, 25, 5).ticks, [0, 5, 10, 15, 20, 25]);
    const t = niceTicks(-2, 2, 4);
    assert.deepEqual(t.ticks, [-2, -1, 0, 1, 2]);
    assert.equal(t.niceMin, -2);
    assert.equal(t.niceMax, 2);
  });
  it('gives at most about `count` intervals, and any count may be fractional', () => {
    for (const [min, max] of [[-2.24, 3.29], [0.001, 0.0173], [-1e6, 3e6], [12.5, 12.6]]) {
      for (const count of [2, 3.7, 5, 8]) {
        const t = niceTicks(min, max, count);
        assert.ok((max - min) / t.step <= count + 1e-9, `${min}…${max} in ${count}: step ${t.step}`);
        assert.ok((max - min) / t.step > count / 2.5 - 1e-9, `${min}…${max} in ${count}: step ${t.step} is too coarse`);
        for (const v of t.ticks) assert.ok(v >= min - 1e-12 && v <= max + 1e-12);
        assert.ok(t.niceMin <= min && t.niceMax >= max);
      }
    }
  });
  it('widens an empty range around its value, and accepts a reversed one', () => {
    const t = niceTicks(3, 3, 4);
    assert.ok(t.ticks.includes(3));
    assert.ok(t.ticks.length >= 2);
    assert.deepEqual(niceTicks(2, -2, 4).ticks, [-2, -1, 0, 1, 2]);
    assert.deepEqual(niceTicks(0, 0, 4).ticks.includes(0), true);
  });
  it('has no ticks for a range that is not finite', () => {
    assert.deepEqual(niceTicks(Number.NaN, 1, 4).ticks, []);
    assert.deepEqual(niceTicks(0, Infinity, 4).ticks, []);
  });
});

describe('formatTick', () => {
  it("writes the step's decimals on every tick, with a true minus", () => {
    assert.deepEqual([-1, -0.5, 0, 0.5, 1].map((v) => formatTick(v, 0.5)), ['−1.0', '−0.5', '0.0', '0.5', '1.0']);
    assert.deepEqual([0, 5, 10].map((v) => formatTick(v, 5)), ['0', '5', '10']);
    assert.equal(formatTick(0.30000000000000004, 0.1), '0.3');
    assert.equal(formatTick(12.35, 0.05), '12.35');
    assert.equal(formatTick(-2e-17, 0.1), '0.0', 'no −0');
    assert.equal(stepDecimals(0.02), 2);
    assert.equal(stepDecimals(200), 0);
  });
  it('uses powers of ten for the very large and the very small', () => {
    assert.equal(formatTick(2e6, 1e6), '2e6');
    assert.equal(formatTick(2.5e6, 5e5), '2.5e6');
    assert.equal(formatTick(5e-5, 5e-5), '5e−5');
    assert.equal(formatTick(0, 5e-5), '0');
  });
});

describe('logTicks', () => {
  it('puts 1, 2 and 5 × 10ᵏ where a decade has room, rounding the range out to them', () => {
    const t = logTicks(0.0012, 0.3, 100, 24);
    assert.deepEqual(t.ticks, [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5]);
    assert.equal(t.niceMin, 0.001);
    assert.equal(t.niceMax, 0.5);
  });
  it('keeps to the powers of ten when decades are short, and skips some when even those crowd', () => {
    assert.deepEqual(logTicks(2e-7, 8, 40, 24).ticks, [1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1, 10]);
    assert.deepEqual(logTicks(2e-7, 8, 15, 24).ticks, [1e-6, 1e-4, 0.01, 1]);
  });
  it('has no ticks for a range a log axis cannot show', () => {
    assert.deepEqual(logTicks(0, 1, 100, 24).ticks, []);
    assert.deepEqual(logTicks(1, 1, 100, 24).ticks, []);
  });
  it('labels them as written by hand', () => {
    assert.deepEqual([0.001, 0.05, 1, 200, 5000].map(formatLogTick), ['0.001', '0.05', '1', '200', '5000']);
    assert.deepEqual([2e-5, 1e-7, 1e4, 5e6].map(formatLogTick), ['2e−5', '1e−7', '1e4', '5e6']);
  });
});
