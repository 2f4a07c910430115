/**
 * One chart card: a chart.js line chart of a ChartSpec's series for the shown runs (each curve
 * smoothed over its faint raw values), with its log-scale toggle, an HTML legend, zoom and pan,
 * a hover read-out of every curve at the cursor's x, and the best checkpoint marked on the loss.
 * Data attributes on the card say what the chart holds (the number of points per dataset, the
 * axis type), so tests and assistive tools read data, not pixels.
 */
import {
  Chart,
  Decimation,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  Tooltip,
  type ChartDataset,
  type Scale,
  type ScriptableScaleContext,
  type TooltipItem,
} from 'chart.js';
import zoomPlugin from 'chartjs-plugin-zoom';
import type { VscodeCheckbox } from '@vscode-elements/elements/dist/vscode-checkbox/vscode-checkbox.js';
import { themeAxes } from '../shared/chartAxes';
import { withAlpha, type Theme } from '../shared/theme';
import { bestMarkerPlugin, type BestMark } from './bestMarker';
import { nonFiniteMarkerPlugin, nonFinitePoints, type NonFiniteMark } from './nonFiniteMarker';
import { chartLegend, type LegendEntry } from './chartLegend';
import { seriesColor } from './colors';
import { formatCount, formatTick, formatValue, linearTickFormat } from './format';
import { eachNearestX, type Hoverable } from './hoverMode';
import { logTickFilter, logTickLabels } from './logTicks';
import { bestEvaluation, chartDatasets, chartVisible, metricAt, type ChartSpec, type DatasetData, type RunSeries, type XY } from './series';
import { clockTicks, formatClock, formatX, niceTicks, X_AXIS_TITLES, type XMode } from './xAxis';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Tooltip, Decimation, zoomPlugin);
void eachNearestX; // registers the read-out's interaction mode

/** What every chart of the panel shows: the same runs, smoothing and x axis. */
export interface CurveView {
  runs: readonly RunSeries[];
  smoothing: number;
  xMode: XMode;
  xUnit: { label: string; seconds: number };
  /** Said in the plot when it has nothing to draw. */
  emptyText: string;
}

type LineDataset = ChartDataset<'line', XY[]> &
  Hoverable & {
    runId: string;
    seriesKey: string;
    /** The recorded values behind a smoothed curve, read out beside it. */
    rawData: XY[] | null;
  };

/** Labels of a log axis at least this far apart. */
const LOG_LABEL_GAP_PX = 16;

/**
 * The y-axis labels: on a log axis only 1-2-5 × 10^k, thinned to what the axis's height holds;
 * on a linear one, every label in the same form.
 */
function yTick(this: Scale, value: number | string): string {
  const v = Number(value);
  // The scale's ticks are built before their labels.
  if (this.type !== 'logarithmic') return linearTickFormat(this.ticks.map((t) => t.value))(v);
  const length = this.isHorizontal() ? this.maxWidth : this.maxHeight;
  return logTickFilter(logTickLabels(this.min, this.max, length, LOG_LABEL_GAP_PX))(v) ? formatTick(v) : '';
}

/** About one x label per this many pixels. */
const X_LABEL_PX = 70;

/** The value of `data` at x (the nearest point), for the raw value beside a smoothed one. */
function valueAt(data: readonly XY[], x: number): number | null {
  let lo = 0;
  let hi = data.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (data[mid].x < x) lo = mid + 1;
    else hi = mid;
  }
  const near = lo > 0 && Math.abs(data[lo - 1].x - x) < Math.abs(data[lo].x - x) ? lo - 1 : lo;
  return data[near]?.y ?? null;
}

export class CurveChart {
  readonly element: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private readonly chart: Chart<'line', XY[]>;
  private readonly toggle: VscodeCheckbox;
  private readonly summary: HTMLUListElement;
  private readonly legend = chartLegend();
  private readonly empty: HTMLParagraphElement;
  private view: CurveView = { runs: [], smoothing: 0, xMode: 'iteration', xUnit: { label: 's', seconds: 1 }, emptyText: '' };
  /** The step of the clock-time ticks last built (how they are written). */
  private clockStep = 1000;

  constructor(
    readonly spec: ChartSpec,
    private log: boolean,
    private theme: Theme,
    onLogChange: (log: boolean) => void,
    private readonly onZoomChange: () => void,
  ) {
    this.element = document.createElement('section');
    this.element.className = 'chart-card';
    this.element.dataset.chart = spec.id;
    const header = document.createElement('header');
    const title = document.createElement('h2');
    title.textContent = spec.title;
    this.toggle = document.createElement('vscode-checkbox');
    this.toggle.label = 'Log scale';
    this.toggle.checked = log;
    this.toggle.dataset.role = 'log-toggle';
    // A fixed range (accuracy in [0, 1]) is read on a linear axis only.
    this.toggle.hidden = spec.yRange !== undefined;
    if (spec.yRange) this.log = false;
    this.toggle.addEventListener('change', () => {
      this.setLog(this.toggle.checked);
      onLogChange(this.log);
    });
    header.append(title, this.toggle);
    const box = document.createElement('div');
    box.className = 'chart-box';
    this.canvas = document.createElement('canvas');
    this.canvas.setAttribute('role', 'img');
    this.empty = document.createElement('p');
    this.empty.className = 'chart-empty';
    this.empty.hidden = true;
    box.append(this.canvas, this.empty);
    this.summary = document.createElement('ul');
    this.summary.className = 'chart-summary';
    this.summary.hidden = true;
    this.element.append(header, this.legend.element, box, this.summary);

    this.chart = new Chart(this.canvas, {
      type: 'line',
      data: { datasets: [] },
      plugins: [bestMarkerPlugin, nonFiniteMarkerPlugin],
      options: {
        animation: false,
        responsive: true,
        // The card's CSS gives the plot its height; the legend lives outside the canvas.
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        spanGaps: false,
        interaction: { mode: 'eachNearestX', intersect: false },
        scales: {
          x: { type: 'linear', bounds: 'data', title: { display: true, text: 'Iteration' } },
          y: { type: this.log ? 'logarithmic' : 'linear', min: spec.yRange?.min, max: spec.yRange?.max, title: { display: true, text: spec.yTitle } },
        },
        plugins: {
          // Long runs: draw what a pixel column can show (the data keep every point).
          decimation: { enabled: true, algorithm: 'lttb', samples: 1000, threshold: 2000 },
          legend: { display: false },
          tooltip: {
            callbacks: {
              title: (items) => (items.length > 0 ? formatX(items[0].parsed.x ?? 0, this.view.xMode, this.view.xUnit) : ''),
              label: (item) => this.readOut(item),
            },
          },
          zoom: {
            // Drag a box to zoom, Ctrl+wheel to zoom at the cursor, Shift+drag to pan; double-click resets.
            zoom: { drag: { enabled: true, borderWidth: 1 }, wheel: { enabled: true, modifierKey: 'ctrl' }, pinch: { enabled: true }, mode: 'xy', onZoomComplete: () => this.onZoomChange() },
            pan: { enabled: true, modifierKey: 'shift', mode: 'xy', onPanComplete: () => this.onZoomChange() },
          },
        },
      },
    });
    this.canvas.addEventListener('dblclick', () => this.resetZoom());
    this.configureAxes();
  }

  /** Redraws from the view (called on every coalesced update). */
  setView(view: CurveView): void {
    const axisChanged = view.xMode !== this.view.xMode || view.xUnit.label !== this.view.xUnit.label;
    this.view = view;
    if (axisChanged) {
      this.resetZoom(false);
      this.configureAxes();
    }
    this.render();
  }

  setLog(log: boolean): void {
    if (log === this.log || (log && this.spec.yRange)) return;
    this.log = log;
    this.toggle.checked = log;
    // Zoomed limits of one axis type mean nothing on the other.
    this.resetZoom(false);
    this.configureAxes();
    this.render();
  }

  get isLog(): boolean {
    return this.log;
  }

  get isZoomed(): boolean {
    return this.chart.isZoomedOrPanned();
  }

  resetZoom(notify = true): void {
    if (!this.chart.isZoomedOrPanned()) return;
    this.chart.resetZoom('none');
    if (notify) this.onZoomChange();
  }

  applyTheme(theme: Theme): void {
    this.theme = theme;
    this.configureAxes();
    this.render();
  }

  /** Axis types, titles, ticks and colours; zoomed limits are left alone. */
  private configureAxes(): void {
    const theme = this.theme;
    themeAxes(this.chart, theme, { callback: yTick });
    const zoom = this.chart.options.plugins!.zoom!.zoom!;
    zoom.drag = { enabled: true, borderWidth: 1, borderColor: theme.foreground, backgroundColor: withAlpha(theme.foreground, 0.08) };
    const mode = this.view.xMode;
    const x = this.chart.options.scales!.x!;
    x.title = { display: true, color: theme.foreground, text: mode === 'relative' ? `${X_AXIS_TITLES[mode]} (${this.view.xUnit.label})` : X_AXIS_TITLES[mode] };
    x.ticks = {
      color: theme.foreground,
      maxRotation: 0,
      autoSkipPadding: 16,
      callback: (value) => {
        const v = Number(value);
        if (mode === 'wall') return formatClock(v, this.clockStep);
        return mode === 'iteration' ? formatCount(v) : formatTick(v);
      },
    };
    // The axis spans the data (bounds: 'data'); its ticks are placed here at round values.
    x.afterBuildTicks = (scale: Scale) => {
      const maxTicks = Math.max(2, Math.floor((scale.maxWidth || 600) / X_LABEL_PX));
      if (mode === 'wall') {
        const { ticks, step } = clockTicks(scale.min, scale.max, maxTicks);
        this.clockStep = step;
        scale.ticks = ticks.map((value) => ({ value }));
      } else {
        scale.ticks = niceTicks(scale.min, scale.max, maxTicks, mode === 'iteration').map((value) => ({ value }));
      }
    };
    const y = this.chart.options.scales!.y!;
    y.type = this.log ? 'logarithmic' : 'linear';
    // yTick thins a log axis's labels itself; skipping more would drop those.
    y.ticks = { color: theme.foreground, callback: yTick, autoSkip: !this.log };
    // On a log axis the unlabelled 3, 4, 6… ticks keep a fainter grid line.
    const faint = withAlpha(theme.grid, 0.35);
    y.grid = { color: this.log ? (c: ScriptableScaleContext) => (c.tick?.label ? theme.grid : faint) : theme.grid };
    this.canvas.setAttribute('aria-label', `${this.spec.title} against ${X_AXIS_TITLES[mode].toLowerCase()}`);
  }

  private colorOf(d: { runIndex: number; seriesIndex: number }): string {
    return seriesColor(this.theme.palette, this.theme.foreground, d.runIndex, this.view.runs.length, d.seriesIndex);
  }

  private render(): void {
    const runs = this.view.runs;
    // An optional chart (accuracy) stays hidden until a shown run records its metric.
    this.element.hidden = !chartVisible(this.spec, runs);
    const highContrast = this.theme.kind.startsWith('high-contrast');
    const data = chartDatasets(this.spec, runs, { log: this.log, smoothing: this.view.smoothing });
    const datasets: LineDataset[] = [];
    const legend: LegendEntry[] = [];
    for (const d of data) {
      const color = this.colorOf(d);
      const drawn = d.raw.filter((p) => p.y !== null).length;
      const dot = d.series.sparse && drawn === 1;
      if (d.smoothed) {
        // The recorded values, faint behind the smoothed curve (TensorBoard's look); never read out on their own.
        datasets.push({
          label: `${d.label} (raw)`,
          runId: d.runId,
          seriesKey: d.series.key,
          rawData: null,
          hoverable: false,
          data: d.raw,
          order: 1,
          borderColor: withAlpha(color, highContrast ? 0.45 : 0.25),
          backgroundColor: withAlpha(color, highContrast ? 0.45 : 0.25),
          borderWidth: 1,
          pointRadius: dot ? 3 : 0,
          pointHoverRadius: 0,
          indexAxis: 'x',
        });
      }
      datasets.push({
        label: d.label,
        runId: d.runId,
        seriesKey: d.series.key,
        rawData: d.smoothed ? d.raw : null,
        data: d.smoothed ?? d.raw,
        order: 0,
        borderColor: color,
        backgroundColor: color,
        borderWidth: highContrast ? 2.5 : 1.75,
        borderDash: d.series.dashed ? [6, 3] : [],
        // An evaluation recorded once (only at the end) is a dot; a curve has no dots.
        pointRadius: dot ? 3 : 0,
        pointHoverRadius: 4,
        indexAxis: 'x',
      });
      legend.push({ label: d.label, color, dashed: d.series.dashed, dot });
    }
    this.chart.data.datasets = datasets;
    // Nothing to draw: the message alone, not empty 0–1 axes that look like data.
    const scales = this.chart.options.scales!;
    scales.x!.display = data.length > 0;
    scales.y!.display = data.length > 0;
    this.chart.options.plugins!.nonFiniteMarker = { marks: this.nonFiniteMarks(data), font: `${Math.max(11, this.theme.fontSize - 1)}px ${this.theme.fontFamily}` };
    const marks = this.spec.markBest ? this.bestMarks() : [];
    this.chart.options.plugins!.bestMarker = { marks, background: this.theme.background, font: `${Math.max(11, this.theme.fontSize - 1)}px ${this.theme.fontFamily}` };
    this.chart.update('none');
    this.legend.render(legend);
    this.empty.hidden = data.length > 0;
    this.empty.textContent = this.view.emptyText;
    this.describe(data, marks);
  }

  /** Where each drawn series was not finite (a gap in its curve), at its x on the current axis. */
  private nonFiniteMarks(data: DatasetData[]): NonFiniteMark[] {
    return data.flatMap((d) => {
      const run = this.view.runs.find((r) => r.runId === d.runId);
      if (!run) return [];
      const color = this.colorOf(d);
      return nonFinitePoints(run.points, d.series.key).flatMap(({ index, value }, k) => {
        const x = run.xs ? run.xs[index] : run.points[index].iteration;
        return x === undefined ? [] : [{ x, color, label: k === 0 ? `${d.series.label} ${value}` : null }];
      });
    });
  }

  /** Each shown run's best evaluation, at its x on the current axis. */
  private bestMarks(): (BestMark & { runId: string; iteration: number })[] {
    const out: (BestMark & { runId: string; iteration: number })[] = [];
    const evalIndex = this.spec.series.findIndex((s) => s.key === 'evalLoss');
    this.view.runs.forEach((run, runIndex) => {
      const best = bestEvaluation(run.points);
      if (!best || (this.log && best.value <= 0)) return;
      const x = run.xs ? run.xs[best.index] : best.iteration;
      if (x === undefined) return;
      const label = `best · it ${formatCount(best.iteration)}`;
      out.push({ x, y: best.value, color: this.colorOf({ runIndex, seriesIndex: Math.max(evalIndex, 0) }), label, runId: run.runId, iteration: best.iteration });
    });
    return out;
  }

  private readOut(item: TooltipItem<'line'>): string {
    const d = item.dataset as LineDataset;
    const y = item.parsed.y;
    const value = `${d.label}: ${formatValue(y)}`;
    if (!d.rawData) return value;
    return `${value} (raw ${formatValue(valueAt(d.rawData, item.parsed.x ?? 0))})`;
  }

  /** Mirrors the chart's content into data attributes and a hidden list (one item per run and series). */
  private describe(data: DatasetData[], marks: { runId: string; iteration: number; y: number }[]): void {
    this.element.dataset.scale = this.chart.scales.y?.type ?? (this.log ? 'logarithmic' : 'linear');
    this.element.dataset.datasets = String(data.length);
    const items = data.map((d) => {
      const li = document.createElement('li');
      const drawn = d.raw.filter((p) => p.y !== null);
      const last = drawn[drawn.length - 1];
      const smoothed = d.smoothed?.filter((p) => p.y !== null);
      li.dataset.run = d.runId;
      li.dataset.series = d.series.key;
      li.dataset.points = String(drawn.length);
      const run = this.view.runs.find((r) => r.runId === d.runId);
      li.dataset.nonFinite = String(run ? nonFinitePoints(run.points, d.series.key).length : 0);
      li.dataset.lastIteration = last ? String(this.lastIteration(d)) : '';
      li.dataset.lastValue = last ? String(last.y) : '';
      li.dataset.lastSmoothed = smoothed && smoothed.length > 0 ? String(smoothed[smoothed.length - 1].y) : li.dataset.lastValue;
      const mark = d.series.key === 'evalLoss' ? marks.find((m) => m.runId === d.runId) : undefined;
      if (mark) {
        li.dataset.bestIteration = String(mark.iteration);
        li.dataset.bestValue = String(mark.y);
      }
      li.textContent = `${d.label}: ${drawn.length} points`;
      return li;
    });
    this.summary.replaceChildren(...items);
  }

  /** The iteration of a dataset's last drawn point, whatever the x axis. */
  private lastIteration(d: DatasetData): number | string {
    const run = this.view.runs.find((r) => r.runId === d.runId);
    if (!run) return '';
    for (let i = run.points.length - 1; i >= 0; i--) {
      const v = metricAt(run.points, i, d.series.key);
      if (v !== undefined && Number.isFinite(v) && (!this.log || v > 0) && (run.xs?.[i] ?? run.points[i].iteration) !== undefined) return run.points[i].iteration;
    }
    return '';
  }

  destroy(): void {
    this.chart.destroy();
    this.element.remove();
  }
}
