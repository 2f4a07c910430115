/**
 * An experiment's data checked for values that are not finite when they are built: NaN or
 * Infinity in a trajectory, a point or a series otherwise shows up only as a diverged loss at
 * whichever iteration first samples it. The message names the array and the index.
 */
import { firstNonFinite } from '../data/nonFinite';

type Numbers = ArrayLike<number>;

const isNumbers = (v: unknown): v is Numbers => typeof v === 'object' && v !== null && typeof (v as Numbers).length === 'number';

/** `name[i]` of the first value that is not finite, with `detail(i)` after it, or nothing. */
function inArray(name: string, values: unknown, detail?: (i: number) => string): string | undefined {
  if (!isNumbers(values)) return undefined;
  const i = firstNonFinite(values);
  return i < 0 ? undefined : `${name}[${i}]${detail ? ` (${detail(i)})` : ''} is ${values[i]}`;
}

/** `name[i][j]` of the first value that is not finite in a list of states. */
function inRows(name: string, rows: unknown): string | undefined {
  if (!Array.isArray(rows)) return undefined;
  for (let i = 0; i < rows.length; i++) {
    const found = inArray(`${name}[${i}]`, rows[i]);
    if (found) return found;
  }
  return undefined;
}

/** A flat row-major array of `width` components per row: `data.x[15] (point 7, component 1)`. */
const inFlat = (name: string, values: unknown, width: unknown, row: string): string | undefined =>
  inArray(name, values, typeof width === 'number' && width >= 1 ? (i) => `${row} ${Math.floor(i / width)}, component ${i % width}` : undefined);

/**
 * Where the data hold a value that is not finite, e.g. "data.ys[12][1] is NaN", or undefined:
 * a trajectory's t, y0 and ys; labelled points' x and labels; each irregular series' t and ys.
 */
export function nonFiniteData(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const d = data as Record<string, unknown>;
  if (Array.isArray(d.spirals)) {
    for (const [k, s] of (d.spirals as Record<string, unknown>[]).entries()) {
      const found = inArray(`data.spirals[${k}].t`, s?.t) ?? inFlat(`data.spirals[${k}].ys`, s?.ys, 2, 'observation');
      if (found) return found;
    }
    return undefined;
  }
  if ('x' in d) return inFlat('data.x', d.x, d.dim, 'point') ?? inArray('data.labels', d.labels);
  return inArray('data.t', d.t) ?? inArray('data.y0', d.y0) ?? inRows('data.ys', d.ys);
}
