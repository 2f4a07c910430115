/**
 * From metrics to chart series: which curves each chart has, and the (x, value) points of each
 * run for each curve, raw and smoothed. Pure data (no DOM, no chart.js), so it is unit-tested directly.
 */
import type { CurvePoint } from '../protocol';
import { smooth } from './smoothing';

export type MetricKey = 'loss' | 'evalLoss' | 'accuracy' | 'evalAccuracy' | 'nfeForward' | 'nfeBackward' | 'iterationSeconds' | 'lr' | 'kinetic' | 'jacobian';

export interface SeriesSpec {
  key: MetricKey;
  label: string;
  /** The second series of a chart (evaluation, backward): dashed, in its own colour. */
  dashed: boolean;
  /** Recorded every k iterations (evaluations): a lone point is drawn as a dot. */
  sparse: boolean;
  /** Smoothed with the panel's slider; a setting such as the learning rate is drawn as it is. */
  smoothed: boolean;
}

export interface ChartSpec {
  id: 'loss' | 'accuracy' | 'nfe' | 'regularizers' | 'time' | 'lr';
  title: string;
  yTitle: string;
  defaultLog: boolean;
  series: SeriesSpec[];
  /** A fixed linear y range (no log toggle): accuracy is a fraction in [0, 1]. */
  yRange?: { min: number; max: number };
  /** Shown only when a shown run has one of its series (accuracy: classifiers only). */
  optional?: boolean;
  /** Marks the iteration of the lowest evaluation loss. */
  markBest?: boolean;
}

const s = (key: MetricKey, label: string, opts: Partial<Omit<SeriesSpec, 'key' | 'label'>> = {}): SeriesSpec => ({
  key,
  label,
  dashed: opts.dashed ?? false,
  sparse: opts.sparse ?? false,
  smoothed: opts.smoothed ?? true,
});

export const CHARTS: readonly ChartSpec[] = [
  // The evaluation loss is the task's (trajectory loss, loss on every point, NLL, interpolation RMSE): one generic name.
  {
    id: 'loss',
    title: 'Loss',
    yTitle: 'loss',
    defaultLog: true,
    series: [s('loss', 'loss'), s('evalLoss', 'evaluation loss', { dashed: true, sparse: true })],
    markBest: true,
  },
  {
    id: 'accuracy',
    title: 'Accuracy',
    yTitle: 'fraction correct',
    defaultLog: false,
    series: [s('accuracy', 'batch accuracy'), s('evalAccuracy', 'accuracy on every point', { dashed: true, sparse: true })],
    yRange: { min: 0, max: 1 },
    optional: true,
  },
  { id: 'nfe', title: 'Function evaluations (NFE)', yTitle: 'NFE', defaultLog: false, series: [s('nfeForward', 'forward'), s('nfeBackward', 'backward', { dashed: true })] },
  // train.regularize's terms, unweighted: shown only for runs that have them
  {
    id: 'regularizers',
    title: 'Regularisers',
    yTitle: 'per sample',
    defaultLog: true,
    series: [s('kinetic', 'kinetic energy ∫‖f‖² dt'), s('jacobian', 'Jacobian ∫‖∂f/∂y‖²_F dt', { dashed: true })],
    optional: true,
  },
  { id: 'time', title: 'Time per iteration', yTitle: 'seconds', defaultLog: false, series: [s('iterationSeconds', 'time')] },
  { id: 'lr', title: 'Learning rate', yTitle: 'lr', defaultLog: false, series: [s('lr', 'lr', { smoothed: false })] },
];

/** A chart point; y null is a gap (a non-finite value, or ≤ 0 on a log axis). */
export interface XY {
  x: number;
  y: number | null;
}

/**
 * One metric's value at a point (undefined: not recorded there). Seconds per iteration that a
 * run did not record were derived by the host from consecutive wall-clock stamps (curvePointTimes.ts),
 * where every record is at hand: a downsampled run has no consecutive points to take them from.
 */
export function metricAt(points: readonly CurvePoint[], i: number, key: MetricKey): number | undefined {
  return points[i][key];
}

/**
 * The points of one metric, in iteration order, at `xs` (one x per point; default: the
 * iteration). Records without the metric, or without an x, are skipped (an evaluation every k
 * iterations joins its own points); NaN/±Infinity (a diverged loss) and, on a log axis, values
 * ≤ 0 become gaps rather than disappearing silently into the line.
 */
export function toSeries(points: readonly CurvePoint[], key: MetricKey, log: boolean, xs?: readonly (number | undefined)[]): XY[] {
  const out: XY[] = [];
  for (let i = 0; i < points.length; i++) {
    const v = metricAt(points, i, key);
    const x = xs ? xs[i] : points[i].iteration;
    if (v === undefined || x === undefined) continue;
    const usable = Number.isFinite(v) && (!log || v > 0);
    out.push({ x, y: usable ? v : null });
  }
  return out;
}

export interface RunSeries {
  runId: string;
  label: string;
  points: readonly CurvePoint[];
  /** The x of each point on the chosen axis (absent: the iteration). */
  xs?: readonly (number | undefined)[];
}

export interface DatasetData {
  runId: string;
  /** Index of the run among those shown: picks its colour. */
  runIndex: number;
  series: SeriesSpec;
  seriesIndex: number;
  label: string;
  /** The recorded values. */
  raw: XY[];
  /** The smoothed curve drawn over them; null when smoothing is off for this series. */
  smoothed: XY[] | null;
}

export interface DatasetOptions {
  log: boolean;
  /** TensorBoard's smoothing weight, 0 (off) to 0.99. */
  smoothing: number;
}

/** On a log axis, values ≤ 0 cannot be drawn: gaps. */
const logGaps = (data: XY[]): XY[] => data.map((p) => (p.y !== null && p.y <= 0 ? { x: p.x, y: null } : p));

/**
 * The datasets of one chart: each shown run × each of the chart's series that the run has
 * recorded (a run without a backward pass has no "backward" curve, not an empty one). The
 * smoothing runs over the linear values, before a log axis turns values ≤ 0 into gaps.
 */
export function chartDatasets(chart: ChartSpec, runs: readonly RunSeries[], opts: DatasetOptions): DatasetData[] {
  const out: DatasetData[] = [];
  runs.forEach((run, runIndex) => {
    chart.series.forEach((series, seriesIndex) => {
      const linear = toSeries(run.points, series.key, false, run.xs);
      if (linear.length === 0) return;
      const smoothed = series.smoothed && opts.smoothing > 0 ? smooth(linear, opts.smoothing) : null;
      // One run: the picker names it, the legend names the curves; several: both.
      const label = runs.length > 1 ? `${run.label} · ${series.label}` : series.label;
      out.push({
        runId: run.runId,
        runIndex,
        series,
        seriesIndex,
        label,
        raw: opts.log ? logGaps(linear) : linear,
        smoothed: smoothed && opts.log ? logGaps(smoothed) : smoothed,
      });
    });
  });
  return out;
}

/** Whether a chart is shown: always, unless it is optional and no shown run has any of its series. */
export function chartVisible(chart: ChartSpec, runs: readonly RunSeries[]): boolean {
  if (!chart.optional) return true;
  return runs.some((run) => run.points.some((p) => chart.series.some((series) => p[series.key] !== undefined)));
}

/** The evaluation with the lowest loss (the best checkpoint's iteration), first of equals; null when none is finite. */
export function bestEvaluation(points: readonly CurvePoint[]): { index: number; iteration: number; value: number } | null {
  let best: { index: number; iteration: number; value: number } | null = null;
  points.forEach((p, index) => {
    const v = p.evalLoss;
    if (v !== undefined && Number.isFinite(v) && (best === null || v < best.value)) best = { index, iteration: p.iteration, value: v };
  });
  return best;
}

/**
 * Appends points that arrived after `existing`. A writer that resumes a run rewinds its stream
 * and rewrites iterations; the host then resends everything (`reset`), but a point whose
 * iteration is not after the last one also replaces the tail, so the curve never folds back.
 */
export function mergePoints(existing: CurvePoint[], incoming: readonly CurvePoint[]): CurvePoint[] {
  for (const p of incoming) {
    while (existing.length > 0 && existing[existing.length - 1].iteration >= p.iteration) existing.pop();
    existing.push(p);
  }
  return existing;
}

/** The part of a run id after its date, e.g. "081530-3f2a" of 20261122-081530-spiral-3f2a: its start time and random digits. */
export function runIdTail(id: string): string {
  const m = /^\d{8}-(\d{6})-.*-([0-9a-f]{4})$/.exec(id);
  return m ? `${m[1]}-${m[2]}` : id.length > 16 ? id.slice(-16) : id;
}

/** A run's label: "experiment · name", the name being the run's own or else its id's tail. */
export function runLabel(run: { id: string; experiment: string; name?: string | null }): string {
  const name = run.name?.trim() || runIdTail(run.id);
  return run.experiment ? `${run.experiment} · ${name}` : name;
}
