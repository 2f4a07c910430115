/**
 * A CNF's colour scale and frame times, read off the message (pure: no DOM, so unit-tested):
 * viridis from no density to the frame's largest, and t at a fractional frame position.
 */
import type { FieldDensity } from '../protocol';

/** Viridis at five stops: dark for no density, yellow for the most (perceptually even, reads in any theme). */
const STOPS: [number, number, number][] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

/** The colour of s in [0, 1] on the scale, as [r, g, b]. */
export function densityRgb(s: number): number[] {
  const x = Math.min(1, Math.max(0, Number.isFinite(s) ? s : 0)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const a = x - i;
  return STOPS[i].map((v, k) => Math.round(v + (STOPS[i + 1][k] - v) * a));
}

/** The colour of s in [0, 1] on the scale. */
export function densityColor(s: number): string {
  const c = densityRgb(s);
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

/**
 * The top of frame f's colour scale: its largest density. Each frame has its own scale (the
 * legend follows), so the data's modes are as bright as the base's peak, which is higher.
 */
export function densityMax(d: FieldDensity, f: number): number {
  let top = 0;
  for (const lp of d.mesh?.logp[f] ?? []) if (Number.isFinite(lp)) top = Math.max(top, Math.exp(lp));
  return top > 0 ? top : 1;
}

/** t at a fractional frame position. */
export function timeAt(d: FieldDensity, pos: number): number {
  const i = Math.min(d.t.length - 2, Math.max(0, Math.floor(pos)));
  const a = Math.min(1, Math.max(0, pos - i));
  return d.t[i] + (d.t[i + 1] - d.t[i]) * a;
}
