/**
 * A bar chart card (k_n per layer): one bar per category, themed like the other cards; its
 * data attributes count the bars and list their values, so tests read data, not pixels.
 */
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';
import { themeAxes, tickLabel } from '../shared/chartAxes';
import { niceAxis, niceTickLabel } from '../shared/niceAxis';
import type { Theme } from '../shared/theme';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

export class BarCard {
  readonly element: HTMLElement;
  readonly chart: Chart<'bar', number[], string>;
  private readonly note: HTMLParagraphElement;

  constructor(
    id: string,
    title: string,
    private readonly axes: { x: string; y: string },
    theme: Theme,
  ) {
    this.element = document.createElement('section');
    this.element.className = 'chart-card';
    this.element.dataset.chart = id;
    const h = document.createElement('h2');
    h.textContent = title;
    this.note = document.createElement('p');
    this.note.className = 'card-note';
    this.note.hidden = true;
    const box = document.createElement('div');
    box.className = 'chart-box';
    const canvas = document.createElement('canvas');
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', title);
    box.append(canvas);
    this.element.append(h, this.note, box);
    const y = { type: 'linear' as const, title: { display: true, text: axes.y } };
    niceAxis(y, { extend: true });
    this.chart = new Chart(canvas, {
      type: 'bar',
      data: { labels: [], datasets: [] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: { x: { type: 'category', title: { display: true, text: axes.x } }, y },
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: (item) => `${this.axes.y}: ${tickLabel(item.raw as number)}` } } },
      },
    });
    this.applyTheme(theme);
  }

  setNote(text: string | null): void {
    this.note.hidden = text === null;
    this.note.textContent = text ?? '';
  }

  setBars(labels: string[], values: number[], color: string): void {
    this.chart.data.labels = labels;
    this.chart.data.datasets = [{ data: values, backgroundColor: color, borderColor: color, borderWidth: 1 }];
    this.chart.update('none');
    this.element.dataset.bars = String(values.length);
    this.element.dataset.values = values.map((v) => v.toPrecision(6)).join(' ');
  }

  applyTheme(theme: Theme): void {
    themeAxes(this.chart, theme, { maxTicksLimit: 8, callback: niceTickLabel });
    this.chart.update('none');
  }
}
