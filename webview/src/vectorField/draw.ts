/**
 * The still part of the picture, drawn once per preview, theme or size: the box, arrows of
 * equal length coloured by the field's magnitude, the data points and the predicted trajectory.
 * The particles are drawn over it every frame.
 */
import type { FieldPreview } from '../protocol';
import { withAlpha, type Theme } from '../shared/theme';
import type { FieldGrid } from './fieldGrid';
import type { Particles } from './particles';
import type { Viewport } from './viewport';

/** rgb(a) string → [r, g, b]. */
function rgbOf(color: string): [number, number, number] {
  const m = /rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)/.exec(color);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [128, 128, 128];
}

/** A ramp from the theme's blue (slow) through purple to red (fast). */
function magnitudeRamp(theme: Theme): (s: number) => string {
  const stops = [theme.palette[0], theme.palette[3], theme.palette[4]].map(rgbOf);
  return (s) => {
    const t = Math.min(1, Math.max(0, s)) * (stops.length - 1);
    const i = Math.min(stops.length - 2, Math.floor(t));
    const a = t - i;
    const c = stops[i].map((v, k) => Math.round(v + (stops[i + 1][k] - v) * a));
    return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
  };
}

export interface StaticCounts {
  arrows: number;
}

export function drawStatic(ctx: CanvasRenderingContext2D, vp: Viewport, preview: FieldPreview, grid: FieldGrid, theme: Theme, ratio: number): StaticCounts {
  const { bounds: b } = preview;
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, vp.width, vp.height);

  // The box and its axis labels.
  ctx.strokeStyle = theme.grid;
  ctx.lineWidth = ratio;
  const x0 = vp.px(b.xMin), x1 = vp.px(b.xMax), y0 = vp.py(b.yMin), y1 = vp.py(b.yMax);
  ctx.strokeRect(x0, y1, x1 - x0, y0 - y1);
  ctx.fillStyle = withAlpha(theme.foreground, 0.7);
  ctx.font = `${Math.round(11 * ratio)}px ${theme.fontFamily}`;
  ctx.textBaseline = 'top';
  ctx.textAlign = 'left';
  ctx.fillText(b.xMin.toPrecision(3), x0, y0 + 4 * ratio);
  ctx.textAlign = 'right';
  ctx.fillText(b.xMax.toPrecision(3), x1, y0 + 4 * ratio);
  ctx.textBaseline = 'bottom';
  ctx.fillText(b.yMax.toPrecision(3), x0 - 4 * ratio, y1 + 11 * ratio);
  ctx.fillText(b.yMin.toPrecision(3), x0 - 4 * ratio, y0);

  // Arrows: equal length (most of a cell), colour by magnitude (square-root scale: the slow
  // parts of a cubic field would all be one colour on a linear one).
  const n = grid.n;
  const cell = Math.min(grid.dx, grid.dy) * vp.scale;
  const len = Math.max(4 * ratio, cell * 0.7);
  const head = Math.min(len * 0.35, 5 * ratio);
  const ramp = magnitudeRamp(theme);
  ctx.lineWidth = 1.2 * ratio;
  let arrows = 0;
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const k = j * n + i;
      const u = grid.u[k], v = grid.v[k];
      const m = Math.hypot(u, v);
      if (!(m > 0)) continue;
      const cx = vp.px(grid.xMin + i * grid.dx), cy = vp.py(grid.yMin + j * grid.dy);
      const ux = u / m, uy = -v / m;
      const tx = cx + (ux * len) / 2, ty = cy + (uy * len) / 2;
      const color = ramp(grid.maxMagnitude > 0 ? Math.sqrt(m / grid.maxMagnitude) : 0);
      ctx.strokeStyle = color;
      ctx.fillStyle = color;
      ctx.beginPath();
      ctx.moveTo(cx - (ux * len) / 2, cy - (uy * len) / 2);
      ctx.lineTo(tx, ty);
      ctx.stroke();
      ctx.beginPath();
      ctx.moveTo(tx, ty);
      ctx.lineTo(tx - ux * head - uy * head * 0.5, ty - uy * head + ux * head * 0.5);
      ctx.lineTo(tx - ux * head + uy * head * 0.5, ty - uy * head - ux * head * 0.5);
      ctx.closePath();
      ctx.fill();
      arrows++;
    }
  }

  // The data: small dots.
  ctx.fillStyle = theme.palette[2];
  const r = 1.6 * ratio;
  const { x: dx, y: dy } = preview.data;
  for (let i = 0; i < dx.length; i++) {
    if (!Number.isFinite(dx[i]) || !Number.isFinite(dy[i])) continue;
    ctx.fillRect(vp.px(dx[i]) - r, vp.py(dy[i]) - r, 2 * r, 2 * r);
  }

  // The model's solve from y0, over the data's times.
  if (preview.predicted) {
    // A solve that leaves the box is cut at its edge, not drawn over the labels.
    ctx.save();
    ctx.beginPath();
    ctx.rect(x0, y1, x1 - x0, y0 - y1);
    ctx.clip();
    ctx.strokeStyle = theme.palette[1];
    ctx.lineWidth = 2 * ratio;
    ctx.lineJoin = 'round';
    ctx.beginPath();
    const { x: qx, y: qy } = preview.predicted;
    let pen = false;
    for (let i = 0; i < qx.length; i++) {
      if (!Number.isFinite(qx[i]) || !Number.isFinite(qy[i])) {
        pen = false;
        continue;
      }
      // Clamp far-off points so a diverging solve still draws as a line leaving the box.
      const X = Math.max(-1e5, Math.min(1e5, vp.px(qx[i])));
      const Y = Math.max(-1e5, Math.min(1e5, vp.py(qy[i])));
      if (pen) ctx.lineTo(X, Y);
      else ctx.moveTo(X, Y);
      pen = true;
    }
    ctx.stroke();
    ctx.restore();
  }
  return { arrows };
}

/** Streaks from each particle's last position to its current one, in one path. */
export function drawParticles(ctx: CanvasRenderingContext2D, vp: Viewport, particles: Particles, color: string, ratio: number): void {
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.5 * ratio;
  ctx.lineCap = 'round';
  ctx.beginPath();
  const { x, y, px, py } = particles;
  for (let p = 0; p < x.length; p++) {
    const ax = vp.px(px[p]), ay = vp.py(py[p]);
    ctx.moveTo(ax, ay);
    ctx.lineTo(vp.px(x[p]) + 0.01, vp.py(y[p]));
  }
  ctx.stroke();
}

/** Pixels that differ from the background colour: a test's proof that something was drawn. */
export function countInk(ctx: CanvasRenderingContext2D, width: number, height: number, background: string): number {
  const [r, g, b] = rgbOf(background);
  const img = ctx.getImageData(0, 0, width, height).data;
  let ink = 0;
  for (let i = 0; i < img.length; i += 4) {
    if (Math.abs(img[i] - r) + Math.abs(img[i + 1] - g) + Math.abs(img[i + 2] - b) > 24) ink++;
  }
  return ink;
}
