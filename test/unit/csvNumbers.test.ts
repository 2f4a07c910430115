// What a CSV cell may hold: a decimal number (an optional sign, digits, a decimal point, an
// exponent) and nothing else. JavaScript's Number() would read '0x10' as 16, ' ' as 0 and 'inf'
// as nothing; here those are refused at their line, data row and column, and the words for
// values that are not finite are refused as such.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataError, parseCsvTimeSeries } from '../../engine/src/data/index';

/** The values of the single value column of a CSV with one row per cell. */
const read = (...cells: string[]): number[] => [...parseCsvTimeSeries(`t,x\n${cells.map((c, i) => `${i},${c}`).join('\n')}\n`, {}, 'data.csv').ys].map((y) => y[0]);

const refused = (cell: string, pattern: RegExp) => () =>
  assert.throws(() => parseCsvTimeSeries(`t,x\n0,1\n1,${cell}\n`, {}, 'data.csv'), (e: unknown) => {
    assert.ok(e instanceof DataError && e.kind === 'format', String(e));
    assert.match(e.message, pattern);
    return true;
  });

describe('CSV numbers', () => {
  it('reads decimal numbers: signs, points, exponents, quoted', () => {
    assert.deepEqual(read('1', '-2.5', '+.5', '5.', '1e3', '-1.5E-3', '"7"', ' 8 '), [1, -2.5, 0.5, 5, 1000, -0.0015, 7, 8]);
  });

  it("refuses '0x10', binary, octal, separators and a lone sign as not decimal numbers", () => {
    for (const cell of ['0x10', '0b1', '0o7', '1_000', '-', '1e', '.', '1.2.3']) {
      refused(cell, new RegExp(`^data\\.csv:3: column "x" is "${cell.replace(/[.+]/g, '\\$&')}", not a decimal number \\(data row 2, column 2\\)`))();
    }
  });

  it("refuses 'nan', 'inf' and their kin as values that are not finite", () => {
    for (const cell of ['nan', 'NaN', 'inf', '-inf', 'Infinity', '-Infinity', '+INF']) {
      refused(cell, new RegExp(`^data\\.csv:3: column "x" is "${cell.replace(/\+/g, '\\+')}", not a finite number \\(data row 2, column 2\\)`))();
    }
  });

  it('says an empty cell is empty, with its row and column', () => {
    refused('', /^data\.csv:3: column "x" is empty \(data row 2, column 2\)/)();
    refused('""', /^data\.csv:3: column "x" is empty \(data row 2, column 2\)/)();
    refused('  ', /^data\.csv:3: column "x" is empty \(data row 2, column 2\)/)();
  });
});
