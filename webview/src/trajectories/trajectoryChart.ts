/**
 * One chart card of the trajectories panel: the data as markers (one per observation time) and
 * the model's solve as a line, either against t (one component) or against each other (the
 * phase portrait). The card's data attributes say how many points each series holds, so tests
 * and assistive tools read data, not pixels.
 */
import { Chart, Legend, LinearScale, LineElement, PointElement, ScatterController, Tooltip, type ChartDataset } from 'chart.js';
import type { Theme } from '../shared/theme';

Chart.register(ScatterController, LineElement, PointElement, LinearScale, Legend, Tooltip);

export interface XY {
  x: number;
  y: number;
}

export interface TrajectoryChartSpec {
  id: string;
  title: string;
  xTitle: string;
  yTitle: string;
}

/** Short tick labels: 3 significant digits, exponents for the very large and small. */
function tickLabel(value: number | string): string {
  const v = Number(value);
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(1) : String(Number(v.toPrecision(3)));
}

/** The finite points only: a diverged solve must not break the axes. */
const finite = (points: readonly XY[]): XY[] => points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));

export class TrajectoryChart {
  readonly element: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private readonly chart: Chart<'scatter', XY[]>;
  private data: XY[] = [];
  private predicted: XY[] | null = null;

  constructor(
    readonly spec: TrajectoryChartSpec,
    private theme: Theme,
  ) {
    this.element = document.createElement('section');
    this.element.className = 'chart-card';
    this.element.dataset.chart = spec.id;
    const title = document.createElement('h2');
    title.textContent = spec.title;
    const box = document.createElement('div');
    box.className = 'chart-box';
    this.canvas = document.createElement('canvas');
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', spec.title);
    box.append(this.canvas);
    this.element.append(title, box);
    this.chart = new Chart(this.canvas, {
      type: 'scatter',
      data: { datasets: [] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        interaction: { mode: 'nearest', intersect: false },
        scales: {
          x: { type: 'linear', title: { display: true, text: spec.xTitle } },
          y: { type: 'linear', title: { display: true, text: spec.yTitle } },
        },
        plugins: {
          // One legend for all cards, in the panel's toolbar.
          legend: { display: false },
        },
      },
    });
    this.applyTheme(theme);
  }

  setSeries(data: readonly XY[], predicted: readonly XY[] | null): void {
    this.data = finite(data);
    this.predicted = predicted ? finite(predicted) : null;
    this.render();
  }

  applyTheme(theme: Theme): void {
    this.theme = theme;
    Chart.defaults.font.family = theme.fontFamily;
    Chart.defaults.font.size = Math.max(11, theme.fontSize - 1);
    const o = this.chart.options;
    for (const axis of [o.scales!.x!, o.scales!.y!]) {
      axis.grid = { color: theme.grid };
      axis.border = { color: theme.grid };
      // Plain objects, never spreads: chart.js options are proxies that do not copy cleanly.
      axis.ticks = { color: theme.foreground, callback: tickLabel };
      (axis as { title: { color: string } }).title.color = theme.foreground;
    }
    this.render();
  }

  private render(): void {
    const highContrast = this.theme.kind.startsWith('high-contrast');
    const dataColor = this.theme.palette[2];
    const predictedColor = this.theme.palette[1];
    const datasets: ChartDataset<'scatter', XY[]>[] = [
      {
        label: 'data',
        data: this.data,
        showLine: false,
        pointStyle: 'circle',
        pointRadius: highContrast ? 2.5 : 1.8,
        pointHoverRadius: 4,
        borderWidth: 0,
        pointBackgroundColor: dataColor,
        borderColor: dataColor,
        backgroundColor: dataColor,
      },
    ];
    if (this.predicted) {
      datasets.push({
        label: 'predicted',
        data: this.predicted,
        showLine: true,
        pointStyle: 'line',
        pointRadius: 0,
        pointHoverRadius: 4,
        borderWidth: highContrast ? 2.5 : 1.75,
        borderColor: predictedColor,
        backgroundColor: predictedColor,
      });
    }
    this.chart.data.datasets = datasets;
    this.chart.update('none');
    this.element.dataset.truePoints = String(this.data.length);
    this.element.dataset.predictedPoints = String(this.predicted?.length ?? 0);
  }

  destroy(): void {
    this.chart.destroy();
    this.element.remove();
  }
}
