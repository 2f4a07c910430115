// The vector-field panel's preview of a CNF: the density on the grid integrates to ≈ 1, mass is
// kept as the grid's mesh flows to t = T (where log p_T is the base's), the samples' first frame
// is the base draw and their last is cnfSample's, the arrays have the sizes the panel expects,
// and the evaluation budget (neuralOde.preview.maxCost) bounds the solves.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cnfField, type CnfField } from '../../engine/src/cnf/cnfField';
import { cnfSample } from '../../engine/src/cnf/density';
import { Rng } from '../../engine/src/data/rng';
import { eightGaussians } from '../../engine/src/data/toys2d';
import { CNF_FRAMES, CNF_SAMPLES, MAX_DENSITY_GRID, MAX_NLL_POINTS, previewCnf, type CnfPreview } from '../../engine/src/experiments/cnfPreview';
import { cnfTask } from '../../engine/src/experiments/cnfTask';
import { defineExperiment } from '../../engine/src/experiments/define';
import { previewExperiment } from '../../engine/src/experiments/preview';
import { createOptimizer } from '../../engine/src/train/optimizers';

const where = { location: undefined };
const data = eightGaussians({ n: 1500, seed: 1 });

/** ∫ p_t over the area the mesh covers at frame f: each cell's mean density times its (quadrilateral) area. */
function meshMass(p: CnfPreview, f: number): number {
  const { m } = p;
  const mesh = p.mesh!;
  const X = mesh.x[f], Y = mesh.y[f], L = mesh.logp[f];
  let mass = 0;
  for (let j = 0; j + 1 < m; j++) {
    for (let i = 0; i + 1 < m; i++) {
      const k = [j * m + i, j * m + i + 1, (j + 1) * m + i + 1, (j + 1) * m + i];
      // shoelace formula over the cell's four corners, in order around it
      let area = 0;
      for (let c = 0; c < 4; c++) {
        const a = k[c], b = k[(c + 1) % 4];
        area += X[a] * Y[b] - X[b] * Y[a];
      }
      mass += (Math.abs(area) / 2) * (k.reduce((s, q) => s + Math.exp(L[q]), 0) / 4);
    }
  }
  return mass;
}

describe('previewCnf', { timeout: 120_000 }, () => {
  let field: CnfField;
  let p: CnfPreview;
  let before0: number;

  before(async () => {
    // A briefly trained flow: the density has moved away from the Gaussian.
    field = cnfField({ dim: 2, hidden: [16, 16], time: 0.5, seed: 3 });
    const task = cnfTask({ train: { iterations: 30, optimizer: { name: 'adam', lr: 2e-2 }, batchSize: 64 }, solver: { rtol: 1e-4, atol: 1e-4 } }, data, field, { method: 'backprop' });
    before0 = (await task.evaluate()).loss;
    const opt = createOptimizer({ name: 'adam', lr: 2e-2 });
    const rng = new Rng(0);
    for (let i = 0; i < 30; i++) opt.step(field.params, (await task.step(rng)).gradParams);
    p = await previewCnf({ ...where, solver: { rtol: 1e-6, atol: 1e-6 } }, data, field, { grid: 24, seed: 5 });
  });

  it('has the sizes the panel draws: frames from T to 0, an m × m mesh, the samples, the field on the n × n grid', () => {
    assert.equal(p.error, null);
    assert.equal(p.t.length, CNF_FRAMES);
    assert.equal(p.t[0], 0.5);
    assert.equal(p.t[CNF_FRAMES - 1], 0);
    for (let f = 1; f < CNF_FRAMES; f++) assert.ok(p.t[f] < p.t[f - 1]);
    assert.equal(p.m, MAX_DENSITY_GRID);
    const mesh = p.mesh!;
    for (const a of [mesh.x, mesh.y, mesh.logp]) {
      assert.equal(a.length, CNF_FRAMES);
      assert.ok(a.every((r) => r.length === p.m * p.m && r.every(Number.isFinite)));
    }
    const s = p.samples!;
    assert.equal(s.x.length, CNF_FRAMES);
    assert.ok([...s.x, ...s.y].every((r) => r.length === CNF_SAMPLES));
    assert.equal(p.field.u.length, 24 * 24);
    assert.ok(p.field.u.some((u) => u !== 0));
    assert.equal(p.data.x.length, data.n);
    assert.equal(p.nllPoints, Math.min(data.n, MAX_NLL_POINTS));
  });

  it('the density on the grid at t = 0 integrates to ≈ 1 (the box holds the data and the base samples)', () => {
    const mass = meshMass(p, CNF_FRAMES - 1);
    assert.ok(Math.abs(mass - 1) < 0.02, `∫p = ${mass}`);
    // the last frame is the grid itself
    const b = p.bounds;
    assert.equal(p.mesh!.x[CNF_FRAMES - 1][0], b.xMin);
    assert.ok(Math.abs(p.mesh!.y[CNF_FRAMES - 1][p.m * p.m - 1] - b.yMax) < 1e-12);
  });

  it('carried along the flow, the mesh keeps its mass, and at t = T log p_T is the base N(0, I)', () => {
    const m0 = meshMass(p, CNF_FRAMES - 1);
    for (const f of [0, 3, 7]) {
      const mf = meshMass(p, f);
      assert.ok(Math.abs(mf - m0) < 0.01, `frame ${f} (t = ${p.t[f]}): mass ${mf} against ${m0}`);
    }
    const mesh = p.mesh!;
    for (let k = 0; k < p.m * p.m; k += 97) {
      const x = mesh.x[0][k], y = mesh.y[0][k];
      assert.ok(Math.abs(mesh.logp[0][k] - (-Math.log(2 * Math.PI) - 0.5 * (x * x + y * y))) < 1e-9);
    }
    // the flow moved the grid: the preview is not of an identity map
    assert.ok(Math.abs(mesh.x[0][0] - mesh.x[CNF_FRAMES - 1][0]) > 1e-2);
  });

  it('the samples start as the base draw at t = T and end where cnfSample puts them at t = 0', async () => {
    const draw = new Rng(5).fillNormal(new Float64Array(2 * CNF_SAMPLES));
    const s = p.samples!;
    for (let k = 0; k < CNF_SAMPLES; k++) {
      assert.equal(s.x[0][k], draw[2 * k]);
      assert.equal(s.y[0][k], draw[2 * k + 1]);
    }
    const end = await cnfSample(field, CNF_SAMPLES, 5, { rtol: 1e-6, atol: 1e-6 });
    for (let k = 0; k < CNF_SAMPLES; k += 7) {
      assert.ok(Math.abs(s.x[CNF_FRAMES - 1][k] - end[2 * k]) < 1e-4 && Math.abs(s.y[CNF_FRAMES - 1][k] - end[2 * k + 1]) < 1e-4);
    }
  });

  it("reports the data's NLL (below the untrained flow's) and the NFE spent", () => {
    assert.ok(Number.isFinite(p.nll) && p.nll < before0, `NLL ${p.nll}, untrained ${before0}`);
    assert.ok(p.nfe > 10);
  });

  it('bounds the cost: the density grid is at most MAX_DENSITY_GRID per axis, the solves keep to maxCost', async () => {
    const coarse = await previewCnf(where, data, field, { grid: 200, maxCost: 1e9 });
    assert.equal(coarse.m, MAX_DENSITY_GRID);
    const small = await previewCnf(where, data, field, { grid: 4 });
    assert.equal(small.m, 8);
    const starved = await previewCnf(where, data, field, { grid: 4, maxCost: 12 });
    assert.match(starved.error ?? '', /^skipped the samples’ flow: .*budget of 12 evaluations of f \(setting neuralOde\.preview\.maxCost\)/);
    assert.equal(starved.samples, null);
    assert.equal(starved.mesh, null);
    assert.ok(Number.isNaN(starved.nll));
    const enough = await previewCnf(where, data, field, { grid: 4, maxCost: small.nfe + 12 });
    assert.equal(enough.error, null);
    assert.ok(enough.nfe <= small.nfe + 12);
  });
});

describe('previewExperiment on a CNF experiment', { timeout: 60_000 }, () => {
  const spec = (dim: number) => ({
    name: 'cnf-preview',
    data: () => eightGaussians({ n: 300, seed: 2 }),
    model: () => cnfField({ dim, hidden: [8], time: 0.5, seed: 2 }),
    train: { iterations: 1, optimizer: { name: 'adam' as const, lr: 1e-2 }, batchSize: 64 },
  });

  it('is a density preview of the untrained flow, whose trajectories point at the vector field', async () => {
    const p = await previewExperiment(defineExperiment(spec(2)), { grid: 6 });
    assert.equal(p.task, 'density');
    assert.equal(p.iteration, null);
    assert.ok(p.density && p.density.mesh && p.density.samples);
    assert.equal(p.density.m, 12);
    assert.deepEqual(p.bounds, p.density.bounds);
    assert.equal(p.nfe, p.density.nfe);
    assert.match(p.predictedError ?? '', /no trajectory .*Vector field panel/);
  });

  it('refuses a flow that does not model the data’s two components, saying what to change', async () => {
    await assert.rejects(previewExperiment(defineExperiment(spec(3)), { grid: 6 }), /3-dimensional points but .* 2 components: build it with cnfField\(\{ dim: 2/);
  });
});
