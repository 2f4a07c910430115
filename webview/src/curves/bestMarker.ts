/**
 * Marks the best checkpoint on the loss chart: a dashed vertical line at the evaluation with the
 * lowest loss, a ring on that point and a "best" label, one per shown run in the run's colour.
 * A small chart.js plugin rather than a dataset, so the mark is never part of the read-out.
 */
import type { Chart, ChartType, Plugin } from 'chart.js';

export interface BestMark {
  x: number;
  y: number;
  color: string;
  label: string;
}

export interface BestMarkerOptions {
  marks: BestMark[];
  /** The ring's fill: the background, so the ring reads over the curve. */
  background: string;
  font: string;
}

declare module 'chart.js' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface PluginOptionsByType<TType extends ChartType> {
    bestMarker?: BestMarkerOptions;
  }
}

export const bestMarkerPlugin: Plugin<'line'> = {
  id: 'bestMarker',
  afterDatasetsDraw(chart: Chart<'line'>, _args, options: BestMarkerOptions) {
    const { ctx, chartArea: area, scales } = chart;
    const xs = scales.x;
    const ys = scales.y;
    if (!area || !xs || !ys || !options?.marks) return;
    ctx.save();
    ctx.beginPath();
    ctx.rect(area.left, area.top, area.right - area.left, area.bottom - area.top);
    ctx.clip();
    ctx.font = options.font;
    ctx.textBaseline = 'top';
    options.marks.forEach((m, i) => {
      const px = xs.getPixelForValue(m.x);
      if (!(px >= area.left && px <= area.right)) return;
      ctx.strokeStyle = m.color;
      ctx.lineWidth = 1;
      ctx.setLineDash([3, 3]);
      ctx.beginPath();
      ctx.moveTo(px, area.top);
      ctx.lineTo(px, area.bottom);
      ctx.stroke();
      ctx.setLineDash([]);
      const py = ys.getPixelForValue(m.y);
      if (py >= area.top && py <= area.bottom) {
        ctx.beginPath();
        ctx.arc(px, py, 4, 0, 2 * Math.PI);
        ctx.fillStyle = options.background;
        ctx.fill();
        ctx.lineWidth = 2;
        ctx.stroke();
      }
      // Labels of several runs stack instead of overprinting; near the right edge they go left of the line.
      ctx.fillStyle = m.color;
      const width = ctx.measureText(m.label).width;
      const left = px + 4 + width > area.right ? px - 4 - width : px + 4;
      ctx.fillText(m.label, left, area.top + 2 + i * 14);
    });
    ctx.restore();
  },
};
