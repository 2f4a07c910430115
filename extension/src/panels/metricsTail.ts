/**
 * Follows one run's metrics.jsonl: each read returns only the records appended since the last
 * one, so a live panel sends a few points per update instead of the whole history. A file that
 * got shorter or was replaced (a resumed run rewinds its stream) is read again from the start.
 * Only complete lines are consumed; a line still being written is picked up by the next read.
 */
import * as fs from 'node:fs';
import { parseMetrics, type MetricsRecord } from '../../../engine/src/train';
import type { CurvePoint } from '../../../webview/src/protocol';

export interface TailRead {
  /** True when these records replace everything read before (first read, or the file was rewound). */
  reset: boolean;
  records: MetricsRecord[];
  /** Complete lines that did not parse, with their line numbers (1-based, in the file). */
  badLines: { line: number; reason: string }[];
}

export class MetricsTail {
  private offset = 0;
  private lines = 0;
  private inode: number | null = null;
  private started = false;

  constructor(readonly file: string) {}

  /** Reads what was appended; an absent file reads as empty (a run that has not logged yet). */
  read(): TailRead {
    let fd: number;
    try {
      fd = fs.openSync(this.file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      const reset = !this.started || this.offset > 0;
      this.restart();
      this.started = true; // when the file appears, all of it is "appended"
      return { reset, records: [], badLines: [] };
    }
    try {
      const stat = fs.fstatSync(fd);
      let reset = !this.started;
      if (stat.size < this.offset || (this.inode !== null && stat.ino !== this.inode)) {
        this.restart();
        reset = true;
      }
      this.started = true;
      this.inode = stat.ino;
      if (stat.size === this.offset) return { reset, records: [], badLines: [] };
      const buf = Buffer.alloc(stat.size - this.offset);
      const n = fs.readSync(fd, buf, 0, buf.length, this.offset);
      const end = buf.subarray(0, n).lastIndexOf(0x0a) + 1;
      if (end === 0) return { reset, records: [], badLines: [] };
      const parsed = parseMetrics(buf.subarray(0, end).toString('utf8'));
      const firstLine = this.lines;
      this.offset += end;
      this.lines += countNewlines(buf, end);
      return {
        reset,
        records: parsed.records,
        badLines: parsed.badLines.map((b) => ({ line: firstLine + b.line, reason: b.reason })),
      };
    } finally {
      fs.closeSync(fd);
    }
  }

  private restart(): void {
    this.offset = 0;
    this.lines = 0;
    this.inode = null;
    this.started = false;
  }
}

function countNewlines(buf: Buffer, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) if (buf[i] === 0x0a) n++;
  return n;
}

const POINT_FIELDS = ['loss', 'evalLoss', 'accuracy', 'evalAccuracy', 'nfeForward', 'nfeBackward', 'iterationSeconds', 'wallSeconds', 'lr'] as const;

/** The fields the curves panel draws; anything else in the record stays on disk (and in CSV). */
export function toCurvePoint(record: MetricsRecord): CurvePoint {
  const p: CurvePoint = { iteration: record.iteration };
  for (const k of POINT_FIELDS) {
    const v = record[k];
    if (typeof v === 'number') p[k] = v;
  }
  return p;
}
