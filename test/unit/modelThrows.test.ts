// An exception thrown by the user's own model code in the middle of training (a plain native
// field, a tensorField) is reported with the iteration, the run and the line of the user's file
// it came from, in result.json, in the error the trainer throws, and on the command line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { loadExperiment } from '../../engine/src/experiments/load';
import { trainExperiment } from '../../engine/src/experiments/trainer';

const root = path.resolve(import.meta.dirname, '../..');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-model-throws-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** An experiment on a short spiral whose model is `model` (lines); its f throws 'boom' after some evaluations. */
function experimentFile(name: string, imports: string, model: string[]): string {
  const file = path.join(scratch, `${name}.ode.ts`);
  const text = [
    `import { defineExperiment, spiral, ${imports} } from 'neural-ode-studio';`,
    '',
    'let calls = 0;',
    'export default defineExperiment({',
    `  name: '${name}',`,
    '  data: () => spiral({ dataSize: 40, t1: 2 }),',
    ...model.map((l) => `  ${l}`),
    "  solver: { method: 'rk4', options: { stepSize: 0.1 } },",
    "  train: { iterations: 20, optimizer: { name: 'adam', lr: 1e-3 }, batchTime: 3, batchSize: 2, checkpointEvery: 1 },",
    '});',
    '',
  ].join('\n');
  fs.writeFileSync(file, text);
  return file;
}

const native = experimentFile('nativeThrows', 'mlpField', [
  'model: () => {',
  '    const m = mlpField({ sizes: [2, 8, 2], seed: 1 });',
  '    return {',
  "      kind: 'native' as const, dim: 2, params: m.params,",
  '      f: (t: number, y: Float64Array) => {',
  "        if (++calls > 40) throw new Error('boom');",
  '        return m.f(t, y);',
  '      },',
  '      vjp: (t: number, y: Float64Array, a: Float64Array) => m.vjp(t, y, a),',
  '    };',
  '  },',
]);

// compile: false, so that its JavaScript (the counter) runs at every evaluation, not only when recorded
const tensor = experimentFile('tensorThrows', 'tensorField, tf', [
  'model: () => {',
  '    const w = tf.variable(tf.tensor2d([0, -1, 1, 0], [2, 2]));',
  '    return tensorField((_t, y) => {',
  "      if (++calls > 40) throw new Error('boom');",
  '      return tf.matMul(y, w);',
  '    }, { w }, { compile: false });',
  '  },',
]);

/** The 1-based line and column of the `new Error` that throws in `file`. */
function throwSite(file: string): { line: number; column: number } {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes("throw new Error('boom')"));
  return { line: i + 1, column: lines[i].indexOf('new Error') + 1 };
}

/** "Iteration N of run ID failed in your model at FILE:LINE:COLUMN: boom", with N ≥ 2 and the run named. */
function assertMessage(message: string, file: string, runsRoot: string): void {
  const { line, column } = throwSite(file);
  const m = /^Iteration (\d+) of run (\S+) failed in your model at (.+):(\d+):(\d+): boom$/.exec(message);
  assert.ok(m, message);
  assert.ok(Number(m[1]) >= 2, `failed in iteration ${m[1]}: the field is evaluated 40 times first`);
  assert.deepEqual(fs.readdirSync(runsRoot), [m[2]]);
  assert.deepEqual([m[3], Number(m[4]), Number(m[5])], [file, line, column]);
  const result = JSON.parse(fs.readFileSync(path.join(runsRoot, m[2], 'result.json'), 'utf8'));
  assert.equal(result.status, 'failed');
  assert.equal(result.message, message);
}

describe('an exception in the model during training', { timeout: 120_000 }, () => {
  for (const [kind, file] of [['a plain native field', native], ['a tensorField', tensor]] as const) {
    it(`${kind}: the iteration, the run id and the user's line`, async () => {
      const runsRoot = path.join(scratch, `runs-${path.basename(file)}`);
      await assert.rejects(trainExperiment(await loadExperiment(file), { runsRoot }), (e: Error) => {
        assertMessage(e.message, file, runsRoot);
        return true;
      });
    });
  }

  it('neural-ode train prints it and exits 1', () => {
    const runsRoot = path.join(scratch, 'runs-cli');
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'engine/src/cli/main.ts'), 'train', native, '--out', runsRoot], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 1, r.stderr);
    const line = r.stderr.split('\n').find((l) => l.startsWith('neural-ode: '));
    assert.ok(line, r.stderr);
    assertMessage(line.slice('neural-ode: '.length), native, runsRoot);
  });
});
