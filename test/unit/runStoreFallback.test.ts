import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defineExperiment, mapInput, mlpField, spiral, trainExperiment, type ExperimentSpec } from '../../engine/src/index';
import { CHECKPOINT_LATEST, createRun, fallbackNotice, loadLatestCheckpoint, RUN_LOG, writeCheckpoint } from '../../engine/src/train/index';

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-fallback-'));

function flipByte(file: string, at: number): void {
  const b = fs.readFileSync(file);
  b[at] ^= 0x01;
  fs.writeFileSync(file, b);
}

function spec(iterations: number): ExperimentSpec {
  return {
    name: 'fallback',
    data: () => spiral({ dataSize: 60, t1: 4 }),
    model: () => mapInput(mlpField({ sizes: [2, 8, 2], seed: 1 }), (x) => x ** 3, (x) => 3 * x * x),
    solver: { method: 'dopri5', rtol: 1e-5, atol: 1e-7 },
    train: { iterations, optimizer: { name: 'adam', lr: 3e-2 }, batchTime: 5, batchSize: 8, evalEvery: 0, checkpointEvery: 5 },
  };
}

describe('a skipped checkpoint is reported', () => {
  it('fallbackNotice names the file that failed, why, and the checkpoint used instead', () => {
    const root = tmp();
    const run = createRun(root, { experiment: 'c', config: {} });
    writeCheckpoint(run, { iteration: 5, params: Float64Array.of(5) });
    writeCheckpoint(run, { iteration: 10, params: Float64Array.of(10) });
    assert.equal(fallbackNotice(loadLatestCheckpoint(run)), null, 'nothing to say when the newest loads');
    const latest = path.join(run.dir, CHECKPOINT_LATEST);
    flipByte(latest, fs.statSync(latest).size - 40);
    assert.equal(
      fallbackNotice(loadLatestCheckpoint(run)),
      `${latest}: SHA-256 checksum mismatch (the file is truncated or corrupted). Using checkpoint-prev.ckpt (iteration 5) instead.`,
    );
    fs.rmSync(latest);
    assert.equal(fallbackNotice(loadLatestCheckpoint(run)), `${latest} is missing. Using checkpoint-prev.ckpt (iteration 5) instead.`);
    run.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('a resume from the previous checkpoint says so to onStart, in its outcome and in the run\'s run.log', async () => {
    const root = tmp();
    const first = await trainExperiment(defineExperiment(spec(10)), { runsRoot: root });
    const latest = path.join(first.runDir, CHECKPOINT_LATEST);
    flipByte(latest, fs.statSync(latest).size - 40);
    let started: { startIteration: number; warnings?: string[] } | undefined;
    const out = await trainExperiment(defineExperiment(spec(12)), { runsRoot: root, resume: first.runId, onStart: (info) => (started = info) });
    assert.equal(started?.startIteration, 5);
    const expected = new RegExp(
      `^${latest.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: SHA-256 checksum mismatch \\(the file is truncated or corrupted\\)\\. ` +
        `Using checkpoint-prev\\.ckpt \\(iteration 5\\) instead\\. Run ${first.runId} resumes from iteration 5; iterations 6 on are trained again\\.$`,
    );
    assert.equal(started?.warnings?.length, 1);
    assert.match(started!.warnings![0], expected);
    assert.deepEqual(out.warnings, started!.warnings);
    assert.equal(out.status, 'finished');
    const log = fs.readFileSync(path.join(first.runDir, RUN_LOG), 'utf8').trim().split('\n');
    assert.equal(log.length, 1);
    assert.match(log[0], /^\d{4}-\d\d-\d\dT[\d:.]+Z warning: /);
    assert.ok(log[0].endsWith(started!.warnings![0]));
    // A resume from the newest checkpoint has nothing to say.
    let again: { warnings?: string[] } | undefined;
    const more = await trainExperiment(defineExperiment(spec(14)), { runsRoot: root, resume: first.runId, onStart: (info) => (again = info) });
    assert.deepEqual(again?.warnings, []);
    assert.equal(more.warnings, undefined);
    fs.rmSync(root, { recursive: true, force: true });
  });
});
