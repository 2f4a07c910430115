/**
 * Values that are not finite (NaN, ±Infinity) in data: found where the data are read, so a
 * missing or overflowed value is reported at its place instead of as a diverged loss later.
 */
import { DataError } from './errors';

/** The index of the first value that is NaN or ±Infinity, or -1 when all are finite. */
export function firstNonFinite(values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return i;
  return -1;
}

/** The index of each dimension of element `flat` of a row-major array of `shape`. */
export function elementIndex(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0 && shape[d] > 0; d--) {
    index[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return index;
}

/**
 * Refuses an array read from `file` that holds a value that is not finite, naming the first:
 * `x.npy: element [12, 1] (row 12, column 1) is NaN: …`.
 */
export function checkFiniteFile(file: string, values: ArrayLike<number>, shape: readonly number[]): void {
  const at = firstNonFinite(values);
  if (at < 0) return;
  const index = elementIndex(at, shape);
  const place = index.length === 2 ? ` (row ${index[0]}, column ${index[1]})` : '';
  throw new DataError(
    'format',
    `${file}: element [${index.join(', ')}]${place} is ${values[at]}: data must be finite numbers (a NaN or an infinite value makes the loss NaN). ` +
      'Fill in or drop that sample before saving (numpy lists them all: np.argwhere(~np.isfinite(arr))).',
    { file },
  );
}
