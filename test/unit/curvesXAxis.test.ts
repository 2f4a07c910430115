// The x axes of the training curves: iteration, time since the start (across resumed parts)
// and clock time, with a unit that keeps relative times short and clock ticks at round times.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ElapsedClock } from '../../webview/src/curves/elapsed';
import { clockTicks, elapsedSeconds, formatClock, niceTicks, relativeUnit, xValues } from '../../webview/src/curves/xAxis';

describe('elapsedSeconds', () => {
  it('is wallSeconds while the clock runs, and goes on from the last point after a resume restarts it', () => {
    const pts = [{ wallSeconds: 1 }, { wallSeconds: 2 }, {}, { wallSeconds: 3 }, { wallSeconds: 0.5 }, { wallSeconds: 1.5 }, { wallSeconds: NaN }];
    assert.deepEqual(elapsedSeconds(pts), [1, 2, undefined, 3, 3.5, 4.5, undefined]);
  });

  it('gives a total (null before any time is recorded)', () => {
    const clock = new ElapsedClock();
    assert.equal(clock.total, null);
    clock.next(4);
    clock.next(1);
    assert.equal(clock.total, 5);
  });
});

describe('xValues', () => {
  const points = [{ iteration: 1, wallSeconds: 30 }, { iteration: 2 }, { iteration: 3, wallSeconds: 90 }];

  it('gives the iteration, the training time in the unit, or the clock time', () => {
    assert.deepEqual(xValues(points, 'iteration', ''), [1, 2, 3]);
    assert.deepEqual(xValues(points, 'relative', '', 60), [0.5, undefined, 1.5]);
    const start = Date.UTC(2025, 0, 2, 3, 4, 5);
    assert.deepEqual(xValues(points, 'wall', new Date(start).toISOString()), [start + 30_000, undefined, start + 90_000]);
    assert.deepEqual(xValues(points, 'wall', 'not a date'), [undefined, undefined, undefined]);
  });

  it('lets a 300-iteration run and a 6000-iteration run each span its own time, not the planned iterations', () => {
    const short = Array.from({ length: 300 }, (_, i) => ({ iteration: i + 1, wallSeconds: (i + 1) * 0.5 }));
    const long = Array.from({ length: 6000 }, (_, i) => ({ iteration: i + 1, wallSeconds: (i + 1) * 0.01 }));
    const lastOf = (xs: (number | undefined)[]) => xs[xs.length - 1];
    assert.equal(lastOf(xValues(short, 'relative', '')), 150);
    assert.equal(lastOf(xValues(long, 'relative', '')), 60);
  });
});

describe('relativeUnit', () => {
  it('is seconds up to 3 minutes, minutes up to 3 hours, then hours', () => {
    assert.deepEqual([0, 180, 181, 3 * 3600, 3 * 3600 + 1].map((s) => relativeUnit(s).label), ['s', 's', 'min', 'min', 'h']);
  });
});

describe('clock ticks', () => {
  const at = (h: number, m: number, s = 0) => Date.UTC(2025, 0, 2, h, m, s);

  it('fall on round times, at most as many as asked', () => {
    const { ticks, step } = clockTicks(at(10, 3, 17), at(10, 41), 6, 0);
    assert.equal(step, 10 * 60_000);
    assert.deepEqual(ticks, [at(10, 10), at(10, 20), at(10, 30), at(10, 40)]);
    const short = clockTicks(at(10, 0, 1), at(10, 0, 44), 8, 0);
    assert.equal(short.step, 10_000);
    assert.equal(short.ticks.length, 4);
  });

  it('round in local time', () => {
    // UTC+5:30: local round hours are at hh:30 UTC.
    const { ticks } = clockTicks(at(10, 0), at(14, 0), 5, -330);
    assert.deepEqual(ticks, [at(10, 30), at(11, 30), at(12, 30), at(13, 30)]);
  });

  it('are written with seconds only when seconds apart', () => {
    const t = new Date(2025, 0, 2, 9, 5, 7).getTime();
    assert.equal(formatClock(t, 10_000), '09:05:07');
    assert.equal(formatClock(t, 5 * 60_000), '09:05');
    assert.equal(formatClock(t, 86_400_000), '01-02');
  });
});

describe('niceTicks', () => {
  it('puts round ticks inside the data range, so the axis ends where the data end', () => {
    assert.deepEqual(niceTicks(1, 6000, 7, true), [1000, 2000, 3000, 4000, 5000, 6000]);
    assert.deepEqual(niceTicks(1, 300, 7, true), [50, 100, 150, 200, 250, 300]);
    assert.deepEqual(niceTicks(104, 239, 8, true), [120, 140, 160, 180, 200, 220]);
  });

  it('keeps iteration steps whole, and lets time steps be fractions', () => {
    assert.deepEqual(niceTicks(1, 4, 10, true), [1, 2, 3, 4]);
    assert.deepEqual(niceTicks(0, 1.5, 4, false), [0, 0.5, 1, 1.5]);
    assert.deepEqual(niceTicks(0.1, 0.35, 6, false), [0.1, 0.15, 0.2, 0.25, 0.3, 0.35]);
  });

  it('gives the one value of an empty range', () => {
    assert.deepEqual(niceTicks(5, 5, 6, true), [5]);
    assert.deepEqual(niceTicks(NaN, NaN, 6, true), []);
  });
});
