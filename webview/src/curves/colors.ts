/**
 * Curve colours from the theme's chart palette. One run: each series of a chart takes its own
 * palette colour (loss blue, evaluation loss orange). Several runs: each run takes a palette
 * colour, and its second series (evaluation, backward) a shade of it, moved towards the theme's
 * foreground, so that runs stay told apart by hue and series by shade and dash.
 */

type Rgb = [number, number, number];

/** The channels of an rgb()/rgba()/#rrggbb colour (null when it is none of those). */
export function parseRgb(color: string): Rgb | null {
  const m = /rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)/.exec(color);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  const h = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})/i.exec(color);
  return h ? [parseInt(h[1], 16), parseInt(h[2], 16), parseInt(h[3], 16)] : null;
}

/** `a` moved a fraction `t` of the way to `b`, as rgb(); `a` itself when either does not parse. */
export function mix(a: string, b: string, t: number): string {
  const x = parseRgb(a);
  const y = parseRgb(b);
  if (!x || !y) return a;
  const c = x.map((v, i) => Math.round(v + (y[i] - v) * t));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

/** How far a second series' shade moves towards the foreground. */
const SHADE = 0.45;

/** The colour of series `seriesIndex` of run `runIndex` among `runCount` shown runs. */
export function seriesColor(palette: readonly string[], foreground: string, runIndex: number, runCount: number, seriesIndex: number): string {
  if (palette.length === 0) return foreground;
  if (runCount <= 1) return palette[seriesIndex % palette.length];
  const base = palette[runIndex % palette.length];
  return seriesIndex === 0 ? base : mix(base, foreground, SHADE);
}

/** The colour that stands for a run in the picker and the table (its first series' colour). */
export function runColor(palette: readonly string[], runIndex: number): string {
  return palette.length === 0 ? 'transparent' : palette[runIndex % palette.length];
}
