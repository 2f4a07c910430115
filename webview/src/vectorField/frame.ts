/**
 * The phase plane's frame on the canvas: the plot area (room left around it for the tick labels
 * and the axis names), the view — the sampled box widened to equal aspect, so that the plot
 * fills the canvas and a circle stays a circle — and ticks at one 1, 2 or 5 × 10ᵏ step on both
 * axes (the grid's cells are squares). Pure but for the text measure it is given, so it is
 * unit-tested.
 */
import { formatTick, multiplesIn, niceStepAtLeast } from '../shared/niceTicks';
import { equalAspect, type Box } from '../shared/plotBox';

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface Tick {
  value: number;
  label: string;
}

export interface PlaneFrame {
  /** Where the plane is drawn, in canvas pixels. */
  plot: Rect;
  /** The data range the plot shows: the box, widened on one axis. */
  view: Box;
  /** The sampled box (the field is known inside it only). */
  box: Box;
  step: number;
  xTicks: Tick[];
  yTicks: Tick[];
  /** The axes' names: the plane's two components. */
  names: [string, string];
}

export interface TextMetrics {
  /** Device pixels per CSS pixel. */
  ratio: number;
  /** The labels' font size, in device pixels. */
  fontPx: number;
  /** A label's width in device pixels. */
  measure: (text: string) => number;
}

/** CSS pixels between ticks, at least. */
const SPACING = 64;
/** CSS pixels: the canvas's edge to the text, a tick mark's length, text to its tick or axis. */
export const PAD = 6;
export const TICK = 4;
export const GAP = 3;

const SUBSCRIPTS = '₀₁₂₃₄₅₆₇₈₉';
/** y₀ and y₁ for the plane "0,1" (of components 0 and 1). */
export function componentNames(plane: string): [string, string] {
  const [a, b] = plane.split(',').map((k) => `y${String(k).replace(/\d/g, (d) => SUBSCRIPTS[Number(d)])}`);
  return [a ?? 'y₀', b ?? 'y₁'];
}

/** The frame of `box` on a width × height canvas. */
export function planeFrame(box: Box, names: [string, string], width: number, height: number, m: TextMetrics): PlaneFrame {
  const r = m.ratio;
  const line = Math.ceil(m.fontPx * 1.25);
  // The labels' room depends on the ticks, which depend on the room: a few passes settle it.
  let yLabels = m.measure('−0.0');
  let xHalf = yLabels / 2;
  let frame: PlaneFrame | undefined;
  for (let pass = 0; pass < 4; pass++) {
    const left = Math.ceil(PAD * r + line + GAP * r + yLabels + (GAP + TICK) * r);
    const bottom = Math.ceil((TICK + GAP) * r + 2 * line + GAP * r + PAD * r);
    const top = Math.ceil(Math.max(PAD * r, line / 2 + 2 * r));
    const right = Math.ceil(Math.max(PAD * r, xHalf + 2 * r));
    const plot = { left, top, width: Math.max(1, width - left - right), height: Math.max(1, height - top - bottom) };
    const view = equalAspect(box, plot.width, plot.height);
    const step = niceStepAtLeast(((view.xMax - view.xMin) / plot.width) * SPACING * r);
    const ticks = (a: number, b: number): Tick[] => multiplesIn(a, b, step).map((value) => ({ value, label: formatTick(value, step) }));
    frame = { plot, view, box, step, xTicks: ticks(view.xMin, view.xMax), yTicks: ticks(view.yMin, view.yMax), names };
    const widest = (t: Tick[]): number => t.reduce((w, k) => Math.max(w, m.measure(k.label)), 0);
    const nextY = widest(frame.yTicks);
    const nextX = widest(frame.xTicks) / 2;
    if (Math.abs(nextY - yLabels) < 1 && Math.abs(nextX - xHalf) < 1) break;
    yLabels = nextY;
    xHalf = nextX;
  }
  return frame!;
}
