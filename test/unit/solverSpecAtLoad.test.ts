// A solver spec the solver cannot run (an unknown method, a tolerance that is infinite) is refused
// when the experiment loads, at the key at fault, like a negative rtol: never after a run folder
// was made for a run that fails at its first solve.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ExperimentError } from '../../engine/src/experiments/define';
import { loadExperiment } from '../../engine/src/experiments/load';
import { trainExperiment, type TrainOptions } from '../../engine/src/experiments/trainer';
import { lineOf, specFile } from './specFiles';

const root = path.resolve(import.meta.dirname, '../..');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-solver-spec-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** An experiment file whose spec holds `body` after its model, and a short train. */
const experimentFile = (name: string, body: string[]): string =>
  specFile(scratch, name, [...body, "train: { iterations: 2, optimizer: { name: 'adam', lr: 1e-3 }, batchTime: 3, batchSize: 2 },"]);
const runsIn = (runsRoot: string): string[] => (fs.existsSync(runsRoot) ? fs.readdirSync(runsRoot) : []);

/** Loads and trains `file` as `neural-ode train` does; it must fail with an ExperimentError, leaving no run. */
async function refused(file: string, opts: Partial<TrainOptions> = {}): Promise<ExperimentError> {
  const runsRoot = path.join(scratch, `runs-${path.basename(file)}-${Object.keys(opts).join('-')}`);
  let error: unknown;
  try {
    await trainExperiment(await loadExperiment(file), { runsRoot, ...opts });
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof ExperimentError, `expected an ExperimentError, got ${String(error)}`);
  assert.deepEqual(runsIn(runsRoot), [], 'no run folder');
  return error;
}

describe('solver specs are checked at load', () => {
  it('atol: Infinity and rtol: Infinity are refused at their line', async () => {
    for (const key of ['atol', 'rtol']) {
      const file = experimentFile(`${key}Infinite`, ['solver: {', "    method: 'dopri5',", `    ${key}: Infinity,`, '  },']);
      const e = await refused(file);
      assert.equal(e.location?.line, lineOf(file, `${key}: Infinity`));
      assert.match(e.message, new RegExp(`solver\\.${key} must be finite, got Infinity`));
    }
  });

  it("the adjoint's own tolerances too", async () => {
    const file = experimentFile('adjointAtol', ["gradient: { method: 'adjoint', adjointOptions: {", '    atol: Infinity } },']);
    const e = await refused(file);
    assert.equal(e.location?.line, lineOf(file, 'atol: Infinity'));
    assert.match(e.message, /gradient\.adjointOptions\.atol must be finite, got Infinity/);
  });

  it('an unknown solver method is refused at its line', async () => {
    const file = experimentFile('unknownMethod', ['solver: {', "    method: 'dopri55' as never,", '  },']);
    const e = await refused(file);
    assert.equal(e.location?.line, lineOf(file, "method: 'dopri55'"));
    assert.match(e.message, /solver\.method 'dopri55' is not a solver/);
  });

  it("a default solver method or tolerance the trainer is given is checked before the run's folder is made", async () => {
    const file = experimentFile('noSolver', []);
    assert.match((await refused(file, { defaults: { solver: { method: 'dopri55' as never } } })).message, /default solver\.method 'dopri55' is not a solver/);
    assert.match((await refused(file, { defaults: { solver: { atol: Infinity } } })).message, /default solver\.atol must be finite, got Infinity/);
  });

  it('neural-ode train makes no run folder for atol: Infinity', () => {
    const file = experimentFile('cliAtol', ['solver: { atol: Infinity },']);
    const runsRoot = path.join(scratch, 'runs-cli');
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'engine/src/cli/main.ts'), 'train', file, '--out', runsRoot], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`cliAtol\\.ode\\.ts:${lineOf(file, 'atol: Infinity')}:\\d+: solver\\.atol must be finite, got Infinity`));
    assert.deepEqual(runsIn(runsRoot), []);
  });
});
