/**
 * One chart card: a chart.js line chart of a ChartSpec's series for the shown runs, with its
 * log-scale toggle. Data attributes on the card say what the chart holds (the number of points
 * per dataset, the axis type), so tests and assistive tools read data, not pixels.
 */
import {
  Chart,
  Decimation,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  Tooltip,
  type ChartDataset,
} from 'chart.js';
import type { VscodeCheckbox } from '@vscode-elements/elements/dist/vscode-checkbox/vscode-checkbox.js';
import { themeAxes } from '../shared/chartAxes';
import type { Theme } from '../shared/theme';
import { chartDatasets, chartVisible, formatTick, labelLogTick, type ChartSpec, type RunSeries, type XY } from './series';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Tooltip, Decimation);

/** Short numbers; on a log axis only 1-2-5 ticks get one. */
function tickLabel(this: { type: string; min: number; max: number }, value: number | string): string {
  const v = Number(value);
  if (this.type === 'logarithmic' && !labelLogTick(v, this.min, this.max)) return '';
  return formatTick(v);
}

type LineDataset = ChartDataset<'line', XY[]> & { runId: string; seriesKey: string };

export class CurveChart {
  readonly element: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private readonly chart: Chart<'line', XY[]>;
  private readonly toggle: VscodeCheckbox;
  private readonly summary: HTMLUListElement;
  private runs: readonly RunSeries[] = [];

  constructor(
    readonly spec: ChartSpec,
    private log: boolean,
    private theme: Theme,
    onLogChange: (log: boolean) => void,
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
    this.canvas.setAttribute('aria-label', `${spec.title} against iteration`);
    box.append(this.canvas);
    this.summary = document.createElement('ul');
    this.summary.className = 'chart-summary';
    this.summary.hidden = true;
    this.element.append(header, box, this.summary);

    this.chart = new Chart(this.canvas, {
      type: 'line',
      data: { datasets: [] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        spanGaps: false,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: {
          x: { type: 'linear', title: { display: true, text: 'iteration' } },
          y: { type: this.log ? 'logarithmic' : 'linear', min: spec.yRange?.min, max: spec.yRange?.max, title: { display: true, text: spec.yTitle } },
        },
        plugins: {
          // Long runs: draw what a pixel column can show (the data keep every point).
          decimation: { enabled: true, algorithm: 'lttb', samples: 1000, threshold: 2000 },
          legend: { position: 'bottom', labels: { boxWidth: 18, boxHeight: 2 } },
          tooltip: { callbacks: { title: (items) => (items.length > 0 ? `iteration ${items[0].parsed.x}` : '') } },
        },
      },
    });
    this.applyTheme(theme);
  }

  /** Redraws from the runs' points (called on every coalesced update). */
  setRuns(runs: readonly RunSeries[]): void {
    this.runs = runs;
    this.render();
  }

  setLog(log: boolean): void {
    if (log === this.log || (log && this.spec.yRange)) return;
    this.log = log;
    this.toggle.checked = log;
    this.render();
  }

  get isLog(): boolean {
    return this.log;
  }

  applyTheme(theme: Theme): void {
    this.theme = theme;
    themeAxes(this.chart, theme, { callback: tickLabel });
    this.chart.options.plugins!.legend!.labels!.color = theme.foreground;
    this.render();
  }

  private render(): void {
    // An optional chart (accuracy) stays hidden until a shown run records its metric.
    this.element.hidden = !chartVisible(this.spec, this.runs);
    const highContrast = this.theme.kind.startsWith('high-contrast');
    const datasets = chartDatasets(this.spec, this.runs, this.log).map((d): LineDataset => {
      const color = this.theme.palette[d.runIndex % this.theme.palette.length];
      return {
        label: d.label,
        runId: d.runId,
        seriesKey: d.series.key,
        data: d.data,
        borderColor: color,
        backgroundColor: color,
        borderWidth: highContrast ? 2.5 : 1.5,
        borderDash: d.series.dashed ? [6, 4] : [],
        pointRadius: d.series.showPoints ? 2.5 : 0,
        pointHoverRadius: 4,
        indexAxis: 'x',
      };
    });
    this.chart.data.datasets = datasets;
    const y = this.chart.options.scales!.y!;
    y.type = this.log ? 'logarithmic' : 'linear';
    // tickLabel already thins a log axis to 1-2-5; skipping more would drop those.
    y.ticks = { color: this.theme.foreground, callback: tickLabel, autoSkip: !this.log };
    this.chart.update('none');
    this.describe(datasets);
  }

  /** Mirrors the chart's content into data attributes and a hidden list. */
  private describe(datasets: LineDataset[]): void {
    this.element.dataset.scale = this.chart.scales.y?.type ?? (this.log ? 'logarithmic' : 'linear');
    this.element.dataset.datasets = String(datasets.length);
    const items = datasets.map((d) => {
      const li = document.createElement('li');
      const drawn = d.data.filter((p) => p.y !== null);
      li.dataset.run = d.runId;
      li.dataset.series = d.seriesKey;
      li.dataset.points = String(drawn.length);
      li.dataset.lastIteration = drawn.length > 0 ? String(drawn[drawn.length - 1].x) : '';
      li.dataset.lastValue = drawn.length > 0 ? String(drawn[drawn.length - 1].y) : '';
      li.textContent = `${d.label}: ${drawn.length} points`;
      return li;
    });
    this.summary.replaceChildren(...items);
  }

  destroy(): void {
    this.chart.destroy();
    this.element.remove();
  }
}
