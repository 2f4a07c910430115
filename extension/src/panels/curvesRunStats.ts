/**
 * The figures of the runs table that need a run's whole metrics stream (best evaluation loss,
 * total NFE, training time), kept up to date by folding in only what each read appends.
 */
import type { CurvePoint, CurveRunStats } from '../../../webview/src/protocol';
import { ElapsedClock } from '../../../webview/src/curves/elapsed';
import { MetricsTail, toCurvePoint } from './metricsTail';

/** A fold of a run's points into its table figures. */
export class RunStatsFold {
  private bestEvalLoss: number | null = null;
  private bestEvalIteration: number | null = null;
  private totalNfe: number | null = null;
  private clock = new ElapsedClock();

  add(points: readonly CurvePoint[]): this {
    for (const p of points) this.addPoint(p);
    return this;
  }

  addPoint(p: CurvePoint): void {
    // The lowest evaluation loss is the best checkpoint's; the first of equals, as the trainer keeps it.
    if (p.evalLoss !== undefined && Number.isFinite(p.evalLoss) && (this.bestEvalLoss === null || p.evalLoss < this.bestEvalLoss)) {
      this.bestEvalLoss = p.evalLoss;
      this.bestEvalIteration = p.iteration;
    }
    const nfe = (finite(p.nfeForward) ?? 0) + (finite(p.nfeBackward) ?? 0);
    if (finite(p.nfeForward) !== undefined || finite(p.nfeBackward) !== undefined) this.totalNfe = (this.totalNfe ?? 0) + nfe;
    this.clock.next(p.wallSeconds);
  }

  get stats(): CurveRunStats {
    return { bestEvalLoss: this.bestEvalLoss, bestEvalIteration: this.bestEvalIteration, totalNfe: this.totalNfe, seconds: this.clock.total };
  }
}

const finite = (v: number | undefined): number | undefined => (v !== undefined && Number.isFinite(v) ? v : undefined);

/** Bytes read at a time: a long stream is folded chunk by chunk, never held whole. */
const CHUNK_BYTES = 2 << 20;

/** One run's figures, following its metrics.jsonl; a rewound stream is folded again from the start. */
export class RunStatsTracker {
  private readonly tail: MetricsTail;
  private fold = new RunStatsFold();

  constructor(readonly file: string) {
    this.tail = new MetricsTail(file);
  }

  /** Reads what was appended since the last call and returns the figures (throws what the read throws). */
  read(): CurveRunStats {
    for (;;) {
      const r = this.tail.read(CHUNK_BYTES);
      if (r.reset) this.fold = new RunStatsFold();
      for (const rec of r.records) this.fold.addPoint(toCurvePoint(rec));
      if (!r.more) return this.fold.stats;
    }
  }
}
