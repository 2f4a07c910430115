// The CNF's density: Hutchinson's estimator is unbiased for the exact trace, the log-density of
// an untrained and of a briefly trained flow integrates to 1 over a grid, log p of a linear flow
// matches the closed form, and samples flow back from the Gaussian to where the density is.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cnfField, type CnfField } from '../../engine/src/cnf/cnfField';
import { cnfLogDensity, cnfSample, cnfSamplePath } from '../../engine/src/cnf/density';
import { Rng } from '../../engine/src/data/rng';
import { eightGaussians } from '../../engine/src/data/toys2d';
import { cnfTask } from '../../engine/src/experiments/cnfTask';
import { createOptimizer } from '../../engine/src/train/optimizers';

describe("Hutchinson's trace estimator", () => {
  for (const noise of ['rademacher', 'gaussian'] as const) {
    it(`${noise} ε: the mean over many draws is within 4 standard errors of the exact trace`, () => {
      const d = 3;
      const M = 4000;
      const exact = cnfField({ dim: d, hidden: [16, 16], trace: 'exact', seed: 4 });
      const hutch = exact.withTrace('hutchinson');
      assert.equal(hutch.params, exact.params, 'withTrace shares the live parameters');
      const z0 = Float64Array.from([0.3, -0.8, 1.1]);
      const truth = exact.traceAt(0.25, z0)[0];
      // one point repeated M times, one ε per copy: M independent draws in one evaluation
      const z = new Float64Array(M * d);
      for (let m = 0; m < M; m++) z.set(z0, m * d);
      const field = cnfField({ dim: d, hidden: [16, 16], trace: 'hutchinson', noise, seed: 4 });
      field.drawNoise(M, new Rng(17));
      const est = field.traceAt(0.25, z);
      const mean = est.reduce((s, v) => s + v, 0) / M;
      const sd = Math.sqrt(est.reduce((s, v) => s + (v - mean) ** 2, 0) / (M - 1));
      assert.ok(sd > 0, 'the estimator has variance in 3-D: otherwise the test proves nothing');
      assert.ok(Math.abs(mean - truth) < (4 * sd) / Math.sqrt(M), `mean ${mean}, exact ${truth}, standard error ${sd / Math.sqrt(M)}`);
    });
  }
});

/** ∫ p over [−L, L]² by the midpoint rule on an m × m grid. */
async function gridMass(field: CnfField, L: number, m: number): Promise<number> {
  const h = (2 * L) / m;
  const xs = new Float64Array(2 * m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      xs[2 * (i * m + j)] = -L + (i + 0.5) * h;
      xs[2 * (i * m + j) + 1] = -L + (j + 0.5) * h;
    }
  }
  const { logp } = await cnfLogDensity(field, xs, { rtol: 1e-6, atol: 1e-6 });
  let mass = 0;
  for (const v of logp) mass += Math.exp(v);
  return mass * h * h;
}

describe('the density integrates to 1', () => {
  it('an untrained flow: |∫p − 1| < 0.02 over [−7, 7]² (140 × 140 grid)', async () => {
    const field = cnfField({ dim: 2, hidden: [16, 16], trace: 'exact', time: 1, seed: 3 });
    const mass = await gridMass(field, 7, 140);
    assert.ok(Math.abs(mass - 1) < 0.02, `∫p = ${mass}`);
  });

  it('after training on 8 Gaussians (the flow has moved: NLL fell), still |∫p − 1| < 0.02', async () => {
    const field = cnfField({ dim: 2, hidden: [16, 16], trace: 'exact', time: 0.5, seed: 3 });
    const data = eightGaussians({ n: 1024, seed: 1 });
    const task = cnfTask({ train: { iterations: 40, optimizer: { name: 'adam', lr: 2e-2 }, batchSize: 64 }, solver: { rtol: 1e-4, atol: 1e-4 } }, data, field, { method: 'backprop' });
    const before = (await task.evaluate()).loss;
    const opt = createOptimizer({ name: 'adam', lr: 2e-2 });
    const rng = new Rng(0);
    for (let i = 0; i < 40; i++) opt.step(field.params, (await task.step(rng)).gradParams);
    const after = (await task.evaluate()).loss;
    assert.ok(after < before - 0.3, `NLL ${before} → ${after}`);
    const mass = await gridMass(field, 7, 140);
    assert.ok(Math.abs(mass - 1) < 0.02, `∫p = ${mass}`);
  });
});

describe('log-density and samples', () => {
  it('a translation f = c (every weight zero but the output bias) gives z(T) = x + cT and log p(x) = log N(x + cT)', async () => {
    const field = cnfField({ dim: 2, hidden: [4], activation: 'softplus', trace: 'exact', time: 0.7, seed: 1 });
    field.params.fill(0);
    const out = field.layout.find((e) => e.name === '2.bias')!;
    field.params[out.offset] = 1.5;
    field.params[out.offset + 1] = -0.5;
    const x = Float64Array.from([0.2, 0.1, -1, 2]);
    const { logp, z, deltaLogp } = await cnfLogDensity(field, x);
    for (let n = 0; n < 2; n++) {
      const z1 = x[2 * n] + 1.5 * 0.7;
      const z2 = x[2 * n + 1] - 0.5 * 0.7;
      assert.ok(Math.abs(z[2 * n] - z1) < 1e-9 && Math.abs(z[2 * n + 1] - z2) < 1e-9);
      assert.ok(Math.abs(deltaLogp[n]) < 1e-12, 'a translation keeps volume');
      assert.ok(Math.abs(logp[n] - (-Math.log(2 * Math.PI) - 0.5 * (z1 * z1 + z2 * z2))) < 1e-9);
    }
  });

  it('cnfSample flows N(0, I) back to t = 0: pushing the samples forward again returns the Gaussian draws', async () => {
    const field = cnfField({ dim: 2, hidden: [8, 8], seed: 6, time: 0.8 });
    const x = await cnfSample(field, 50, 9, { rtol: 1e-9, atol: 1e-9 });
    const { z } = await cnfLogDensity(field, x, { rtol: 1e-9, atol: 1e-9 });
    const draws = new Rng(9).fillNormal(new Float64Array(100));
    for (let i = 0; i < 100; i++) assert.ok(Math.abs(z[i] - draws[i]) < 1e-6, `component ${i}: ${z[i]} vs ${draws[i]}`);
    const path = await cnfSamplePath(field, 50, 9, 5, { rtol: 1e-9, atol: 1e-9 });
    [0.8, 0.6, 0.4, 0.2, 0].forEach((t, i) => assert.ok(Math.abs(path.t[i] - t) < 1e-12));
    assert.deepEqual(path.xs[0], draws);
  });
});
