// `weights/export` in the real engine worker: a run's latest checkpoint written as safetensors
// that load back into the experiment's model, and errors that say what did not fit. Also the
// per-component trajectories `experiment/preview` returns for the trajectories panel.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { spiral } from '../../engine/src/index';
import { decodeSafetensors } from '../../engine/src/io/safetensors';
import { importWeights } from '../../engine/src/io/weights';
import { createRun, finishRun } from '../../engine/src/train/runStore';
import { EngineRequestError } from '../../extension/src/engineClient';
import { engineWorkerFixture, tiny, tinyModel } from './engineWorkerFixture';

const { client, scratch, runsRoot } = engineWorkerFixture('export');

describe('weights/export', { timeout: 60_000 }, () => {
  it("writes the run's latest checkpoint, which loads back into the model", async () => {
    const trained = tinyModel(11);
    const run = createRun(runsRoot, { experiment: 'tiny', config: {} });
    run.writeCheckpoint({ iteration: 3, params: tinyModel(4).params });
    run.writeCheckpoint({ iteration: 9, params: trained.params });
    finishRun(run, { status: 'finished' });
    const out = path.join(scratch, 'out', 'tiny.safetensors');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    const r = await client.request('weights/export', { file: tiny, runDir: path.join(runsRoot, run.id), out, dtype: 'F64' });
    assert.equal(r.file, out);
    assert.equal(r.iteration, 9, 'the latest checkpoint');
    const bytes = fs.readFileSync(out);
    assert.equal(r.bytes, bytes.length);
    const { tensors, metadata } = decodeSafetensors(bytes);
    assert.equal(metadata?.run, run.id);
    assert.equal(metadata?.iteration, '9');
    assert.deepEqual(tensors.get('0.weight')?.shape, [16, 2]);
    const loaded = tinyModel(1);
    assert.notDeepEqual(Array.from(loaded.params), Array.from(trained.params));
    importWeights(loaded, bytes);
    assert.deepEqual(Array.from(loaded.params), Array.from(trained.params));
  });

  it('says so when the checkpoint does not fit the model, and refuses relative paths', async () => {
    const run = createRun(runsRoot, { experiment: 'tiny', config: {} });
    run.writeCheckpoint({ iteration: 1, params: new Float64Array(5) });
    finishRun(run, { status: 'finished' });
    const out = path.join(scratch, 'bad.safetensors');
    await assert.rejects(client.request('weights/export', { file: tiny, runDir: path.join(runsRoot, run.id), out }), (err: unknown) => {
      assert.ok(err instanceof EngineRequestError);
      assert.match(err.message, /has 5 parameters but .*tiny\.ode\.ts's model has \d+/);
      return true;
    });
    assert.equal(fs.existsSync(out), false);
    await assert.rejects(client.request('weights/export', { file: tiny, runDir: 'runs/x', out }), /absolute paths/);
  });
});

describe('experiment/preview components', { timeout: 60_000 }, () => {
  it('returns every component of the data and of the solve over t', async () => {
    const p = await client.request('experiment/preview', { file: tiny, runsRoot, grid: 2 });
    const data = await spiral({ dataSize: 100, t1: 5 });
    assert.equal(p.components.data.length, 2);
    assert.ok(p.components.predicted);
    assert.equal(p.components.predicted.length, 2);
    for (let k = 0; k < 2; k++) {
      assert.equal(p.components.data[k].length, 100);
      assert.equal(p.components.data[k][37], data.ys[37][k]);
      assert.equal(p.components.predicted[k][0], data.y0[k]);
    }
    // The same solve as the phase-portrait arrays.
    assert.deepEqual(Array.from(p.components.predicted[1]), Array.from(p.predicted?.y ?? []));
  });
});
