import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defineExperiment, mapInput, mlpField, spiral, trainExperiment, type ExperimentSpec } from '../../engine/src/index';
import { RESULT_FILE } from '../../engine/src/train/index';

function spec(iterations: number): ExperimentSpec {
  return {
    name: 'resume-below',
    data: () => spiral({ dataSize: 60, t1: 4 }),
    model: () => mapInput(mlpField({ sizes: [2, 8, 2], seed: 1 }), (x) => x ** 3, (x) => 3 * x * x),
    solver: { method: 'dopri5', rtol: 1e-5, atol: 1e-7 },
    train: { iterations, optimizer: { name: 'adam', lr: 3e-2 }, batchTime: 5, batchSize: 8, evalEvery: 0, checkpointEvery: 5 },
  };
}

describe('resuming to a total the run has passed', () => {
  it('keeps the last known loss and evaluation loss in the outcome and result.json, and says nothing was trained', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-resume-'));
    try {
      const first = await trainExperiment(defineExperiment(spec(10)), { runsRoot: root });
      assert.ok(first.loss !== null && first.evalLoss !== null);
      const again = await trainExperiment(defineExperiment(spec(10)), { runsRoot: root, resume: first.runId, iterations: 4 });
      assert.equal(again.status, 'finished');
      assert.equal(again.iteration, 10);
      assert.equal(again.loss, first.loss);
      assert.equal(again.evalLoss, first.evalLoss);
      assert.equal(again.message, `Run ${first.runId} is already at iteration 10, past the 4 asked for: nothing was trained.`);
      const result = JSON.parse(fs.readFileSync(path.join(first.runDir, RESULT_FILE), 'utf8'));
      assert.equal(result.finalLoss, first.loss);
      assert.equal(result.evalLoss, first.evalLoss);
      assert.equal(result.iterations, 10);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
