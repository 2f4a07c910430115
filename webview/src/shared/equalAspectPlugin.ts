/**
 * A chart.js plugin that keeps a plot at equal aspect (one unit as long on x as on y): after
 * each layout, the axes' ranges are set to the box the chart wants shown, widened to the shape
 * of the plot area just laid out (plotBox.ts). The tick labels that come with the new ranges
 * may change the area's width a little, so the chart is laid out again until it settles —
 * before the browser paints.
 */
import type { Chart, ChartType, Plugin } from 'chart.js';
import { aspectError, equalAspect, type Box } from './plotBox';

/** The relative error in the ranges that is left alone (a fraction of a pixel). */
const TOLERANCE = 1e-3;
/** Layouts again after one update, at most (labels that keep changing width must not loop). */
const MAX_PASSES = 3;

type Ranges = Record<'x' | 'y', { min?: number; max?: number }>;

function close(a: Box, b: Box): boolean {
  const w = b.xMax - b.xMin;
  const h = b.yMax - b.yMin;
  return Math.abs(a.xMin - b.xMin) <= TOLERANCE * w && Math.abs(a.xMax - b.xMax) <= TOLERANCE * w && Math.abs(a.yMin - b.yMin) <= TOLERANCE * h && Math.abs(a.yMax - b.yMax) <= TOLERANCE * h;
}

/** `box(chart)`: what must be in view (null: the axes fit the data as usual). */
export function equalAspectPlugin<T extends ChartType = 'scatter'>(box: (chart: Chart<T>) => Box | null): Plugin<T> {
  let passes = 0;
  let pending = false;
  /** Set while the plugin's own update runs: another update (new data, a resize) starts counting again. */
  let own = false;
  return {
    id: 'equalAspect',
    beforeUpdate() {
      if (!own) passes = 0;
      own = false;
    },
    afterLayout(chart) {
      const scales = chart.options?.scales as unknown as Ranges | undefined;
      const b = box(chart as Chart<T>);
      const area = chart.chartArea;
      const w = area ? area.right - area.left : 0;
      const h = area ? area.bottom - area.top : 0;
      if (!scales || !b || !(w > 0 && h > 0)) return;
      const want = equalAspect(b, w, h);
      const now = { xMin: scales.x.min ?? NaN, xMax: scales.x.max ?? NaN, yMin: scales.y.min ?? NaN, yMax: scales.y.max ?? NaN };
      if (close(now, want) && aspectError(now, w, h) < TOLERANCE * 10) {
        passes = 0;
        return;
      }
      scales.x.min = want.xMin;
      scales.x.max = want.xMax;
      scales.y.min = want.yMin;
      scales.y.max = want.yMax;
      if (pending || passes >= MAX_PASSES) return;
      passes++;
      pending = true;
      // After this update returns, before the frame is painted.
      queueMicrotask(() => {
        pending = false;
        if (!chart.canvas) return;
        own = true;
        chart.update('none');
      });
    },
  };
}
