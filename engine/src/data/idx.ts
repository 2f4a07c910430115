import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError } from './errors';
import { checkFiniteFile } from './nonFinite';
import { readDataFile } from './readFile';

/**
 * IDX files (LeCun's MNIST format, also Fashion-MNIST): bytes 0–1 zero, byte 2 the type code,
 * byte 3 the number of dimensions, then each dimension as a big-endian uint32, then the data
 * in C order, big-endian. Gzip-compressed files are read too.
 */
export type IdxDtype = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  shape: number[];
  dtype: IdxDtype;
  data: IdxData;
}

const TYPES: Record<number, { dtype: IdxDtype; size: number }> = {
  0x08: { dtype: 'uint8', size: 1 },
  0x09: { dtype: 'int8', size: 1 },
  0x0b: { dtype: 'int16', size: 2 },
  0x0c: { dtype: 'int32', size: 4 },
  0x0d: { dtype: 'float32', size: 4 },
  0x0e: { dtype: 'float64', size: 8 },
};

export interface IdxOptions {
  /** Read only the first `limit` items along the first dimension. */
  limit?: number;
}

export function parseIdx(buf: Uint8Array, opts: IdxOptions = {}, file = '<idx>'): IdxArray {
  const bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DataError('format', `${file} is not an IDX file (the first two bytes must be zero); MNIST-style files are named like train-images-idx3-ubyte(.gz).`, { file });
  }
  const type = TYPES[bytes[2]];
  if (type === undefined) {
    throw new DataError('format', `${file}: unknown IDX type code 0x${bytes[2].toString(16).padStart(2, '0')} (known: 08 uint8, 09 int8, 0B int16, 0C int32, 0D float32, 0E float64).`, { file });
  }
  const ndim = bytes[3];
  if (ndim === 0) throw new DataError('format', `${file}: an IDX file with zero dimensions.`, { file });
  const dataStart = 4 + 4 * ndim;
  if (bytes.length < dataStart) throw new DataError('format', `${file}: the IDX header is cut short (file truncated?).`, { file });
  const shape = Array.from({ length: ndim }, (_, i) => bytes.readUInt32BE(4 + 4 * i));
  const full = shape.reduce((p, d) => p * d, 1);
  const available = Math.floor((bytes.length - dataStart) / type.size);
  if (available < full) {
    throw new DataError('format', `${file}: shape [${shape.join(', ')}] needs ${full * type.size} bytes of data, the file holds ${bytes.length - dataStart} (truncated download? fetch it again).`, { file });
  }
  if (opts.limit !== undefined) {
    if (!Number.isInteger(opts.limit) || opts.limit < 0) throw new DataError('input', `${file}: limit must be a non-negative integer, got ${opts.limit}.`, { file });
    shape[0] = Math.min(shape[0], opts.limit);
  }
  const count = shape.reduce((p, d) => p * d, 1);
  let data: IdxData;
  switch (type.dtype) {
    case 'uint8':
      data = Uint8Array.from(bytes.subarray(dataStart, dataStart + count));
      break;
    case 'int8':
      data = Int8Array.from(bytes.subarray(dataStart, dataStart + count), (b) => (b << 24) >> 24);
      break;
    case 'int16':
      data = Int16Array.from({ length: count }, (_, i) => bytes.readInt16BE(dataStart + 2 * i));
      break;
    case 'int32':
      data = Int32Array.from({ length: count }, (_, i) => bytes.readInt32BE(dataStart + 4 * i));
      break;
    case 'float32':
      data = Float32Array.from({ length: count }, (_, i) => bytes.readFloatBE(dataStart + 4 * i));
      break;
    case 'float64':
      data = Float64Array.from({ length: count }, (_, i) => bytes.readDoubleBE(dataStart + 8 * i));
      break;
  }
  if (data instanceof Float32Array || data instanceof Float64Array) checkFiniteFile(file, data, shape);
  return { shape, dtype: type.dtype, data };
}

export function loadIdx(file: string, opts: IdxOptions = {}, hint = ''): IdxArray {
  return parseIdx(readDataFile(file, hint), opts, file);
}

export interface IdxImages {
  n: number;
  rows: number;
  cols: number;
  /** n × rows × cols pixels scaled from 0–255 to [0, 1], row-major. Float32: 60 000 images stay under 200 MB. */
  data: Float32Array;
}

/** A uint8 image file [n, rows, cols] with pixels normalised to [0, 1]. */
export function loadIdxImages(file: string, opts: IdxOptions = {}, hint = ''): IdxImages {
  const a = loadIdx(file, opts, hint);
  if (a.dtype !== 'uint8' || a.shape.length !== 3) {
    throw new DataError('format', `${file}: expected uint8 images of shape [n, rows, cols], found ${a.dtype} of shape [${a.shape.join(', ')}] (is this the labels file?).`, { file });
  }
  const data = new Float32Array(a.data.length);
  for (let i = 0; i < data.length; i++) data[i] = a.data[i] / 255;
  return { n: a.shape[0], rows: a.shape[1], cols: a.shape[2], data };
}

/** A uint8 label file [n]. */
export function loadIdxLabels(file: string, opts: IdxOptions = {}, hint = ''): Uint8Array {
  const a = loadIdx(file, opts, hint);
  if (a.dtype !== 'uint8' || a.shape.length !== 1) {
    throw new DataError('format', `${file}: expected uint8 labels of shape [n], found ${a.dtype} of shape [${a.shape.join(', ')}] (is this the images file?).`, { file });
  }
  return a.data as Uint8Array;
}

/** Where Debian's dataset-fashion-mnist package installs the files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_MNIST_CLASSES = Object.freeze([
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
]);

export interface FashionMnistOptions extends IdxOptions {
  split?: 'train' | 'test';
  /** The folder holding the four IDX files, .gz or not (default: the Debian package's folder). */
  dir?: string;
}

export interface ImageDataset extends IdxImages {
  labels: Uint8Array;
  classes: readonly string[];
}

/** Fashion-MNIST from its IDX files: images in [0, 1] and labels 0–9. */
export function fashionMnist(opts: FashionMnistOptions = {}): ImageDataset {
  const dir = opts.dir ?? FASHION_MNIST_DIR;
  const prefix = (opts.split ?? 'train') === 'train' ? 'train' : 't10k';
  const hint =
    `Fashion-MNIST is read from ${dir}. On Debian/Ubuntu install it with: sudo apt-get install dataset-fashion-mnist; ` +
    `or download the four files (train-images-idx3-ubyte.gz, …) from github.com/zalandoresearch/fashion-mnist and pass dir: their folder.`;
  const find = (base: string): string => {
    const candidates = [path.join(dir, `${base}.gz`), path.join(dir, base)];
    return candidates.find((c) => fs.existsSync(c)) ?? candidates[0];
  };
  const images = loadIdxImages(find(`${prefix}-images-idx3-ubyte`), opts, hint);
  const labels = loadIdxLabels(find(`${prefix}-labels-idx1-ubyte`), opts, hint);
  if (labels.length !== images.n) {
    throw new DataError('format', `Fashion-MNIST in ${dir}: ${images.n} images but ${labels.length} labels; the files are from different splits or truncated.`, { file: dir });
  }
  return { ...images, labels, classes: FASHION_MNIST_CLASSES };
}
