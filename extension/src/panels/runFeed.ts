/**
 * One run's metrics.jsonl as the curves panel follows it: read chunk by chunk, each record
 * folded into the runs table's figures and, while the run is shown, into its downsampled points,
 * in the same pass. Memory is bounded by the chunk and the downsampler's buckets, whatever the
 * length of the run. A rewound or replaced file is read again from the start.
 */
import type { CurvePoint, CurveRunStats } from '../../../webview/src/protocol';
import { CurvePointTimes } from './curvePointTimes';
import { CurvesDownsampler, type DownsampledChanges } from './curvesDownsampler';
import { RunStatsFold } from './curvesRunStats';
import { MetricsTail, toCurvePoint } from './metricsTail';

export interface RunFeedOptions {
  /** Keep the points for the chart (a shown run); without, only the figures. */
  points: boolean;
  buckets?: number;
  /** Figures to show until this feed has read the file through (those of a feed it replaces). */
  settled?: CurveRunStats | null;
}

export interface FeedStep {
  /** Complete lines of this chunk that did not parse (line numbers in the file). */
  badLines: { line: number; reason: string }[];
  /** True when the chunk stopped short of the end of the file. */
  more: boolean;
}

/** Bytes read at a time. */
export const CHUNK_BYTES = 2 << 20;

export class RunFeed {
  private readonly tail: MetricsTail;
  private fold = new RunStatsFold();
  private times = new CurvePointTimes();
  private sampler: CurvesDownsampler | null;
  private settled: CurveRunStats | null;
  /** Whether a first view from the file's tail and samples was sent before the points (it is replaced by them). */
  previewed = false;

  constructor(
    readonly file: string,
    private readonly opts: RunFeedOptions,
  ) {
    this.tail = new MetricsTail(file);
    this.sampler = opts.points ? new CurvesDownsampler(opts.buckets) : null;
    this.settled = opts.settled ?? null;
  }

  get hasPoints(): boolean {
    return this.sampler !== null;
  }

  /** Whether nothing has been read yet. */
  get fresh(): boolean {
    return this.tail.consumed === 0;
  }

  /** The figures as of the last time the file was read through; null before. */
  get stats(): CurveRunStats | null {
    return this.settled;
  }

  /** Bytes the next reads would go through. */
  unread(): number {
    return this.tail.unread();
  }

  /** Reads the next chunk and folds it in (throws what the read throws). */
  step(maxBytes = CHUNK_BYTES): FeedStep {
    const r = this.tail.read(maxBytes);
    if (r.reset) {
      this.fold = new RunStatsFold();
      this.times = new CurvePointTimes();
      if (this.sampler) this.sampler = new CurvesDownsampler(this.opts.buckets);
    }
    const sampler = this.sampler;
    for (const record of r.records) {
      const p = toCurvePoint(record);
      this.fold.addPoint(p);
      if (sampler) sampler.add(this.times.next(p));
    }
    const more = r.more === true;
    if (!more) this.settled = this.fold.stats;
    return { badLines: r.badLines, more };
  }

  /** Reads to the end of the file, chunk by chunk; the bad lines of every chunk. */
  readAll(maxBytes = CHUNK_BYTES): FeedStep['badLines'] {
    const bad: FeedStep['badLines'] = [];
    for (;;) {
      const r = this.step(maxBytes);
      bad.push(...r.badLines);
      if (!r.more) return bad;
    }
  }

  /** The shown points to send: everything after a reset or a widening, else the changed tail. */
  takeChanges(): DownsampledChanges {
    return this.sampler ? this.sampler.takeChanges() : { reset: false, points: [] };
  }

  /** Every kept point (for a receiver that starts afresh); the changes so far count as sent. */
  allPoints(): CurvePoint[] {
    if (!this.sampler) return [];
    const c = this.sampler.takeChanges();
    return c.reset ? c.points : this.sampler.points();
  }

  /** Stops keeping points (the run is no longer shown); the figures go on. */
  dropPoints(): void {
    this.sampler = null;
  }
}
