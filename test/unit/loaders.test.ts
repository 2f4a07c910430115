import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import {
  DataError, fashionMnist, FASHION_MNIST_DIR, loadCsvTimeSeries, loadIdx, loadIdxImages, loadIdxLabels, loadNpy, npyTimeSeries, parseCsvTimeSeries,
  parseIdx, parseNpy,
} from '../../engine/src/data/index';

let dir = '';
before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-data-'))));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function dataError(kind: DataError['kind'], pattern: RegExp) {
  return (e: unknown) => e instanceof DataError && e.kind === kind && pattern.test(e.message);
}

describe('CSV time series', () => {
  it('reads a header, a time column and value columns; skips comments and blank lines; CRLF is fine', () => {
    const file = path.join(dir, 'series.csv');
    fs.writeFileSync(file, '# a pendulum\r\nx,time,"v"\r\n1,0,0\r\n0.5,0.1,-1e-1\r\n\r\n-0.25,0.3,2\r\n');
    const d = loadCsvTimeSeries(file);
    assert.equal(d.timeColumn, 'time');
    assert.deepEqual(d.columns, ['x', 'v']);
    assert.deepEqual(d.t, Float64Array.of(0, 0.1, 0.3));
    assert.deepEqual(d.ys.slice(0, 2), [Float64Array.of(1, 0), Float64Array.of(0.5, -0.1)]);
    assert.deepEqual(d.ys[2], Float64Array.of(-0.25, 2));
    assert.equal(d.dim, 2);
    const chosen = parseCsvTimeSeries('a;b;c\n1;2;3\n2;4;6\n', { delimiter: ';', timeColumn: 'b', columns: ['c'] });
    assert.deepEqual(chosen.t, Float64Array.of(2, 4));
    assert.deepEqual(chosen.ys, [Float64Array.of(3), Float64Array.of(6)]);
  });

  it('reads .csv.gz', () => {
    const file = path.join(dir, 'series.csv.gz');
    fs.writeFileSync(file, zlib.gzipSync('t,y\n0,1\n1,2\n'));
    assert.deepEqual(loadCsvTimeSeries(file).ys, [Float64Array.of(1), Float64Array.of(2)]);
  });

  it('errors name the file, the line and the column', () => {
    assert.throws(() => parseCsvTimeSeries('t,x\n0,1\n1,abc\n', {}, 'data.csv'), dataError('format', /^data\.csv:3: column "x" is "abc", not a decimal number/));
    assert.throws(() => parseCsvTimeSeries('t,x\n0,1\n1,2,3\n', {}, 'data.csv'), dataError('format', /^data\.csv:3: 3 fields, but the header has 2/));
    assert.throws(() => parseCsvTimeSeries('t,x\n0,1\n2,1\n1,1\n', {}, 'data.csv'), dataError('format', /^data\.csv:4: time 1 does not increase .* sort the rows/));
    assert.throws(() => parseCsvTimeSeries('t,x\n', {}, 'data.csv'), dataError('format', /no data rows/));
    assert.throws(() => parseCsvTimeSeries('t;x\n0;1\n', {}, 'data.csv'), dataError('format', /set delimiter/));
    assert.throws(() => parseCsvTimeSeries('t,x\n0,1\n', { columns: ['y'] }, 'data.csv'), dataError('input', /no column "y"; the header has t, x/));
    const missing = path.join(dir, 'nope.csv');
    assert.throws(() => loadCsvTimeSeries(missing), (e: unknown) => e instanceof DataError && e.kind === 'missing' && e.file === missing && e.message.includes(missing));
  });
});

/** A .npy file as numpy.save writes it: magic, version, header padded to 64 bytes, data. */
function npy(descr: string, shape: number[], data: Buffer, { version = 1, fortran = false } = {}): Buffer {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const prefix = version === 1 ? 10 : 12;
  header += ' '.repeat(64 - ((prefix + header.length + 1) % 64)) + '\n';
  const pre = Buffer.alloc(prefix);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]).copy(pre);
  if (version === 1) pre.writeUInt16LE(header.length, 8);
  else pre.writeUInt32LE(header.length, 8);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), data]);
}

function f64le(values: number[]): Buffer {
  const b = Buffer.alloc(8 * values.length);
  values.forEach((v, i) => b.writeDoubleLE(v, 8 * i));
  return b;
}

describe('.npy', () => {
  it('reads little-endian float64 and float32 in C order, any shape, versions 1 and 2', () => {
    const file = path.join(dir, 'a.npy');
    fs.writeFileSync(file, npy('<f8', [3, 2], f64le([1, 2, 3, 4, 5, -6.5])));
    const a = loadNpy(file);
    assert.deepEqual(a.shape, [3, 2]);
    assert.equal(a.dtype, 'float64');
    assert.deepEqual(a.data, Float64Array.of(1, 2, 3, 4, 5, -6.5));
    const f32 = Buffer.alloc(12);
    [0.1, 2, -3].forEach((v, i) => f32.writeFloatLE(v, 4 * i));
    const b = parseNpy(npy('<f4', [3], f32, { version: 2 }));
    assert.equal(b.dtype, 'float32');
    assert.deepEqual(b.shape, [3]);
    assert.deepEqual(b.data, Float64Array.of(Math.fround(0.1), 2, -3));
    const ts = npyTimeSeries(a, Float64Array.of(0, 0.5, 2));
    assert.deepEqual(ts.ys[2], Float64Array.of(5, -6.5));
    assert.equal(ts.dim, 2);
    assert.throws(() => npyTimeSeries(a, [0, 1]), /3 samples but 2 times/);
  });

  it('refuses other dtypes, big-endian, Fortran order and truncated files with the NumPy fix', () => {
    assert.throws(() => parseNpy(npy('<i4', [2], Buffer.alloc(8)), 'x.npy'), dataError('format', /x\.npy: dtype '<i4' is not supported .*astype\(np\.float64\)/));
    assert.throws(() => parseNpy(npy('>f8', [1], Buffer.alloc(8)), 'x.npy'), dataError('format', /big-endian .*astype\('<f8'\)/));
    assert.throws(() => parseNpy(npy('<f8', [2, 2], f64le([1, 2, 3, 4]), { fortran: true }), 'x.npy'), dataError('format', /in Fortran order.*ascontiguousarray/));
    assert.throws(() => parseNpy(npy('<f8', [4], f64le([1, 2])), 'x.npy'), dataError('format', /needs 32 bytes of data but the file holds 16/));
    assert.throws(() => parseNpy(Buffer.from('hello world'), 'x.npy'), dataError('format', /not a \.npy file/));
  });
});

/** An IDX file: two zero bytes, the type code, the dimension count, big-endian dims, data. */
function idx(type: number, shape: number[], data: Buffer): Buffer {
  const head = Buffer.alloc(4 + 4 * shape.length);
  head[2] = type;
  head[3] = shape.length;
  shape.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, data]);
}

describe('IDX', () => {
  const pixels = Buffer.from(Array.from({ length: 2 * 3 * 4 }, (_, i) => (i * 11) % 256));
  const labels = Buffer.from([7, 2]);

  it('reads uint8 images normalised to [0, 1] and labels, plain or gzip, with a limit', () => {
    const imgFile = path.join(dir, 'imgs-idx3-ubyte');
    const gzFile = path.join(dir, 'imgs-idx3-ubyte.gz');
    const lblFile = path.join(dir, 'labels-idx1-ubyte.gz');
    fs.writeFileSync(imgFile, idx(0x08, [2, 3, 4], pixels));
    fs.writeFileSync(gzFile, zlib.gzipSync(idx(0x08, [2, 3, 4], pixels)));
    fs.writeFileSync(lblFile, zlib.gzipSync(idx(0x08, [2], labels)));
    for (const f of [imgFile, gzFile]) {
      const im = loadIdxImages(f);
      assert.deepEqual([im.n, im.rows, im.cols], [2, 3, 4]);
      assert.deepEqual(im.data, Float32Array.from(pixels, (p) => p / 255));
      assert.ok(im.data.every((v) => v >= 0 && v <= 1));
    }
    assert.deepEqual(loadIdxLabels(lblFile), Uint8Array.of(7, 2));
    const one = loadIdxImages(gzFile, { limit: 1 });
    assert.equal(one.n, 1);
    assert.equal(one.data.length, 12);
    assert.throws(() => loadIdxImages(lblFile), dataError('format', /is this the labels file/));
  });

  it('reads the other IDX types big-endian', () => {
    const i16 = Buffer.alloc(4);
    i16.writeInt16BE(-300, 0);
    i16.writeInt16BE(7, 2);
    assert.deepEqual(parseIdx(idx(0x0b, [2], i16)).data, Int16Array.of(-300, 7));
    const f32 = Buffer.alloc(8);
    f32.writeFloatBE(1.5, 0);
    f32.writeFloatBE(-2, 4);
    const a = parseIdx(idx(0x0d, [1, 2], f32));
    assert.equal(a.dtype, 'float32');
    assert.deepEqual(a.data, Float32Array.of(1.5, -2));
    assert.deepEqual(parseIdx(idx(0x09, [2], Buffer.from([0xff, 0x05]))).data, Int8Array.of(-1, 5));
  });

  it('bad files get errors that say what is wrong', () => {
    assert.throws(() => parseIdx(Buffer.from([1, 2, 3, 4]), {}, 'f'), dataError('format', /not an IDX file/));
    assert.throws(() => parseIdx(idx(0x07, [1], Buffer.alloc(1)), {}, 'f'), dataError('format', /unknown IDX type code 0x07/));
    assert.throws(() => parseIdx(idx(0x08, [10, 28, 28], Buffer.alloc(100)), {}, 'f'), dataError('format', /needs 7840 bytes .* holds 100 .*truncated/));
    const gzBroken = path.join(dir, 'broken.gz');
    fs.writeFileSync(gzBroken, zlib.gzipSync(idx(0x08, [3], Buffer.from([1, 2, 3]))).subarray(0, 12));
    assert.throws(() => loadIdx(gzBroken), dataError('format', /does not decompress/));
  });

  it('a missing Fashion-MNIST says which file and how to install it', () => {
    const where = path.join(dir, 'no-such-folder');
    assert.throws(() => fashionMnist({ dir: where }), (e: unknown) =>
      e instanceof DataError && e.kind === 'missing' && e.message.includes(path.join(where, 'train-images-idx3-ubyte.gz')) && /apt-get install dataset-fashion-mnist/.test(e.message));
  });

  const installed = fs.existsSync(path.join(FASHION_MNIST_DIR, 't10k-images-idx3-ubyte.gz'));
  it('reads the real Fashion-MNIST test set (Debian dataset-fashion-mnist)', { skip: installed ? false : `not installed: apt-get install dataset-fashion-mnist puts it in ${FASHION_MNIST_DIR}` }, () => {
    const d = fashionMnist({ split: 'test' });
    assert.deepEqual([d.n, d.rows, d.cols], [10000, 28, 28]);
    assert.equal(d.data.length, 10000 * 784);
    let lo = 1, hi = 0;
    for (const v of d.data) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    assert.deepEqual([lo, hi], [0, 1]);
    const counts = new Array(10).fill(0);
    d.labels.forEach((l) => counts[l]++);
    assert.deepEqual(counts, new Array(10).fill(1000), 'the test split has 1000 images of each class');
    assert.equal(d.classes[9], 'Ankle boot');
  });
});
