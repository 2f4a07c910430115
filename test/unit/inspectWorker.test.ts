// `experiment/trace` in the real engine worker: the experiment's forward solve step by step, with
// the Jacobian's eigenvalues and the method's stability region, checked against a direct solve of
// the same model; then a run's checkpoint, a chosen sample, and errors that point at the file.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { odeint, spiral } from '../../engine/src/index';
import { jacobianEigenvalues } from '../../engine/src/inspect/jacobian';
import { createRun, finishRun } from '../../engine/src/train/runStore';
import { engineWorkerFixture, tiny, tinyModel } from './engineWorkerFixture';

const { client, runsRoot } = engineWorkerFixture('trace');
const SOLVER = { method: 'dopri5', rtol: 1e-6, atol: 1e-8 };

describe('experiment/trace', { timeout: 60_000 }, () => {
  it("traces the untrained model's solve from y0: the steps and outputs of a direct odeint", async () => {
    const tr = await client.request('experiment/trace', { file: tiny, runsRoot });
    const data = await spiral({ dataSize: 100, t1: 5 });
    const model = tinyModel(1);
    let attempts = 0;
    const direct = await odeint((t, y: Float64Array) => model.f(t, y), Float64Array.from(data.y0), data.t, { ...SOLVER, hooks: { onStep: () => void attempts++ } });
    assert.equal(tr.experiment, 'tiny');
    assert.equal(tr.iteration, null);
    assert.equal(tr.method, 'dopri5');
    assert.equal(tr.failure, null);
    assert.equal(tr.nfe, direct.stats.nfe);
    assert.equal(tr.steps.length, attempts);
    assert.equal(tr.steps.filter((s) => !s.accepted).length, direct.stats.nRejected);
    assert.deepEqual(Array.from(tr.outputs.t), Array.from(data.t));
    assert.deepEqual(Array.from(tr.outputs.x), direct.ys.map((y) => y[0]));
    assert.deepEqual(Array.from(tr.outputs.y), direct.ys.map((y) => y[1]));
    assert.equal(tr.data.x.length, 100);
    // Steps are contiguous: each accepted one starts where the previous accepted one ended.
    let t = data.t[0];
    for (const s of tr.steps) {
      assert.equal(s.t, t, `step ${s.n} starts at the last accepted time`);
      if (s.accepted) t = s.t + s.h;
    }
    // The eigenvalues at y0 are those of ∂f/∂y there; every attempt has one pair.
    const first = jacobianEigenvalues(model, data.t[0], Float64Array.from(data.y0));
    assert.deepEqual(Array.from(tr.steps[0].lambda!.re), first.map((z) => z.re));
    assert.deepEqual(Array.from(tr.steps[0].lambda!.im), first.map((z) => z.im));
    for (const s of tr.steps) assert.equal(s.lambda?.re.length, 2);
    // dopri5's region, in a window holding it.
    assert.ok(tr.region);
    assert.ok(Math.abs(tr.region.realAxis + 3.3066) < 1e-3);
    assert.ok(tr.region.bounds.reMin < tr.region.realAxis);
    assert.equal(tr.region.absR.length, tr.region.nx * tr.region.ny);
    assert.deepEqual(tr.notes, []);
  });

  it("starts at a chosen observation, with a run's latest checkpoint", async () => {
    const trained = tinyModel(9);
    const run = createRun(runsRoot, { experiment: 'tiny', config: { file: tiny } });
    run.writeCheckpoint({ iteration: 12, params: trained.params });
    finishRun(run, { status: 'finished' });
    const tr = await client.request('experiment/trace', { file: tiny, runsRoot, runId: run.id, sample: 40 });
    const data = await spiral({ dataSize: 100, t1: 5 });
    const direct = await odeint((t, y: Float64Array) => trained.f(t, y), Float64Array.from(data.ys[40]), data.t.slice(40), SOLVER);
    assert.equal(tr.iteration, 12);
    assert.equal(tr.sample, 40);
    assert.equal(tr.steps[0].t, data.t[40]);
    assert.equal(tr.nfe, direct.stats.nfe);
    assert.deepEqual(Array.from(tr.outputs.x), direct.ys.map((y) => y[0]));
    assert.equal(tr.data.x.length, 60);
  });

  it('errors name the experiment and what to try', async () => {
    await assert.rejects(client.request('experiment/trace', { file: tiny, runsRoot, sample: 99 }), /tiny\.ode\.ts:\d+:\d+.*sample must be an observation index from 0 to 98/s);
    await assert.rejects(client.request('experiment/trace', { file: tiny, runsRoot, runId: 'no-such-run' }), /tiny\.ode\.ts:\d+:\d+/);
  });
});
