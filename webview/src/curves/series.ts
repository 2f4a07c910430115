/**
 * From metrics to chart series: which curves each chart has, and the (iteration, value) points
 * of each run for each curve. Pure data (no DOM, no chart.js), so it is unit-tested directly.
 */
import type { CurvePoint } from '../protocol';

export type MetricKey = 'loss' | 'evalLoss' | 'accuracy' | 'evalAccuracy' | 'nfeForward' | 'nfeBackward' | 'iterationSeconds' | 'lr';

export interface SeriesSpec {
  key: MetricKey;
  label: string;
  /** Drawn dashed, to tell it from the solid curve of the same run. */
  dashed: boolean;
  /** Sparse series (evaluated every k iterations) show their points. */
  showPoints: boolean;
}

export interface ChartSpec {
  id: 'loss' | 'accuracy' | 'nfe' | 'time' | 'lr';
  title: string;
  yTitle: string;
  defaultLog: boolean;
  series: SeriesSpec[];
  /** A fixed linear y range (no log toggle): accuracy is a fraction in [0, 1]. */
  yRange?: { min: number; max: number };
  /** Shown only when a shown run has one of its series (accuracy: classifiers only). */
  optional?: boolean;
}

const s = (key: MetricKey, label: string, dashed = false, showPoints = false): SeriesSpec => ({ key, label, dashed, showPoints });

export const CHARTS: readonly ChartSpec[] = [
  // The evaluation loss is the task's (trajectory loss, loss on every point, NLL, interpolation RMSE): one generic name.
  { id: 'loss', title: 'Loss', yTitle: 'loss', defaultLog: true, series: [s('loss', 'loss'), s('evalLoss', 'evaluation loss', true, true)] },
  {
    id: 'accuracy',
    title: 'Accuracy',
    yTitle: 'fraction correct',
    defaultLog: false,
    series: [s('accuracy', 'batch accuracy'), s('evalAccuracy', 'accuracy on every point', true, true)],
    yRange: { min: 0, max: 1 },
    optional: true,
  },
  { id: 'nfe', title: 'Function evaluations (NFE)', yTitle: 'NFE', defaultLog: false, series: [s('nfeForward', 'forward'), s('nfeBackward', 'backward', true)] },
  { id: 'time', title: 'Time per iteration', yTitle: 'seconds', defaultLog: false, series: [s('iterationSeconds', 'time')] },
  { id: 'lr', title: 'Learning rate', yTitle: 'lr', defaultLog: false, series: [s('lr', 'lr')] },
];

/** A chart point; y null is a gap (a non-finite value, or ≤ 0 on a log axis). */
export interface XY {
  x: number;
  y: number | null;
}

/**
 * Seconds per iteration: the recorded value, else the difference of consecutive wall-clock
 * stamps (older runs and other writers record only `wallSeconds`).
 */
function iterationSeconds(points: readonly CurvePoint[], i: number): number | undefined {
  const p = points[i];
  if (p.iterationSeconds !== undefined) return p.iterationSeconds;
  if (i === 0 || p.wallSeconds === undefined) return undefined;
  const prev = points[i - 1].wallSeconds;
  // A resumed run restarts its clock: no difference across the restart.
  return prev !== undefined && p.wallSeconds >= prev ? p.wallSeconds - prev : undefined;
}

/**
 * The points of one metric, in iteration order. Records without the metric are skipped (an
 * evaluation every k iterations joins its own points); NaN/±Infinity (a diverged loss) and, on a
 * log axis, values ≤ 0 become gaps rather than disappearing silently into the line.
 */
export function toSeries(points: readonly CurvePoint[], key: MetricKey, log: boolean): XY[] {
  const out: XY[] = [];
  for (let i = 0; i < points.length; i++) {
    const v = key === 'iterationSeconds' ? iterationSeconds(points, i) : points[i][key];
    if (v === undefined) continue;
    const usable = Number.isFinite(v) && (!log || v > 0);
    out.push({ x: points[i].iteration, y: usable ? v : null });
  }
  return out;
}

export interface RunSeries {
  runId: string;
  label: string;
  points: readonly CurvePoint[];
}

export interface DatasetData {
  runId: string;
  /** Index of the run among those shown: picks its colour. */
  runIndex: number;
  series: SeriesSpec;
  label: string;
  data: XY[];
}

/**
 * The datasets of one chart: each shown run × each of the chart's series that the run has
 * recorded (a run without a backward pass has no "backward" curve, not an empty one).
 */
export function chartDatasets(chart: ChartSpec, runs: readonly RunSeries[], log: boolean): DatasetData[] {
  const out: DatasetData[] = [];
  runs.forEach((run, runIndex) => {
    for (const series of chart.series) {
      const data = toSeries(run.points, series.key, log);
      if (data.length === 0) continue;
      // One run: the picker names it, the legend names the curves; several: both.
      const label = runs.length > 1 ? `${run.label} · ${series.label}` : series.label;
      out.push({ runId: run.runId, runIndex, series, label, data });
    }
  });
  return out;
}

/** Whether a chart is shown: always, unless it is optional and no shown run has any of its series. */
export function chartVisible(chart: ChartSpec, runs: readonly RunSeries[]): boolean {
  if (!chart.optional) return true;
  return runs.some((run) => run.points.some((p) => chart.series.some((series) => p[series.key] !== undefined)));
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

/** A short label for a run: experiment and local start time (ids are long). */
export function runLabel(run: { id: string; experiment: string; createdAt: string }): string {
  const t = new Date(run.createdAt);
  if (Number.isNaN(t.getTime())) return run.experiment || run.id;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${run.experiment} ${pad(t.getMonth() + 1)}-${pad(t.getDate())} ${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}`;
}

/** Axis numbers: short ("0.5", not "0.500"), exponents for the very small and very large. */
export function formatTick(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e6) return Number(v.toPrecision(3)).toExponential().replace('e+', 'e');
  return String(Number(v.toPrecision(3)));
}

/**
 * Which ticks of a log axis get a label: 1, 2 and 5 times a power of ten (and 3 as well when the
 * axis spans less than a decade, so that a narrow range still has numbers), so labels never crowd.
 */
export function labelLogTick(v: number, min: number, max: number): boolean {
  if (!(v > 0)) return false;
  const m = v / 10 ** Math.floor(Math.log10(v) + 1e-9);
  const mantissa = Math.round(m);
  if (Math.abs(m - mantissa) > 1e-6 * mantissa) return false; // the axis ends (min, max) are not round
  const narrow = max / min < 10;
  return mantissa === 1 || mantissa === 2 || mantissa === 5 || (narrow && mantissa === 3);
}
