/**
 * Follows one run's metrics.jsonl: each read returns only the records appended since the last
 * one, so a live panel sends a few points per update instead of the whole history. A file that
 * got shorter or was replaced (a resumed run rewinds its stream) is read again from the start.
 * Only complete lines are consumed; a line still being written is picked up by the next read.
 * A read can be bounded (`maxBytes`), so a long file is followed chunk by chunk, never held whole.
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
  /** True when the read stopped at `maxBytes` and complete lines are left to read. */
  more?: boolean;
}

export class MetricsTail {
  private offset = 0;
  private lines = 0;
  private inode: number | null = null;
  private started = false;

  constructor(readonly file: string) {}

  /** Bytes of the file consumed so far (complete lines). */
  get consumed(): number {
    return this.offset;
  }

  /** Bytes a read would look at now: what was appended, or the whole file when it was replaced or cut. */
  unread(): number {
    const stat = fs.statSync(this.file, { throwIfNoEntry: false });
    if (!stat) return 0;
    return stat.size < this.offset || (this.inode !== null && stat.ino !== this.inode) ? stat.size : stat.size - this.offset;
  }

  /**
   * Reads what was appended, at most `maxBytes` of it (a longer line is read whole); an absent
   * file reads as empty (a run that has not logged yet).
   */
  read(maxBytes = Infinity): TailRead {
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
      let want = Math.min(stat.size - this.offset, maxBytes);
      let buf: Buffer;
      let end: number;
      for (;;) {
        buf = Buffer.alloc(want);
        const n = fs.readSync(fd, buf, 0, buf.length, this.offset);
        end = buf.subarray(0, n).lastIndexOf(0x0a) + 1;
        // A line longer than the bound: read further until it ends (or the file does).
        if (end > 0 || want >= stat.size - this.offset) break;
        want = Math.min(stat.size - this.offset, want * 2);
      }
      if (end === 0) return { reset, records: [], badLines: [] };
      const more = want < stat.size - this.offset;
      const parsed = parseMetrics(buf.subarray(0, end).toString('utf8'));
      const firstLine = this.lines;
      this.offset += end;
      this.lines += countNewlines(buf, end);
      return {
        reset,
        records: parsed.records,
        badLines: parsed.badLines.map((b) => ({ line: firstLine + b.line, reason: b.reason })),
        ...(more ? { more } : {}),
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
  for (let i = buf.indexOf(0x0a); i >= 0 && i < end; i = buf.indexOf(0x0a, i + 1)) n++;
  return n;
}

const POINT_FIELDS = ['loss', 'evalLoss', 'accuracy', 'evalAccuracy', 'nfeForward', 'nfeBackward', 'iterationSeconds', 'wallSeconds', 'lr', 'kinetic', 'jacobian'] as const;

/** The fields the curves panel draws; anything else in the record stays on disk (and in CSV). */
export function toCurvePoint(record: MetricsRecord): CurvePoint {
  const p: CurvePoint = { iteration: record.iteration };
  for (const k of POINT_FIELDS) {
    const v = record[k];
    if (typeof v === 'number') p[k] = v;
  }
  return p;
}
