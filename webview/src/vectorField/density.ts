/**
 * A continuous normalising flow's picture: its density p_t as a heatmap (the grid carried along
 * the flow, each cell painted with its corners' mean density), the data lightly over it, and
 * samples from the base N(0, I) moving to the data. A frame position is fractional, 0 (t = T,
 * the base) to frames − 1 (t = 0, the data): samples are interpolated between frames, heatmaps
 * cross-faded.
 */
import type { FieldDensity, FieldPreview } from '../protocol';
import type { Theme } from '../shared/theme';
import { densityColor, densityMax, densityRgb } from './densityScale';
import { drawAxes, drawGrid } from './axes';
import type { Viewport } from './viewport';

/** Pieces per side a carried cell is painted in. */
const SUB = 2;

/**
 * The last frame (t = 0) is the grid itself: its nodes' colours as an m × m image, scaled up
 * with smoothing so the density reads smoothly between nodes, clipped to the box.
 */
function drawGridFrame(ctx: CanvasRenderingContext2D, vp: Viewport, preview: FieldPreview, P: number[]): void {
  const { m } = preview.density!;
  const b = preview.bounds;
  const tex = document.createElement('canvas');
  tex.width = m;
  tex.height = m;
  const t = tex.getContext('2d')!;
  const img = t.createImageData(m, m);
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < m; i++) {
      const c = densityRgb(P[j * m + i]);
      // row j is y_j, upwards on screen: image rows run downwards
      const o = 4 * ((m - 1 - j) * m + i);
      img.data[o] = c[0];
      img.data[o + 1] = c[1];
      img.data[o + 2] = c[2];
      img.data[o + 3] = 255;
    }
  }
  t.putImageData(img, 0, 0);
  const dx = (b.xMax - b.xMin) / (m - 1), dy = (b.yMax - b.yMin) / (m - 1);
  ctx.save();
  ctx.beginPath();
  ctx.rect(vp.px(b.xMin), vp.py(b.yMax), (b.xMax - b.xMin) * vp.scale, (b.yMax - b.yMin) * vp.scale);
  ctx.clip();
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  // pixel centres on the nodes: the image spans half a cell beyond the box each way
  ctx.drawImage(tex, vp.px(b.xMin - dx / 2), vp.py(b.yMax + dy / 2), m * dx * vp.scale, m * dy * vp.scale);
  ctx.restore();
}

/**
 * The heatmap of frame f, the box and the data on a cleared canvas; returns the cells painted and
 * the top of the frame's colour scale. The grid frame (t = 0) is a smoothed image; the others
 * are the carried mesh's cells, filled and stroked in their own colour so no seams show.
 */
export function drawDensityFrame(
  ctx: CanvasRenderingContext2D,
  vp: Viewport,
  preview: FieldPreview,
  f: number,
  theme: Theme,
  ratio: number,
): { cells: number; top: number } {
  const d = preview.density!;
  drawGrid(ctx, vp, theme, ratio);
  ctx.save();
  vp.clip(ctx);
  let cells = 0;
  const top = densityMax(d, f);
  const mesh = d.mesh;
  if (mesh && f === d.t.length - 1) {
    drawGridFrame(ctx, vp, preview, mesh.logp[f].map((lp) => Math.exp(lp) / top));
    cells = (d.m - 1) * (d.m - 1);
  } else if (mesh) {
    const { m } = d;
    const X = mesh.x[f], Y = mesh.y[f], P = mesh.logp[f].map((lp) => Math.exp(lp) / top);
    ctx.lineWidth = ratio;
    ctx.lineJoin = 'round';
    const sx = new Array<number>(4), sy = new Array<number>(4);
    for (let j = 0; j + 1 < m; j++) {
      for (let i = 0; i + 1 < m; i++) {
        const k = [j * m + i, j * m + i + 1, (j + 1) * m + i + 1, (j + 1) * m + i];
        if (k.some((q) => !Number.isFinite(X[q]) || !Number.isFinite(Y[q]))) continue;
        // Bilinear in the cell's own coordinates (a along i, b along j): positions and density.
        const at = (v: readonly number[], a: number, b: number) =>
          (1 - a) * (1 - b) * v[k[0]] + a * (1 - b) * v[k[1]] + a * b * v[k[2]] + (1 - a) * b * v[k[3]];
        // Each cell in SUB × SUB pieces, each painted with the density at its centre: finer than the grid.
        for (let q = 0; q < SUB; q++) {
          for (let r = 0; r < SUB; r++) {
            const corners = [[q, r], [q + 1, r], [q + 1, r + 1], [q, r + 1]];
            corners.forEach(([a, b], c) => {
              sx[c] = vp.px(at(X, a / SUB, b / SUB));
              sy[c] = vp.py(at(Y, a / SUB, b / SUB));
            });
            const color = densityColor(at(P, (q + 0.5) / SUB, (r + 0.5) / SUB));
            ctx.beginPath();
            ctx.moveTo(sx[0], sy[0]);
            for (let c = 1; c < 4; c++) ctx.lineTo(sx[c], sy[c]);
            ctx.closePath();
            ctx.fillStyle = color;
            ctx.strokeStyle = color;
            ctx.fill();
            ctx.stroke();
          }
        }
        cells++;
      }
    }
  }
  // The data, lightly: white dots show on every colour of the scale.
  ctx.fillStyle = 'rgba(255, 255, 255, 0.28)';
  const r = Math.max(1, ratio);
  const { x, y } = preview.data;
  for (let p = 0; p < x.length; p++) ctx.fillRect(vp.px(x[p]) - r / 2, vp.py(y[p]) - r / 2, r, r);
  ctx.restore();
  // The axes, and the box of the grid at t = 0 (the data space).
  drawAxes(ctx, vp, theme, ratio);
  return { cells, top };
}

/** The samples at a fractional frame position (linear between frames); returns how many fell inside the plot. */
export function drawSamples(ctx: CanvasRenderingContext2D, vp: Viewport, d: FieldDensity, pos: number, ratio: number): number {
  const s = d.samples;
  if (!s) return 0;
  const last = d.t.length - 1;
  const i = Math.min(last - 1, Math.max(0, Math.floor(pos)));
  const a = Math.min(1, Math.max(0, pos - i));
  const xa = s.x[i], xb = s.x[i + 1], ya = s.y[i], yb = s.y[i + 1];
  const r = 1.3 * ratio;
  let inside = 0;
  // Orange-red with a dark rim: apart from every colour of the heatmap.
  ctx.fillStyle = 'rgb(255, 87, 34)';
  ctx.strokeStyle = 'rgba(0, 0, 0, 0.55)';
  ctx.lineWidth = 0.6 * ratio;
  ctx.beginPath();
  for (let k = 0; k < xa.length; k++) {
    const px = vp.px(xa[k] + (xb[k] - xa[k]) * a);
    const py = vp.py(ya[k] + (yb[k] - ya[k]) * a);
    const plot = vp.frame.plot;
    if (!(px >= plot.left && px <= plot.left + plot.width && py >= plot.top && py <= plot.top + plot.height)) continue;
    ctx.moveTo(px + r, py);
    ctx.arc(px, py, r, 0, 2 * Math.PI);
    inside++;
  }
  ctx.fill();
  ctx.stroke();
  return inside;
}

/** A colour bar for the toolbar's legend, "p 0 ▮▮▮ top", whose top follows the frame shown. */
export function densityLegend(): { element: HTMLElement; setTop(top: number): void } {
  const box = document.createElement('span');
  box.className = 'density-scale';
  box.title = "The colour scale of the density p at the shown t (each frame's own: its largest density is the brightest)";
  const bar = document.createElement('canvas');
  bar.width = 96;
  bar.height = 10;
  bar.className = 'density-bar';
  const c = bar.getContext('2d')!;
  for (let x = 0; x < bar.width; x++) {
    c.fillStyle = densityColor(x / (bar.width - 1));
    c.fillRect(x, 0, 1, bar.height);
  }
  const lo = document.createElement('span');
  lo.textContent = 'p 0';
  const hi = document.createElement('span');
  hi.dataset.role = 'density-top';
  box.append(lo, bar, hi);
  return {
    element: box,
    setTop(top: number) {
      const text = top.toPrecision(2);
      if (hi.textContent !== text) hi.textContent = text;
    },
  };
}
