/**
 * The data ranges a plot shows: the box around its points, padded, and widened to equal aspect
 * (one unit as long on x as on y, so a circle stays a circle) for a plot area of given pixels.
 * Pure, so it is unit-tested.
 */

export interface Box {
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
}

/** The box around the finite points of every list; null when there is none. */
export function boundsOf(...lists: readonly (readonly { x: number; y: number }[])[]): Box | null {
  let xMin = Infinity, xMax = -Infinity, yMin = Infinity, yMax = -Infinity;
  for (const points of lists) {
    for (const p of points) {
      if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) continue;
      if (p.x < xMin) xMin = p.x;
      if (p.x > xMax) xMax = p.x;
      if (p.y < yMin) yMin = p.y;
      if (p.y > yMax) yMax = p.y;
    }
  }
  return xMin <= xMax ? { xMin, xMax, yMin, yMax } : null;
}

/** The union of boxes (null ones skipped). */
export function unionBox(...boxes: (Box | null | undefined)[]): Box | null {
  const given = boxes.filter((b): b is Box => Boolean(b));
  if (given.length === 0) return null;
  return {
    xMin: Math.min(...given.map((b) => b.xMin)),
    xMax: Math.max(...given.map((b) => b.xMax)),
    yMin: Math.min(...given.map((b) => b.yMin)),
    yMax: Math.max(...given.map((b) => b.yMax)),
  };
}

/**
 * The box grown by `fraction` of its larger side on every side (the same margin on both axes,
 * so a flat trajectory keeps room above and below); a point becomes a unit box around it.
 */
export function padBox(b: Box, fraction: number): Box {
  const span = Math.max(b.xMax - b.xMin, b.yMax - b.yMin);
  const scale = Math.max(Math.abs(b.xMin), Math.abs(b.xMax), Math.abs(b.yMin), Math.abs(b.yMax));
  const pad = span > 1e-12 * Math.max(1, scale) ? span * fraction : Math.max(1, scale) * 0.5;
  return { xMin: b.xMin - pad, xMax: b.xMax + pad, yMin: b.yMin - pad, yMax: b.yMax + pad };
}

/**
 * `b` widened along one axis, about its centre, so that a `width` × `height` pixel area shows
 * one unit of x as long as one unit of y; the whole of `b` stays in view.
 */
export function equalAspect(b: Box, width: number, height: number): Box {
  const w = b.xMax - b.xMin;
  const h = b.yMax - b.yMin;
  if (!(width > 0 && height > 0 && w > 0 && h > 0)) return { ...b };
  const unitsPerPixel = Math.max(w / width, h / height);
  const cx = (b.xMin + b.xMax) / 2;
  const cy = (b.yMin + b.yMax) / 2;
  const halfW = (unitsPerPixel * width) / 2;
  const halfH = (unitsPerPixel * height) / 2;
  return { xMin: cx - halfW, xMax: cx + halfW, yMin: cy - halfH, yMax: cy + halfH };
}

/** How far a box is from equal aspect in a width × height area: 0 when one unit of x is as long as one of y. */
export function aspectError(b: Box, width: number, height: number): number {
  const sx = width / (b.xMax - b.xMin);
  const sy = height / (b.yMax - b.yMin);
  return Math.abs(sx / sy - 1);
}
