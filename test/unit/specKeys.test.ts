// Mistakes in an experiment's spec are refused at the line of the key at fault: an unknown or
// misspelt key, a name outside its closed set (solver, gradient, optimiser, schedule, loss), a
// negative tolerance. The closed sets agree with what the engine runs, and every shipped example
// and fixture still loads.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { EngineClient } from '../../extension/src/engineClient';
import { experimentProblem } from '../../extension/src/experimentProblem';
import { loadExperiment } from '../../engine/src/experiments/load';
import { nearestName } from '../../engine/src/experiments/nearestName';
import { SOLVER_METHODS } from '../../engine/src/experiments/solverMethodNames';
import { unknownKey } from '../../engine/src/experiments/specKeys';
import { lineOf, loadMistake, specFile } from './specFiles';
import { methods } from '../../engine/src/solvers/registry';

const root = path.resolve(import.meta.dirname, '../..');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-spec-keys-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

const experimentFile = (name: string, body: string[]): string => specFile(scratch, name, body);
const mistake = loadMistake;

describe('unknown keys in a spec', () => {
  it('a misspelt key is refused at its line, with the key meant', async () => {
    const file = experimentFile('misspelt', ['train: {', '    iterations: 3,', "    optimizer: { name: 'adam', lr: 1e-3 },", '    batchsize: 4,', '  },']);
    const { message, line } = await mistake(file);
    assert.equal(message, "unknown key 'batchsize' in train — did you mean 'batchSize'?");
    assert.equal(line, lineOf(file, 'batchsize'));
  });

  it('an unknown key is refused at its line, with the keys there are', async () => {
    const file = experimentFile('unknown', ['train: {', '    iterations: 3,', "    optimizer: { name: 'adam', lr: 1e-3 },", '    penalty: { kinetic: 0.01 },', '  },']);
    const { message, line } = await mistake(file);
    assert.match(message, /^unknown key 'penalty' in train: train takes iterations, optimizer, schedule, clipNorm, batchTime, batchSize, loss, seed, evalEvery, checkpointEvery, histograms, regularize\.$/);
    assert.equal(line, lineOf(file, 'penalty'));
  });

  it('an unknown key at the top of the spec, and one in solver options', async () => {
    const top = experimentFile('top', ['descripton: 1,', "train: { iterations: 3, optimizer: { name: 'adam', lr: 1e-3 } },"]);
    assert.deepEqual(await mistake(top), { message: "unknown key 'descripton' in the experiment: an experiment takes name, data, model, solver, gradient, train.", line: lineOf(top, 'descripton') });
    const options = experimentFile('options', ["solver: { method: 'rk4',", '    options: { step_size: 0.1 } },', "train: { iterations: 3, optimizer: { name: 'adam', lr: 1e-3 } },"]);
    const { message, line } = await mistake(options);
    assert.equal(message, "unknown key 'step_size' in solver.options — did you mean 'stepSize'?");
    assert.equal(line, lineOf(options, 'step_size'));
  });

  it("an optimiser's and a schedule's keys are those of its name and kind", () => {
    const spec = (train: object) => ({ name: 'x', data: {}, model: {}, train: { iterations: 1, ...train } });
    assert.deepEqual(unknownKey(spec({ optimizer: { name: 'sgd', lr: 1, beta1: 0.9 } })), {
      path: 'train.optimizer',
      key: 'beta1',
      known: ['name', 'lr', 'momentum', 'dampening', 'nesterov', 'weightDecay'],
      owner: "the 'sgd' optimizer",
    });
    assert.equal(unknownKey(spec({ optimizer: { name: 'adam', beta1: 0.8 } })), undefined);
    assert.equal(unknownKey(spec({ optimizer: { name: 'adam' }, schedule: { kind: 'step', tMax: 3 } }))?.owner, "a 'step' schedule");
    assert.equal(unknownKey(spec({ optimizer: { name: 'adam' }, schedule: { kind: 'cosine', tMax: 3, warmup: { iterations: 2, factor: 0.5 } } }))?.path, 'train.schedule.warmup');
    const adjoint = { name: 'x', data: {}, model: {}, gradient: { method: 'adjoint', adjointOptions: { rtol: 1e-6, seminorms: true } }, train: {} };
    assert.equal(unknownKey(adjoint)?.key, 'seminorms');
  });

  it('leaves what the user builds alone: data, model, solver option values', () => {
    const spec = {
      name: 'x',
      data: { t: [0, 1], y0: [1], ys: [[1]], anything: 1 },
      model: { kind: 'native', myOption: 2 },
      solver: { options: { jacobian: () => new Float64Array(1), stepT: [0.5] } },
      gradient: 'backprop',
      train: { iterations: 1, optimizer: { name: 'adam' } },
    };
    assert.equal(unknownKey(spec), undefined);
    // A spec spread from a defined experiment carries its location and kind.
    assert.equal(unknownKey({ ...spec, location: undefined, kind: 'neural-ode-experiment' }), undefined);
    assert.equal(unknownKey({ ...spec, kind: 'other' })?.key, 'kind');
  });
});

describe('closed sets of names in a spec', () => {
  it('the solver method type lists exactly the registered methods', () => {
    assert.deepEqual([...SOLVER_METHODS].sort(), methods().map((m) => m.name).sort());
  });

  it('a wrong solver method is refused at its line, with the one meant', async () => {
    const file = experimentFile('method', ['solver: {', '    rtol: 1e-6,', "    method: 'dopri6',", '  },', "train: { iterations: 3, optimizer: { name: 'adam', lr: 1e-3 } },"]);
    const { message, line } = await mistake(file);
    assert.match(message, /^solver\.method 'dopri6' is not a solver \(did you mean 'dopri5'\?\): use one of dopri5, .*\.$/);
    assert.equal(line, lineOf(file, "method: 'dopri6'"));
  });

  it('the adjoint solve, gradient, optimiser, schedule and loss names say which one was meant', async () => {
    const cases: [string[], string, RegExp][] = [
      [["gradient: { method: 'adjoint', adjointOptions: {", "    method: 'tsit6' } },"], "method: 'tsit6'", /^gradient\.adjointOptions\.method 'tsit6' is not a solver \(did you mean 'tsit5'\?\): /],
      [["gradient: 'adjiont',"], 'adjiont', /^gradient must be 'backprop', 'adjoint' or 'checkpoint', got 'adjiont' \(did you mean 'adjoint'\?\)/],
      [['train: { iterations: 3,', "    optimizer: { name: 'adma', lr: 1e-3 } },"], 'adma', /^train\.optimizer must name 'adam', 'rmsprop' or 'sgd', got 'adma' \(did you mean 'adam'\?\)/],
      [['train: { iterations: 3, optimizer: { name: "adam" },', "    schedule: { kind: 'cosin', tMax: 3 } },"], 'cosin', /^train\.schedule\.kind must be one of constant, step, exponential, cosine, got 'cosin' \(did you mean 'cosine'\?\)/],
      [['train: { iterations: 3, optimizer: { name: "adam" },', "    loss: 'MSE' },"], 'MSE', /^train\.loss must be .* got 'MSE' \(did you mean 'mse'\?\)/],
    ];
    for (const [body, at, pattern] of cases) {
      const trainLine = body.some((l) => l.startsWith('train:')) ? [] : ["train: { iterations: 3, optimizer: { name: 'adam', lr: 1e-3 } },"];
      const file = experimentFile(`names${cases.findIndex((c) => c[1] === at)}`, [...body, ...trainLine]);
      const { message, line } = await mistake(file);
      assert.match(message, pattern);
      assert.equal(line, lineOf(file, at), message);
    }
  });

  it('a negative tolerance is reported at its line', async () => {
    const file = experimentFile('rtol', ['solver: {', "    method: 'dopri5',", '    rtol: -1,', '  },', "train: { iterations: 3, optimizer: { name: 'adam', lr: 1e-3 } },"]);
    assert.deepEqual(await mistake(file), { message: 'solver.rtol must be a number ≥ 0, got -1.', line: lineOf(file, 'rtol: -1') });
  });

  it('nearestName takes case, one edit or a swap, and a prefix; not another word', () => {
    assert.equal(nearestName('batchsize', ['batchTime', 'batchSize']), 'batchSize');
    assert.equal(nearestName('adma', ['adam', 'rmsprop', 'sgd']), 'adam');
    assert.equal(nearestName('expo', ['constant', 'step', 'exponential', 'cosine']), 'exponential');
    assert.equal(nearestName('regularize', ['iterations', 'optimizer', 'schedule']), undefined);
    assert.equal(nearestName(3, ['adam']), undefined);
  });
});

describe('the save-time check', () => {
  const client = new EngineClient({ workerPath: path.join(import.meta.dirname, 'fixtures', 'engineWorker.mjs') });
  after(() => client.dispose());

  it('shows each mistake at the key at fault, zero-based, without the path', async () => {
    const cases: [string[], string, RegExp][] = [
      [['train: {', '    iterations: 3,', "    optimizer: { name: 'adam', lr: 1e-3 },", "    'batch-size': 4,", '  },'], "'batch-size': 4", /^unknown key 'batch-size' in train — did you mean 'batchSize'\?$/],
      [['solver: {', "    method: 'rk45',", '  },', "train: { iterations: 3, optimizer: { name: 'adam', lr: 1e-3 } },"], "method: 'rk45'", /^solver\.method 'rk45' is not a solver/],
      [['solver: { rtol: 1e-6,', '    atol: -1e-8 },', "train: { iterations: 3, optimizer: { name: 'adam', lr: 1e-3 } },"], 'atol: -1e-8', /^solver\.atol must be a number ≥ 0, got -1e-8\.$/],
    ];
    // Each case: the spec's lines, the text that starts at the key at fault, the message.
    for (const [i, [body, at, pattern]] of cases.entries()) {
      const file = experimentFile(`check${i}`, body);
      const r = await client.request('experiment/check', { file });
      assert.equal(r.ok, false);
      if (r.ok) continue;
      const p = experimentProblem(file, r.message, r.location);
      assert.match(p.message, pattern);
      const line = lineOf(file, at) - 1;
      assert.deepEqual([p.file, p.line, p.character], [file, line, fs.readFileSync(file, 'utf8').split('\n')[line].indexOf(at)]);
    }
  });
});

describe('shipped experiments', () => {
  const dirs = ['examples', 'test/fixtures/experiments', 'test/fixtures/debug'].map((d) => path.join(root, d));
  const files = dirs.flatMap((d) => fs.readdirSync(d).filter((f) => f.endsWith('.ode.ts')).map((f) => path.join(d, f)));
  // Fixtures that are wrong on purpose, for other tests.
  const broken = new Set(['badSpec.ode.ts', 'badSolver.ode.ts', 'syntaxError.ode.ts', 'notAnExperiment.ode.ts', 'loops.ode.ts']);

  it('every example and fixture loads', async () => {
    assert.ok(files.length >= 15, `found ${files.length} experiment files`);
    for (const file of files.filter((f) => !broken.has(path.basename(f)))) {
      await assert.doesNotReject(loadExperiment(file), path.relative(root, file));
    }
  });
});
