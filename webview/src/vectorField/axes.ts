/**
 * The phase plane's axes on the canvas (frame.ts lays them out): faint grid lines at the ticks
 * under the picture; over it, the frame of the plot, tick marks, tick labels, the axis names,
 * and the outline of the sampled box (beyond it the field is not known).
 */
import { withAlpha, type Theme } from '../shared/theme';
import { GAP, PAD, TICK } from './frame';
import type { Viewport } from './viewport';

/** The canvas cleared to the background, with the grid lines of the plot area. */
export function drawGrid(ctx: CanvasRenderingContext2D, vp: Viewport, theme: Theme, ratio: number): void {
  const { plot, xTicks, yTicks } = vp.frame;
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, vp.width, vp.height);
  ctx.save();
  // A high-contrast theme's grid colour is opaque: faded here, under the dense arrows.
  ctx.strokeStyle = theme.kind.startsWith('high-contrast') ? withAlpha(theme.grid, 0.4) : theme.grid;
  ctx.lineWidth = ratio;
  ctx.beginPath();
  for (const t of xTicks) {
    const x = Math.round(vp.px(t.value)) + 0.5;
    ctx.moveTo(x, plot.top);
    ctx.lineTo(x, plot.top + plot.height);
  }
  for (const t of yTicks) {
    const y = Math.round(vp.py(t.value)) + 0.5;
    ctx.moveTo(plot.left, y);
    ctx.lineTo(plot.left + plot.width, y);
  }
  ctx.stroke();
  ctx.restore();
}

/** The fontsize of the panels' charts (shared/chartAxes.ts), in device pixels. */
export const labelFontPx = (theme: Theme, ratio: number): number => Math.round(Math.max(11, theme.fontSize - 1) * ratio);

/** The frame, ticks, labels and names, and the sampled box's outline. */
export function drawAxes(ctx: CanvasRenderingContext2D, vp: Viewport, theme: Theme, ratio: number): void {
  const { plot, xTicks, yTicks, names, box } = vp.frame;
  const bottom = plot.top + plot.height;
  ctx.save();
  // The sampled box, where it lies inside the plot.
  ctx.strokeStyle = withAlpha(theme.foreground, 0.35);
  ctx.lineWidth = ratio;
  ctx.setLineDash([4 * ratio, 3 * ratio]);
  ctx.strokeRect(vp.px(box.xMin), vp.py(box.yMax), (box.xMax - box.xMin) * vp.scale, (box.yMax - box.yMin) * vp.scale);
  ctx.setLineDash([]);
  // The frame and the tick marks, outwards.
  ctx.strokeStyle = withAlpha(theme.foreground, 0.45);
  ctx.strokeRect(plot.left + 0.5, plot.top + 0.5, plot.width - 1, plot.height - 1);
  ctx.beginPath();
  for (const t of xTicks) {
    const x = Math.round(vp.px(t.value)) + 0.5;
    ctx.moveTo(x, bottom);
    ctx.lineTo(x, bottom + TICK * ratio);
  }
  for (const t of yTicks) {
    const y = Math.round(vp.py(t.value)) + 0.5;
    ctx.moveTo(plot.left, y);
    ctx.lineTo(plot.left - TICK * ratio, y);
  }
  ctx.stroke();
  // Labels and names, in the theme's font and colour.
  const font = labelFontPx(theme, ratio);
  ctx.font = `${font}px ${theme.fontFamily}`;
  ctx.fillStyle = theme.foreground;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const t of xTicks) ctx.fillText(t.label, vp.px(t.value), bottom + (TICK + GAP) * ratio);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const t of yTicks) ctx.fillText(t.label, plot.left - (TICK + GAP) * ratio, vp.py(t.value));
  const line = Math.ceil(font * 1.25);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  ctx.fillText(names[0], plot.left + plot.width / 2, bottom + (TICK + GAP) * ratio + line + GAP * ratio);
  ctx.translate(PAD * ratio, plot.top + plot.height / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(names[1], 0, 0);
  ctx.restore();
}
