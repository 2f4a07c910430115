/**
 * The still part of the picture, drawn once per preview, theme, size or time: the axes, arrows
 * of equal length and streamlines coloured by the field's magnitude, and the data points with
 * the predicted trajectory, or a classifier's points and their flows coloured by class. The
 * particles and a classifier's moving points are drawn over it every frame.
 */
import type { FieldClassification, FieldPreview } from '../protocol';
import { withAlpha, type Theme } from '../shared/theme';
import type { FieldGrid } from './fieldGrid';
import type { Particles } from './particles';
import type { Streamline } from './streamlines';
import { drawAxes, drawGrid } from './axes';
import type { Viewport } from './viewport';

/** Class k's colour: the theme's chart palette in order (blue, orange, green, …). */
export function classColor(theme: Theme, k: number): string {
  return theme.palette[k % theme.palette.length];
}

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
  streamlines: number;
  /** A classifier's flow paths drawn. */
  flows: number;
}

export interface DrawOptions {
  arrows: boolean;
  /** Lines to draw, or null for none. */
  streamlines: Streamline[] | null;
}

export function drawStatic(ctx: CanvasRenderingContext2D, vp: Viewport, preview: FieldPreview, grid: FieldGrid, theme: Theme, ratio: number, opts: DrawOptions): StaticCounts {
  drawGrid(ctx, vp, theme, ratio);
  const counts = drawField(ctx, vp, preview, grid, theme, ratio, opts);
  drawAxes(ctx, vp, theme, ratio);
  return counts;
}

/** Arrows, streamlines, and the data with the solve or a classifier's flows. */
function drawField(ctx: CanvasRenderingContext2D, vp: Viewport, preview: FieldPreview, grid: FieldGrid, theme: Theme, ratio: number, opts: DrawOptions): StaticCounts {

  // Arrows: equal length (most of a cell), colour by magnitude (square-root scale: the slow
  // parts of a cubic field would all be one colour on a linear one). A classifier's classes
  // take the palette's colours, so its field is drawn in the foreground's shades instead.
  const cls = preview.classification;
  const n = grid.n;
  const cell = Math.min(grid.dx, grid.dy) * vp.scale;
  const len = Math.max(4 * ratio, cell * 0.7);
  const head = Math.min(len * 0.35, 5 * ratio);
  const colorRamp = magnitudeRamp(theme);
  const ramp = cls ? (m: number) => withAlpha(theme.foreground, 0.18 + 0.42 * Math.min(1, Math.max(0, m))) : colorRamp;
  ctx.lineWidth = 1.2 * ratio;
  let arrows = 0;
  const streamlines = opts.streamlines ? drawStreamlines(ctx, vp, opts.streamlines, grid, ramp, ratio) : 0;
  for (let j = 0; j < n && opts.arrows; j++) {
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

  if (cls) return { arrows, streamlines, flows: drawClassFlows(ctx, vp, preview, cls, theme, ratio) };

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
    // A solve that leaves the plot is cut at its edge, not drawn over the labels.
    ctx.save();
    vp.clip(ctx);
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
  return { arrows, streamlines, flows: 0 };
}

/** Streamlines, each in the colour of its mean magnitude, with an arrowhead at its middle. */
function drawStreamlines(ctx: CanvasRenderingContext2D, vp: Viewport, lines: Streamline[], grid: FieldGrid, ramp: (s: number) => string, ratio: number): number {
  ctx.save();
  ctx.lineWidth = 1.1 * ratio;
  ctx.lineJoin = 'round';
  const head = 4 * ratio;
  for (const line of lines) {
    const p = line.points;
    const color = ramp(grid.maxMagnitude > 0 ? Math.sqrt(line.magnitude / grid.maxMagnitude) : 0);
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.beginPath();
    ctx.moveTo(vp.px(p[0]), vp.py(p[1]));
    for (let i = 2; i < p.length; i += 2) ctx.lineTo(vp.px(p[i]), vp.py(p[i + 1]));
    ctx.stroke();
    // The direction of the flow, halfway along.
    const m = 2 * Math.floor(p.length / 4);
    if (m < 2) continue;
    const ax = vp.px(p[m - 2]), ay = vp.py(p[m - 1]), bx = vp.px(p[m]), by = vp.py(p[m + 1]);
    const l = Math.hypot(bx - ax, by - ay);
    if (!(l > 0)) continue;
    const ux = (bx - ax) / l, uy = (by - ay) / l;
    ctx.beginPath();
    ctx.moveTo(bx + ux * head * 0.5, by + uy * head * 0.5);
    ctx.lineTo(bx - ux * head - uy * head * 0.6, by - uy * head + ux * head * 0.6);
    ctx.lineTo(bx - ux * head + uy * head * 0.6, by - uy * head - ux * head * 0.6);
    ctx.closePath();
    ctx.fill();
  }
  ctx.restore();
  return lines.length;
}

/**
 * A classifier's points: the path each one flows along from t = 0 to 1 (faint, one colour per
 * class) and its start as a dot. The moving points are drawn per frame (drawClassPoints).
 */
function drawClassFlows(ctx: CanvasRenderingContext2D, vp: Viewport, preview: FieldPreview, cls: FieldClassification, theme: Theme, ratio: number): number {
  ctx.save();
  vp.clip(ctx);
  let flows = 0;
  const { flowX, flowY } = cls;
  const m = preview.data.x.length;
  if (flowX && flowY) {
    ctx.lineWidth = 0.8 * ratio;
    for (let k = 0; k < cls.classes.length; k++) {
      ctx.strokeStyle = withAlpha(classColor(theme, k), 0.22);
      ctx.beginPath();
      for (let p = 0; p < m; p++) {
        if (cls.labels[p] !== k) continue;
        let pen = false;
        for (let i = 0; i < flowX.length; i++) {
          const fx = flowX[i][p], fy = flowY[i][p];
          if (!Number.isFinite(fx) || !Number.isFinite(fy)) {
            pen = false;
            continue;
          }
          const X = Math.max(-1e5, Math.min(1e5, vp.px(fx)));
          const Y = Math.max(-1e5, Math.min(1e5, vp.py(fy)));
          if (pen) ctx.lineTo(X, Y);
          else ctx.moveTo(X, Y);
          pen = true;
        }
        flows++;
      }
      ctx.stroke();
    }
  }
  // Where each point starts (t = 0), in its class's colour.
  const r = 1.1 * ratio;
  for (let k = 0; k < cls.classes.length; k++) {
    ctx.fillStyle = withAlpha(classColor(theme, k), 0.55);
    for (let p = 0; p < m; p++) {
      if (cls.labels[p] !== k) continue;
      ctx.fillRect(vp.px(preview.data.x[p]) - r, vp.py(preview.data.y[p]) - r, 2 * r, 2 * r);
    }
  }
  ctx.restore();
  return flows;
}

/**
 * A classifier's points at flow position `s` (0: t = 0, 1: t = 1), linear between output times;
 * points the readout gets wrong are ringed in the foreground colour.
 */
export function drawClassPoints(ctx: CanvasRenderingContext2D, vp: Viewport, cls: FieldClassification, s: number, theme: Theme, ratio: number): void {
  const { flowX, flowY } = cls;
  if (!flowX || !flowY) return;
  const pos = Math.min(1, Math.max(0, s)) * (flowX.length - 1);
  const i = Math.min(flowX.length - 2, Math.floor(pos));
  const a = pos - i;
  const r = 2.2 * ratio;
  const m = cls.labels.length;
  ctx.save();
  vp.clip(ctx);
  const at = (p: number): [number, number] => [
    vp.px(flowX[i][p] + (flowX[i + 1][p] - flowX[i][p]) * a),
    vp.py(flowY[i][p] + (flowY[i + 1][p] - flowY[i][p]) * a),
  ];
  for (let k = 0; k < cls.classes.length; k++) {
    ctx.fillStyle = classColor(theme, k);
    ctx.beginPath();
    for (let p = 0; p < m; p++) {
      if (cls.labels[p] !== k) continue;
      const [X, Y] = at(p);
      if (!Number.isFinite(X) || !Number.isFinite(Y)) continue;
      ctx.moveTo(X + r, Y);
      ctx.arc(X, Y, r, 0, 2 * Math.PI);
    }
    ctx.fill();
  }
  ctx.strokeStyle = theme.foreground;
  ctx.lineWidth = ratio;
  ctx.beginPath();
  for (let p = 0; p < m; p++) {
    if (cls.predicted[p] === cls.labels[p]) continue;
    const [X, Y] = at(p);
    if (!Number.isFinite(X) || !Number.isFinite(Y)) continue;
    ctx.moveTo(X + r + 1.5 * ratio, Y);
    ctx.arc(X, Y, r + 1.5 * ratio, 0, 2 * Math.PI);
  }
  ctx.stroke();
  ctx.restore();
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
