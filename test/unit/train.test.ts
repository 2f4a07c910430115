import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  defineExperiment, ExperimentError, mapInput, mlpField, readMetrics, spiral, trainExperiment, type ExperimentSpec,
} from '../../engine/src/index';
import { odeint } from '../../engine/src/odeint';
import { trajectoryLoss } from '../../engine/src/experiments/loss';

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-train-'));

/** The spiral on a short span with a small model: trains in a second or two. */
function spec(overrides: Partial<ExperimentSpec['train']> = {}): ExperimentSpec {
  return {
    name: 'small-spiral',
    data: () => spiral({ dataSize: 100, t1: 5 }),
    model: () => mapInput(mlpField({ sizes: [2, 16, 2], seed: 1 }), (x) => x ** 3, (x) => 3 * x * x),
    solver: { method: 'dopri5', rtol: 1e-6, atol: 1e-8 },
    train: { iterations: 100, optimizer: { name: 'adam', lr: 3e-2 }, batchTime: 5, batchSize: 10, evalEvery: 100, checkpointEvery: 5, ...overrides },
  };
}

describe('trainExperiment', () => {
  it('lowers the whole-trajectory loss of the untrained model, and records every iteration', async () => {
    const exp = defineExperiment(spec());
    const data = await spiral({ dataSize: 100, t1: 5 });
    const untrained = mapInput(mlpField({ sizes: [2, 16, 2], seed: 1 }), (x) => x ** 3, (x) => 3 * x * x);
    const before = trajectoryLoss('l1', (await odeint((t, y) => untrained.f(t, y), data.y0, data.t, { rtol: 1e-6, atol: 1e-8 })).ys, data.ys).value;
    const root = tmp();
    const out = await trainExperiment(exp, { runsRoot: root });
    assert.equal(out.status, 'finished');
    assert.equal(out.iteration, 100);
    assert.ok(out.evalLoss !== null && out.evalLoss < before / 2, `trajectory loss ${before} → ${out.evalLoss}`);
    const m = readMetrics(out.runDir);
    assert.deepEqual(m.records.map((r) => r.iteration), Array.from({ length: 100 }, (_, i) => i + 1));
    for (const r of m.records) assert.ok(r.nfeForward! > 0 && r.nfeBackward! > 0 && Number.isFinite(r.loss));
    assert.ok(fs.existsSync(path.join(out.runDir, 'result.json')));
  });

  it('a cancelled run resumes to exactly the parameters of an uninterrupted one', async () => {
    const root = tmp();
    const whole = await trainExperiment(defineExperiment(spec({ iterations: 12 })), { runsRoot: root });
    const stop = new AbortController();
    const first = await trainExperiment(defineExperiment(spec({ iterations: 12 })), {
      runsRoot: root,
      signal: stop.signal,
      onProgress: (p) => p.iteration === 7 && stop.abort(),
    });
    assert.equal(first.status, 'cancelled');
    assert.equal(first.iteration, 7);
    assert.match(first.message ?? '', /Stopped after iteration 7/);
    const resumed = await trainExperiment(defineExperiment(spec({ iterations: 12 })), { runsRoot: root, resume: first.runId });
    assert.equal(resumed.status, 'finished');
    assert.equal(resumed.runId, first.runId);
    assert.equal(resumed.loss, whole.loss, 'the same batches, optimiser state and parameters as without the interruption');
    assert.deepEqual(readMetrics(resumed.runDir).records.map((r) => r.iteration), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('stops on divergence, naming the iteration and keeping the last good checkpoint', async () => {
    const out = await trainExperiment(defineExperiment(spec({ optimizer: { name: 'sgd', lr: 1e4 }, iterations: 30 })), { runsRoot: tmp() });
    assert.equal(out.status, 'failed');
    assert.match(out.message ?? '', /iteration \d+.*(last good checkpoint is iteration \d+|there is no checkpoint yet \(the first is written at iteration 5\))/is);
  });

  it('reports a model that does not fit the data at the defineExperiment call', async () => {
    const exp = defineExperiment({ ...spec(), model: () => mlpField({ sizes: [3, 8, 3] }) });
    await assert.rejects(trainExperiment(exp, { runsRoot: tmp() }), (e: unknown) => {
      assert.ok(e instanceof ExperimentError);
      assert.match(e.message, /train\.test\.ts:\d+:\d+: the model works on 3 components per sample but the data 'spiral' have 2/);
      return true;
    });
  });

  it('checks the spec when it is defined, pointing at the call', () => {
    assert.throws(
      () => defineExperiment(spec({ iterations: 0 })),
      (e: unknown) => e instanceof ExperimentError && /train\.test\.ts:\d+:\d+: train\.iterations must be a whole number ≥ 1, got 0/.test(e.message),
    );
    assert.throws(() => defineExperiment({ ...spec(), gradient: 'magic' as never }), /gradient must be 'backprop', 'adjoint' or 'checkpoint'/);
  });
});
