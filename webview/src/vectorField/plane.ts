/**
 * The preview as seen on another plane of two components (states of more than two): that
 * plane's field samples and box, and the data, trajectory or a classifier's flows in those
 * components. Pure, so it is unit-tested; the panel draws what this returns.
 */
import type { FieldPreview } from '../protocol';

/** "a,b" for every plane the preview offers, (0, 1) first. */
export function planeKeys(p: FieldPreview): string[] {
  return p.planes && p.planes.length > 0 ? ['0,1', ...p.planes.map((pl) => pl.axes.join(','))] : [];
}

const zeros = (n: number): number[] => new Array<number>(n).fill(0);

export function onPlane(p: FieldPreview, key: string): FieldPreview {
  const plane = p.planes?.find((pl) => pl.axes.join(',') === key);
  if (!plane) return p;
  const [a, b] = plane.axes;
  const out: FieldPreview = { ...p, bounds: plane.bounds, u: plane.u, v: plane.v, frames: plane.frames, slice: `components ${a} and ${b} of ${p.dim}` };
  if (!plane.frames) delete out.frames;
  const c = p.classification;
  if (c) {
    const m = p.data.x.length;
    const flows = c.flows;
    out.classification = { ...c, flowX: flows?.[a] ?? null, flowY: flows?.[b] ?? null };
    // Where the points start in these components (augmented ones start at 0).
    out.data = { x: flows?.[a]?.[0] ?? zeros(m), y: flows?.[b]?.[0] ?? zeros(m) };
    return out;
  }
  const comps = p.components;
  const nd = p.data.x.length;
  // Components the data lack (augmented) have nothing observed: those data are not drawn.
  out.data = nd > 0 && comps?.data[a] && comps.data[b] ? { x: comps.data[a], y: comps.data[b] } : { x: [], y: [] };
  const pred = comps?.predicted;
  out.predicted = pred?.[a] && pred[b] ? { x: pred[a], y: pred[b] } : null;
  return out;
}
