// `experiment/preview` in the real engine worker: the data, the model's field on a grid and its
// solve from y0, untrained and from a run's checkpoint, and errors that point at the experiment.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { spiral } from '../../engine/src/index';
import { createRun, finishRun } from '../../engine/src/train/runStore';
import { EngineRequestError } from '../../extension/src/engineClient';
import { engineWorkerFixture, experimentsDir, tiny, tinyModel } from './engineWorkerFixture';

const { client, runsRoot } = engineWorkerFixture('preview');

/** The field at grid point (i, j) of a preview, evaluated directly. */
function expectedAt(field: ReturnType<typeof tinyModel>, b: { xMin: number; xMax: number; yMin: number; yMax: number }, n: number, i: number, j: number) {
  const x = b.xMin + ((b.xMax - b.xMin) * i) / (n - 1);
  const y = b.yMin + ((b.yMax - b.yMin) * j) / (n - 1);
  return field.f(0, Float64Array.from([x, y]));
}

describe('experiment/preview', { timeout: 60_000 }, () => {
  const n = 9;

  it('samples the untrained field over the padded data box and solves from y0', async () => {
    const p = await client.request('experiment/preview', { file: tiny, runsRoot, grid: n });
    const data = await spiral({ dataSize: 100, t1: 5 });
    assert.equal(p.experiment, 'tiny');
    assert.equal(p.runId, null);
    assert.equal(p.iteration, null);
    assert.equal(p.dim, 2);
    assert.equal(p.slice, null);
    assert.equal(p.data.x.length, 100);
    assert.deepEqual(Array.from(p.data.t), Array.from(data.t));
    assert.equal(p.data.x[7], data.ys[7][0]);
    assert.equal(p.data.y[7], data.ys[7][1]);
    // The box is the data's, padded by 20 % of its extent on each side.
    const xs = data.ys.map((s) => s[0]);
    const span = Math.max(...xs) - Math.min(...xs);
    assert.ok(Math.abs(p.bounds.xMin - (Math.min(...xs) - 0.2 * span)) < 1e-12);
    assert.ok(Math.abs(p.bounds.xMax - (Math.max(...xs) + 0.2 * span)) < 1e-12);
    assert.equal(p.field.n, n);
    assert.equal(p.field.u.length, n * n);
    const untrained = tinyModel(1);
    for (const [i, j] of [[0, 0], [3, 5], [8, 8]]) {
      const f = expectedAt(untrained, p.bounds, n, i, j);
      assert.ok(Math.abs(p.field.u[j * n + i] - f[0]) < 1e-12, `u at ${i},${j}`);
      assert.ok(Math.abs(p.field.v[j * n + i] - f[1]) < 1e-12, `v at ${i},${j}`);
    }
    assert.ok(p.predicted, p.predictedError ?? '');
    assert.equal(p.predicted.x.length, 100);
    assert.equal(p.predicted.x[0], data.y0[0]);
    assert.equal(p.predicted.y[0], data.y0[1]);
    assert.ok(p.predicted.x.every(Number.isFinite));
    assert.ok(p.nfe > 1);
  });

  it('keeps to an evaluation budget: a solve that needs more is skipped, saying why; the field is still sampled', async () => {
    const full = await client.request('experiment/preview', { file: tiny, runsRoot, grid: n });
    assert.ok(full.nfe > 20 && full.predictedError === null);
    const p = await client.request('experiment/preview', { file: tiny, runsRoot, grid: n, maxCost: 12 });
    assert.equal(p.predicted, null);
    assert.match(p.predictedError ?? '', /^skipped: .*budget of 12 evaluations of f \(setting neuralOde\.preview\.maxCost\)/);
    assert.deepEqual(Array.from(p.field.u), Array.from(full.field.u));
    const enough = await client.request('experiment/preview', { file: tiny, runsRoot, grid: n, maxCost: full.nfe + 6 });
    assert.equal(enough.predictedError, null, 'a budget above what the solve needs changes nothing');
  });

  it("shows a run's latest checkpoint", async () => {
    const other = tinyModel(7);
    const run = createRun(runsRoot, { experiment: 'tiny', config: {} });
    run.writeCheckpoint({ iteration: 42, params: other.params });
    finishRun(run, { status: 'finished' });
    const p = await client.request('experiment/preview', { file: tiny, runsRoot, runId: run.id, grid: n });
    assert.equal(p.runId, run.id);
    assert.equal(p.iteration, 42);
    const f = expectedAt(other, p.bounds, n, 4, 2);
    assert.ok(Math.abs(p.field.u[2 * n + 4] - f[0]) < 1e-12);
    const untrained = expectedAt(tinyModel(1), p.bounds, n, 4, 2);
    assert.notEqual(p.field.u[2 * n + 4], untrained[0]);
  });

  it("refuses a checkpoint that does not fit the model, naming the experiment's line", async () => {
    const run = createRun(runsRoot, { experiment: 'tiny', config: {} });
    run.writeCheckpoint({ iteration: 1, params: new Float64Array(5) });
    finishRun(run, { status: 'finished' });
    await assert.rejects(client.request('experiment/preview', { file: tiny, runsRoot, runId: run.id, grid: n }), (err: unknown) => {
      assert.ok(err instanceof EngineRequestError);
      assert.match(err.message, /tiny\.ode\.ts:4:\d+: run .* does not fit this experiment's model: its checkpoint holds 5 parameters/);
      return true;
    });
  });

  it('reports a missing run and a syntax error at their places', async () => {
    await assert.rejects(client.request('experiment/preview', { file: tiny, runsRoot, runId: 'no-such-run', grid: n }), /tiny\.ode\.ts:4:\d+: .*no-such-run/);
    await assert.rejects(client.request('experiment/preview', { file: path.join(experimentsDir, 'syntaxError.ode.ts'), runsRoot, grid: n }), /syntaxError\.ode\.ts:\d+:\d+/);
    await assert.rejects(client.request('experiment/preview', { file: tiny, runsRoot, grid: 1 }), /2 to 200 points/);
  });
});
