import { DataError } from './errors';
import { readDataFile } from './readFile';
import type { TrajectoryData } from './types';

export interface CsvOptions {
  /** The time column, by header name or 0-based index (default: a column named t or time, else the first). */
  timeColumn?: string | number;
  /** Value columns to keep, by header name (default: every column but the time column). */
  columns?: string[];
  /** Field separator (default ','). */
  delimiter?: string;
}

export interface CsvTimeSeries extends TrajectoryData {
  /** The names of the value columns, in the order of each state's components. */
  columns: string[];
  timeColumn: string;
}

/** A decimal number: an optional sign, digits with an optional decimal point, an optional exponent. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** The words for values that are not finite, which are refused as such. */
const NOT_FINITE = /^[+-]?(nan|inf|infinity)$/i;

function unquote(s: string): string {
  const v = s.trim();
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1).replace(/""/g, '"') : v;
}

/**
 * A time series from CSV text: a header row, then one row per sample; a time column that is
 * strictly increasing; the other (or the chosen) columns finite decimal numbers (not '0x10', not
 * 'nan' or 'inf', not empty). Blank lines and lines starting with '#' are skipped. Errors name the
 * file, the line, the data row and the column.
 */
export function parseCsvTimeSeries(text: string, opts: CsvOptions = {}, file = '<csv>'): CsvTimeSeries {
  const delimiter = opts.delimiter ?? ',';
  const lines = text.split(/\r?\n/);
  let headerLine = -1;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i].trim();
    if (l !== '' && !l.startsWith('#')) {
      headerLine = i;
      break;
    }
  }
  if (headerLine < 0) throw new DataError('format', `${file}: no header row (the file is empty): the first line must name the columns, e.g. "t,x,y".`, { file });
  const header = lines[headerLine].split(delimiter).map(unquote);
  const where = (line: number) => `${file}:${line}`;
  if (header.length < 2) {
    throw new DataError('format', `${where(headerLine + 1)}: the header has ${header.length} column ("${lines[headerLine].trim()}"); a time series needs a time column and at least one value column${delimiter === ',' ? ' (is the separator not a comma? set delimiter)' : ''}.`, { file, line: headerLine + 1 });
  }
  const seen = new Set<string>();
  for (const h of header) {
    if (h === '') throw new DataError('format', `${where(headerLine + 1)}: a header field is empty; name every column.`, { file, line: headerLine + 1 });
    if (seen.has(h)) throw new DataError('format', `${where(headerLine + 1)}: the column name "${h}" appears twice; names must be unique.`, { file, line: headerLine + 1 });
    seen.add(h);
  }
  let timeIdx: number;
  if (typeof opts.timeColumn === 'number') {
    timeIdx = opts.timeColumn;
    if (!Number.isInteger(timeIdx) || timeIdx < 0 || timeIdx >= header.length) {
      throw new DataError('input', `${file}: timeColumn ${opts.timeColumn} is out of range; the header has ${header.length} columns (${header.join(', ')}).`, { file });
    }
  } else if (typeof opts.timeColumn === 'string') {
    timeIdx = header.indexOf(opts.timeColumn);
    if (timeIdx < 0) throw new DataError('input', `${file}: no column "${opts.timeColumn}" for time; the header has ${header.join(', ')}.`, { file });
  } else {
    const named = header.findIndex((h) => /^(t|time)$/i.test(h));
    timeIdx = named >= 0 ? named : 0;
  }
  const valueNames = opts.columns ?? header.filter((_, i) => i !== timeIdx);
  const valueIdx = valueNames.map((name) => {
    const i = header.indexOf(name);
    if (i < 0) throw new DataError('input', `${file}: no column "${name}"; the header has ${header.join(', ')}.`, { file });
    if (i === timeIdx) throw new DataError('input', `${file}: "${name}" is the time column; list only value columns in columns.`, { file });
    return i;
  });
  if (valueIdx.length === 0) throw new DataError('input', `${file}: no value columns selected.`, { file });

  const ts: number[] = [];
  const ys: Float64Array[] = [];
  for (let i = headerLine + 1; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const lineNo = i + 1;
    const fields = lines[i].split(delimiter);
    if (fields.length !== header.length) {
      throw new DataError('format', `${where(lineNo)}: ${fields.length} fields, but the header has ${header.length} (${header.join(', ')}).`, { file, line: lineNo });
    }
    const row = ts.length + 1;
    const num = (col: number): number => {
      const s = unquote(fields[col]).trim();
      const cell = `data row ${row}, column ${col + 1}`;
      if (s === '') {
        throw new DataError('format', `${where(lineNo)}: column "${header[col]}" is empty (${cell}): fill in the value or drop the row.`, { file, line: lineNo });
      }
      if (!DECIMAL.test(s) && !NOT_FINITE.test(s)) {
        throw new DataError(
          'format',
          `${where(lineNo)}: column "${header[col]}" is "${s}", not a decimal number (${cell}): write numbers as an optional sign, digits, ` +
            'a decimal point and an exponent, e.g. -1.5e-3 (no hexadecimal, no digit separators).',
          { file, line: lineNo },
        );
      }
      const v = NOT_FINITE.test(s) ? NaN : Number(s);
      if (!Number.isFinite(v)) {
        throw new DataError(
          'format',
          `${where(lineNo)}: column "${header[col]}" is "${s}", not a finite number (${cell}): ` +
            'a NaN or an infinite value makes the loss NaN and training diverge. Fill it in or drop the row.',
          { file, line: lineNo },
        );
      }
      return v;
    };
    const t = num(timeIdx);
    if (ts.length > 0 && !(t > ts[ts.length - 1])) {
      throw new DataError('format', `${where(lineNo)}: time ${t} does not increase (the previous row has ${ts[ts.length - 1]}); sort the rows by "${header[timeIdx]}" and drop duplicates.`, { file, line: lineNo });
    }
    ts.push(t);
    ys.push(Float64Array.from(valueIdx, num));
  }
  if (ts.length === 0) throw new DataError('format', `${file}: a header but no data rows.`, { file });
  return {
    name: file,
    dim: valueIdx.length,
    t: Float64Array.from(ts),
    ys,
    y0: Float64Array.from(ys[0]),
    columns: valueNames,
    timeColumn: header[timeIdx],
  };
}

/** Loads a CSV time series from a file (plain or gzip). */
export function loadCsvTimeSeries(file: string, opts: CsvOptions = {}): CsvTimeSeries {
  return parseCsvTimeSeries(readDataFile(file).toString('utf8'), opts, file);
}
