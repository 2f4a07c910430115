/**
 * Marks where a metric was not finite (a diverged loss: NaN or ±Infinity): the curve has a gap
 * there, and a "×" on the chart's bottom edge at that x, in the run's colour, says why; the first
 * of a run is labelled with what it was. A plugin, not a dataset, so it is never in the read-out.
 */
import type { Chart, ChartType, Plugin } from 'chart.js';
import { metricAt, type MetricKey } from './series';
import type { CurvePoint } from '../protocol';

export interface NonFiniteMark {
  x: number;
  color: string;
  /** Shown beside the first mark of a run ("NaN", "Infinity"). */
  label: string | null;
}

export interface NonFiniteMarkerOptions {
  marks: NonFiniteMark[];
  font: string;
}

declare module 'chart.js' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface PluginOptionsByType<TType extends ChartType> {
    nonFiniteMarker?: NonFiniteMarkerOptions;
  }
}

/** The points of a run where a metric is recorded but not finite: their index and value. */
export function nonFinitePoints(points: readonly CurvePoint[], key: MetricKey): { index: number; value: number }[] {
  const out: { index: number; value: number }[] = [];
  for (let i = 0; i < points.length; i++) {
    const v = metricAt(points, i, key);
    if (v !== undefined && !Number.isFinite(v)) out.push({ index: i, value: v });
  }
  return out;
}

export const nonFiniteMarkerPlugin: Plugin<'line'> = {
  id: 'nonFiniteMarker',
  afterDatasetsDraw(chart: Chart<'line'>, _args, options: NonFiniteMarkerOptions) {
    const { ctx, chartArea: area, scales } = chart;
    const xs = scales.x;
    if (!area || !xs || !options?.marks?.length) return;
    ctx.save();
    ctx.font = options.font;
    ctx.textBaseline = 'bottom';
    ctx.lineWidth = 2;
    const y = area.bottom - 6;
    for (const m of options.marks) {
      const px = xs.getPixelForValue(m.x);
      if (!(px >= area.left && px <= area.right)) continue;
      ctx.strokeStyle = m.color;
      ctx.beginPath();
      ctx.moveTo(px - 4, y - 4);
      ctx.lineTo(px + 4, y + 4);
      ctx.moveTo(px - 4, y + 4);
      ctx.lineTo(px + 4, y - 4);
      ctx.stroke();
      if (m.label) {
        ctx.fillStyle = m.color;
        const width = ctx.measureText(m.label).width;
        ctx.fillText(m.label, px + 6 + width > area.right ? px - 6 - width : px + 6, y - 2);
      }
    }
    ctx.restore();
  },
};
