import { DataError } from './errors';
import { checkFiniteFile } from './nonFinite';
import { readDataFile } from './readFile';
import type { TrajectoryData } from './types';

export interface NpyArray {
  /** The values in C (row-major) order, widened to float64. */
  data: Float64Array;
  shape: number[];
  /** The dtype stored in the file. */
  dtype: 'float32' | 'float64';
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/**
 * Parses a NumPy .npy file (format versions 1–3): little-endian float32 ('<f4') or float64
 * ('<f8'), C order, any shape. Other dtypes, big-endian data and Fortran order are refused with
 * the NumPy call that converts them.
 */
export function parseNpy(buf: Uint8Array, file = '<npy>'): NpyArray {
  const bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) {
    throw new DataError('format', `${file} is not a .npy file (it does not start with \\x93NUMPY); save arrays with numpy.save.`, { file });
  }
  const major = bytes[6];
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = bytes.readUInt16LE(8);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new DataError('format', `${file}: the .npy header is cut short.`, { file });
    headerLen = bytes.readUInt32LE(8);
    headerStart = 12;
  } else {
    throw new DataError('format', `${file}: .npy format version ${major}.${bytes[7]} is not supported (versions 1–3 are).`, { file });
  }
  if (headerStart + headerLen > bytes.length) throw new DataError('format', `${file}: the .npy header is cut short (file truncated?).`, { file });
  const header = bytes.toString(major === 3 ? 'utf8' : 'latin1', headerStart, headerStart + headerLen);
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new DataError('format', `${file}: cannot read the .npy header ${JSON.stringify(header.trim())}.`, { file });
  }
  let dtype: NpyArray['dtype'];
  if (descr === '<f8') dtype = 'float64';
  else if (descr === '<f4') dtype = 'float32';
  else if (descr === '>f8' || descr === '>f4') {
    throw new DataError('format', `${file}: big-endian data (dtype '${descr}'); save a little-endian copy: np.save(path, arr.astype('<f8')).`, { file });
  } else {
    throw new DataError('format', `${file}: dtype '${descr}' is not supported (float32 '<f4' and float64 '<f8' are); convert it: np.save(path, arr.astype(np.float64)).`, { file });
  }
  if (fortran === 'True') {
    throw new DataError('format', `${file}: the array is in Fortran order; save a C-ordered copy: np.save(path, np.ascontiguousarray(arr)).`, { file });
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const v = Number(s.replace(/L$/, ''));
      if (!Number.isInteger(v) || v < 0) throw new DataError('format', `${file}: bad shape (${shapeText}) in the .npy header.`, { file });
      return v;
    });
  const count = shape.reduce((p, d) => p * d, 1);
  const itemSize = dtype === 'float64' ? 8 : 4;
  const dataStart = headerStart + headerLen;
  const expected = count * itemSize;
  if (bytes.length - dataStart < expected) {
    throw new DataError('format', `${file}: shape (${shape.join(', ')}) needs ${expected} bytes of data but the file holds ${bytes.length - dataStart} (truncated?).`, { file });
  }
  const data = new Float64Array(count);
  if (dtype === 'float64') for (let i = 0; i < count; i++) data[i] = bytes.readDoubleLE(dataStart + 8 * i);
  else for (let i = 0; i < count; i++) data[i] = bytes.readFloatLE(dataStart + 4 * i);
  checkFiniteFile(file, data, shape);
  return { data, shape, dtype };
}

export function loadNpy(file: string): NpyArray {
  return parseNpy(readDataFile(file), file);
}

/**
 * A time series from a [T, D] (or [T]) array, with times from a [T] array or 0, 1, …, T−1.
 */
export function npyTimeSeries(values: NpyArray, times?: NpyArray | ArrayLike<number>, name = 'npy'): TrajectoryData {
  if (values.shape.length !== 1 && values.shape.length !== 2) {
    throw new DataError('input', `${name}: a time series array has shape [T, D] or [T], got [${values.shape.join(', ')}].`);
  }
  const T = values.shape[0];
  const dim = values.shape.length === 2 ? values.shape[1] : 1;
  const tSrc = times === undefined ? undefined : 'data' in times ? times.data : times;
  if (tSrc !== undefined && tSrc.length !== T) throw new DataError('input', `${name}: ${T} samples but ${tSrc.length} times.`);
  const t = tSrc === undefined ? Float64Array.from({ length: T }, (_, i) => i) : Float64Array.from(tSrc);
  for (let i = 1; i < T; i++) {
    if (!(t[i] > t[i - 1])) throw new DataError('input', `${name}: times must increase strictly; t[${i}] = ${t[i]} after t[${i - 1}] = ${t[i - 1]}.`);
  }
  const ys = Array.from({ length: T }, (_, i) => values.data.slice(i * dim, (i + 1) * dim));
  return { name, dim, t, ys, y0: Float64Array.from(ys[0] ?? []) };
}
