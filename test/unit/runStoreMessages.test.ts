import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defineExperiment, mapInput, mlpField, spiral, trainExperiment, type ExperimentSpec } from '../../engine/src/index';
import { appendMetrics, CHECKPOINT_LATEST, CHECKPOINT_PREV, createRun, loadLatestCheckpoint, loadRunCheckpoint, openRun, RunStoreError, writeCheckpoint } from '../../engine/src/train/index';

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-messages-'));

function spec(iterations: number, solverOptions?: { maxNumSteps: number }): ExperimentSpec {
  return {
    name: 'messages',
    data: () => spiral({ dataSize: 60, t1: 4 }),
    model: () => mapInput(mlpField({ sizes: [2, 8, 2], seed: 1 }), (x) => x ** 3, (x) => 3 * x * x),
    solver: { method: 'dopri5', rtol: 1e-5, atol: 1e-7, ...(solverOptions ? { options: solverOptions } : {}) },
    train: { iterations, optimizer: { name: 'adam', lr: 3e-2 }, batchTime: 5, batchSize: 8, evalEvery: 0, checkpointEvery: 5 },
  };
}

/** The RunStoreError a call throws (or a rejected promise), checked for its kind. */
async function storeError(kind: RunStoreError['kind'], run: () => unknown): Promise<RunStoreError> {
  try {
    await run();
  } catch (e) {
    assert.ok(e instanceof RunStoreError, String(e));
    assert.equal(e.kind, kind, e.message);
    return e;
  }
  return assert.fail(`expected RunStoreError ${kind}`);
}

describe('what a run without checkpoints says', () => {
  it('a run that fails before its first checkpoint says there is none yet, not "iteration 0"', async () => {
    const out = await trainExperiment(defineExperiment(spec(10, { maxNumSteps: 2 })), { runsRoot: tmp() });
    assert.equal(out.status, 'failed');
    assert.match(out.message ?? '', /^The solver failed in iteration 1: /);
    assert.match(out.message ?? '', /There is no checkpoint yet \(the first is written at iteration 5\), so the run cannot be resumed: start it again\.$/);
    assert.doesNotMatch(out.message ?? '', /iteration 0/);
  });

  it('a new run with no checkpoint yet says it stopped before its first', () => {
    const root = tmp();
    const run = createRun(root, { experiment: 'c', config: {} });
    appendMetrics(run, { iteration: 1, loss: 1 });
    const err = (() => {
      try {
        loadLatestCheckpoint(run);
      } catch (e) {
        return e as RunStoreError;
      }
      return assert.fail('expected an error');
    })();
    assert.equal(err.kind, 'noCheckpoint');
    assert.equal(err.message, `No checkpoint in ${run.dir} yet: the run stopped before its first checkpoint, so it cannot be resumed; start it again.`);
    run.close();
  });

  it('a finished run whose checkpoint files were deleted says they are missing', async () => {
    const root = tmp();
    const first = await trainExperiment(defineExperiment(spec(10)), { runsRoot: root });
    for (const f of [CHECKPOINT_LATEST, CHECKPOINT_PREV]) fs.rmSync(path.join(first.runDir, f));
    const expected =
      `Run ${first.runId} has no ${CHECKPOINT_LATEST} or ${CHECKPOINT_PREV} in ${first.runDir}, though it got to iteration 10 (finished): ` +
      'the checkpoint files are missing (deleted or moved). Put them back to resume or export it, or start it again.';
    assert.equal((await storeError('noCheckpoint', () => loadLatestCheckpoint(first.runDir))).message, expected);
    assert.equal((await storeError('noCheckpoint', () => trainExperiment(defineExperiment(spec(12)), { runsRoot: root, resume: first.runId }))).message, expected);
  });

  it('an interrupted run past its first checkpoint with none left says they are missing too', () => {
    const root = tmp();
    const run = createRun(root, { experiment: 'c', config: { train: { checkpointEvery: 2 } } });
    for (let it = 1; it <= 3; it++) appendMetrics(run, { iteration: it, loss: 1 });
    writeCheckpoint(run, { iteration: 2, params: Float64Array.of(1) });
    run.close();
    fs.rmSync(path.join(run.dir, CHECKPOINT_LATEST));
    assert.throws(() => loadLatestCheckpoint(run.dir), (e: unknown) => e instanceof RunStoreError && /got to iteration 3 \(interrupted\): the checkpoint files are missing/.test(e.message));
  });
});

describe('run ids', () => {
  it('resuming an id that does not exist lists the newest runs there', async () => {
    const root = tmp();
    assert.equal(
      (await storeError('notFound', () => trainExperiment(defineExperiment(spec(3)), { runsRoot: root, resume: 'nope' }))).message,
      `No run nope in ${root}: there are no runs there. Is it the runs folder you meant?`,
    );
    const ids = Array.from({ length: 7 }, (_, k) => {
      const run = createRun(root, { experiment: 'listed', config: {}, now: new Date(Date.UTC(2026, 0, 1, 0, 0, k)) });
      if (k === 6) appendMetrics(run, { iteration: 4, loss: 1 });
      run.close();
      return run.id;
    });
    const message = (await storeError('notFound', () => trainExperiment(defineExperiment(spec(3)), { runsRoot: root, resume: 'nope' }))).message;
    assert.equal(
      message,
      `No run nope in ${root}. Runs there, newest first: ${ids[6]} (interrupted, iteration 4), ${ids[5]} (interrupted), ${ids[4]} (interrupted), ` +
        `${ids[3]} (interrupted), ${ids[2]} (interrupted), and 2 older. Give one of these ids.`,
    );
    assert.equal((await storeError('notFound', () => openRun(root, 'nope'))).message, message);
    assert.equal((await storeError('notFound', () => loadRunCheckpoint(root, 'nope@best'))).message, message);
  });

  it('an id with a path separator or ".." is refused: nothing outside the runs folder is read', async () => {
    const root = tmp();
    const runs = path.join(root, 'runs');
    // A real run beside the runs folder, which '../outside/<id>' would reach.
    const outside = createRun(path.join(root, 'outside'), { experiment: 'messages', config: {} });
    writeCheckpoint(outside, { iteration: 1, params: new Float64Array(42) });
    outside.close();
    for (const id of [`../outside/${outside.id}`, '..', `a/b`, 'a\\b', path.join(root, 'outside', outside.id)]) {
      const err = await storeError('input', () => trainExperiment(defineExperiment(spec(3)), { runsRoot: runs, resume: id }));
      assert.equal(err.message, `'${id}' is not a run id: an id names a folder inside the runs folder (like 20261122-081530-spiral-3f2a), without '/', '\\' or '..'.`);
      await storeError('input', () => loadRunCheckpoint(runs, id));
    }
  });
});
