// Experiments whose model is the user's own TensorFlow.js code: tensorField and tf.LayersModel
// train through the same trainer (trajectories and classifiers, every gradient method, resume),
// export under their own names, and their mistakes are reported when the experiment is checked.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import {
  circles, dampedOscillator, dampedPendulum, defineExperiment, readMetrics, selectBackend, tensorField, tf, trainExperiment,
  type ExperimentSpec,
} from '../../engine/src/index';
import { loadExperiment } from '../../engine/src/experiments/load';
import { exportCommand } from '../../engine/src/cli/exportCommand';
import { previewExperiment } from '../../engine/src/experiments/preview';
import { buildAnyTrainable, loadRunWeights } from '../../engine/src/experiments/modelSource';
import type { TensorNativeField } from '../../engine/src/fields/tensorNative';
import { decodeSafetensors } from '../../engine/src/io/safetensors';
import { checkExperiment } from '../../engine/src/worker/checkExperiment';

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-tfjs-'));
const fixture = (name: string) => path.resolve('test/fixtures/experiments', name);
const examples = (name: string) => path.resolve('examples', name);

/** A small tanh network as the user writes it, weights from a seed. */
function netModel() {
  const w1 = tf.variable(tf.randomNormal([2, 16], 0, 0.3, 'float32', 1));
  const b1 = tf.variable(tf.zeros([16]));
  const w2 = tf.variable(tf.randomNormal([16, 2], 0, 0.3, 'float32', 2));
  return tensorField((_t, y) => tf.matMul(tf.tanh(tf.add(tf.matMul(y, w1), b1)), w2), { w1, b1, w2 });
}

function spec(gradient: ExperimentSpec['gradient'], iterations = 40, train: Partial<ExperimentSpec['train']> = {}): ExperimentSpec {
  return {
    name: 'tfjs-oscillator',
    data: () => dampedOscillator({ dataSize: 100, t1: 10 }),
    model: netModel,
    solver: { method: 'dopri5', rtol: 1e-5, atol: 1e-6 },
    gradient,
    train: { iterations, optimizer: { name: 'adam', lr: 2e-2 }, batchTime: 10, batchSize: 10, evalEvery: 1, checkpointEvery: 5, clipNorm: 10, ...train },
  };
}

describe('experiments with TensorFlow.js models', { timeout: 300_000 }, () => {
  before(async () => {
    await selectBackend('wasm');
  });

  // Every gradient method, each with another optimiser and schedule (the trainer's loop is the same for every model kind).
  const cases: { name: string; gradient: ExperimentSpec['gradient']; train: Partial<ExperimentSpec['train']> }[] = [
    { name: 'backprop, adam, gradient clipping', gradient: 'backprop', train: { clipNorm: 1 } },
    { name: 'adjoint, rmsprop, cosine schedule', gradient: 'adjoint', train: { optimizer: { name: 'rmsprop', lr: 1e-2 }, schedule: { kind: 'cosine', tMax: 40, etaMin: 1e-3 } } },
    {
      name: 'adjoint + seminorm, sgd with momentum, step schedule',
      gradient: { method: 'adjoint', adjointOptions: { seminorm: true } },
      train: { optimizer: { name: 'sgd', lr: 5e-2, momentum: 0.9 }, schedule: { kind: 'step', stepSize: 20, gamma: 0.5 } },
    },
    { name: 'checkpoint, adam, exponential schedule', gradient: { method: 'checkpoint', checkpoints: 3 }, train: { schedule: { kind: 'exponential', gamma: 0.99 } } },
  ];
  for (const { name, gradient, train } of cases) {
    it(`a tensorField trains a trajectory with ${name}: the loss on the whole trajectory falls`, async () => {
      const out = await trainExperiment(defineExperiment(spec(gradient, 40, train)), { runsRoot: tmp() });
      assert.equal(out.status, 'finished', out.message);
      const evals = readMetrics(out.runDir).records.filter((r) => r.evalLoss !== undefined).map((r) => Number(r.evalLoss));
      assert.equal(evals.length, 40);
      assert.ok(evals[39] < 0.7 * evals[0], `evaluation loss ${evals[0]} → ${evals[39]}`);
      const config = JSON.parse(fs.readFileSync(path.join(out.runDir, 'config.json'), 'utf8'));
      assert.equal(config.config.model.kind, 'tfjs');
      assert.deepEqual(config.config.model.layout.map((e: { name: string }) => e.name), ['w1', 'b1', 'w2']);
    });
  }

  it('a cancelled tensorField run resumes to exactly the loss of an uninterrupted one', async () => {
    const root = tmp();
    const whole = await trainExperiment(defineExperiment(spec('backprop', 12)), { runsRoot: root });
    const stop = new AbortController();
    const first = await trainExperiment(defineExperiment(spec('backprop', 12)), { runsRoot: root, signal: stop.signal, onProgress: (p) => p.iteration === 7 && stop.abort() });
    assert.equal(first.status, 'cancelled');
    const resumed = await trainExperiment(defineExperiment(spec('backprop', 12)), { runsRoot: root, resume: first.runId });
    assert.equal(resumed.status, 'finished');
    assert.equal(resumed.loss, whole.loss);
  });

  it('a tf.sequential classifies circles through the ODE block and a readout', async () => {
    const exp = defineExperiment({
      name: 'tfjs-circles',
      data: () => circles({ n: 200, seed: 0 }),
      model: () =>
        tf.sequential({
          layers: [
            tf.layers.dense({ units: 16, inputShape: [2], activation: 'tanh', kernelInitializer: tf.initializers.glorotNormal({ seed: 3 }) }),
            tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotNormal({ seed: 4 }) }),
          ],
        }),
      solver: { method: 'dopri5', rtol: 1e-4, atol: 1e-5 },
      gradient: 'adjoint',
      train: { iterations: 60, optimizer: { name: 'adam', lr: 2e-2 }, batchSize: 64, evalEvery: 30 },
    });
    const out = await trainExperiment(exp, { runsRoot: tmp() });
    assert.equal(out.status, 'finished', out.message);
    assert.equal(out.task, 'classification');
    const evals = readMetrics(out.runDir).records.filter((r) => r.evalLoss !== undefined);
    assert.ok(evals[1].evalLoss! < evals[0].evalLoss!, `loss ${evals.map((r) => r.evalLoss).join(' → ')}`);
    assert.ok(out.evalAccuracy! > 0.6, `accuracy ${out.evalAccuracy}`);
  });

  it('a model that does not fit the data is refused at the defineExperiment line, naming both', async () => {
    const exp = defineExperiment({
      ...spec('backprop'),
      model: () => tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [3] })] }),
    });
    await assert.rejects(trainExperiment(exp, { runsRoot: tmp() }), (e: Error) => {
      assert.equal(e.name, 'ExperimentError');
      assert.match(e.message, /tensorExperiments\.test\.ts:\d+:\d+: the model works on 3 components per sample but the data 'dampedOscillator' have 2/);
      return true;
    });
  });

  it('export writes a sequential\'s checkpoint under PyTorch names, and a changed model is refused', async () => {
    const root = tmp();
    const exp = await loadExperiment(fixture('tfjsSequential.ode.ts'));
    const out = await trainExperiment(exp, { runsRoot: root });
    assert.equal(out.status, 'finished', out.message);
    const r = await exportCommand({ experiment: fixture('tfjsSequential.ode.ts'), run: out.runId, runsRoot: root, out: path.join(root, 'w.safetensors') });
    const { tensors } = decodeSafetensors(fs.readFileSync(r.file));
    assert.deepEqual([...tensors.keys()].sort(), ['0.bias', '0.weight', '2.bias', '2.weight']);
    assert.deepEqual(tensors.get('0.weight')!.shape, [8, 3]);
    // The exported values are the run's: the checkpoint's loaded into a fresh model.
    const { model } = await buildAnyTrainable(exp);
    loadRunWeights(exp, model as TensorNativeField, null, root, out.runId);
    const entry = (model as TensorNativeField).layout.find((e) => e.name === '2.weight')!;
    assert.ok(Math.abs(tensors.get('2.weight')!.data[5] - model.params[entry.offset + 5]) < 1e-6);
    // 8 hidden units re-laid as 4: the names and shapes say what changed
    const changed = defineExperiment({
      ...exp,
      model: () => tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [3], activation: 'tanh' }), tf.layers.dense({ units: 2 })] }),
    });
    await assert.rejects(trainExperiment(changed, { runsRoot: root, resume: out.runId }), /does not fit this experiment's model/);
  });

  it('the save-time check runs the model and points at the line of a mistake', async () => {
    const unused = await checkExperiment(fixture('tfjsUnusedVariable.ode.ts'));
    assert.equal(unused.ok, false);
    assert.match(unused.ok ? '' : unused.message, /does not use the variable 'forgotten'/);
    assert.equal(unused.ok ? 0 : unused.location?.line, 10, 'the line of the tensorField call');
    const wrong = await checkExperiment(fixture('tfjsWrongShape.ode.ts'));
    assert.equal(wrong.ok, false);
    if (!wrong.ok) {
      assert.match(wrong.message, /returned shape \[1, 3\] for y of shape \[1, 2\]/);
      assert.equal(wrong.location?.line, 9, 'the line of the tensorField call');
    }
    assert.deepEqual(await checkExperiment(fixture('tfjsSequential.ode.ts')), { ok: true, name: 'tfjsSequential' });
  });

  it('NaN from the model stops the run with the iteration and the last good checkpoint', async () => {
    let calls = 0;
    const exp = defineExperiment({
      ...spec('backprop', 30),
      model: () => {
        const w = tf.variable(tf.tensor2d([0, -1, 1, 0], [2, 2]));
        // fine for the first evaluations, then NaN: a blow-up in the middle of training (counted
        // in JavaScript, which a compiled field runs only when it records: so not compiled)
        return tensorField((_t, y) => (++calls > 400 ? tf.mul(tf.matMul(y, w), NaN) : tf.matMul(y, w)), { w }, { compile: false });
      },
    });
    const out = await trainExperiment(exp, { runsRoot: tmp() });
    assert.equal(out.status, 'failed');
    assert.match(out.message ?? '', /iteration \d+/);
    assert.match(out.message ?? '', /last good checkpoint is iteration \d+|there is no checkpoint yet \(the first is written at iteration \d+\)/i);
  });
});

describe('the examples with TensorFlow.js models', { timeout: 300_000 }, () => {
  it('sequential.ode.ts previews like a built-in field: a time-dependent field, its frames, the predicted trajectory per component', async () => {
    const exp = await loadExperiment(examples('sequential.ode.ts'));
    const p = await previewExperiment(exp, { grid: 8 });
    assert.equal(p.task, 'trajectory');
    assert.equal(p.iteration, null);
    assert.ok(p.frames && p.frames.t.length > 1, 't is an input of the model, so the field has time frames');
    assert.ok(p.predicted && p.predicted.t.length === 200);
    assert.equal(p.components.predicted?.length, 2);
    assert.ok(Array.from(p.field.u).every(Number.isFinite));
  });

  it('pendulum.ode.ts: physics plus a network recovers the damping within 10 %', async () => {
    const exp = await loadExperiment(examples('pendulum.ode.ts'));
    const root = tmp();
    const out = await trainExperiment(exp, { runsRoot: root });
    assert.equal(out.status, 'finished', out.message);
    const evals = readMetrics(out.runDir).records.filter((r) => r.evalLoss !== undefined).map((r) => r.evalLoss!);
    assert.ok(evals[evals.length - 1] < evals[0], `evaluation loss ${evals.join(' → ')}`);
    const { model } = await buildAnyTrainable(exp);
    loadRunWeights(exp, model as TensorNativeField, null, root, out.runId);
    // the learned friction is f_ω + sin θ; least squares of −c·ω to it over the data's states
    const data = await dampedPendulum({ damping: 0.2 });
    let num = 0;
    let den = 0;
    for (const y of data.ys) {
      const friction = (model as TensorNativeField).f(0, y)[1] + Math.sin(y[0]);
      num += friction * y[1];
      den += y[1] * y[1];
    }
    const c = -num / den;
    assert.ok(Math.abs(c - 0.2) < 0.02, `recovered damping ${c}, true 0.2`);
  });

  it('sequential.ode.ts: a tf.sequential with time as an input fits the oscillator', async () => {
    const exp = await loadExperiment(examples('sequential.ode.ts'));
    const out = await trainExperiment(exp, { runsRoot: tmp(), iterations: 150 });
    assert.equal(out.status, 'finished', out.message);
    const evals = readMetrics(out.runDir).records.filter((r) => r.evalLoss !== undefined).map((r) => Number(r.evalLoss));
    assert.ok(evals[evals.length - 1] < 0.7 * evals[0], `evaluation loss ${evals.join(' → ')}`);
  });
});
