/**
 * Follows one run's histograms.jsonl as MetricsTail follows its metrics: each read returns only
 * the samples appended since the last (all of them the first time, or after a resume rewound the
 * file), and a line still being written waits for the next read. A line that parses but is not
 * a sample is reported with the unreadable ones.
 */
import * as path from 'node:path';
import { HISTOGRAMS_FILE, toHistogramSample } from '../../../engine/src/train/histogramLog';
import type { HistogramSample } from '../../../webview/src/protocol';
import { MetricsTail } from './metricsTail';

export interface HistogramsRead {
  reset: boolean;
  samples: HistogramSample[];
  /** How many complete lines were left out (unreadable, or not a sample). */
  badLines: number;
}

export class HistogramsTail {
  private readonly tail: MetricsTail;

  constructor(runDir: string) {
    this.tail = new MetricsTail(path.join(runDir, HISTOGRAMS_FILE));
  }

  get file(): string {
    return this.tail.file;
  }

  read(): HistogramsRead {
    const read = this.tail.read();
    const samples: HistogramSample[] = [];
    for (const r of read.records) {
      const s = toHistogramSample(r);
      if (s) samples.push(s);
    }
    return { reset: read.reset, samples, badLines: read.badLines.length + read.records.length - samples.length };
  }
}
