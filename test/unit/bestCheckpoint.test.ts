import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defineExperiment, mlpField, readMetrics, spiral, trainExperiment, type ExperimentSpec } from '../../engine/src/index';
import { previewExperiment } from '../../engine/src/experiments/preview';
import { labelRun, loadBestCheckpoint } from '../../engine/src/train/runStore';
import { loadRunCheckpoint, parseRunRef } from '../../engine/src/train/runRef';

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-best-'));

/** A learning rate large enough that the evaluation loss goes up as well as down. */
function spec(iterations: number): ExperimentSpec {
  return {
    name: 'best-spiral',
    data: () => spiral({ dataSize: 60, t1: 4 }),
    model: () => mlpField({ sizes: [2, 12, 2], seed: 3 }),
    solver: { method: 'dopri5', rtol: 1e-5, atol: 1e-7 },
    train: { iterations, optimizer: { name: 'adam', lr: 0.2 }, batchTime: 5, batchSize: 8, evalEvery: 2, checkpointEvery: 5 },
  };
}

const argminEval = (dir: string): { iteration: number; evalLoss: number } => {
  let best = { iteration: -1, evalLoss: Infinity };
  for (const r of readMetrics(dir).records) if (typeof r.evalLoss === 'number' && r.evalLoss < best.evalLoss) best = { iteration: r.iteration, evalLoss: r.evalLoss };
  return best;
};

describe('the best checkpoint', () => {
  it('holds the weights of the lowest evaluation loss, beside the latest, and result.json says which', async () => {
    const root = tmp();
    const out = await trainExperiment(defineExperiment(spec(30)), { runsRoot: root });
    assert.equal(out.status, 'finished');
    const expected = argminEval(out.runDir);
    assert.deepEqual(out.best, expected);
    assert.ok(expected.iteration < 30, 'at this learning rate the loss swings, so the best is not the last');
    const { checkpoint } = loadBestCheckpoint(out.runDir);
    assert.equal(checkpoint.iteration, expected.iteration);
    assert.equal(checkpoint.evalLoss, expected.evalLoss);
    const result = JSON.parse(fs.readFileSync(path.join(out.runDir, 'result.json'), 'utf8'));
    assert.equal(result.bestIteration, expected.iteration);
    assert.equal(result.bestEvalLoss, expected.evalLoss);
    // The views read it through a run reference, ID@best.
    const latest = await previewExperiment(defineExperiment(spec(30)), { runsRoot: root, runId: out.runId, grid: 4 });
    const best = await previewExperiment(defineExperiment(spec(30)), { runsRoot: root, runId: `${out.runId}@best`, grid: 4 });
    assert.equal(latest.iteration, 30);
    assert.equal(best.iteration, expected.iteration);
  });

  it('is kept across a resume, and improved only by a lower loss', async () => {
    const root = tmp();
    const first = await trainExperiment(defineExperiment(spec(10)), { runsRoot: root });
    const before = first.best!;
    const resumed = await trainExperiment(defineExperiment(spec(24)), { runsRoot: root, resume: first.runId });
    const after = argminEval(resumed.runDir);
    assert.ok(resumed.best!.evalLoss <= before.evalLoss);
    assert.deepEqual(resumed.best, after.evalLoss < before.evalLoss ? after : before);
    assert.equal(loadBestCheckpoint(resumed.runDir).checkpoint.iteration, resumed.best!.iteration);
  });

  it('is refused with a reason when a run has none, and a malformed reference is refused', async () => {
    const root = tmp();
    const out = await trainExperiment(defineExperiment({ ...spec(3), train: { ...spec(3).train, evalEvery: 0, checkpointEvery: 1 } }), { runsRoot: root });
    // evalEvery 0 still evaluates the last iteration, so the run has a best; remove it to see the refusal.
    fs.rmSync(path.join(out.runDir, 'checkpoint-best.ckpt'));
    assert.throws(() => loadRunCheckpoint(root, `${out.runId}@best`), /No best checkpoint in .*has not been evaluated yet\. Use its latest checkpoint instead/);
    assert.equal(loadRunCheckpoint(root, out.runId).checkpoint.iteration, 3);
    assert.throws(() => parseRunRef(`${out.runId}@worst`), /not a run reference.*@best/);
  });
});

describe("a run's config.json after it started", () => {
  it('records a resume to another total, and a name, tags and note given afterwards', async () => {
    const root = tmp();
    const first = await trainExperiment(defineExperiment(spec(4)), { runsRoot: root });
    const config = () => JSON.parse(fs.readFileSync(path.join(first.runDir, 'config.json'), 'utf8'));
    assert.equal(config().config.train.iterations, 4);
    await trainExperiment(defineExperiment(spec(4)), { runsRoot: root, resume: first.runId, iterations: 6 });
    assert.equal(config().config.train.iterations, 6);
    assert.equal(config().config.train.batchSize, 8, 'the rest of train is kept');
    labelRun(first.runDir, { runName: ' wide lr ', tags: ['sweep', ' ', 'lr'], note: 'lr 0.2' });
    assert.deepEqual([config().config.runName, config().config.tags, config().config.note], ['wide lr', ['sweep', 'lr'], 'lr 0.2']);
    assert.equal(config().config.name, 'best-spiral', "the experiment's name stays");
    labelRun(first.runDir, { runName: '', tags: [] });
    assert.deepEqual([config().config.runName, config().config.tags, config().config.note], [undefined, undefined, 'lr 0.2']);
    assert.throws(() => labelRun(path.join(root, 'absent'), { note: 'x' }), /missing or unreadable/);
  });
});
