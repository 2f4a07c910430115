/**
 * Linear chart.js axes with ticks at 1, 2 or 5 × 10ᵏ (niceTicks.ts) instead of chart.js's own,
 * which start at the data's minimum when the axis ends at the data (1.29, 0.285, −0.715); as
 * many as the axis's length has room for, labelled with the step's decimals.
 */
import type { Scale } from 'chart.js';
import { tickLabel } from './chartAxes';
import { formatLogTick, formatTick, logTicks, multiplesIn, niceTicks } from './niceTicks';

export interface NiceAxisOptions {
  /** Round the axis's ends out to the ticks around the data (else it ends at the data or at its set min and max). */
  extend?: boolean;
  /** Pixels wanted between ticks (default: 64 across, 32 up). */
  spacing?: number;
}

/** The step each scale's ticks were last built with, for their labels. */
const steps = new WeakMap<Scale, number>();
/** Each scale's range before the ticks moved it (chart.js lays an axis out more than once per update). */
const limits = new WeakMap<Scale, { min: number; max: number }>();

/** Sets the tick hooks on a linear axis's options. */
export function niceAxis(axis: object, opts: NiceAxisOptions = {}): void {
  Object.assign(axis, {
    afterDataLimits: (scale: Scale) => limits.set(scale, { min: scale.min, max: scale.max }),
    afterBuildTicks: (scale: Scale) => {
      const range = limits.get(scale) ?? { min: scale.min, max: scale.max };
      const horizontal = scale.isHorizontal();
      const length = horizontal ? scale.width : scale.height;
      const spacing = opts.spacing ?? (horizontal ? 64 : 32);
      let t = niceTicks(range.min, range.max, Math.max(2, length / spacing));
      // An axis that ends at the data needs two ticks inside it to be read: finer steps until it has them.
      for (let finer = 2.5; !opts.extend && t.ticks.length < 2 && finer < 20; finer *= 2.5) t = niceTicks(range.min, range.max, Math.max(2, length / spacing) * finer);
      // An empty range (one value) is widened as niceTicks widened it.
      const [min, max] = opts.extend || !(range.max > range.min) ? [t.niceMin, t.niceMax] : [range.min, range.max];
      if (!(Number.isFinite(min) && Number.isFinite(max) && max > min)) return;
      scale.min = min;
      scale.max = max;
      steps.set(scale, t.step);
      scale.ticks = multiplesIn(min, max, t.step).map((value) => ({ value }));
    },
  });
}

/**
 * The tick hooks of a log axis: within a decade, the linear axis's ticks; over decades, 1, 2 and
 * 5 × 10ᵏ or the powers of ten as room allows, never chart.js's 1 to 9 that crowd into each other.
 * The axis ends on the ticks around the data.
 */
export function niceLogAxis(axis: object, opts: { spacing?: number } = {}): void {
  Object.assign(axis, {
    afterDataLimits: (scale: Scale) => limits.set(scale, { min: scale.min, max: scale.max }),
    afterBuildTicks: (scale: Scale) => {
      const range = limits.get(scale) ?? { min: scale.min, max: scale.max };
      if (!(range.min > 0 && range.max > range.min)) return;
      const horizontal = scale.isHorizontal();
      const length = horizontal ? scale.width : scale.height;
      const spacing = opts.spacing ?? (horizontal ? 64 : 24);
      const decades = Math.log10(range.max / range.min);
      if (decades < 1) {
        // Within a decade a log axis is nearly linear: its ticks are too.
        const t = niceTicks(range.min, range.max, Math.max(2, length / spacing));
        scale.min = t.niceMin > 0 ? t.niceMin : range.min;
        scale.max = t.niceMax;
        steps.set(scale, t.step);
        scale.ticks = multiplesIn(scale.min, scale.max, t.step).map((value) => ({ value }));
        return;
      }
      const t = logTicks(range.min, range.max, length / decades, spacing);
      scale.min = t.niceMin;
      scale.max = t.niceMax;
      steps.delete(scale);
      scale.ticks = t.ticks.map((value) => ({ value, major: true }));
    },
  });
}

/** The tick label of a nice axis: the step's decimals, or a log axis's 1, 2, 5 × 10ᵏ; other axes as tickLabel writes them. */
export function niceTickLabel(this: Scale, value: number | string): string {
  const step = steps.get(this);
  if (step !== undefined) return formatTick(Number(value), step);
  return this.type === 'logarithmic' ? formatLogTick(Number(value)) : tickLabel(value);
}
