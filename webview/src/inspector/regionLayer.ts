/**
 * The stability region under the h·λ points: the cells where |R(z)| ≤ 1 filled (an image of the
 * sampled grid, scaled onto the chart's axes) and the |R| = 1 curve drawn over them. A chart.js
 * plugin, so the region pans and scales with the axes the points use.
 */
import type { Chart, Plugin } from 'chart.js';
import type { InspectorRegion } from './protocol';

export interface RegionLayer {
  plugin: Plugin<'scatter'>;
  /** The region to draw (null: none), in these colours. */
  set(region: InspectorRegion | null, fill: string, edge: string): void;
  /** Grid nodes inside the region (|R| ≤ 1), for tests. */
  readonly insideCount: number;
}

/** An rgb()/rgba() colour as bytes. */
function rgba(color: string): [number, number, number, number] {
  const m = /rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:[,\s/]+([\d.]+))?/.exec(color);
  if (!m) return [55, 148, 255, 64];
  return [Number(m[1]), Number(m[2]), Number(m[3]), Math.round(255 * (m[4] === undefined ? 1 : Number(m[4])))];
}

interface Rect {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/**
 * The sampled window's edge cells carried on to the plot's edges, where the axes show more than
 * the window (equal aspect widens one of them): beyond its window a region keeps the state of
 * its edge (an A-stable method's is stable far to the left, an explicit method's unstable).
 */
function drawBeyond(ctx: CanvasRenderingContext2D, image: HTMLCanvasElement, r: Rect, area: Rect): void {
  const { width: w, height: h } = image;
  // Source columns/rows [from, size] and their destination spans, for the band left of, inside and right of the window.
  const xs: [number, number, number, number][] = [[0, 1, area.left, r.left], [0, w, r.left, r.right], [w - 1, 1, r.right, area.right]];
  const ys: [number, number, number, number][] = [[0, 1, area.top, r.top], [0, h, r.top, r.bottom], [h - 1, 1, r.bottom, area.bottom]];
  ctx.imageSmoothingEnabled = false;
  for (const [sx, sw, x0, x1] of xs) {
    for (const [sy, sh, y0, y1] of ys) {
      // The window itself is drawn already; empty bands are skipped.
      if ((sw === w && sh === h) || !(x1 - x0 > 0.5 && y1 - y0 > 0.5)) continue;
      ctx.drawImage(image, sx, sy, sw, sh, x0, y0, x1 - x0, y1 - y0);
    }
  }
  ctx.imageSmoothingEnabled = true;
}

export function regionLayer(): RegionLayer {
  let region: InspectorRegion | null = null;
  let image: HTMLCanvasElement | null = null;
  let edge = 'gray';
  let inside = 0;

  const draw = (chart: Chart<'scatter'>): void => {
    if (!region || !image) return;
    const { ctx, chartArea, scales } = chart;
    const b = region.bounds;
    // Node (i, j) is a cell centre: the image spans half a cell beyond the outer nodes.
    const dRe = (b.reMax - b.reMin) / (region.nx - 1);
    const dIm = (b.imMax - b.imMin) / (region.ny - 1);
    const left = scales.x.getPixelForValue(b.reMin - dRe / 2);
    const right = scales.x.getPixelForValue(b.reMax + dRe / 2);
    const top = scales.y.getPixelForValue(b.imMax + dIm / 2);
    const bottom = scales.y.getPixelForValue(b.imMin - dIm / 2);
    ctx.save();
    ctx.beginPath();
    ctx.rect(chartArea.left, chartArea.top, chartArea.right - chartArea.left, chartArea.bottom - chartArea.top);
    ctx.clip();
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(image, left, top, right - left, bottom - top);
    drawBeyond(ctx, image, { left, right, top, bottom }, chartArea);
    ctx.strokeStyle = edge;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    const s = region.boundary;
    for (let k = 0; k + 3 < s.length; k += 4) {
      ctx.moveTo(scales.x.getPixelForValue(s[k]), scales.y.getPixelForValue(s[k + 1]));
      ctx.lineTo(scales.x.getPixelForValue(s[k + 2]), scales.y.getPixelForValue(s[k + 3]));
    }
    ctx.stroke();
    // The axes through 0: where h·λ = 0 sits and the imaginary axis A-stability is about.
    ctx.strokeStyle = edge;
    ctx.globalAlpha = 0.35;
    ctx.lineWidth = 1;
    ctx.beginPath();
    const x0 = scales.x.getPixelForValue(0);
    const y0 = scales.y.getPixelForValue(0);
    ctx.moveTo(x0, chartArea.top);
    ctx.lineTo(x0, chartArea.bottom);
    ctx.moveTo(chartArea.left, y0);
    ctx.lineTo(chartArea.right, y0);
    ctx.stroke();
    ctx.restore();
  };

  return {
    plugin: { id: 'stabilityRegion', beforeDatasetsDraw: (chart) => draw(chart as Chart<'scatter'>) },
    set(next, fill, edgeColor) {
      region = next;
      edge = edgeColor;
      inside = 0;
      if (!next) {
        image = null;
        return;
      }
      image = document.createElement('canvas');
      image.width = next.nx;
      image.height = next.ny;
      const ctx = image.getContext('2d');
      if (!ctx) return;
      const pixels = ctx.createImageData(next.nx, next.ny);
      const [r, g, bl, a] = rgba(fill);
      for (let j = 0; j < next.ny; j++) {
        // Image rows go down; the imaginary axis goes up.
        const row = next.ny - 1 - j;
        for (let i = 0; i < next.nx; i++) {
          if (!(next.absR[j * next.nx + i] <= 1)) continue;
          inside++;
          const o = 4 * (row * next.nx + i);
          pixels.data[o] = r;
          pixels.data[o + 1] = g;
          pixels.data[o + 2] = bl;
          pixels.data[o + 3] = a;
        }
      }
      ctx.putImageData(pixels, 0, 0);
    },
    get insideCount() {
      return inside;
    },
  };
}
