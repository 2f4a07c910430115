/**
 * One chart card of the trajectories panel: the data as markers (one per observation time) and
 * the model's solve as a line, either against t (one component) or against each other (the
 * phase portrait); or, for a classifier, a sample of its points' flows as lines in their
 * class's colour, each starting at a dot. The card's data attributes say how many points each
 * series holds, so tests and assistive tools read data, not pixels.
 */
import { Chart, Legend, LinearScale, LineElement, PointElement, ScatterController, Tooltip, type ChartDataset } from 'chart.js';
import { themeAxes } from '../shared/chartAxes';
import { equalAspectPlugin } from '../shared/equalAspectPlugin';
import { niceAxis, niceTickLabel } from '../shared/niceAxis';
import { boundsOf, padBox } from '../shared/plotBox';
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
  /** Components against each other (not sorted in x), as the phase portrait. */
  xy?: boolean;
}

/** A latent ODE's series on one card: observations, reconstruction, extrapolation, noise-free truth. */
export interface LatentSeriesXY {
  observed: XY[];
  reconstruction: XY[];
  extrapolation: XY[];
  truth: XY[];
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
  private latent: LatentSeriesXY | null = null;

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
    const plane = this.plane;
    this.element.dataset.aspect = plane ? 'equal' : 'auto';
    const x = { type: 'linear' as const, title: { display: true, text: spec.xTitle } };
    const y = { type: 'linear' as const, title: { display: true, text: spec.yTitle } };
    // Against t the axis spans the solve's times; y ends on the ticks around the data. A phase
    // portrait's ranges are the equal-aspect plugin's.
    niceAxis(x, { extend: false, spacing: plane ? 60 : undefined });
    niceAxis(y, { extend: !plane, spacing: plane ? 60 : undefined });
    this.chart = new Chart(this.canvas, {
      type: 'scatter',
      data: { datasets: [] },
      plugins: plane ? [equalAspectPlugin(() => this.box())] : [],
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        // Unparsed data are taken as sorted in x, so chart.js reads the x range from the ends of
        // each dataset: true against t, not in a phase portrait, which must be parsed and scanned.
        ...(plane ? {} : { parsing: false as const, normalized: true }),
        interaction: { mode: 'nearest', intersect: false },
        scales: { x, y },
        plugins: {
          // One legend for all cards, in the panel's toolbar.
          legend: { display: false },
        },
      },
    });
    this.applyTheme(theme);
  }

  /** Components against each other: drawn at equal aspect, so that a spiral keeps its shape. */
  private get plane(): boolean {
    return this.spec.id === 'phase' || this.spec.xy === true;
  }

  /** What a phase portrait must show: every point drawn, with a margin. */
  private box() {
    const b = boundsOf(...this.chart.data.datasets.map((d) => d.data));
    return b && padBox(b, 0.04);
  }

  setSeries(data: readonly XY[], predicted: readonly XY[] | null): void {
    this.data = finite(data);
    this.predicted = predicted ? finite(predicted) : null;
    this.flows = null;
    this.latent = null;
    this.render();
  }

  /** A latent ODE's series instead of data and prediction. */
  setLatent(s: LatentSeriesXY): void {
    this.data = [];
    this.predicted = null;
    this.flows = null;
    this.latent = { observed: finite(s.observed), reconstruction: finite(s.reconstruction), extrapolation: finite(s.extrapolation), truth: finite(s.truth) };
    this.render();
  }

  /** A classifier's flows instead of data and prediction. */
  setFlows(groups: FlowGroup[]): void {
    this.data = [];
    this.predicted = null;
    this.flows = groups.map((g) => ({ ...g, lines: g.lines.map(finite).filter((l) => l.length > 0) }));
    this.latent = null;
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
    themeAxes(this.chart, theme, { callback: niceTickLabel });
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

  /** The truth faint, the observations as markers, the reconstruction solid and the extrapolation dashed in another colour. */
  private renderLatent(s: LatentSeriesXY): void {
    const highContrast = this.theme.kind.startsWith('high-contrast');
    const p = this.theme.palette;
    const line = (label: string, data: XY[], color: string, width: number, dash: number[] = []): ChartDataset<'scatter', XY[]> => ({
      label,
      data,
      showLine: true,
      pointRadius: 0,
      pointHoverRadius: 3,
      borderWidth: highContrast ? width + 0.75 : width,
      borderDash: dash,
      borderColor: color,
      backgroundColor: color,
    });
    const observed = p[2];
    this.chart.data.datasets = [
      line('noise-free', s.truth, withAlpha(this.theme.foreground, highContrast ? 0.6 : 0.3), 1),
      {
        label: 'observed',
        data: s.observed,
        showLine: false,
        pointStyle: 'circle',
        pointRadius: highContrast ? 3 : 2.4,
        pointHoverRadius: 4,
        borderWidth: 0,
        pointBackgroundColor: observed,
        borderColor: observed,
        backgroundColor: observed,
      },
      line('reconstruction', s.reconstruction, p[1], 2),
      line('extrapolation', s.extrapolation, p[3 % p.length], 2, [6, 4]),
    ];
    this.chart.update('none');
    for (const [k, v] of Object.entries(s)) this.element.dataset[`${k}Points`] = String((v as XY[]).length);
    this.element.dataset.truePoints = String(s.observed.length);
    this.element.dataset.predictedPoints = String(s.reconstruction.length + s.extrapolation.length);
  }

  private render(): void {
    if (this.flows) {
      this.renderFlows(this.flows);
      return;
    }
    if (this.latent) {
      this.renderLatent(this.latent);
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
