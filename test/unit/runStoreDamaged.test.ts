import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  appendMetrics, CONFIG_FILE, createRun, finishRun, listRuns, loadLatestCheckpoint, openRun, readRun, RunStoreError, writeCheckpoint,
} from '../../engine/src/train/index';

let root = '';
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-damaged-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

/** A run with metrics and a checkpoint, finished or not, whose config.json is then replaced by `config` (null: removed). */
function runWithConfig(config: string | null, finished: boolean, second: number): { id: string; dir: string } {
  const run = createRun(root, { experiment: 'Spiral fit', config: { file: '/x/spiral.ode.ts' }, now: new Date(Date.UTC(2026, 10, 22, 8, 15, second)) });
  for (let it = 1; it <= 3; it++) appendMetrics(run, { iteration: it, loss: 1 / it, wallSeconds: it });
  writeCheckpoint(run, { iteration: 3, params: Float64Array.of(1, 2) });
  if (finished) finishRun(run, { status: 'finished', iterations: 3, finalLoss: 1 / 3 });
  else run.close();
  const file = path.join(run.dir, CONFIG_FILE);
  if (config === null) fs.rmSync(file);
  else fs.writeFileSync(file, config);
  return { id: run.id, dir: run.dir };
}

describe('a run whose config.json is damaged', () => {
  it('is listed with its status, metrics and why it is damaged; its name and start come from its id', () => {
    const cut = runWithConfig('{"id": "2026', true, 1);
    const gone = runWithConfig(null, false, 2);
    const odd = runWithConfig('[1, 2]', false, 3);
    fs.mkdirSync(path.join(root, 'empty-folder'));
    const runs = listRuns(root);
    assert.deepEqual(runs.map((r) => r.id), [odd.id, gone.id, cut.id], 'the empty folder is not a run');
    const [o, g, c] = runs;
    assert.equal(c.status, 'finished');
    assert.equal(c.experiment, 'spiral-fit');
    assert.equal(c.createdAt, '2026-11-22T08:15:01.000Z');
    assert.equal(c.lastIteration, 3);
    assert.equal(c.lastLoss, 1 / 3);
    assert.match(c.damaged ?? '', /^config\.json is not JSON \(.+\)$/);
    assert.equal(g.status, 'interrupted');
    assert.equal(g.damaged, 'config.json is missing');
    assert.equal(o.damaged, 'config.json does not describe a run (no experiment name)');
    assert.equal(readRun(root, cut.id).damaged, c.damaged);
    // The checkpoints still verify.
    assert.equal(loadLatestCheckpoint(cut.dir).checkpoint.iteration, 3);
  });

  it('is not resumed, and the refusal says why and that its weights can still be exported', () => {
    const { id } = runWithConfig('not json', false, 1);
    assert.throws(
      () => openRun(root, id),
      (e: unknown) =>
        e instanceof RunStoreError &&
        e.kind === 'corrupt' &&
        e.message.startsWith(`Run ${id} cannot be resumed: its config.json is not JSON (`) &&
        e.message.endsWith(`Its checkpoints can still be exported with its experiment file: neural-ode export <experiment file> --run ${id}.`),
    );
  });
});
