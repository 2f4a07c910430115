/**
 * What the histograms section draws, as data: a run's samples merged as they arrive, its groups,
 * one group's histograms over the iterations (weights or gradients), the value range they span
 * and each sample's column and bins on the plot. Pure, so it is unit-tested.
 */
import type { HistogramBins, HistogramSample } from '../protocol';

export type HistogramKind = 'weights' | 'gradients';

/** Samples by iteration: an incoming one replaces one of the same iteration (a resumed run wrote it again). */
export function mergeSamples(existing: readonly HistogramSample[], incoming: readonly HistogramSample[]): HistogramSample[] {
  if (incoming.length === 0) return [...existing];
  const byIteration = new Map(existing.map((s) => [s.iteration, s]));
  for (const s of incoming) byIteration.set(s.iteration, s);
  return [...byIteration.values()].sort((a, b) => a.iteration - b.iteration);
}

/** The groups of the samples, in the model's order (the first sample's, then any later ones). */
export function groupNames(samples: readonly HistogramSample[]): string[] {
  const names = new Set<string>();
  for (const s of samples) for (const g of s.groups) names.add(g.name);
  return [...names];
}

export interface HistogramColumn {
  iteration: number;
  bins: HistogramBins;
}

/** One group's histograms of weights or gradients, one per sample that has the group. */
export function groupColumns(samples: readonly HistogramSample[], group: string, kind: HistogramKind): HistogramColumn[] {
  const out: HistogramColumn[] = [];
  for (const s of samples) {
    const g = s.groups.find((x) => x.name === group);
    if (g) out.push({ iteration: s.iteration, bins: g[kind] });
  }
  return out;
}

/** The union of the columns' ranges; a single value is widened around it (by 1 at 0). */
export function valueRange(columns: readonly HistogramColumn[]): { min: number; max: number } | null {
  let min = Infinity;
  let max = -Infinity;
  for (const c of columns) {
    if (!c.bins.counts.some((n) => n > 0)) continue;
    min = Math.min(min, c.bins.min);
    max = Math.max(max, c.bins.max);
  }
  if (!(min <= max)) return null;
  if (max - min <= 1e-12 * Math.max(Math.abs(min), Math.abs(max))) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    return { min: min - pad, max: max + pad };
  }
  return { min, max };
}

/**
 * Each column's extent on the iteration axis: from halfway to the previous sample to halfway to
 * the next (the first and last as wide on their outer side), so columns tile the axis.
 */
export function columnEdges(iterations: readonly number[]): [number, number][] {
  const n = iterations.length;
  if (n === 0) return [];
  if (n === 1) return [[iterations[0] - 0.5, iterations[0] + 0.5]];
  return iterations.map((it, i) => {
    const before = i > 0 ? (it - iterations[i - 1]) / 2 : (iterations[1] - it) / 2;
    const after = i < n - 1 ? (iterations[i + 1] - it) / 2 : (it - iterations[n - 2]) / 2;
    return [it - before, it + after];
  });
}

/** The values bin k of a histogram holds; a constant group's one bin is its value. */
export function binInterval(bins: HistogramBins, k: number): [number, number] {
  if (bins.max <= bins.min) return [bins.min, bins.min];
  const width = (bins.max - bins.min) / bins.counts.length;
  return [bins.min + k * width, k === bins.counts.length - 1 ? bins.max : bins.min + (k + 1) * width];
}

/** The bin of a histogram that holds `value` (null outside its range). */
export function binAt(bins: HistogramBins, value: number): number | null {
  if (value < bins.min || value > bins.max) return null;
  if (bins.max <= bins.min) return 0;
  return Math.min(bins.counts.length - 1, Math.floor(((value - bins.min) / (bins.max - bins.min)) * bins.counts.length));
}

/** The column whose extent holds x (the nearest at the ends). */
export function columnAt(edges: readonly [number, number][], x: number): number | null {
  if (edges.length === 0) return null;
  let lo = 0;
  let hi = edges.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid][1] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
