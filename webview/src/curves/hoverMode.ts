/**
 * The hover read-out's interaction mode, as TensorBoard's: for every curve, its point nearest
 * the cursor's x (chart.js's own modes find one nearest point, or the same index in every
 * dataset, which are different iterations for runs of different lengths). A curve whose points
 * end before the cursor (a shorter run) says nothing there; faint raw curves are skipped
 * (their values are read out beside the smoothed ones).
 */
import { Interaction, type Chart, type ChartEvent, type InteractionItem, type InteractionModeFunction } from 'chart.js';

declare module 'chart.js' {
  interface InteractionModeMap {
    eachNearestX: InteractionModeFunction;
  }
}

/** Datasets marked so are drawn but never read out. */
export interface Hoverable {
  hoverable?: boolean;
}

/** How far past a curve's ends (in pixels) the cursor still reads it. */
const END_SLACK_PX = 8;

export function eachNearestX(chart: Chart, e: ChartEvent, _options: unknown, useFinalPosition?: boolean): InteractionItem[] {
  const area = chart.chartArea;
  if (e.x === null || !area || e.x < area.left || e.x > area.right) return [];
  const x = e.x;
  const items: InteractionItem[] = [];
  chart.data.datasets.forEach((dataset, datasetIndex) => {
    if ((dataset as Hoverable).hoverable === false || !chart.isDatasetVisible(datasetIndex)) return;
    const elements = chart.getDatasetMeta(datasetIndex).data;
    let best = -1;
    let bestDistance = Infinity;
    let first = Infinity;
    let last = -Infinity;
    elements.forEach((el, index) => {
      const p = el.getProps(['x', 'skip'], useFinalPosition) as { x: number; skip?: boolean };
      if (p.skip || !Number.isFinite(p.x)) return;
      first = Math.min(first, p.x);
      last = Math.max(last, p.x);
      const d = Math.abs(p.x - x);
      if (d < bestDistance) {
        bestDistance = d;
        best = index;
      }
    });
    if (best >= 0 && x >= first - END_SLACK_PX && x <= last + END_SLACK_PX) items.push({ element: elements[best], datasetIndex, index: best });
  });
  return items;
}

Interaction.modes.eachNearestX = eachNearestX as InteractionModeFunction;
