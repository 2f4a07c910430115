// RNODE's regularisers carried in the solve: the kinetic energy and the Jacobian term of a linear
// field against their closed forms, and the gradient of loss + λ_K·K + λ_J·J against central
// finite differences for every gradient method.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../engine/src/data/rng';
import type { NativeField } from '../../engine/src/fields/field';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { circles, cnfField, defineExperiment, discreteNetwork, eightGaussians, irregularSpirals, latentOde, mlpField, readMetrics, spiral, trainExperiment, type ExperimentSpec } from '../../engine/src/index';
import type { GradientMethod, OdeintGradOptions } from '../../engine/src/gradients/types';
import { odeNet } from '../../engine/src/odenet/index';
import { regularizedGrad, type RegularizeSpec } from '../../engine/src/regularize/regularizedGrad';

/** f(t, y) = −diag(rates)·y per sample (batch-major), θ = rates. */
function decay(rates: number[]): NativeField {
  const d = rates.length;
  const params = Float64Array.from(rates);
  return {
    kind: 'native',
    dim: d,
    params,
    f: (_t, y) => y.map((v, i) => -params[i % d] * v),
    vjp: (_t, y, a) => {
      const g = new Float64Array(d);
      for (let i = 0; i < y.length; i++) g[i % d] -= a[i] * y[i];
      return { y: a.map((v, i) => -params[i % d] * v), params: g };
    },
  };
}

/** ½‖y(T)‖² over the batch, and its cotangent at T. */
const half = (ys: readonly Float64Array[]) => ys.map((y, i) => (i === ys.length - 1 ? Float64Array.from(y) : null));
const halfLoss = (y: Float64Array): number => 0.5 * y.reduce((s, v) => s + v * v, 0);

describe('train.regularize: the terms', () => {
  it('K and J of a linear decay equal their closed forms', async () => {
    const rates = [1, 2];
    const y0 = Float64Array.from([1, -0.5, 0.3, 2]);
    const T = 1.5;
    const r = await regularizedGrad(decay(rates), y0, [0, T], half, { method: 'dopri5', rtol: 1e-10, atol: 1e-12 }, { kinetic: 1, jacobian: 1 }, 2, new Rng(3));
    // K = Σ_samples Σ_i λ_i y0_i² (1 − e^{−2λ_i T}) / 2, per sample
    let K = 0;
    y0.forEach((v, k) => {
      const l = rates[k % 2];
      K += (l * v * v * (1 - Math.exp(-2 * l * T))) / 2;
    });
    K /= 2;
    assert.ok(Math.abs(r.terms!.kinetic! - K) <= 1e-8 * K, `K ${r.terms!.kinetic} vs ${K}`);
    // J: ‖εᵀA‖² = Σλ_i² for a ±1 probe, at every t: T·Σλ² per sample, exactly
    assert.ok(Math.abs(r.terms!.jacobian! - T * 5) <= 1e-9, `J ${r.terms!.jacobian}`);
    assert.ok(Math.abs(r.penalty - (K + 5 * T)) <= 1e-8);
    // the outputs are y alone
    assert.equal(r.ys[1].length, 4);
    assert.ok(Math.abs(r.ys[1][0] - Math.exp(-T)) <= 1e-8);
  });

  it('without λ it is odeintGrad: no terms, no penalty', async () => {
    const r = await regularizedGrad(decay([1]), Float64Array.from([1]), [0, 1], half, {}, {}, 1, new Rng(0));
    assert.equal(r.terms, undefined);
    assert.equal(r.penalty, 0);
  });
});

describe('train.regularize: the gradient of loss + λ_K·K + λ_J·J against finite differences', () => {
  const field = mlpField({ sizes: [2, 8, 2], activation: 'tanh', timeDependent: true, seed: 4 });
  const theta0 = Float64Array.from(field.params);
  const y0 = Float64Array.from([0.4, -0.7, 1.1, 0.2, -0.3, 0.9]);
  const reg: RegularizeSpec = { kinetic: 0.3, jacobian: 0.2 };
  const cases: { gradient: GradientMethod; opts: OdeintGradOptions; tol: number }[] = [
    // a fixed grid: backprop and checkpoint are the exact gradients of the same steps
    { gradient: 'backprop', opts: { method: 'rk4', options: { stepSize: 0.05 } }, tol: 1e-6 },
    { gradient: 'checkpoint', opts: { method: 'rk4', options: { stepSize: 0.05 }, checkpoints: 3 }, tol: 1e-6 },
    // the continuous adjoint agrees with the exact solution's gradient to the tolerances
    { gradient: 'adjoint', opts: { method: 'dopri5', rtol: 1e-10, atol: 1e-12 }, tol: 1e-5 },
  ];
  for (const { gradient, opts, tol } of cases) {
    it(`${gradient}`, async () => {
      const total = async (): Promise<number> => {
        const r = await regularizedGrad(field, y0, [0, 0.5, 1], half, { ...opts, gradient }, reg, 3, new Rng(11));
        return halfLoss(r.ys[2]) + r.penalty;
      };
      field.params.set(theta0);
      const r = await regularizedGrad(field, y0, [0, 0.5, 1], half, { ...opts, gradient }, reg, 3, new Rng(11));
      assert.ok(r.terms!.kinetic! > 0 && r.terms!.jacobian! > 0);
      let worst = 0;
      let scale = 0;
      for (const k of [0, 3, 7, 12, 17, 25, field.params.length - 1]) {
        const h = 1e-6;
        field.params.set(theta0);
        field.params[k] += h;
        const up = await total();
        field.params[k] -= 2 * h;
        const down = await total();
        field.params.set(theta0);
        const fd = (up - down) / (2 * h);
        worst = Math.max(worst, Math.abs(r.gradParams[k] - fd));
        scale = Math.max(scale, Math.abs(fd));
      }
      assert.ok(worst <= tol * Math.max(1, scale), `dθ: ${worst} off (scale ${scale})`);
    });
  }
});

describe('train.regularize in an experiment', () => {
  const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-reg-'));
  const spec = (regularize: ExperimentSpec['train']['regularize'], gradient: ExperimentSpec['gradient'] = 'backprop'): ExperimentSpec => ({
    name: 'spiral-reg',
    data: () => spiral({ dataSize: 200 }),
    model: () => mlpField({ sizes: [2, 16, 2], seed: 1 }),
    solver: { method: 'dopri5', rtol: 1e-5, atol: 1e-6 },
    gradient,
    train: { iterations: 4, optimizer: { name: 'adam', lr: 1e-2 }, batchTime: 8, batchSize: 8, evalEvery: 2, regularize },
  });

  for (const gradient of ['backprop', 'adjoint'] as const) {
    it(`a trajectory fit logs both terms every iteration (${gradient}), and its data loss is the unregularised run's at the first iteration`, async () => {
      const out = await trainExperiment(defineExperiment(spec({ kinetic: 0.01, jacobian: 0.01 }, gradient)), { runsRoot: tmp() });
      assert.equal(out.status, 'finished', out.message);
      const records = readMetrics(out.runDir).records;
      assert.equal(records.length, 4);
      for (const r of records) assert.ok(Number(r.kinetic) > 0 && Number(r.jacobian) > 0, JSON.stringify(r));
      const plain = await trainExperiment(defineExperiment(spec(undefined, gradient)), { runsRoot: tmp() });
      const first = readMetrics(plain.runDir).records[0];
      // the same batch and weights at iteration 1: the data term alone is the loss logged
      assert.ok(Math.abs(Number(records[0].loss) - Number(first.loss)) <= 1e-4 * Number(first.loss), `${records[0].loss} vs ${first.loss}`);
      assert.equal(first.kinetic, undefined);
    });
  }

  it('a classifier logs the kinetic term', async () => {
    const out = await trainExperiment(
      defineExperiment({
        name: 'circles-reg',
        data: () => circles({ n: 64, seed: 0 }),
        model: () => mlpField({ sizes: [2, 8, 2], seed: 2 }),
        solver: { method: 'dopri5', rtol: 1e-4, atol: 1e-5 },
        train: { iterations: 2, optimizer: { name: 'adam', lr: 1e-2 }, batchSize: 32, evalEvery: 0, regularize: { kinetic: 0.1 } },
      }),
      { runsRoot: tmp() },
    );
    assert.equal(out.status, 'finished', out.message);
    const records = readMetrics(out.runDir).records;
    assert.ok(records.every((r) => Number(r.kinetic) > 0 && r.jacobian === undefined));
  });

  it('a CNF logs both terms, counting dz/dt alone, and its NLL is the unregularised one at the first iteration', async () => {
    const cnf = (regularize?: ExperimentSpec['train']['regularize']) =>
      defineExperiment({
        name: 'cnf-reg',
        data: () => eightGaussians({ n: 64, seed: 0 }),
        model: () => cnfField({ dim: 2, hidden: [8], seed: 0 }),
        solver: { method: 'dopri5', rtol: 1e-4, atol: 1e-5 },
        train: { iterations: 2, optimizer: { name: 'adam', lr: 1e-2 }, batchSize: 16, evalEvery: 0, regularize },
      });
    const out = await trainExperiment(cnf({ kinetic: 0.01, jacobian: 0.01 }), { runsRoot: tmp() });
    assert.equal(out.status, 'finished', out.message);
    const records = readMetrics(out.runDir).records;
    assert.ok(records.every((r) => Number(r.kinetic) > 0 && Number(r.jacobian) > 0), JSON.stringify(records[0]));
    const plain = readMetrics((await trainExperiment(cnf(), { runsRoot: tmp() })).runDir).records;
    assert.ok(Math.abs(Number(records[0].loss) - Number(plain[0].loss)) <= 1e-3 * Math.abs(Number(plain[0].loss)), `${records[0].loss} vs ${plain[0].loss}`);
  });

  it("an ODE-Net logs both terms of its ODE block, and a ResNet, which has none, is refused", async () => {
    const rng = new Rng(1);
    const images = { name: 'noise-8', n: 24, dim: 64, x: Float64Array.from({ length: 24 * 64 }, () => rng.random()), labels: Float64Array.from({ length: 24 }, (_, i) => i % 3) };
    const spec = (model: ExperimentSpec['model']): ExperimentSpec => ({
      name: 'odenet-reg',
      data: () => images,
      model,
      solver: { rtol: 1e-3, atol: 1e-3 },
      gradient: 'adjoint',
      train: { iterations: 2, optimizer: { name: 'adam', lr: 1e-2 }, batchSize: 8, evalEvery: 0, regularize: { kinetic: 0.01, jacobian: 0.01 } },
    });
    const out = await trainExperiment(defineExperiment(spec(() => odeNet({ channels: 2, height: 8, width: 8, seed: 1 }))), { runsRoot: tmp() });
    assert.equal(out.status, 'finished', out.message);
    assert.ok(readMetrics(out.runDir).records.every((r) => Number(r.kinetic) > 0 && Number(r.jacobian) > 0));
    await assert.rejects(
      trainExperiment(defineExperiment(spec(() => odeNet({ architecture: 'resnet', channels: 2, height: 8, width: 8, depth: 2, seed: 1 }))), { runsRoot: tmp() }),
      /train\.regularize acts on the ODE block, and a ResNet \(architecture 'resnet'\) has none/,
    );
  });

  it('a latent ODE logs both terms of its latent solve', async () => {
    const out = await trainExperiment(
      defineExperiment({
        name: 'latent-reg',
        data: () => irregularSpirals({ nSpirals: 8, nSample: 10, nTotal: 200, horizon: 40, observedFraction: 0.5, noiseStd: 0.1, seed: 3 }),
        model: () => latentOde({ latentDim: 3, encoderHidden: 8, fieldHidden: 8, decoderHidden: 8, seed: 1 }),
        solver: { method: 'dopri5', rtol: 1e-3, atol: 1e-4 },
        train: { iterations: 2, optimizer: { name: 'adam', lr: 0.02 }, batchSize: 4, evalEvery: 0, regularize: { kinetic: 0.01, jacobian: 0.01 } },
      }),
      { runsRoot: tmp() },
    );
    assert.equal(out.status, 'finished', out.message);
    assert.ok(readMetrics(out.runDir).records.every((r) => Number(r.kinetic) > 0 && Number(r.jacobian) > 0));
  });

  it('a bad λ, an unknown key and a model kind it does not apply to are refused at the experiment', async () => {
    assert.throws(() => defineExperiment(spec({ kinetic: -1 })), /train\.regularize\.kinetic must be a number λ ≥ 0/);
    assert.throws(() => defineExperiment(spec({ kinetc: 0.1 } as never)), /kinetc/);
    const discrete = defineExperiment({
      name: 'resnet-reg',
      data: () => circles({ n: 64, seed: 0 }),
      model: () => discreteNetwork({ architecture: 'resnet', inputDim: 2, width: 8, hidden: 16, depth: 4, seed: 3 }),
      train: { iterations: 1, optimizer: { name: 'adam', lr: 1e-2 }, batchSize: 16, regularize: { kinetic: 0.01 } },
    });
    await assert.rejects(trainExperiment(discrete, { runsRoot: tmp() }), /train\.regularize does not apply to a discrete network \(it has no vector field\): it acts on ODE models/);
  });
});
