/**
 * A first view of a long metrics.jsonl, in a few reads wherever the file is: one line at each of
 * evenly spaced offsets (the run's shape) and every line of its last stretch (where it is now).
 * The panel shows it while the whole file is read in the background, then replaces it.
 */
import * as fs from 'node:fs';
import { parseMetrics } from '../../../engine/src/train';
import type { CurvePoint } from '../../../webview/src/protocol';
import { toCurvePoint } from './metricsTail';

export interface PreviewOptions {
  /** Lines sampled across the file before its tail. */
  samples: number;
  /** Bytes at the end of the file read whole. */
  tailBytes: number;
}

export const PREVIEW: PreviewOptions = { samples: 2000, tailBytes: 256 << 10 };

/** Bytes read at each sampled offset: a metrics line is a few hundred. */
const WINDOW = 4096;

/** The points of the preview, in file order; lines that do not parse are left out (the full read reports them). */
export function previewPoints(file: string, opts: PreviewOptions = PREVIEW): CurvePoint[] {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const tailStart = Math.max(0, size - opts.tailBytes);
    const out: CurvePoint[] = [];
    const buf = Buffer.alloc(WINDOW);
    let covered = 0;
    for (let k = 0; k < opts.samples && tailStart > 0; k++) {
      const at = Math.max(covered, Math.floor((k * tailStart) / opts.samples));
      if (at >= tailStart) break;
      const n = fs.readSync(fd, buf, 0, WINDOW, at);
      // A line starts after a newline (or at the start of the file).
      const start = at === 0 ? 0 : buf.subarray(0, n).indexOf(0x0a) + 1;
      if (start === 0 && at !== 0) continue;
      const end = buf.subarray(start, n).indexOf(0x0a);
      if (end < 0 || at + start >= tailStart) continue;
      covered = at + start + end + 1;
      const record = parseMetrics(buf.toString('utf8', start, start + end + 1)).records[0];
      if (record) out.push(toCurvePoint(record));
    }
    const tail = Buffer.alloc(size - tailStart);
    const n = fs.readSync(fd, tail, 0, tail.length, tailStart);
    const from = tailStart === 0 ? 0 : tail.subarray(0, n).indexOf(0x0a) + 1;
    const to = tail.subarray(0, n).lastIndexOf(0x0a) + 1;
    if (to > from) for (const record of parseMetrics(tail.toString('utf8', from, to)).records) out.push(toCurvePoint(record));
    return out;
  } finally {
    fs.closeSync(fd);
  }
}
