import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { augmentedMlpField, circles, defineExperiment, eightGaussians, mapInput, mlpField, odeNet, readMetrics, spiral, trainExperiment, type ExperimentSpec } from '../../engine/src/index';
import { Rng } from '../../engine/src/data/rng';
import type { Experiment } from '../../engine/src/experiments/define';
import { loadExperiment } from '../../engine/src/experiments/load';
import { kindTask } from '../../engine/src/experiments/modelKinds';
import { buildAnyTrainable } from '../../engine/src/experiments/modelSource';
import { layoutChange, namedLayout } from '../../engine/src/experiments/paramNames';
import { gradientSpec } from '../../engine/src/experiments/trainer';
import { exportTorchCommand } from '../../engine/src/cli/exportTorchCommand';
import { previewExperiment } from '../../engine/src/experiments/preview';
import { exportTorch, writeModelFiles } from '../../engine/src/export/exportTorch';
import { decodeSafetensors } from '../../engine/src/io/safetensors';
import { modelPlan } from '../../engine/src/export/modelPlan';
import { torchSettings } from '../../engine/src/export/trainSettings';
import type { NativeField } from '../../engine/src/fields/field';
import { cleanTempFiles, listRuns, loadLatestCheckpoint, readRunConfig } from '../../engine/src/train/runStore';

/** Debian's interpreter, for which python3-torch is built. */
const PYTHON = '/usr/bin/python3';
const ROOT = path.resolve(__dirname, '..', '..');
const INSTALL = 'apt-get install python3-torch python3-numpy';
const PEER = process.env.TORCHDIFFEQ_PATH ?? path.resolve(ROOT, '..', 'shared', 'peers', 'torchdiffeq');

const torchMissing = ((): string | null => {
  const r = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8', timeout: 60_000 });
  return r.status === 0 ? null : `${PYTHON} cannot import torch and numpy (${(r.error?.message ?? r.stderr.trim().split('\n').pop()) || `exit ${r.status}`}): ${INSTALL}`;
})();
const torchdiffeqMissing = ((): string | null => {
  if (torchMissing) return torchMissing;
  if (!fs.existsSync(path.join(PEER, 'torchdiffeq', '__init__.py'))) {
    return `torchdiffeq not found at ${PEER}: set TORCHDIFFEQ_PATH to the folder that holds its torchdiffeq/ package (or pip install torchdiffeq)`;
  }
  return null;
})();

const env = { ...process.env, PYTHONPATH: PEER, PYTHONDONTWRITEBYTECODE: '1', OMP_NUM_THREADS: '1' };
const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-torch-'));

function python(args: string[], cwd: string, timeout = 60_000): string {
  const r = spawnSync(PYTHON, args, { cwd, env, encoding: 'utf8', timeout });
  assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}${r.error?.message ?? ''}`);
  return r.stdout;
}

/** f of the field at t on a few states in [-1, 1], as model.py must reproduce it. */
function probe(field: NativeField, dim: number): { t: number; y: number[][]; f: number[][] } {
  const rows = 5;
  const y = new Float64Array(rows * dim).map((_, i) => Math.sin(0.9 * i + 0.3));
  const f = field.f(0.7, y);
  const split = (a: Float64Array): number[][] => Array.from({ length: rows }, (_, r) => Array.from(a.subarray(r * dim, (r + 1) * dim)));
  return { t: 0.7, y: split(y), f: split(f) };
}

/** Loads each folder's model.py and init.safetensors, evaluates f, and prints the largest relative error. */
const COMPARE = `
import json, sys, importlib
import torch
torch.set_default_dtype(torch.float64)
out = []
for case in json.load(open(sys.argv[1])):
    sys.path.insert(0, case["dir"])
    for m in ("model", "tensorfile"):
        sys.modules.pop(m, None)
    model, tensorfile = importlib.import_module("model"), importlib.import_module("tensorfile")
    f = model.Field()
    f.load_state_dict(tensorfile.load_file(case["dir"] + "/init.safetensors"))
    got = f(torch.tensor(case["t"]), torch.tensor(case["y"]))
    want = torch.tensor(case["f"])
    out.append({"name": case["name"], "err": ((got - want).abs().max() / want.abs().max()).item(), "keys": list(f.state_dict().keys())})
    sys.path.pop(0)
print(json.dumps(out))
`;

const trajectorySpec = (over: Partial<ExperimentSpec> = {}): ExperimentSpec => ({
  name: 'torch-fixture',
  data: () => spiral({ dataSize: 80, t1: 5 }),
  model: () => mlpField({ sizes: [2, 16, 16, 2], activation: 'softplus', timeDependent: true, seed: 4 }),
  solver: { method: 'dopri5', rtol: 1e-8, atol: 1e-10 },
  gradient: 'backprop',
  train: {
    iterations: 3,
    optimizer: { name: 'adam', lr: 0.01, weightDecay: 1e-3 },
    schedule: { kind: 'cosine', tMax: 10, warmup: { iterations: 1 } },
    clipNorm: 0.5,
    batchTime: 6,
    batchSize: 10,
    loss: 'mse',
    seed: 11,
    evalEvery: 2,
    checkpointEvery: 2,
  },
  ...over,
});

/** A classifier of labelled points: an augmented ODE block and a linear readout, as examples/circlesAugmented.ode.ts. */
const classifierSpec = (over: Partial<ExperimentSpec> = {}): ExperimentSpec => ({
  name: 'torch-classifier',
  data: () => circles({ n: 120, seed: 3 }),
  model: () => augmentedMlpField({ sizes: [2, 12, 2], extraDims: 1, activation: 'tanh', seed: 5 }),
  solver: { method: 'dopri5', rtol: 1e-8, atol: 1e-10 },
  gradient: 'backprop',
  train: { iterations: 3, optimizer: { name: 'adam', lr: 0.01 }, batchSize: 16, loss: 'mse', seed: 7, evalEvery: 2, checkpointEvery: 2 },
  ...over,
});

/** The engine's first iteration: its loss and gradient (the field's, then a readout's) on batch 1 of the experiment's seed. */
async function engineFirstStep(exp: Experiment): Promise<{ loss: number; grad: Float64Array; accuracy?: number }> {
  const { data, model } = await buildAnyTrainable(exp);
  const task = kindTask(exp, data, model, gradientSpec(exp));
  const res = await task.step(new Rng(exp.train.seed ?? 0));
  const grad = new Float64Array(res.gradParams.length + (res.gradExtra?.length ?? 0));
  grad.set(res.gradParams);
  if (res.gradExtra) grad.set(res.gradExtra, res.gradParams.length);
  return { loss: res.loss, grad, accuracy: res.accuracy };
}

function assertClose(got: number[], want: ArrayLike<number>, rel: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i] - want[i]) <= rel * scale, `${what}[${i}]: ${got[i]} vs the engine's ${want[i]} (scale ${scale})`);
  }
}

describe('export-torch: model.py', () => {
  it('computes the engine f on the same weights, for mlpField (with and without t, several activations, depth 3), an augmented field, mapInput and a tf.sequential', async (t) => {
    if (torchMissing) return t.skip(torchMissing);
    const root = tmp();
    const cases: { name: string; field: NativeField; dim: number; keys: string[] }[] = [];
    const add = (name: string, field: NativeField, dim: number): void => {
      const plan = modelPlan(field);
      writeModelFiles(path.join(root, name), field as never, plan, name);
      cases.push({ name, field, dim, keys: plan.layout.map((e) => e.name) });
    };
    add('tanh-time', mlpField({ sizes: [3, 16, 12, 3], activation: 'tanh', timeDependent: true, seed: 1 }), 3);
    add('softplus-depth3', mlpField({ sizes: [2, 8, 8, 8, 2], activation: 'softplus', seed: 2 }), 2);
    add('relu', mlpField({ sizes: [2, 10, 2], activation: 'relu', seed: 3 }), 2);
    add('silu-time', mlpField({ sizes: [2, 6, 6, 2], activation: 'silu', timeDependent: true, seed: 4 }), 2);
    add('sigmoid', mlpField({ sizes: [2, 7, 2], activation: 'sigmoid', seed: 5 }), 2);
    add('augmented', augmentedMlpField({ sizes: [2, 16, 2], extraDims: 1, activation: 'relu', seed: 6 }), 3);
    add('mapInput', mapInput(mlpField({ sizes: [2, 9, 2], seed: 7 }), (x) => Math.sin(x) + 0.5 * x, (x) => Math.cos(x) + 0.5), 2);
    for (const file of ['spiral.ode.ts', 'sequential.ode.ts']) {
      const exp = await loadExperiment(path.join(ROOT, 'examples', file));
      const { model } = await buildAnyTrainable(exp);
      const plan = modelPlan(model);
      writeModelFiles(path.join(root, file), model, plan, exp.name);
      cases.push({ name: file, field: model as NativeField, dim: plan.dim, keys: plan.layout.map((e) => e.name) });
    }
    const input = cases.map((c) => ({ name: c.name, dir: path.join(root, c.name), ...probe(c.field, c.dim) }));
    fs.writeFileSync(path.join(root, 'cases.json'), JSON.stringify(input));
    const out = JSON.parse(python(['-c', COMPARE, path.join(root, 'cases.json')], root)) as { name: string; err: number; keys: string[] }[];
    for (const [i, r] of out.entries()) {
      assert.ok(r.err <= 1e-6, `${r.name}: model.py's f differs from the engine's by ${r.err} (relative)`);
      assert.deepEqual(r.keys, cases[i].keys, `${r.name}: the state_dict is named as the engine names the parameters`);
    }
    assert.equal(out.length, cases.length);
  });

  it("writes a classifier's head: Readout() on readout.safetensors scores as the engine's readout", async (t) => {
    if (torchMissing) return t.skip(torchMissing);
    const out = tmp();
    // 8 classes under cross-entropy (8 scores), and circles' two under mse (one ±1 output).
    const cases = [
      { name: 'eight', spec: classifierSpec({ data: () => eightGaussians({ n: 64, seed: 1 }), train: { ...classifierSpec().train, loss: 'crossEntropy' } }), outputs: 8 },
      { name: 'circles', spec: classifierSpec(), outputs: 1 },
    ];
    for (const c of cases) {
      const r = await exportTorch(defineExperiment(c.spec), { out: path.join(out, c.name) });
      assert.ok(r.files.includes('readout.safetensors'));
      const { data, model } = await buildAnyTrainable(defineExperiment(c.spec));
      const task = kindTask(defineExperiment(c.spec), data, model, gradientSpec(defineExperiment(c.spec))) as unknown as { readout: { forward(y: Float64Array): Float64Array; outputs: number; dim: number } };
      assert.equal(task.readout.outputs, c.outputs);
      const y = new Float64Array(4 * task.readout.dim).map((_, i) => Math.cos(1.3 * i));
      const want = Array.from(task.readout.forward(y));
      const script = `
import sys, json, torch
sys.path.insert(0, sys.argv[1])
torch.set_default_dtype(torch.float64)
from model import Readout, OUTPUTS
from tensorfile import load_file
r = Readout()
r.load_state_dict(load_file(sys.argv[1] + "/readout.safetensors"))
y = torch.tensor(json.loads(sys.argv[2])).reshape(4, -1)
print(json.dumps({"outputs": OUTPUTS, "scores": r(y).reshape(-1).tolist()}))
`;
      const got = JSON.parse(python(['-c', script, r.dir, JSON.stringify(Array.from(y))], out)) as { outputs: number; scores: number[] };
      assert.equal(got.outputs, c.outputs, c.name);
      assertClose(got.scores, want, 1e-12, `${c.name}: the readout's scores`);
    }
  });

  it('recovers the mapInput map of the spiral example as x ** 3', async () => {
    const exp = await loadExperiment(path.join(ROOT, 'examples', 'spiral.ode.ts'));
    const { model } = await buildAnyTrainable(exp);
    assert.deepEqual(modelPlan(model).inputMaps.map((m) => m.python), ['x ** 3']);
  });
});

describe('export-torch: train.py with torchdiffeq', () => {
  it('matches the engine on the spiral example: first loss within 1e-5, first gradient within 1e-4; its run loads in the run store', async (t) => {
    if (torchdiffeqMissing) return t.skip(torchdiffeqMissing);
    const exp = await loadExperiment(path.join(ROOT, 'examples', 'spiral.ode.ts'));
    const out = tmp();
    const runs = path.join(out, 'runs');
    const r = await exportTorch(exp, { out: path.join(out, 'spiral-torch') });
    for (const f of ['model.py', 'train.py', 'init.safetensors', 'data.safetensors', 'README.md', 'config.json', 'neural_ode_studio/__init__.py']) {
      assert.ok(fs.existsSync(path.join(r.dir, f)), f);
    }
    const dump = path.join(out, 'first.json');
    python([path.join(r.dir, 'train.py'), '--iterations', '3', '--runs', runs, '--dump-first', dump], out);
    const first = JSON.parse(fs.readFileSync(dump, 'utf8')) as { loss: number; grad: number[] };
    const engine = await engineFirstStep(exp);
    assert.ok(Math.abs(first.loss - engine.loss) <= 1e-5 * Math.abs(engine.loss), `first loss ${first.loss} vs the engine's ${engine.loss}`);
    assertClose(first.grad, engine.grad, 1e-4, 'first gradient');

    const [run] = listRuns(runs);
    assert.equal(listRuns(runs).length, 1);
    assert.equal(run.status, 'finished');
    assert.equal(run.lastIteration, 3);
    assert.deepEqual(cleanTempFiles(run.dir), []);
    const metrics = readMetrics(run.dir).records;
    assert.deepEqual(metrics.map((m) => m.iteration), [1, 2, 3]);
    for (const m of metrics) for (const k of ['loss', 'nfeForward', 'nfeBackward', 'lr'] as const) assert.equal(typeof m[k], 'number', `${k} is logged`);
    assert.equal(metrics[0].loss, first.loss);
    // The checkpoint verifies and fits the experiment's model by name and shape.
    const { checkpoint } = loadLatestCheckpoint(run.dir);
    assert.equal(checkpoint.iteration, 3);
    const { model } = await buildAnyTrainable(exp);
    assert.equal(layoutChange(checkpoint.layout, namedLayout(model)), null);
    assert.equal((checkpoint.params as Float64Array).length, model.params.length);
    const config = readRunConfig(runs, run.id).config as Record<string, unknown>;
    assert.equal(config.task, 'trajectory');
    assert.deepEqual((config.model as { layout: unknown }).layout, namedLayout(model));
    assert.equal((config.train as { iterations: number }).iterations, 3);
    // It opens in the views from its checkpoint: the Vector field and Trajectories draw the PyTorch weights.
    assert.equal(config.file, exp.location?.file);
    const view = await previewExperiment(exp, { grid: 5, runsRoot: runs, runId: run.id });
    assert.equal(view.iteration, 3);
    assert.equal(view.predictedError, null);
    const untrained = await previewExperiment(exp, { grid: 5 });
    assert.notDeepEqual(Array.from(view.field.u), Array.from(untrained.field.u), 'the trained field differs from the untrained one');
  });

  it('carries Adam, weight decay, a warmup and cosine schedule, clipping, mse and the seed over: three iterations track the engine, which resumes the run', async (t) => {
    if (torchdiffeqMissing) return t.skip(torchdiffeqMissing);
    const exp = defineExperiment(trajectorySpec());
    const out = tmp();
    const r = await exportTorch(exp, { out: path.join(out, 'fixture-torch') });
    const dump = path.join(out, 'first.json');
    python([path.join(r.dir, 'train.py'), '--runs', path.join(out, 'torch-runs'), '--dump-first', dump], out);
    const first = JSON.parse(fs.readFileSync(dump, 'utf8')) as { loss: number; grad: number[] };
    const engine = await engineFirstStep(exp);
    assert.ok(Math.abs(first.loss - engine.loss) <= 1e-5 * engine.loss, `first loss ${first.loss} vs ${engine.loss}`);
    assertClose(first.grad, engine.grad, 1e-4, 'first gradient');
    const trained = await trainExperiment(exp, { runsRoot: path.join(out, 'engine-runs'), iterations: 4 });
    const want = readMetrics(trained.runDir).records;
    const got = readMetrics(listRuns(path.join(out, 'torch-runs'))[0].dir).records.slice(0, 3);
    assert.equal(got.length, 3);
    // The engine continues the PyTorch run from its checkpoint (weights, sampler and optimiser state) as it would its own.
    const resumed = await trainExperiment(exp, { runsRoot: path.join(out, 'torch-runs'), resume: listRuns(path.join(out, 'torch-runs'))[0].id, iterations: 4 });
    assert.equal(resumed.status, 'finished');
    const fourth = readMetrics(resumed.runDir).records[3];
    assert.ok(Math.abs(fourth.loss - want[3].loss) <= 1e-4 * want[3].loss, `iteration 4 after resuming: ${fourth.loss} vs the engine's ${want[3].loss}`);
    for (let i = 0; i < 3; i++) {
      assert.ok(Math.abs(got[i].loss - want[i].loss) <= 1e-4 * want[i].loss, `iteration ${i + 1}: loss ${got[i].loss} vs the engine's ${want[i].loss}`);
      assert.ok(Math.abs((got[i].lr as number) - (want[i].lr as number)) <= 1e-15, `iteration ${i + 1}: lr`);
      assert.ok(Math.abs((got[i].gradNorm as number) - (want[i].gradNorm as number)) <= 1e-4 * (want[i].gradNorm as number), `iteration ${i + 1}: gradNorm`);
    }
    assert.ok(Math.abs((got[1].evalLoss as number) - (want[1].evalLoss as number)) <= 1e-4 * (want[1].evalLoss as number), 'the evaluation at iteration 2');

    // --run: the weights of the engine run's checkpoint, under the model's names.
    const fromRun = await exportTorch(exp, { out: path.join(out, 'from-run'), run: trained.runId, runsRoot: path.join(out, 'engine-runs') });
    assert.equal(fromRun.iteration, 4);
    const { tensors } = decodeSafetensors(fs.readFileSync(path.join(fromRun.dir, 'init.safetensors')));
    const { checkpoint } = loadLatestCheckpoint(trained.runDir);
    const params = checkpoint.params as Float64Array;
    for (const e of checkpoint.layout as { name: string; shape: number[]; offset: number }[]) {
      const tensor = tensors.get(e.name)!;
      assert.deepEqual(tensor.shape, e.shape, e.name);
      assert.deepEqual(Array.from(tensor.data), Array.from(params.subarray(e.offset, e.offset + tensor.data.length)), `${e.name}: the checkpoint's values, float64`);
    }
  });

  it('trains a classifier as the engine does (an augmented field and its readout, mse; cross-entropy over 8 classes): loss, gradient, accuracy; the engine resumes its run and the views open it', async (t) => {
    if (torchdiffeqMissing) return t.skip(torchdiffeqMissing);
    const specs = [
      classifierSpec(),
      classifierSpec({
        name: 'torch-eight',
        data: () => eightGaussians({ n: 96, seed: 2 }),
        model: () => mlpField({ sizes: [2, 10, 2], activation: 'softplus', seed: 8 }),
        gradient: { method: 'adjoint' },
        train: { ...classifierSpec().train, optimizer: { name: 'rmsprop', lr: 0.01 }, loss: 'crossEntropy', clipNorm: 1 },
      }),
    ];
    for (const spec of specs) {
      const exp = defineExperiment(spec);
      const out = tmp();
      const r = await exportTorch(exp, { out: path.join(out, 'export') });
      const dump = path.join(out, 'first.json');
      const runs = path.join(out, 'torch-runs');
      python([path.join(r.dir, 'train.py'), '--runs', runs, '--dump-first', dump], out);
      const first = JSON.parse(fs.readFileSync(dump, 'utf8')) as { loss: number; grad: number[] };
      const engine = await engineFirstStep(exp);
      assert.ok(Math.abs(first.loss - engine.loss) <= 1e-5 * engine.loss, `${spec.name}: first loss ${first.loss} vs the engine's ${engine.loss}`);
      assertClose(first.grad, engine.grad, 1e-4, `${spec.name}: first gradient (field, then readout)`);

      const trained = await trainExperiment(exp, { runsRoot: path.join(out, 'engine-runs'), iterations: 4 });
      const want = readMetrics(trained.runDir).records;
      const [run] = listRuns(runs);
      assert.equal(run.status, 'finished');
      const got = readMetrics(run.dir).records;
      assert.deepEqual(got.map((m) => m.iteration), [1, 2, 3]);
      assert.equal(got[0].accuracy, engine.accuracy, `${spec.name}: the first batch's accuracy`);
      for (let i = 0; i < 3; i++) {
        assert.ok(Math.abs(got[i].loss - want[i].loss) <= 1e-4 * want[i].loss, `${spec.name}, iteration ${i + 1}: loss ${got[i].loss} vs the engine's ${want[i].loss}`);
      }
      assert.ok(Math.abs((got[1].evalLoss as number) - (want[1].evalLoss as number)) <= 1e-4 * (want[1].evalLoss as number), `${spec.name}: the evaluation at iteration 2`);
      assert.equal(got[1].evalAccuracy, want[1].evalAccuracy, `${spec.name}: the accuracy on every point at iteration 2`);
      const result = JSON.parse(fs.readFileSync(path.join(run.dir, 'result.json'), 'utf8')) as { evalAccuracy?: number };
      assert.equal(result.evalAccuracy, got[2].evalAccuracy, 'result.json holds the last accuracy, as the engine writes it');
      // The checkpoint holds the readout beside the field, as the engine's does.
      const { checkpoint } = loadLatestCheckpoint(run.dir);
      assert.equal((checkpoint.readout as Float64Array).length, (loadLatestCheckpoint(trained.runDir).checkpoint.readout as Float64Array).length);
      assert.equal((readRunConfig(runs, run.id).config as { task: string }).task, 'classification');
      // The engine continues the run from its checkpoint (field, readout, sampler, optimiser) as it would its own.
      const resumed = await trainExperiment(exp, { runsRoot: runs, resume: run.id, iterations: 4 });
      assert.equal(resumed.status, 'finished');
      const fourth = readMetrics(resumed.runDir).records[3];
      assert.ok(Math.abs(fourth.loss - want[3].loss) <= 1e-4 * want[3].loss, `${spec.name}, iteration 4 after resuming: ${fourth.loss} vs the engine's ${want[3].loss}`);
      // The views draw the PyTorch run's classifier: its points coloured by its readout.
      const view = await previewExperiment(exp, { grid: 5, runsRoot: runs, runId: run.id });
      assert.equal(view.task, 'classification');
      assert.equal(view.iteration, 4);
      // --run: the readout comes from the run's checkpoint too.
      const fromRun = await exportTorch(exp, { out: path.join(out, 'from-run'), run: run.id, runsRoot: runs });
      const { tensors } = decodeSafetensors(fs.readFileSync(path.join(fromRun.dir, 'readout.safetensors')));
      const readout = loadLatestCheckpoint(run.dir).checkpoint.readout as Float64Array;
      assert.deepEqual([...tensors.get('weight')!.data, ...tensors.get('bias')!.data], Array.from(readout));
    }
  });

  it('trains under torchrun with two CPU processes (gloo) and writes exactly one run', async (t) => {
    if (torchdiffeqMissing) return t.skip(torchdiffeqMissing);
    const exp = defineExperiment(trajectorySpec({ gradient: { method: 'adjoint', adjointOptions: { seminorm: true } } }));
    const out = tmp();
    const r = await exportTorch(exp, { out: path.join(out, 'ddp') });
    assert.match(fs.readFileSync(path.join(r.dir, 'train.py'), 'utf8'), /adjoint_options=dict\(.*norm="seminorm"\),/);
    const runs = path.join(out, 'runs');
    // Debian's torch 1.13 on Python 3.11 cannot parse torchrun's default --redirects/--tee of 0.
    const quirk = ['--redirects', '1', '--tee', '1'];
    python(['-m', 'torch.distributed.run', '--standalone', '--nproc_per_node=2', ...quirk, path.join(r.dir, 'train.py'), '--iterations', '2', '--runs', runs], out, 120_000);
    const all = listRuns(runs);
    assert.equal(all.length, 1, 'rank 0 alone writes the run');
    assert.equal(all[0].status, 'finished');
    assert.deepEqual(readMetrics(all[0].dir).records.map((m) => m.iteration), [1, 2]);
    const records = readMetrics(all[0].dir).records;
    assert.ok(records.every((m) => (m.nfeBackward as number) > 0), 'the adjoint counts its backward evaluations');
    // Each rank solved half of the same global batch: the loss is the global batch's.
    const engine = await engineFirstStep(exp);
    assert.ok(Math.abs(records[0].loss - engine.loss) <= 1e-5 * engine.loss, `first loss ${records[0].loss} vs the engine's ${engine.loss}`);

    // A classifier too: each rank flows half of the batch's points; the loss and accuracy are the whole batch's.
    const classifier = defineExperiment(classifierSpec());
    const c = await exportTorch(classifier, { out: path.join(out, 'ddp-classifier') });
    const cRuns = path.join(out, 'classifier-runs');
    python(['-m', 'torch.distributed.run', '--standalone', '--nproc_per_node=2', ...quirk, path.join(c.dir, 'train.py'), '--iterations', '1', '--runs', cRuns], out, 120_000);
    assert.equal(listRuns(cRuns).length, 1, 'rank 0 alone writes the run');
    const [m] = readMetrics(listRuns(cRuns)[0].dir).records;
    const want = await engineFirstStep(classifier);
    assert.ok(Math.abs(m.loss - want.loss) <= 1e-5 * want.loss, `the classifier's first loss ${m.loss} vs the engine's ${want.loss}`);
    assert.equal(m.accuracy, want.accuracy);
  });
});

describe('export-torch: refusals', () => {
  const refused = async (spec: ExperimentSpec, pattern: RegExp): Promise<void> => {
    await assert.rejects(exportTorch(defineExperiment(spec), { out: tmp() }), pattern);
  };

  it('refuses a model it cannot write, with the reason and the supported list', async () => {
    const spec = trajectorySpec({ model: () => mapInput(mlpField({ sizes: [2, 8, 2] }), Math.asinh, (x) => 1 / Math.sqrt(1 + x * x)) });
    await refused(spec, /mapInput with a map that could not be written in Python.*Supported: mlpField/);
  });

  it('train.py without torchdiffeq stops at once with the exact install line', async (t) => {
    if (torchMissing) return t.skip(torchMissing);
    const bare = { ...env, PYTHONPATH: '' };
    if (spawnSync(PYTHON, ['-c', 'import torchdiffeq'], { env: bare }).status === 0) return t.skip('torchdiffeq is installed system-wide here');
    const r = await exportTorch(defineExperiment(trajectorySpec({})), { out: tmp() });
    const run = spawnSync(PYTHON, [path.join(r.dir, 'train.py'), '--iterations', '1'], { cwd: r.dir, env: bare, encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 1);
    assert.equal(run.stderr.trim(), 'train.py needs torchdiffeq: pip install torchdiffeq');
  });

  it('refuses an ODE-Net classifier, a CNF and a latent ODE, saying what each is', async () => {
    const points = trajectorySpec({ data: () => circles({ n: 64, seed: 0 }), train: { iterations: 2, optimizer: { name: 'adam' } } });
    await refused({ ...points, model: () => odeNet({ channels: 2, groups: 2, height: 8, width: 8, pool: 2, seed: 1 }) }, /an ODE-Net classifier \(odeNet\), which model\.py cannot write/);
    for (const file of ['cnf.ode.ts', 'latentOde.ode.ts']) {
      const exp = await loadExperiment(path.join(ROOT, 'examples', file));
      await assert.rejects(exportTorch(exp, { out: tmp() }), /export-torch: the (model is a continuous normalising flow|model is a latent ODE|data '.*' are irregularly sampled series)/, file);
    }
  });

  it('train.py --device cuda on a PyTorch without CUDA says so and what to do', async (t) => {
    // train.py asks for torchdiffeq before it reads its arguments
    if (torchdiffeqMissing) return t.skip(torchdiffeqMissing);
    if (spawnSync(PYTHON, ['-c', 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)'], { env }).status === 0) return t.skip('this machine has a CUDA device');
    const r = await exportTorch(defineExperiment(trajectorySpec({})), { out: tmp() });
    const run = spawnSync(PYTHON, [path.join(r.dir, 'train.py'), '--iterations', '1', '--device', 'cuda'], { cwd: r.dir, env, encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 1);
    assert.match(run.stderr.trim(), /^train\.py --device cuda: this PyTorch \(.*\) sees no CUDA device .* Train with --device cpu, or install a CUDA build of torch/);
    assert.equal(fs.existsSync(path.join(r.dir, '.neural-ode')), false, 'no run was started');
  });

  it('refuses a key it cannot carry over, naming it', async () => {
    await refused(trajectorySpec({ solver: { method: 'dopri5', options: { pcoeff: 0.3, icoeff: 0.4 } } }), /solver\.options\.pcoeff cannot be carried over/);
    await refused(trajectorySpec({ solver: { method: 'lm' } }), /solver\.method 'lm' cannot be carried over/);
    await refused({ ...trajectorySpec(), train: { ...trajectorySpec().train, histograms: true } }, /train\.histograms cannot be carried over/);
  });

  it('exports the augmented classifier example from the command line', async () => {
    const out = tmp();
    assert.equal(await exportTorchCommand([path.join(ROOT, 'examples', 'circlesAugmented.ode.ts'), '--out', out]), 0);
    const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')) as { task: string; data: { classes: number[] } };
    assert.equal(config.task, 'classification');
    assert.deepEqual(config.data.classes, [-1, 1]);
    assert.match(fs.readFileSync(path.join(out, 'train.py'), 'utf8'), /^BATCH_SIZE = 64$/m);
    assert.match(fs.readFileSync(path.join(out, 'README.md'), 'utf8'), /readout\.safetensors`: the classifier's head/);
  });

  it('writes every engine default explicitly', () => {
    const s = torchSettings(defineExperiment(trajectorySpec({ solver: undefined, gradient: undefined })));
    assert.deepEqual([s.solver.method, s.solver.rtol, s.solver.atol], ['dopri5', 1e-7, 1e-9]);
    assert.deepEqual(s.solver.options, { first_step: null, min_step: 0, max_step: Infinity, safety: 0.9, ifactor: 10, dfactor: 0.2, max_num_steps: 100000 });
    assert.deepEqual(s.optimizer, { name: 'adam', lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-3, decoupled: false });
  });
});
