// The CNF's training task: a few iterations lower the NLL (exact trace with backprop, Hutchinson
// with the adjoint, and the planar baseline), NFE is counted, resumed noise draws come from the
// trainer's Rng; and the errors a wrong call gets say what, where and what to try. A CNF
// experiment trains through trainExperiment, and the vector-field preview shows its density.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cnfField } from '../../engine/src/cnf/cnfField';
import { cnfLogDensity, cnfSample } from '../../engine/src/cnf/density';
import { CnfError } from '../../engine/src/cnf/errors';
import { planarFlow } from '../../engine/src/cnf/planarFlow';
import { Rng } from '../../engine/src/data/rng';
import { eightGaussians, moons, spiral } from '../../engine/src/data/index';
import { defineExperiment, ExperimentError } from '../../engine/src/experiments/define';
import { previewExperiment } from '../../engine/src/experiments/preview';
import { trainExperiment } from '../../engine/src/experiments/trainer';
import { readMetrics } from '../../engine/src/train/runStore';
import { cnfTask, type CnfExperiment } from '../../engine/src/experiments/cnfTask';
import { createOptimizer } from '../../engine/src/train/optimizers';

const exp = (train: Partial<CnfExperiment['train']> = {}): CnfExperiment => ({
  train: { iterations: 20, optimizer: { name: 'adam', lr: 2e-2 }, batchSize: 64, ...train },
  solver: { rtol: 1e-4, atol: 1e-4 },
});

describe('cnfTask', () => {
  for (const [trace, method] of [['exact', 'backprop'], ['hutchinson', 'adjoint']] as const) {
    it(`${trace} trace with ${method}: 20 iterations lower the NLL on held-out points; NFE forward and backward are counted`, async () => {
      const data = moons({ n: 512, seed: 1 });
      const held = moons({ n: 512, seed: 2 });
      const field = cnfField({ dim: 2, hidden: [16, 16], trace, time: 0.5, seed: 2 });
      const task = cnfTask(exp(), data, field, { method });
      assert.equal(task.kind, 'density');
      assert.equal(task.summary.task, 'density');
      const before = (await task.evaluateOn(held)).loss;
      const opt = createOptimizer({ name: 'adam', lr: 2e-2 });
      const rng = new Rng(0);
      for (let i = 0; i < 20; i++) {
        const s = await task.step(rng);
        assert.ok(Number.isFinite(s.loss));
        assert.ok(s.stats.nfeForward > 0 && s.stats.nfeBackward > 0 && Number.isFinite(s.stats.nfeBackward));
        assert.equal(s.stats.gradient, method);
        opt.step(field.params, s.gradParams);
      }
      const after = (await task.evaluateOn(held)).loss;
      assert.ok(after < before - 0.2, `held-out NLL ${before} → ${after}`);
    });
  }

  it("Hutchinson's ε is drawn from the trainer's Rng: the same Rng state gives the same step", async () => {
    const data = moons({ n: 256, seed: 1 });
    const field = cnfField({ dim: 2, hidden: [8], trace: 'hutchinson', time: 0.5, seed: 2 });
    const task = cnfTask(exp({ batchSize: 16 }), data, field, { method: 'backprop' });
    const rng = new Rng(5);
    const state = rng.state();
    const a = await task.step(rng);
    const eps = Float64Array.from(field.noise!);
    const b = await task.step(Rng.fromState(state));
    assert.deepEqual(field.noise, eps);
    assert.equal(a.loss, b.loss);
    assert.deepEqual(a.gradParams, b.gradParams);
  });

  it('the planar flow baseline: 100 Adam steps lower its NLL on the same data', () => {
    const data = moons({ n: 2048, seed: 1 });
    const flow = planarFlow({ dim: 2, layers: 64, seed: 0 });
    const before = flow.nllAndGrad(data.x).loss;
    const opt = createOptimizer({ name: 'adam', lr: 3e-3 });
    const rng = new Rng(1);
    const x = new Float64Array(128 * 2);
    for (let i = 0; i < 100; i++) {
      rng.choice(data.n, 128).forEach((k, s) => x.set(data.x.subarray(2 * k, 2 * k + 2), 2 * s));
      opt.step(flow.params, flow.nllAndGrad(x).grad);
    }
    const after = flow.nllAndGrad(data.x).loss;
    assert.ok(after < before - 0.3, `NLL ${before} → ${after}`);
  });
});

describe('CNF errors say what, where and what to try', () => {
  const throwsWith = (fn: () => unknown, type: new (...a: never[]) => Error, ...parts: (string | RegExp)[]): void => {
    assert.throws(fn, (e: unknown) => {
      assert.ok(e instanceof type, `expected ${type.name}, got ${String(e)}`);
      for (const p of parts) assert.match((e as Error).message, typeof p === 'string' ? new RegExp(p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : p);
      return true;
    });
  };

  it('cnfField options', () => {
    throwsWith(() => cnfField({ dim: 0 }), CnfError, 'cnfField', 'dim', 'got 0');
    throwsWith(() => cnfField({ dim: 2, hidden: [] }), CnfError, 'hidden', 'e.g. [32, 32]');
    throwsWith(() => cnfField({ dim: 2, activation: 'relu' as never }), CnfError, "'relu'", "σ''", "'tanh'");
    throwsWith(() => cnfField({ dim: 40, trace: 'exact' }), CnfError, 'dim is 40', "trace: 'hutchinson'");
    throwsWith(() => cnfField({ dim: 2, time: -1 }), CnfError, 'time', '> 0');
    throwsWith(() => cnfField({ dim: 2, hidden: [4], init: [1, 2] }), RangeError, 'init has 2 values', 'parameters');
  });

  it("Hutchinson without ε, or with ε of another batch", () => {
    const field = cnfField({ dim: 2, hidden: [4], trace: 'hutchinson' });
    const y = new Float64Array(3 * 3);
    throwsWith(() => field.f(0, y), CnfError, 'cnfField.f', 'noise ε', 'drawNoise(batch, rng)');
    field.drawNoise(5, new Rng(0));
    throwsWith(() => field.f(0, y), CnfError, '3 samples', 'holds 5', 'drawNoise');
  });

  it('states and points of the wrong size', async () => {
    const field = cnfField({ dim: 2, hidden: [4] });
    throwsWith(() => field.f(0, new Float64Array(4)), CnfError, 'multiple of 3', 'cnfInitialState');
    await assert.rejects(cnfLogDensity(field, new Float64Array(3)), /cnfLogDensity: points must be a Float64Array of n·2 values/);
    await assert.rejects(cnfLogDensity(field, Float64Array.from([0, NaN])), /point 0, component 1, is NaN/);
    await assert.rejects(cnfSample(field, 0), /whole number ≥ 1/);
  });

  it('cnfTask: trajectory data, a dimension mismatch, a loss or batchTime, too large a batch', async () => {
    const traj = await spiral();
    const field = cnfField({ dim: 2, hidden: [4] });
    const pts = moons({ n: 32, seed: 0 });
    throwsWith(() => cnfTask(exp(), traj, field, { method: 'backprop' }), ExperimentError, 'trajectory', 'eightGaussians()');
    throwsWith(() => cnfTask(exp(), pts, cnfField({ dim: 3, hidden: [4] }), { method: 'backprop' }), ExperimentError, '3-dimensional', 'dim: 2');
    throwsWith(() => cnfTask(exp({ loss: 'mse' }), pts, field, { method: 'backprop' }), ExperimentError, "train.loss 'mse'", 'Remove train.loss');
    throwsWith(() => cnfTask(exp({ batchTime: 5 }), pts, field, { method: 'backprop' }), ExperimentError, 'batchTime', 'Remove it');
    throwsWith(() => cnfTask(exp({ batchSize: 64 }), pts, field, { method: 'backprop' }), ExperimentError, 'batchSize is 64', 'only 32 points');
  });

  it('planar flow options and inputs', () => {
    throwsWith(() => planarFlow({ dim: 2, layers: 0 }), CnfError, 'layers (K)', 'got 0');
    throwsWith(() => planarFlow({ dim: 2, layers: 2 }).logDensity(new Float64Array(3)), CnfError, 'planarFlow.logDensity', 'n·2');
  });
});

describe('a CNF experiment', () => {
  it('trains through trainExperiment as a density task, and the vector-field preview shows its density', async () => {
    const spec = {
      name: 'cnf-small',
      data: () => eightGaussians({ n: 256, seed: 1 }),
      model: () => cnfField({ dim: 2, hidden: [8], time: 0.5, seed: 2 }),
      solver: { method: 'dopri5' as const, rtol: 1e-4, atol: 1e-4 },
      gradient: 'adjoint' as const,
      train: { iterations: 12, optimizer: { name: 'adam' as const, lr: 2e-2 }, batchSize: 64, evalEvery: 6 },
    };
    const runsRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-cnf-exp-'));
    try {
      const out = await trainExperiment(defineExperiment(spec), { runsRoot });
      assert.equal(out.status, 'finished');
      assert.equal(out.task, 'density');
      const m = readMetrics(out.runDir).records;
      assert.equal(m.length, 12);
      assert.ok(Number.isFinite(out.evalLoss) && m[11].loss < m[0].loss, `NLL ${m[0].loss} → ${m[11].loss}`);
      assert.ok(m.every((r) => (r.nfeForward ?? 0) > 0 && (r.nfeBackward ?? 0) > 0));
      assert.equal((await previewExperiment(defineExperiment(spec), { grid: 6, runsRoot, runId: path.basename(out.runDir) })).task, 'density');
    } finally {
      fs.rmSync(runsRoot, { recursive: true, force: true });
    }
  });
});

