/**
 * One heatmap of the histograms section, TensorBoard's offset view seen from above: a column per
 * sample along the iteration axis, each bin a cell at its values on the y axis, shaded from the
 * background (no value) to the theme's colour (the sample's fullest bin). Axes with nice ticks
 * and titles; a read-out of the cell under the cursor. The figure's data attributes say what it
 * holds (samples, value range), so tests read data, not pixels.
 */
import { formatTick, multiplesIn, niceTicks } from '../shared/niceTicks';
import type { Theme } from '../shared/theme';
import { mix } from './colors';
import { formatCount } from './format';
import { binAt, binInterval, columnAt, columnEdges, valueRange, type HistogramColumn } from './histogramModel';

/** Shades of the colour ramp: cells take the nearest, so a redraw builds few fill styles. */
const SHADES = 24;
/** The faintest shade of a bin that holds a value: visible on the background. */
const FAINTEST = 0.18;
const PLOT_HEIGHT = 150;
const FONT_PX = 11;

export class HistogramHeatmap {
  readonly element: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private columns: HistogramColumn[] = [];
  private edges: [number, number][] = [];
  private theme: Theme | undefined;
  private color = '';
  /** Data → pixels of the last drawing, for the read-out. */
  private frame: { left: number; top: number; width: number; height: number; x0: number; x1: number; y0: number; y1: number } | null = null;

  constructor(
    readonly title: string,
    private readonly yTitle: string,
    kind: string,
    private readonly onHover: (text: string) => void,
  ) {
    this.element = document.createElement('figure');
    this.element.className = 'histogram-plot';
    this.element.dataset.kind = kind;
    const caption = document.createElement('figcaption');
    caption.textContent = title;
    this.canvas = document.createElement('canvas');
    this.canvas.setAttribute('role', 'img');
    this.element.append(caption, this.canvas);
    this.canvas.addEventListener('mousemove', (e) => this.onHover(this.readout(e.offsetX, e.offsetY)));
    this.canvas.addEventListener('mouseleave', () => this.onHover(''));
  }

  /** New columns or colours; drawn at once. */
  set(columns: HistogramColumn[], theme: Theme, color: string): void {
    this.columns = columns;
    this.edges = columnEdges(columns.map((c) => c.iteration));
    this.theme = theme;
    this.color = color;
    const range = valueRange(columns);
    const d = this.element.dataset;
    d.samples = String(columns.length);
    d.firstIteration = columns.length > 0 ? String(columns[0].iteration) : '';
    d.lastIteration = columns.length > 0 ? String(columns[columns.length - 1].iteration) : '';
    d.yMin = range ? String(range.min) : '';
    d.yMax = range ? String(range.max) : '';
    this.canvas.setAttribute('aria-label', `${this.title}: histograms of ${columns.length} samples`);
    this.draw();
  }

  /** Draws at the canvas's size on screen (called again when it changes). */
  draw(): void {
    const theme = this.theme;
    const ratio = window.devicePixelRatio || 1;
    const cssWidth = this.canvas.clientWidth;
    if (!theme || cssWidth === 0) return;
    const cssHeight = PLOT_HEIGHT;
    this.canvas.style.height = `${cssHeight}px`;
    this.canvas.width = Math.round(cssWidth * ratio);
    this.canvas.height = Math.round(cssHeight * ratio);
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, cssWidth, cssHeight);
    const range = valueRange(this.columns);
    this.frame = null;
    if (!range || this.edges.length === 0) return;

    ctx.font = `${FONT_PX}px ${theme.fontFamily}`;
    const bottom = FONT_PX * 2 + 12;
    const top = 6;
    const plotHeight = cssHeight - top - bottom;
    const y = niceTicks(range.min, range.max, plotHeight / 28);
    // The axis ends on the ticks around the values.
    const [y0, y1] = [y.niceMin, y.niceMax];
    const yTicks = multiplesIn(y0, y1, y.step);
    const yLabels = yTicks.map((v) => formatTick(v, y.step));
    const left = FONT_PX + 8 + Math.ceil(Math.max(...yLabels.map((l) => ctx.measureText(l).width), 0)) + 6;
    const right = 10;
    const width = Math.max(10, cssWidth - left - right);
    const x0 = this.edges[0][0];
    const x1 = this.edges[this.edges.length - 1][1];
    const px = (v: number) => left + ((v - x0) / (x1 - x0)) * width;
    const py = (v: number) => top + (1 - (v - y0) / (y1 - y0)) * plotHeight;
    this.frame = { left, top, width, height: plotHeight, x0, x1, y0, y1 };

    // The cells: each column's bins, shaded by their share of the column's fullest bin.
    const shades = Array.from({ length: SHADES + 1 }, (_, i) => mix(theme.background, this.color, FAINTEST + ((1 - FAINTEST) * i) / SHADES));
    for (const [i, c] of this.columns.entries()) {
      const peak = Math.max(...c.bins.counts);
      if (!(peak > 0)) continue;
      const xa = Math.floor(px(this.edges[i][0]));
      const xb = Math.max(xa + 1, Math.ceil(px(this.edges[i][1])));
      c.bins.counts.forEach((n, k) => {
        if (n <= 0) return;
        const [lo, hi] = binInterval(c.bins, k);
        const ya = Math.floor(py(hi));
        // A constant group's one value: a thin band.
        const yb = Math.max(ya + (hi > lo ? 1 : 2), Math.ceil(py(lo)));
        ctx.fillStyle = shades[Math.round((n / peak) * SHADES)];
        ctx.fillRect(xa, ya, xb - xa, yb - ya);
      });
    }

    // Axes: a frame, ticks and their labels, titles.
    ctx.strokeStyle = theme.grid;
    ctx.lineWidth = 1;
    ctx.strokeRect(left + 0.5, top + 0.5, width - 1, plotHeight - 1);
    ctx.fillStyle = theme.foreground;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    yTicks.forEach((v, i) => {
      const yy = Math.round(py(v)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(left - 4, yy);
      ctx.lineTo(left, yy);
      ctx.stroke();
      ctx.fillText(yLabels[i], left - 6, Math.min(Math.max(yy, top + FONT_PX / 2), top + plotHeight - FONT_PX / 2));
    });
    const x = niceTicks(x0, x1, width / 70);
    const xTicks = x.ticks.filter((v) => Number.isInteger(v) && v >= x0 && v <= x1);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const v of xTicks) {
      const xx = Math.round(px(v)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(xx, top + plotHeight);
      ctx.lineTo(xx, top + plotHeight + 4);
      ctx.stroke();
      ctx.fillText(formatTick(v, Math.max(1, x.step)), xx, top + plotHeight + 5);
    }
    ctx.fillText('iteration', left + width / 2, top + plotHeight + FONT_PX + 9);
    ctx.save();
    ctx.translate(FONT_PX / 2 + 2, top + plotHeight / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = 'middle';
    ctx.fillText(this.yTitle, 0, 0);
    ctx.restore();
  }

  /** What the cell at (x, y) in CSS pixels holds, or '' off the plot. */
  private readout(x: number, y: number): string {
    const f = this.frame;
    if (!f || x < f.left || x > f.left + f.width || y < f.top || y > f.top + f.height) return '';
    const i = columnAt(this.edges, f.x0 + ((x - f.left) / f.width) * (f.x1 - f.x0));
    if (i === null) return '';
    const c = this.columns[i];
    const value = f.y1 - ((y - f.top) / f.height) * (f.y1 - f.y0);
    const total = c.bins.counts.reduce((a, b) => a + b, 0);
    const k = binAt(c.bins, value);
    const where = `${this.title}, iteration ${formatCount(c.iteration)}`;
    if (k === null) return `${where}: no values at ${value.toPrecision(3)} (range ${c.bins.min.toPrecision(3)} to ${c.bins.max.toPrecision(3)})`;
    const [lo, hi] = binInterval(c.bins, k);
    return `${where}: ${formatCount(c.bins.counts[k])} of ${formatCount(total)} values in ${lo.toPrecision(3)} to ${hi.toPrecision(3)}`;
  }
}
