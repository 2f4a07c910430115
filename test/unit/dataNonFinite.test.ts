// NaN or Infinity in the data is refused where the data are read or built, not met later as a
// "diverged" loss at some iteration: the loaders name the file, the line and the element; an
// experiment's data (given inline or made by its function) name the array and the index, at the
// line of the spec's `data:` key, also in the save-time check.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { DataError, parseCsvTimeSeries, parseIdx, parseNpy } from '../../engine/src/data/index';
import { ExperimentError } from '../../engine/src/experiments/define';
import { loadExperiment } from '../../engine/src/experiments/load';
import { trainExperiment } from '../../engine/src/experiments/trainer';
import { checkExperiment } from '../../engine/src/worker/checkExperiment';
import { experimentProblem } from '../../extension/src/experimentProblem';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-non-finite-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

const dataError = (pattern: RegExp) => (e: unknown) => e instanceof DataError && e.kind === 'format' && pattern.test(e.message);

/** A .npy (version 1, float64, C order) of `values` in `shape`. */
function npy(shape: number[], values: number[]): Buffer {
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0, 0]);
  pre.writeUInt16LE(header.length, 8);
  const data = Buffer.alloc(8 * values.length);
  values.forEach((v, i) => data.writeDoubleLE(v, 8 * i));
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), data]);
}

describe('loaders refuse values that are not finite', () => {
  it('CSV: the file, its line, the data row and the column', () => {
    const text = 't,x,v\n0,1,0\n0.1,0.5,-1\n0.2,0.25,NaN\n';
    assert.throws(() => parseCsvTimeSeries(text, {}, 'data.csv'), dataError(/^data\.csv:4: column "v" is "NaN", not a finite number \(data row 3, column 3\)/));
    assert.throws(() => parseCsvTimeSeries('t,x\n0,1\n1,Infinity\n', {}, 'data.csv'), dataError(/^data\.csv:3: column "x" is "Infinity", not a finite number \(data row 2, column 2\)/));
    assert.throws(() => parseCsvTimeSeries('t,x\n0,1\n1,1e999\n', {}, 'data.csv'), dataError(/^data\.csv:3: column "x" is "1e999", not a finite number/));
  });

  it('.npy and IDX: the file and the element, with its row and column', () => {
    assert.throws(() => parseNpy(npy([3, 2], [1, 2, 3, 4, Infinity, 6]), 'x.npy'), dataError(/^x\.npy: element \[2, 0\] \(row 2, column 0\) is Infinity/));
    assert.throws(() => parseNpy(npy([3], [1, NaN, 3]), 'y.npy'), dataError(/^y\.npy: element \[1\] is NaN/));
    const f64 = Buffer.alloc(8 + 8 * 4);
    f64[2] = 0x0e;
    f64[3] = 1;
    f64.writeUInt32BE(4, 4);
    [0, 1, -Infinity, 3].forEach((v, i) => f64.writeDoubleBE(v, 8 + 8 * i));
    assert.throws(() => parseIdx(f64, {}, 'z-idx1'), dataError(/^z-idx1: element \[2\] is -Infinity/));
  });
});

/** An experiment file whose spec's `data:` line is `data` (what comes before it is fixed). */
function experimentFile(name: string, data: string[], batches: string): string {
  const file = path.join(scratch, `${name}.ode.ts`);
  const text = [
    "import { defineExperiment, mlpField, circles } from 'neural-ode-studio';",
    '',
    'export default defineExperiment({',
    `  name: '${name}',`,
    ...data.map((l) => `  ${l}`),
    '  model: () => mlpField({ sizes: [2, 8, 2] }),',
    `  train: { iterations: 3, optimizer: { name: 'adam', lr: 1e-3 }, ${batches} },`,
    '});',
    '',
  ].join('\n');
  fs.writeFileSync(file, text);
  return file;
}

const dataLine = (file: string): number => fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.trimStart().startsWith('data:')) + 1;

describe("an experiment's data are checked when they are built", () => {
  const inline = experimentFile('inline', [
    'data: {',
    "    name: 'mine', dim: 2,",
    '    t: Float64Array.of(0, 1, 2),',
    '    y0: Float64Array.of(1, 0),',
    '    ys: [Float64Array.of(1, 0), Float64Array.of(0.5, 0.5), Float64Array.of(0, NaN)],',
    '  },',
  ], 'batchTime: 2, batchSize: 1');

  it('inline trajectory data: the array and the index, at the data: line, before any run folder exists', async () => {
    const exp = await loadExperiment(inline);
    const runsRoot = path.join(scratch, 'runs-inline');
    await assert.rejects(trainExperiment(exp, { runsRoot }), (e: unknown) => {
      assert.ok(e instanceof ExperimentError, String(e));
      assert.match(e.message, /data\.ys\[2\]\[1\] is NaN/);
      assert.equal(e.location?.file, inline);
      assert.equal(e.location?.line, dataLine(inline));
      return true;
    });
    assert.deepEqual(fs.existsSync(runsRoot) ? fs.readdirSync(runsRoot) : [], []);
  });

  it('points made by a data function: the point and the component', async () => {
    const file = experimentFile('points', [
      'data: () => {',
      '    const d = circles({ n: 20 });',
      '    d.x[2 * 7 + 1] = Infinity;',
      '    return d;',
      '  },',
    ], 'batchSize: 4');
    await assert.rejects(trainExperiment(await loadExperiment(file), { runsRoot: path.join(scratch, 'runs-points') }), (e: unknown) => {
      assert.ok(e instanceof ExperimentError, String(e));
      assert.match(e.message, /data\.x\[15\] \(point 7, component 1\) is Infinity/);
      assert.equal(e.location?.line, dataLine(file));
      return true;
    });
  });

  it('the save-time check shows it in Problems at the data: line', async () => {
    const r = await checkExperiment(inline);
    assert.equal(r.ok, false);
    if (r.ok) return;
    const p = experimentProblem(inline, r.message, r.location);
    assert.equal(p.file, inline);
    assert.equal(p.line, dataLine(inline) - 1);
    assert.match(p.message, /^data\.ys\[2\]\[1\] is NaN/);
  });
});
