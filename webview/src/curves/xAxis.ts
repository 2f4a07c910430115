/**
 * The three x axes of the training curves, as TensorBoard has them: the iteration (step), the
 * time since the run started (relative), and the clock time (wall). Pure functions.
 */
import type { CurvesXAxis } from '../protocol';
import { ElapsedClock } from './elapsed';

export type XMode = CurvesXAxis;

export const X_AXIS_TITLES: Record<XMode, string> = { iteration: 'Iteration', relative: 'Relative time', wall: 'Wall time' };

/** Seconds of training up to each point (undefined where a point has no `wallSeconds`). */
export function elapsedSeconds(points: readonly { wallSeconds?: number }[]): (number | undefined)[] {
  const clock = new ElapsedClock();
  return points.map((p) => clock.next(p.wallSeconds));
}

/** The unit of a relative-time axis: seconds, minutes or hours, whichever keeps its numbers short. */
export function relativeUnit(maxSeconds: number): { label: 's' | 'min' | 'h'; seconds: number } {
  if (!(maxSeconds > 180)) return { label: 's', seconds: 1 };
  if (maxSeconds <= 3 * 3600) return { label: 'min', seconds: 60 };
  return { label: 'h', seconds: 3600 };
}

/** The x of every point in a mode (undefined: the point has no such x and is left out). */
export function xValues(
  points: readonly { iteration: number; wallSeconds?: number }[],
  mode: XMode,
  createdAt: string,
  unitSeconds = 1,
): (number | undefined)[] {
  if (mode === 'iteration') return points.map((p) => p.iteration);
  const elapsed = elapsedSeconds(points);
  if (mode === 'relative') return elapsed.map((s) => (s === undefined ? undefined : s / unitSeconds));
  // Clock time of a resumed part is approximate: the run's start plus the training time before it.
  const start = Date.parse(createdAt);
  if (Number.isNaN(start)) return points.map(() => undefined);
  return elapsed.map((s) => (s === undefined ? undefined : start + s * 1000));
}

/**
 * Ticks of a linear x axis at round numbers (1, 2 or 5 × 10^k apart), at most `maxTicks`, inside
 * [min, max]: the axis spans the data exactly (a run of 300 iterations is not stretched to 500)
 * and its labels are still round. Iterations get whole-number steps.
 */
export function niceTicks(min: number, max: number, maxTicks: number, integer: boolean): number[] {
  if (!(max > min) || !Number.isFinite(min) || !Number.isFinite(max)) return Number.isFinite(min) ? [min] : [];
  const rough = (max - min) / Math.max(1, maxTicks);
  const power = 10 ** Math.floor(Math.log10(rough));
  let step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  if (integer) step = Math.max(1, Math.round(step));
  const ticks: number[] = [];
  for (let k = Math.ceil(min / step - 1e-9); k * step <= max * (1 + 1e-12) + 1e-12; k++) ticks.push(Number((k * step).toPrecision(12)));
  return ticks;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const CLOCK_STEPS = [1, 2, 5, 10, 15, 30].map((s) => s * SECOND)
  .concat([1, 2, 5, 10, 15, 30].map((m) => m * MINUTE))
  .concat([1, 2, 3, 6, 12].map((h) => h * HOUR))
  .concat([1, 2, 7, 14, 30].map((d) => d * DAY));

/**
 * Ticks of a clock-time axis (epoch ms) at round local times (every 10 s, 5 min, 1 h…), at most
 * `maxTicks` of them, and the step, which decides how they are written.
 */
export function clockTicks(minMs: number, maxMs: number, maxTicks: number, tzOffsetMinutes = new Date(minMs).getTimezoneOffset()): { ticks: number[]; step: number } {
  const span = maxMs - minMs;
  if (!(span > 0)) return { ticks: [minMs], step: SECOND };
  const step = CLOCK_STEPS.find((s) => span / s <= Math.max(1, maxTicks)) ?? Math.ceil(span / maxTicks / DAY) * DAY;
  // Local time is epoch time shifted by the zone's offset; round there.
  const shift = -tzOffsetMinutes * MINUTE;
  const ticks: number[] = [];
  for (let t = Math.ceil((minMs + shift) / step) * step - shift; t <= maxMs; t += step) ticks.push(t);
  return { ticks, step };
}

/** A clock-time label: seconds when the ticks are seconds apart, the date when days apart. */
export function formatClock(ms: number, step: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (step >= DAY) return `${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  if (step < MINUTE) return `${hm}:${pad(d.getSeconds())}`;
  return hm;
}

/** How a point's x reads in the hover read-out. */
export function formatX(x: number, mode: XMode, unit: { label: string }): string {
  if (mode === 'iteration') return `iteration ${x}`;
  if (mode === 'relative') return `${Number(x.toPrecision(4))} ${unit.label}`;
  const d = new Date(x);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
