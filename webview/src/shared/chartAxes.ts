/** What every x/y chart of the panels does with the theme: fonts, grid, ticks and axis titles. */
import { Chart, type Scale } from 'chart.js';
import type { Theme } from './theme';

/** Short tick labels: 3 significant digits, exponents (1e-7, 2.5e+4) for the very large and small. */
export function tickLabel(value: number | string): string {
  const v = Number(value);
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? Number(v.toPrecision(2)).toExponential() : String(Number(v.toPrecision(3)));
}

type TickCallback = (this: Scale, value: number | string) => string;

/**
 * Sets chart.js's font to the theme's and colours the x and y axes of `chart`; `ticks` adds to
 * (or replaces the callback of) the tick options.
 */
export function themeAxes(chart: { options: { scales?: unknown } }, theme: Theme, ticks: { callback?: TickCallback; [option: string]: unknown } = {}): void {
  Chart.defaults.font.family = theme.fontFamily;
  Chart.defaults.font.size = Math.max(11, theme.fontSize - 1);
  type Axis = { grid: object; border: object; ticks: object; title: { color: string } };
  const scales = chart.options.scales as unknown as Record<'x' | 'y', Axis>;
  for (const axis of [scales.x, scales.y]) {
    axis.grid = { color: theme.grid };
    axis.border = { color: theme.grid };
    // Plain objects, never spreads of chart.js's own: its options are proxies that do not copy cleanly.
    axis.ticks = { color: theme.foreground, callback: tickLabel, ...ticks };
    axis.title.color = theme.foreground;
  }
}
