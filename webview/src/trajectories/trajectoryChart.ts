/**
 * One chart card of the trajectories panel: the data as markers (one per observation time) and
 * the model's solve as a line, either against t (one component) or against each other (the
 * phase portrait); or, for a classifier, a sample of its points' flows as lines in their
 * class's colour, each starting at a dot. The card's data attributes say how many points each
 * series holds, so tests and assistive tools read data, not pixels.
 */
import { Chart, Legend, LinearScale, LineElement, PointElement, ScatterController, Tooltip, type ChartDataset } from 'chart.js';
import { themeAxes } from '../shared/chartAxes';
import { withAlpha, type Theme } from '../shared/theme';

Chart.register(ScatterController, LineElement, PointElement, LinearScale, Legend, Tooltip);

export interface XY {
  x: number;
  y: number;
}

/** A classifier's flows of one class: one polyline each. */
export interface FlowGroup {
  label: string;
  color: string;
  lines: XY[][];
}

export interface TrajectoryChartSpec {
  id: string;
  title: string;
  xTitle: string;
  yTitle: string;
}

/** The finite points only: a diverged solve must not break the axes. */
const finite = (points: readonly XY[]): XY[] => points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));

export class TrajectoryChart {
  readonly element: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private readonly chart: Chart<'scatter', XY[]>;
  private data: XY[] = [];
  private predicted: XY[] | null = null;
  private flows: FlowGroup[] | null = null;

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
        // Unparsed data are taken as sorted in x, so chart.js reads the x range from the ends of
        // each dataset: true against t, not in a phase portrait, which must be parsed and scanned.
        ...(spec.id === 'phase' ? {} : { parsing: false as const, normalized: true }),
        interaction: { mode: 'nearest', intersect: false },
        scales: {
          x: { type: 'linear', title: { display: true, text: spec.xTitle } },
          // A y(t) card is short and has few ticks: its axis ends at the data, not at the next round tick.
          y: { type: 'linear', bounds: spec.id === 'phase' ? 'ticks' : 'data', title: { display: true, text: spec.yTitle } },
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
    this.flows = null;
    this.render();
  }

  /** A classifier's flows instead of data and prediction. */
  setFlows(groups: FlowGroup[]): void {
    this.data = [];
    this.predicted = null;
    this.flows = groups.map((g) => ({ ...g, lines: g.lines.map(finite).filter((l) => l.length > 0) }));
    this.render();
  }

  /** Class colours come from the theme: the panel gives new groups after a theme change. */
  recolor(colors: string[]): void {
    if (!this.flows) return;
    this.flows = this.flows.map((g, k) => ({ ...g, color: colors[k] ?? g.color }));
    this.render();
  }

  applyTheme(theme: Theme): void {
    this.theme = theme;
    themeAxes(this.chart, theme);
    this.render();
  }

  private renderFlows(groups: FlowGroup[]): void {
    const highContrast = this.theme.kind.startsWith('high-contrast');
    const datasets: ChartDataset<'scatter', XY[]>[] = [];
    for (const g of groups) {
      // One dataset per flow: gaps inside one dataset throw chart.js's axis ranges off.
      for (const line of g.lines) {
        datasets.push({
          label: g.label,
          data: line,
          showLine: true,
          pointRadius: 0,
          pointHoverRadius: 3,
          borderWidth: highContrast ? 1.75 : 1.1,
          borderColor: withAlpha(g.color, highContrast ? 0.9 : 0.6),
          backgroundColor: g.color,
        });
      }
      datasets.push({
        label: `${g.label} at the start`,
        data: g.lines.map((l) => l[0]),
        showLine: false,
        pointRadius: highContrast ? 2.5 : 2,
        pointHoverRadius: 4,
        borderWidth: 0,
        pointBackgroundColor: g.color,
        backgroundColor: g.color,
      });
    }
    this.chart.data.datasets = datasets;
    this.chart.update('none');
    this.element.dataset.truePoints = '0';
    this.element.dataset.predictedPoints = '0';
    this.element.dataset.flows = String(groups.reduce((a, g) => a + g.lines.length, 0));
    this.element.dataset.flowPoints = String(groups.reduce((a, g) => a + g.lines.reduce((b, l) => b + l.length, 0), 0));
  }

  private render(): void {
    if (this.flows) {
      this.renderFlows(this.flows);
      return;
    }
    delete this.element.dataset.flows;
    delete this.element.dataset.flowPoints;
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
