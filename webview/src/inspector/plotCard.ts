/**
 * One chart card of the solver inspector: scatter series (optionally joined by lines) on linear
 * or log axes. Points may carry the index of the step they stand for; clicking near one picks
 * that step. The card's data attributes count what each series draws, so tests and assistive
 * tools read data, not pixels.
 */
import {
  Chart,
  LinearScale,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Tooltip,
  type ChartDataset,
  type Plugin,
  type PointStyle,
} from 'chart.js';
import { themeAxes, tickLabel } from '../shared/chartAxes';
import { equalAspectPlugin } from '../shared/equalAspectPlugin';
import { niceAxis, niceLogAxis, niceTickLabel } from '../shared/niceAxis';
import { boundsOf, padBox, type Box } from '../shared/plotBox';
import type { Theme } from '../shared/theme';

Chart.register(ScatterController, LineElement, PointElement, LinearScale, LogarithmicScale, Tooltip);

/** A point; `i` is the step it stands for (what a click picks). */
export interface Pt {
  x: number;
  y: number;
  i?: number;
}

export interface Series {
  /** Names the series in tooltips and in the card's data-* counts (`data-<key>-points`). */
  key: string;
  label: string;
  points: Pt[];
  color: string;
  line?: boolean;
  radius?: number;
  style?: PointStyle;
  /** Drawn above the others (the selection). */
  top?: boolean;
}

export interface PlotSpec {
  id: string;
  title: string;
  xTitle: string;
  yTitle: string;
  xLog?: boolean;
  yLog?: boolean;
  /** Fixed axis ranges (default: fitted to the data). */
  xRange?: [number, number];
  yRange?: [number, number];
  /**
   * x and y in the same units (a phase portrait, the complex plane): drawn at equal aspect, the
   * fixed ranges (else all the points, with a margin) widened to the plot area's shape.
   */
  equalAspect?: boolean;
  onPick?(step: number): void;
  /** Which distance a click picks the nearest point by: along x (steps over t) or in the plane. */
  pickAxis?: 'x' | 'xy';
  plugins?: Plugin<'scatter'>[];
  /** One line of text for the empty card (what would be drawn, and why nothing is). */
  describe?(): string;
}


/** Points a log axis can place (and any axis can: finite). */
const drawable = (points: readonly Pt[], xLog: boolean, yLog: boolean): Pt[] =>
  points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && (!xLog || p.x > 0) && (!yLog || p.y > 0));

export class PlotCard {
  readonly element: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  readonly chart: Chart<'scatter', Pt[]>;
  private readonly note: HTMLParagraphElement;
  private series: Series[] = [];
  private ranges: { x?: [number, number]; y?: [number, number] } = {};
  private equal: boolean;

  constructor(
    readonly spec: PlotSpec,
    private theme: Theme,
  ) {
    this.element = document.createElement('section');
    this.element.className = 'chart-card';
    this.element.dataset.chart = spec.id;
    const title = document.createElement('h2');
    title.textContent = spec.title;
    this.note = document.createElement('p');
    this.note.className = 'card-note';
    this.note.hidden = true;
    const box = document.createElement('div');
    box.className = 'chart-box';
    this.canvas = document.createElement('canvas');
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', spec.title);
    box.append(this.canvas);
    this.element.append(title, this.note, box);
    this.equal = spec.equalAspect ?? false;
    this.element.dataset.aspect = this.equal ? 'equal' : 'auto';
    const x = { type: spec.xLog ? ('logarithmic' as const) : ('linear' as const), title: { display: true, text: spec.xTitle } };
    const y = { type: spec.yLog ? ('logarithmic' as const) : ('linear' as const), title: { display: true, text: spec.yTitle } };
    // Linear axes tick at 1, 2, 5 × 10ᵏ; a value axis ends on the ticks around the data.
    if (spec.xLog) niceLogAxis(x);
    else niceAxis(x, { extend: false, spacing: spec.equalAspect ? 60 : undefined });
    if (spec.yLog) niceLogAxis(y);
    else niceAxis(y, { extend: !spec.equalAspect && !spec.yRange, spacing: spec.equalAspect ? 60 : undefined });
    this.chart = new Chart(this.canvas, {
      type: 'scatter',
      data: { datasets: [] },
      plugins: [...(spec.plugins ?? []), ...(spec.equalAspect ? [equalAspectPlugin<'scatter'>(() => this.aspectBox())] : [])],
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        // Sorted in x, so chart.js may read a series' x range off its ends: true over t or the
        // attempts, not in a plane, where a spiral's first and last points are not its extremes.
        normalized: !spec.equalAspect,
        interaction: { mode: 'nearest', intersect: false },
        scales: { x, y },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: (item) => {
                const p = item.raw as Pt;
                const step = p.i === undefined ? '' : ' (click for details)';
                return `${item.dataset.label ?? ''}: ${tickLabel(p.x)}, ${tickLabel(p.y)}${step}`;
              },
            },
          },
        },
        onClick: (event) => {
          if (!spec.onPick || event.x === null || event.y === null) return;
          const i = this.nearestStep(event.x, event.y);
          if (i !== null) spec.onPick(i);
        },
      },
    });
    this.applyTheme(theme);
  }

  /** The step of the drawn point nearest to a pixel (along x, or in the plane), if any is drawn. */
  private nearestStep(px: number, py: number): number | null {
    const alongX = this.spec.pickAxis === 'x';
    let best: number | null = null;
    let bestDistance = Infinity;
    this.chart.data.datasets.forEach((dataset, d) => {
      const elements = this.chart.getDatasetMeta(d).data;
      dataset.data.forEach((p, k) => {
        const el = elements[k];
        if (p.i === undefined || !el) return;
        const distance = alongX ? Math.abs(el.x - px) : Math.hypot(el.x - px, el.y - py);
        if (distance < bestDistance) {
          bestDistance = distance;
          best = p.i;
        }
      });
    });
    return best;
  }

  /** Shows a line of text over the card (null hides it). */
  setNote(text: string | null): void {
    this.note.hidden = text === null;
    this.note.textContent = text ?? '';
  }

  setSeries(series: Series[]): void {
    this.series = series;
    this.render();
  }

  setRanges(x: [number, number] | undefined, y: [number, number] | undefined): void {
    this.ranges = { x, y };
    // At equal aspect, the plugin widens them to the plot area (aspectBox).
    if (this.equal) return;
    const s = this.chart.options.scales!;
    s.x!.min = x?.[0];
    s.x!.max = x?.[1];
    s.y!.min = y?.[0];
    s.y!.max = y?.[1];
  }

  /** Equal aspect on or off: off for a plot whose axes are no longer in the same units (y over t). */
  setEqualAspect(on: boolean): void {
    if (!this.spec.equalAspect || on === this.equal) return;
    this.equal = on;
    this.element.dataset.aspect = on ? 'equal' : 'auto';
    const s = this.chart.options.scales!;
    for (const axis of [s.x!, s.y!]) axis.min = axis.max = undefined;
    this.setRanges(this.ranges.x, this.ranges.y);
  }

  /** What an equal-aspect plot must show: its fixed ranges, else every point drawn with a margin. */
  private aspectBox(): Box | null {
    if (!this.equal) return null;
    const { x, y } = this.ranges;
    if (x && y) return { xMin: x[0], xMax: x[1], yMin: y[0], yMax: y[1] };
    const b = boundsOf(...this.chart.data.datasets.map((d) => d.data));
    return b && padBox(b, 0.05);
  }

  applyTheme(theme: Theme): void {
    this.theme = theme;
    themeAxes(this.chart, theme, { maxTicksLimit: 8, includeBounds: false, callback: niceTickLabel });
    this.setRanges(this.spec.xRange ?? this.ranges.x, this.spec.yRange ?? this.ranges.y);
    this.render();
  }

  get currentTheme(): Theme {
    return this.theme;
  }

  private render(): void {
    const highContrast = this.theme.kind.startsWith('high-contrast');
    const xLog = this.spec.xLog ?? false;
    const yLog = this.spec.yLog ?? false;
    const ordered = [...this.series.filter((s) => !s.top), ...this.series.filter((s) => s.top)];
    const datasets: ChartDataset<'scatter', Pt[]>[] = ordered.map((s) => ({
      label: s.label,
      data: drawable(s.points, xLog, yLog),
      showLine: s.line ?? false,
      pointStyle: s.style ?? 'circle',
      pointRadius: (s.radius ?? 2) * (highContrast ? 1.3 : 1),
      pointHoverRadius: (s.radius ?? 2) + 2,
      borderWidth: s.line ? (highContrast ? 2.25 : 1.5) : s.style && s.style !== 'circle' ? 1.5 : s.top ? 2 : 0,
      pointBorderColor: s.color,
      pointBackgroundColor: s.top ? 'transparent' : s.color,
      borderColor: s.color,
      backgroundColor: s.color,
    }));
    this.chart.data.datasets = datasets;
    this.chart.update('none');
    for (const [k, d] of ordered.map((s, i) => [s.key, datasets[i].data.length] as const)) this.element.dataset[`${k}Points`] = String(d);
  }

  destroy(): void {
    this.chart.destroy();
    this.element.remove();
  }
}
