import * as fs from 'node:fs';

/** Step-size statistics of one iteration's solves (forward, and backward where there is one). */
export interface StepSizeStats {
  hMin: number;
  hMax: number;
  hMean?: number;
  nAccepted?: number;
  nRejected?: number;
}

/** One line of metrics.jsonl: one training iteration. */
export interface MetricsRecord {
  iteration: number;
  loss: number;
  nfeForward?: number;
  nfeBackward?: number;
  /** Seconds since the run (or its resumed part) started, at the end of this iteration. */
  wallSeconds?: number;
  /** Seconds this iteration took. */
  iterationSeconds?: number;
  lr?: number;
  gradNorm?: number;
  stepSize?: StepSizeStats;
  stepSizeBackward?: StepSizeStats;
  [key: string]: unknown;
}

export interface MetricsRead {
  records: MetricsRecord[];
  /** The last line, when it has no newline and does not parse: the write a crash interrupted. */
  truncatedTail: { line: number; text: string } | null;
  /** Complete lines that do not parse (not expected; reported rather than fatal). */
  badLines: { line: number; text: string; reason: string }[];
}

/** JSON has no NaN/Infinity: they are written as strings so a diverged loss is kept, not nulled. */
export function formatMetricsLine(record: MetricsRecord): string {
  return JSON.stringify(record, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)) + '\n';
}

const NON_FINITE = new Set(['NaN', 'Infinity', '-Infinity']);

/** Whether a line may hold a non-finite number written as a string ("NaN", "Infinity", "-Infinity", or escaped). */
const mayHoldNonFinite = (text: string): boolean => text.includes('NaN"') || text.includes('Infinity"') || text.includes('\\u');

function parseLine(text: string): MetricsRecord {
  // A reviver makes JSON.parse about four times slower; only a line that can hold one of the strings needs it.
  const v = (mayHoldNonFinite(text) ? JSON.parse(text, (_k, x: unknown) => (typeof x === 'string' && NON_FINITE.has(x) ? Number(x) : x)) : JSON.parse(text)) as unknown;
  if (v === null || typeof v !== 'object' || Array.isArray(v) || typeof (v as MetricsRecord).iteration !== 'number') {
    throw new Error('not a metrics record (an object with a numeric "iteration")');
  }
  return v as MetricsRecord;
}

/** Parses metrics.jsonl text, keeping every good line. */
export function parseMetrics(text: string): MetricsRead {
  const out: MetricsRead = { records: [], truncatedTail: null, badLines: [] };
  const lines = text.split('\n');
  const endsClean = text.endsWith('\n') || text === '';
  lines.forEach((raw, i) => {
    const isTail = i === lines.length - 1;
    if (raw.trim() === '') return;
    try {
      out.records.push(parseLine(raw));
    } catch (err) {
      if (isTail && !endsClean) out.truncatedTail = { line: i + 1, text: raw };
      else out.badLines.push({ line: i + 1, text: raw, reason: (err as Error).message });
    }
  });
  return out;
}

export function readMetricsFile(file: string): MetricsRead {
  if (!fs.existsSync(file)) return { records: [], truncatedTail: null, badLines: [] };
  return parseMetrics(fs.readFileSync(file, 'utf8'));
}

/** The last complete record, reading only the end of the file (runs can have millions of lines). */
export function lastMetricsRecord(file: string): MetricsRecord | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const size = fs.fstatSync(fd).size;
    for (let span = 4096; ; span *= 4) {
      const start = Math.max(0, size - span);
      const buf = Buffer.alloc(size - start);
      fs.readSync(fd, buf, 0, buf.length, start);
      const lines = buf.toString('utf8').split('\n');
      // The first line of a window may be cut; only trust it when the window reaches the file start.
      const firstUsable = start === 0 ? 0 : 1;
      for (let i = lines.length - 1; i >= firstUsable; i--) {
        if (lines[i].trim() === '') continue;
        try {
          return parseLine(lines[i]);
        } catch {
          // a truncated tail or a bad line: look further back
        }
      }
      if (start === 0) return null;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Cuts an interrupted last line off the file, so the next append starts on a fresh line (a last
 * line that parses and only lacks its newline gets one). Returns the text removed, or ''.
 */
export function repairMetricsTail(file: string): string {
  if (!fs.existsSync(file)) return '';
  const text = fs.readFileSync(file);
  if (text.length === 0 || text[text.length - 1] === 0x0a) return '';
  const keep = text.lastIndexOf(0x0a) + 1;
  const tail = text.subarray(keep).toString('utf8');
  try {
    parseLine(tail); // complete but for its newline: keep it
    fs.appendFileSync(file, '\n');
    return '';
  } catch {
    fs.truncateSync(file, keep);
    return tail;
  }
}
