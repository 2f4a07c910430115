/**
 * Axis ticks as a reader expects them: multiples of 1, 2 or 5 × 10ᵏ, labelled with as many
 * decimals as the step needs (0.5, 1, 1.5 — never 1.29, 0.285). Pure, so it is unit-tested.
 */

export interface NiceTicks {
  /** The distance between ticks: 1, 2 or 5 × 10ᵏ. */
  step: number;
  /** The multiples of `step` in [min, max]. */
  ticks: number[];
  /** min and max rounded out to the ticks around them. */
  niceMin: number;
  niceMax: number;
}

const MULTIPLIERS = [1, 2, 5, 10];

/** The smallest 1, 2 or 5 × 10ᵏ that is at least `raw` (> 0). */
export function niceStepAtLeast(raw: number): number {
  if (!(raw > 0 && Number.isFinite(raw))) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  // 1e-9: log10 and the division are not exact (raw = 0.3 must give 0.5, raw = 0.2 give 0.2).
  const m = MULTIPLIERS.find((k) => k * power >= raw * (1 - 1e-9)) ?? 10;
  return m * power;
}

/** Decimals that write every multiple of `step` exactly (0.25 is not a step here: at most one significant digit). */
export function stepDecimals(step: number): number {
  if (!(step > 0 && Number.isFinite(step))) return 0;
  return Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
}

/** A multiple of `step`, free of the binary noise of k · step (0.30000000000000004). */
const snap = (k: number, step: number): number => Number((k * step).toFixed(Math.min(20, stepDecimals(step))));

/**
 * About `count` intervals over [min, max] (count need not be whole: an axis's length over the
 * spacing wanted between ticks). An empty or reversed range is widened around its value.
 */
export function niceTicks(min: number, max: number, count: number): NiceTicks {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return { step: 1, ticks: [], niceMin: min, niceMax: max };
  if (max < min) [min, max] = [max, min];
  if (max - min <= 1e-12 * Math.max(1, Math.abs(min))) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
    min -= pad;
    max += pad;
  }
  const step = niceStepAtLeast((max - min) / Math.max(1, count));
  const tolerance = step * 1e-9;
  return {
    step,
    ticks: multiplesIn(min, max, step),
    niceMin: snap(Math.floor((min + tolerance) / step), step),
    niceMax: snap(Math.ceil((max - tolerance) / step), step),
  };
}

/** The multiples of `step` in [min, max] (ends included within rounding). */
export function multiplesIn(min: number, max: number, step: number): number[] {
  if (!(step > 0) || !Number.isFinite(min) || !Number.isFinite(max)) return [];
  const tolerance = step * 1e-9;
  const first = Math.ceil((min - tolerance) / step);
  const last = Math.floor((max + tolerance) / step);
  const ticks: number[] = [];
  // A bound on the count: a step far too small for the range must not hang the page.
  for (let k = first; k <= last && ticks.length < 1000; k++) ticks.push(snap(k, step));
  return ticks;
}

/** The minus sign of typeset numbers, not a hyphen. */
const MINUS = '−';

/**
 * A tick's label: the step's decimals on every tick (0.0, 0.5, 1.0), or a power of ten for the
 * very large and small (2e6, 5e−5), written with a true minus sign.
 */
export function formatTick(value: number, step: number): string {
  if (!Number.isFinite(value)) return String(value);
  // −0 and the rounding noise of a tick at 0.
  const v = Math.abs(value) < step * 1e-6 ? 0 : value;
  const a = Math.abs(v);
  let text: string;
  if (a === 0 && step < 1e-3) {
    text = '0';
  } else if (a >= 1e5 || step < 1e-3) {
    // Digits enough to tell neighbouring ticks apart.
    const digits = Math.max(0, Math.min(15, Math.floor(Math.log10(a) + 1e-9) - Math.floor(Math.log10(step) + 1e-9)));
    text = v.toExponential(digits).replace('e+', 'e');
  } else {
    text = v.toFixed(Math.min(20, stepDecimals(step)));
  }
  return text.replaceAll('-', MINUS);
}

/**
 * Ticks of a log axis over [min, max] (0 < min < max): 1, 2 and 5 × 10ᵏ when a decade has room
 * for three labels, else the powers of ten (every n-th when even those crowd); `decadePixels`
 * is a decade's length on screen and `spacing` the pixels wanted between labels. The range is
 * rounded out to the ticks around it.
 */
export function logTicks(min: number, max: number, decadePixels: number, spacing: number): { ticks: number[]; niceMin: number; niceMax: number } {
  if (!(min > 0 && max > min && Number.isFinite(max))) return { ticks: [], niceMin: min, niceMax: max };
  const multipliers = decadePixels >= 3 * spacing ? [1, 2, 5] : [1];
  const every = Math.max(1, Math.ceil(spacing / Math.max(decadePixels, 1e-9)));
  const lo = Math.floor(Math.log10(min) + 1e-9);
  const hi = Math.ceil(Math.log10(max) - 1e-9);
  const all: number[] = [];
  for (let k = lo; k <= hi; k++) {
    if (k % every !== 0) continue;
    for (const m of multipliers) all.push(Number((m * 10 ** k).toPrecision(1)));
  }
  const below = all.filter((v) => v <= min * (1 + 1e-9));
  const above = all.filter((v) => v >= max * (1 - 1e-9));
  const niceMin = below.length > 0 ? below[below.length - 1] : min;
  const niceMax = above.length > 0 ? above[0] : max;
  return { ticks: all.filter((v) => v >= niceMin && v <= niceMax), niceMin, niceMax };
}

/** A log tick's label: 0.002, 50, 1000 as they are; 2e−5 and 1e6 beyond. */
export function formatLogTick(value: number): string {
  if (!(value > 0) || !Number.isFinite(value)) return String(value);
  const v = Number(value.toPrecision(3));
  const text = v >= 1e4 || v < 1e-3 ? v.toExponential().replace('e+', 'e') : String(v);
  return text.replaceAll('-', MINUS);
}
