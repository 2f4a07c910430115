// Classifiers of labelled points: the readout's losses and gradients against finite differences,
// training an augmented ODE block on concentric circles (accuracy, NFE and the readout in the
// metrics and checkpoints, exact resume), the errors a wrong experiment gets, and the preview
// the panels draw (every point's flow, the readout's verdict).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  augmentedMlpField, circles, defineExperiment, ExperimentError, LinearReadout, loadLatestCheckpoint, mlpField, moons, readMetrics,
  trainExperiment, type ExperimentSpec, type PointData,
} from '../../engine/src/index';
import { odeint } from '../../engine/src/odeint';
import { previewExperiment } from '../../engine/src/experiments/preview';

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-classify-'));

/** A small ANODE on circles: trains to a clean separation in a couple of seconds. */
function spec(overrides: Partial<ExperimentSpec['train']> = {}, model: ExperimentSpec['model'] = () => augmentedMlpField({ sizes: [2, 16, 2], extraDims: 1, activation: 'relu', seed: 0 })): ExperimentSpec {
  return {
    name: 'small-circles',
    data: () => circles({ n: 256, seed: 3 }),
    model,
    solver: { method: 'dopri5', rtol: 1e-3, atol: 1e-4 },
    train: { iterations: 150, optimizer: { name: 'adam', lr: 1e-2 }, batchSize: 32, evalEvery: 50, checkpointEvery: 10, ...overrides },
  };
}

describe('LinearReadout', () => {
  const dim = 3;
  const B = 5;
  const y = Float64Array.from({ length: B * dim }, (_, i) => Math.sin(1.7 * i + 0.3));
  const target = Int32Array.from([0, 1, 2, 1, 0]);

  for (const [loss, classes] of [['mse', 2], ['mse', 3], ['crossEntropy', 3], ['crossEntropy', 2]] as const) {
    it(`${loss} with ${classes} classes: gradients in the weights and in y match central differences`, () => {
      const r = new LinearReadout(dim, classes, loss, 7);
      const tg = target.map((c) => c % classes);
      const { gradParams, gradY } = r.lossAndGrad(y, tg);
      assert.equal(r.outputs, loss === 'mse' && classes === 2 ? 1 : classes);
      const h = 1e-6;
      const at = () => r.lossAndGrad(y, tg).loss;
      for (let i = 0; i < r.params.length; i++) {
        const keep = r.params[i];
        r.params[i] = keep + h;
        const up = at();
        r.params[i] = keep - h;
        const down = at();
        r.params[i] = keep;
        assert.ok(Math.abs((up - down) / (2 * h) - gradParams[i]) < 1e-7, `param ${i}: ${(up - down) / (2 * h)} vs ${gradParams[i]}`);
      }
      for (let i = 0; i < y.length; i++) {
        const keep = y[i];
        y[i] = keep + h;
        const up = at();
        y[i] = keep - h;
        const down = at();
        y[i] = keep;
        assert.ok(Math.abs((up - down) / (2 * h) - gradY[i]) < 1e-7, `y ${i}`);
      }
    });
  }

  it("mse with two classes regresses ANODE's ±1 and predicts by the sign", () => {
    const r = new LinearReadout(1, 2, 'mse', 0);
    r.params.set([2, 0]); // out = 2y
    const res = r.lossAndGrad(Float64Array.from([0.5, -0.5, 0.25]), Int32Array.from([1, 0, 0]));
    // targets +1, −1, −1; outputs 1, −1, 0.5
    assert.ok(Math.abs(res.loss - (0 + 0 + 1.5 ** 2) / 3) < 1e-15);
    assert.equal(res.accuracy, 2 / 3);
  });
});

describe('classifier training', () => {
  it('an augmented ODE block separates concentric circles, with accuracy and NFE in metrics.jsonl', async () => {
    const root = tmp();
    const out = await trainExperiment(defineExperiment(spec()), { runsRoot: root });
    assert.equal(out.status, 'finished');
    assert.ok(out.evalAccuracy !== undefined && out.evalAccuracy !== null && out.evalAccuracy >= 0.97, `accuracy ${out.evalAccuracy}`);
    assert.ok(out.evalLoss !== null && out.evalLoss < 0.3, `loss ${out.evalLoss}`);
    const m = readMetrics(out.runDir).records;
    assert.equal(m.length, 150);
    for (const r of m) {
      assert.ok(typeof r.accuracy === 'number' && r.accuracy >= 0 && r.accuracy <= 1);
      assert.ok(r.nfeForward! > 0 && r.nfeBackward! > 0);
    }
    assert.deepEqual(m.filter((r) => r.evalAccuracy !== undefined).map((r) => r.iteration), [50, 100, 150]);
    const { checkpoint } = loadLatestCheckpoint(out.runDir);
    assert.ok(checkpoint.readout instanceof Float64Array && checkpoint.readout.length === 4, 'W (1 × 3) and b of the readout');
    const result = JSON.parse(fs.readFileSync(path.join(out.runDir, 'result.json'), 'utf8')) as { evalAccuracy: number };
    assert.equal(result.evalAccuracy, out.evalAccuracy);
    const config = JSON.parse(fs.readFileSync(path.join(out.runDir, 'config.json'), 'utf8')) as { config: { task: string; data: { classes: number[] } } };
    assert.equal(config.config.task, 'classification');
    assert.deepEqual(config.config.data.classes, [-1, 1]);

    // The preview of the run agrees with the trainer's last evaluation, point for point.
    const p = await previewExperiment(defineExperiment(spec()), { runsRoot: root, runId: out.runId, grid: 8 });
    assert.equal(p.task, 'classification');
    assert.equal(p.iteration, 150);
    assert.ok(p.classification);
    assert.equal(p.classification.accuracy, out.evalAccuracy);
    assert.ok(Math.abs(p.classification.loss - out.evalLoss!) < 1e-12);
  });

  it('a cancelled classifier run resumes to exactly the loss of an uninterrupted one (readout included)', async () => {
    const root = tmp();
    const s = spec({ iterations: 14, evalEvery: 14, checkpointEvery: 5 });
    const whole = await trainExperiment(defineExperiment(s), { runsRoot: root });
    const stop = new AbortController();
    const first = await trainExperiment(defineExperiment(s), { runsRoot: root, signal: stop.signal, onProgress: (p) => p.iteration === 6 && stop.abort() });
    assert.equal(first.status, 'cancelled');
    const resumed = await trainExperiment(defineExperiment(s), { runsRoot: root, resume: first.runId });
    assert.equal(resumed.loss, whole.loss);
    assert.equal(resumed.evalLoss, whole.evalLoss);
    assert.equal(resumed.evalAccuracy, whole.evalAccuracy);
    assert.deepEqual(loadLatestCheckpoint(resumed.runDir).checkpoint.readout, loadLatestCheckpoint(whole.runDir).checkpoint.readout);
  });

  it('cross-entropy over two moons with a plain ODE block', async () => {
    const out = await trainExperiment(
      defineExperiment({
        ...spec({ loss: 'crossEntropy', iterations: 120, evalEvery: 120 }, () => mlpField({ sizes: [2, 16, 2], activation: 'tanh', seed: 1 })),
        data: () => moons({ n: 256, seed: 1 }),
      }),
      { runsRoot: tmp() },
    );
    assert.equal(out.status, 'finished');
    assert.ok(out.evalAccuracy! > 0.85, `accuracy ${out.evalAccuracy}`);
    assert.equal(loadLatestCheckpoint(out.runDir).checkpoint.readout instanceof Float64Array, true);
  });
});

describe('classifier experiment errors', () => {
  const failsWith = async (s: ExperimentSpec, pattern: RegExp) => {
    await assert.rejects(trainExperiment(defineExperiment(s), { runsRoot: tmp() }), (e: unknown) => {
      assert.ok(e instanceof ExperimentError, String(e));
      assert.match(e.message, pattern);
      return true;
    });
  };

  it('labels missing', async () => {
    const unlabelled = async (): Promise<PointData> => ({ ...circles({ n: 64 }), labels: undefined });
    await failsWith({ ...spec(), data: unlabelled }, /classification\.test\.ts:\d+:\d+: the data 'circles' have no labels: .*circles\(\)/);
  });

  it('labels of the wrong length', async () => {
    const short = (): PointData => {
      const d = circles({ n: 64 });
      return { ...d, labels: d.labels!.subarray(0, 60) };
    };
    await failsWith({ ...spec(), data: short }, /have 64 points but 60 labels/);
  });

  it('a model narrower than the data', async () => {
    await failsWith({ ...spec(), model: () => mlpField({ sizes: [2, 8, 2] }), data: () => ({ ...circles({ n: 64 }), name: 'spheres3' , dim: 3, x: new Float64Array(64 * 3) }) },
      /the model works on 2 components per sample but the data 'spheres3' have 3: make the model's first and last size 3/);
  });

  it('trajectory settings on point data', async () => {
    await failsWith(spec({ batchTime: 10 }), /train\.batchTime sets the length of sub-trajectories; points have none/);
    await failsWith(spec({ loss: 'l1' }), /train\.loss 'l1' compares trajectories; a classifier trains with 'mse'/);
    await failsWith(spec({ batchSize: 1000 }), /train\.batchSize is 1000 but the data 'circles' have only 256 points/);
  });
});

describe('classifier preview', () => {
  it("every shown point's flow from t = 0 to 1, coloured by class, with the untrained readout's verdict", async () => {
    const exp = defineExperiment(spec());
    const p = await previewExperiment(exp, { grid: 6 });
    const data = circles({ n: 256, seed: 3 });
    const c = p.classification!;
    assert.equal(p.task, 'classification');
    assert.equal(p.dim, 3);
    assert.match(p.slice ?? '', /components 0 and 1 of 3/);
    assert.deepEqual(c.classes, [-1, 1]);
    assert.equal(c.labels.length, 256);
    for (let i = 0; i < 256; i++) assert.equal(c.labels[i], data.labels![i] === 1 ? 1 : 0);
    assert.equal(c.t[0], 0);
    assert.equal(c.t[c.t.length - 1], 1);
    // t = 0 is the data; t = 1 is the model's flow of the padded point.
    assert.equal(c.flowX![0][5], data.x[10]);
    const field = augmentedMlpField({ sizes: [2, 16, 2], extraDims: 1, activation: 'relu', seed: 0 });
    const end = (await odeint((t, y: Float64Array) => field.f(t, y) as Float64Array<ArrayBuffer>, Float64Array.from([data.x[10], data.x[11], 0]), [0, 1], { rtol: 1e-3, atol: 1e-4 })).ys[1];
    assert.ok(Math.abs(c.flowX![c.t.length - 1][5] - end[0]) < 1e-3);
    // A sample of flows per class, every component, for the trajectories panel.
    assert.equal(c.sample!.components.length, 3);
    assert.deepEqual([...new Set(c.sample!.labels)].sort(), [0, 1]);
    assert.equal(c.sample!.components[2][0].length, c.t.length);
    assert.equal(c.sample!.components[2][0][0], 0, 'the augmented component starts at 0');
    assert.equal(p.frames, null, 'an autonomous field has no time frames');
    // The other planes of the first components: (0, 2) and (1, 2), each sampled over its own box.
    assert.deepEqual(p.planes.map((pl) => pl.axes), [[0, 2], [1, 2]]);
    assert.equal(c.flows!.length, 3);
    const pl = p.planes[0];
    const j = 5, i = 2, k = j * 6 + i;
    const at = Float64Array.from([pl.bounds.xMin + ((pl.bounds.xMax - pl.bounds.xMin) * i) / 5, 0, pl.bounds.yMin + ((pl.bounds.yMax - pl.bounds.yMin) * j) / 5]);
    const f = field.f(0, at);
    assert.ok(Math.abs(pl.field.u[k] - f[0]) < 1e-12 && Math.abs(pl.field.v[k] - f[2]) < 1e-12, 'the field on the plane of y0 and y2, y1 = 0');
  });

  it('a time-dependent field comes with frames over t, a time-independent one without', async () => {
    const timed = defineExperiment({ ...spec(), model: () => mlpField({ sizes: [2, 8, 2], timeDependent: true, seed: 2 }) });
    const p = await previewExperiment(timed, { grid: 5 });
    assert.ok(p.frames);
    assert.equal(p.frames.t.length, p.frames.u.length);
    assert.deepEqual(Array.from(p.frames.u[0]), Array.from(p.field.u));
    assert.notDeepEqual(Array.from(p.frames.u[p.frames.u.length - 1]), Array.from(p.field.u));
    assert.equal(p.frames.t[p.frames.t.length - 1], 1);
  });
});
