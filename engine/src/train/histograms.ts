/**
 * Histograms of a model's weights and gradients, as TensorBoard's histograms dashboard shows them:
 * for each named parameter group, the values' range and their counts over equal bins. One pass
 * for the range and one for the counts, so a sample costs O(parameters) and no allocation beyond
 * its counts. Pure: histogramLog.ts writes the samples.
 */

/** `train.histograms` as written: true (the defaults), or how often and how finely. */
export interface HistogramSpec {
  /** Sample every this many iterations (and the last); default 50. */
  every?: number;
  /** Equal bins between each group's smallest and largest value; 5 to 200, default 30. */
  bins?: number;
}

export const HISTOGRAM_DEFAULTS = { every: 50, bins: 30 } as const;
export const MIN_HISTOGRAM_BINS = 5;
export const MAX_HISTOGRAM_BINS = 200;

/** What `train.histograms` asks for, with the defaults filled in; null when off. */
export function histogramSettings(spec: boolean | HistogramSpec | undefined): { every: number; bins: number } | null {
  if (!spec) return null;
  const given = spec === true ? {} : spec;
  return { every: given.every ?? HISTOGRAM_DEFAULTS.every, bins: given.bins ?? HISTOGRAM_DEFAULTS.bins };
}

/**
 * Values counted over `counts.length` equal bins of [min, max]; the last bin includes max. When
 * every value is the same (min = max), all are in the first bin. NaN and ±Infinity are not
 * binned: `nonFinite` says how many there were (absent when none).
 */
export interface Histogram {
  min: number;
  max: number;
  counts: number[];
  nonFinite?: number;
}

/** A slice of the flat parameter vector with a name (a state_dict key, 'params', 'readout'). */
export interface ParamGroup {
  name: string;
  offset: number;
  size: number;
}

export interface HistogramGroup {
  name: string;
  /** Values in the group. */
  size: number;
  weights: Histogram;
  gradients: Histogram;
}

/** One line of histograms.jsonl: every group's weights (after the step) and gradient (the one used) at an iteration. */
export interface HistogramSample {
  iteration: number;
  groups: HistogramGroup[];
}

/** The histogram of values[offset .. offset + size). */
export function histogram(values: ArrayLike<number>, bins: number, offset = 0, size = values.length - offset): Histogram {
  const counts: number[] = new Array<number>(bins).fill(0);
  const end = offset + size;
  let min = Infinity;
  let max = -Infinity;
  let nonFinite = 0;
  for (let i = offset; i < end; i++) {
    const v = values[i];
    if (v - v !== 0) {
      nonFinite++; // NaN or ±Infinity
      continue;
    }
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min > max) return { min: 0, max: 0, counts, ...(nonFinite > 0 ? { nonFinite } : {}) };
  const scale = max > min ? bins / (max - min) : 0;
  const last = bins - 1;
  for (let i = offset; i < end; i++) {
    const v = values[i];
    if (v - v !== 0) continue;
    const k = Math.floor((v - min) * scale);
    counts[k > last ? last : k]++;
  }
  return { min, max, counts, ...(nonFinite > 0 ? { nonFinite } : {}) };
}

/**
 * The groups of a parameter vector: the model's named entries (namedLayout), or one group
 * 'params' for a model without names, then 'readout' for a classifier's readout (`extra` values
 * after the model's `size`).
 */
export function paramGroups(layout: readonly { name: string; offset: number; shape: readonly number[] }[] | undefined, size: number, extra = 0): ParamGroup[] {
  const groups: ParamGroup[] = layout
    ? layout.map((e) => ({ name: e.name, offset: e.offset, size: e.shape.reduce((a, b) => a * b, 1) }))
    : [{ name: 'params', offset: 0, size }];
  if (extra > 0) groups.push({ name: 'readout', offset: size, size: extra });
  return groups.filter((g) => g.size > 0);
}

/** Every group's histograms of `weights` and `gradients` (two vectors laid out alike). */
export function histogramSample(iteration: number, groups: readonly ParamGroup[], weights: ArrayLike<number>, gradients: ArrayLike<number>, bins: number): HistogramSample {
  return {
    iteration,
    groups: groups.map((g) => ({
      name: g.name,
      size: g.size,
      weights: histogram(weights, bins, g.offset, g.size),
      gradients: histogram(gradients, bins, g.offset, g.size),
    })),
  };
}
