// Axis labels of the training curves: one number format for every tick and read-out, and on a
// log axis only 1, 2 and 5 × 10^k labelled, thinned as the axis gets shorter.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatCount, formatDuration, formatTick, formatValue, linearTickFormat } from '../../webview/src/curves/format';
import { logTickFilter, logTickLabels } from '../../webview/src/curves/logTicks';

describe('number formats', () => {
  it('ticks: 3 significant digits, exponents below 1e-3 and from 1e4', () => {
    assert.deepEqual(
      [1, 0.5, 0.1, 0.01, 0.005, 0.001, 26, 1500, 9999, 12000, 0.0001, 0.00098, 2e6, 0, 0.30000000000000004, 1.23456].map(formatTick),
      ['1', '0.5', '0.1', '0.01', '0.005', '0.001', '26', '1500', '1e4', '1.2e4', '1e-4', '9.8e-4', '2e6', '0', '0.3', '1.23'],
    );
  });

  it('read-outs: 4 significant digits in the same forms, and a dash for nothing', () => {
    assert.deepEqual([0.123456, 1e-5, 123456, 9999, null, undefined, NaN].map(formatValue), ['0.1235', '1e-5', '1.235e5', '9999', '–', '–', 'NaN']);
  });

  it('counts and durations', () => {
    assert.deepEqual([0, 300, 6000, 1234567.4, null].map(formatCount), ['0', '300', '6,000', '1,234,567', '–']);
    assert.deepEqual([12.345, 59.9, 245, 3600 * 2 + 7 * 60 + 5, null].map(formatDuration), ['12.3 s', '59.9 s', '4 min 05 s', '2 h 07 min', '–']);
  });
});

describe('log axis labels', () => {
  /** chart.js's ticks of a log axis: every integer mantissa of every decade, plus the ends. */
  function chartTicks(min: number, max: number): number[] {
    const out = [min];
    for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
      for (let m = 1; m <= 9; m++) {
        const v = Math.round(m * 10 ** e * 1e12) / 1e12;
        if (v > min && v < max) out.push(v);
      }
    }
    return [...out, max];
  }
  const labelled = (min: number, max: number, px: number) => chartTicks(min, max).filter(logTickFilter(logTickLabels(min, max, px)));

  it('labels only 1, 2 and 5 × 10^k when the axis is tall enough', () => {
    assert.deepEqual(labelled(0.01, 0.6, 260), [0.01, 0.02, 0.05, 0.1, 0.2, 0.5]);
  });

  it('thins to 1 × 10^k, then to every other decade, on a short axis', () => {
    assert.deepEqual(labelled(1e-4, 2, 120), [1e-4, 1e-3, 0.01, 0.1, 1]);
    assert.deepEqual(labelled(1e-8, 10, 100), [1e-8, 1e-6, 1e-4, 0.01, 1]);
  });

  it('keeps labels at least the gap apart however long the range', () => {
    for (const [min, max, px] of [[1e-6, 3, 260], [0.003, 0.7, 40], [1e-12, 1e3, 200], [0.5, 0.9, 260]]) {
      const labels = logTickLabels(min, max, px);
      const pxPerDecade = px / Math.log10(max / min);
      for (let i = 1; i < labels.length; i++) assert.ok(Math.log10(labels[i] / labels[i - 1]) * pxPerDecade >= 16 - 1e-9, `${labels[i - 1]}→${labels[i]} on [${min}, ${max}] at ${px} px`);
    }
  });

  it('on an axis narrower than a 1-2-5 step, labels the round ticks, or its ends', () => {
    assert.deepEqual(labelled(26, 62, 260), [30, 40, 50, 60]);
    assert.deepEqual(labelled(0.41, 0.46, 260), [0.41, 0.46]);
  });

  it('matches chart.js tick values through their rounding noise', () => {
    const keep = logTickFilter([0.2, 5e-4]);
    assert.equal(keep(0.1 + 0.1 + 1e-17), true);
    assert.equal(keep(0.0005000000000000001), true);
    assert.equal(keep(0.3), false);
  });
});

describe('linear axis labels', () => {
  it('are all in one form: exponents for every label when one needs it', () => {
    const lr = [1e-4, 2e-4, 5e-4, 1e-3];
    assert.deepEqual(lr.map(linearTickFormat(lr)), ['1e-4', '2e-4', '5e-4', '1e-3']);
    const nfe = [20, 40, 60, 80];
    assert.deepEqual(nfe.map(linearTickFormat(nfe)), ['20', '40', '60', '80']);
    const big = [0, 5000, 10000];
    assert.deepEqual(big.map(linearTickFormat(big)), ['0', '5e3', '1e4']);
  });
});
