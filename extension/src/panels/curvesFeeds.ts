/**
 * The curves panel's reading of metrics files, apart from VS Code: a RunFeed per listed run
 * (the runs table's figures) that also keeps the downsampled points of each shown run.
 *
 * What is small is read at once, as it always was: a run's appended lines, a few megabytes of
 * runs. What is long is read in the background, a chunk per turn of the event loop, shown runs
 * first, so the extension host stays responsive: a shown run gets a first view from its file's
 * tail and samples right away, and its full (downsampled) points when the read is through; the
 * runs list gets each run's figures as its read ends.
 */
import type { CurvePoint, CurveRunStats } from '../../../webview/src/protocol';
import { previewPoints, PREVIEW, type PreviewOptions } from './metricsPreview';
import { CHUNK_BYTES, RunFeed } from './runFeed';

export interface FeedSink {
  /** A shown run's points: all of them (`reset`), or those from the first one's iteration on. */
  points(runId: string, reset: boolean, points: CurvePoint[]): void;
  /** Complete lines of a shown run's file that could not be read. */
  badLines(file: string, lines: { line: number; reason: string }[]): void;
  /** A read could not be done (the file is unreadable). */
  failed(file: string, error: Error): void;
  /** A background read ended: the runs list's figures changed. */
  statsChanged(): void;
}

export interface FeedOptions {
  /** Bytes read per chunk. */
  chunkBytes: number;
  /** A shown run with at most this much to read is read at once. */
  syncBytes: number;
  /** A shown run with more than this to read first gets a preview. */
  previewBytes: number;
  preview: PreviewOptions;
  buckets?: number;
}

export const FEED_OPTIONS: FeedOptions = { chunkBytes: CHUNK_BYTES, syncBytes: 2 << 20, previewBytes: 8 << 20, preview: PREVIEW };

/** Figures of a run not read yet. */
export const UNKNOWN_STATS: CurveRunStats = { bestEvalLoss: null, bestEvalIteration: null, totalNfe: null, seconds: null };

export class CurvesFeeds {
  private readonly feeds = new Map<string, RunFeed>();
  private readonly shown = new Set<string>();
  /** Runs read in the background. */
  private readonly pending = new Set<string>();
  private looping = false;
  private disposed = false;

  constructor(
    private readonly sink: FeedSink,
    private readonly opts: FeedOptions = FEED_OPTIONS,
  ) {}

  /**
   * Shows a run: its points from the start (a preview first when its file is long), then what it
   * appends. Runs shown together can share a `budget` of bytes read at once (taken from it).
   */
  show(runId: string, file: string, budget?: { bytes: number }): void {
    this.shown.add(runId);
    const old = this.feeds.get(runId);
    if (old === undefined || !old.hasPoints || old.file !== file) {
      this.feeds.set(runId, new RunFeed(file, { points: true, buckets: this.opts.buckets, settled: old?.stats }));
      this.pending.delete(runId);
    }
    this.update(runId, budget);
  }

  /** The run is no longer shown: only its figures are followed. */
  hide(runId: string): void {
    this.shown.delete(runId);
    this.feeds.get(runId)?.dropPoints();
  }

  /** Reads what a shown run appended and sends it (at once if small, else in the background). */
  update(runId: string, budget?: { bytes: number }): void {
    const feed = this.feeds.get(runId);
    if (feed === undefined || !this.shown.has(runId)) return;
    if (this.readNow(runId, feed, Math.min(this.opts.syncBytes, budget?.bytes ?? Infinity), budget)) this.flush(runId, feed);
  }

  /** Sends everything a shown run holds again (the receiver started afresh), then what it appended. */
  replay(runId: string): void {
    const feed = this.feeds.get(runId);
    if (feed === undefined || !this.shown.has(runId)) return;
    if (this.pending.has(runId)) {
      if (feed.previewed) this.sendPreview(runId, feed);
      return;
    }
    this.sink.points(runId, true, feed.allPoints());
    this.update(runId);
  }

  /**
   * A run's figures for the runs list: what is new is read at once while `budget.bytes` lasts
   * (the bytes read are taken from it), else in the background, and the last figures stand.
   */
  stats(runId: string, file: string, budget: { bytes: number }): CurveRunStats {
    let feed = this.feeds.get(runId);
    if (feed === undefined || feed.file !== file) {
      feed = new RunFeed(file, { points: false });
      this.feeds.set(runId, feed);
    }
    if (this.readNow(runId, feed, budget.bytes, budget) && this.shown.has(runId)) this.flush(runId, feed);
    return feed.stats ?? UNKNOWN_STATS;
  }

  /** Forgets runs no longer listed. */
  keep(runIds: ReadonlySet<string>): void {
    for (const id of [...this.feeds.keys()]) {
      if (runIds.has(id)) continue;
      this.feeds.delete(id);
      this.shown.delete(id);
      this.pending.delete(id);
    }
  }

  /** Whether a run's points are followed. */
  isShown(runId: string): boolean {
    return this.shown.has(runId) && this.feeds.get(runId)?.hasPoints === true;
  }

  /** Whether any read is under way in the background. */
  get busy(): boolean {
    return this.pending.size > 0;
  }

  dispose(): void {
    this.disposed = true;
    this.pending.clear();
  }

  /**
   * Reads a run through now if it has at most `limit` bytes to read (taking them from `budget`);
   * else schedules it. True when read through.
   */
  private readNow(runId: string, feed: RunFeed, limit: number, budget?: { bytes: number }): boolean {
    if (this.pending.has(runId)) return false;
    let unread: number;
    try {
      unread = feed.unread();
      if (unread <= limit) {
        if (budget) budget.bytes -= unread;
        const bad = feed.readAll(this.opts.chunkBytes);
        if (bad.length > 0 && this.shown.has(runId)) this.sink.badLines(feed.file, bad);
        return true;
      }
    } catch (err) {
      this.sink.failed(feed.file, err as Error);
      return false;
    }
    if (this.shown.has(runId) && feed.hasPoints && feed.fresh && unread > this.opts.previewBytes) this.sendPreview(runId, feed);
    this.schedule(runId);
    return false;
  }

  private sendPreview(runId: string, feed: RunFeed): void {
    try {
      this.sink.points(runId, true, previewPoints(feed.file, this.opts.preview));
      feed.previewed = true;
    } catch (err) {
      this.sink.failed(feed.file, err as Error);
    }
  }

  private flush(runId: string, feed: RunFeed): void {
    if (!this.shown.has(runId)) return;
    const c = feed.takeChanges();
    if (c.reset || c.points.length > 0) this.sink.points(runId, c.reset, c.points);
  }

  private schedule(runId: string): void {
    this.pending.add(runId);
    if (this.looping) return;
    this.looping = true;
    void this.loop();
  }

  /** One chunk per turn of the event loop, shown runs first; the first after the caller's turn. */
  private async loop(): Promise<void> {
    try {
      for (;;) {
        await new Promise((resolve) => setImmediate(resolve));
        if (this.disposed || this.pending.size === 0) break;
        const runId = [...this.pending].find((id) => this.shown.has(id)) ?? this.pending.values().next().value!;
        const feed = this.feeds.get(runId);
        if (feed === undefined) {
          this.pending.delete(runId);
          continue;
        }
        let more = false;
        try {
          const step = feed.step(this.opts.chunkBytes);
          if (step.badLines.length > 0 && this.shown.has(runId)) this.sink.badLines(feed.file, step.badLines);
          more = step.more;
        } catch (err) {
          this.sink.failed(feed.file, err as Error);
        }
        if (!more) {
          this.pending.delete(runId);
          this.flush(runId, feed);
          this.sink.statsChanged();
        }
      }
    } finally {
      this.looping = false;
    }
  }
}
