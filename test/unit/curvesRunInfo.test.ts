// What the curves panel's host reads about each run besides its points: the run's name, tags
// and note and its settings from config.json (read defensively), the runs table's figures over
// the whole metrics stream (kept up to date by folding in appended lines, refolded after a
// rewind), and the run as the webview gets it (a failed run's message included).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { appendMetrics, createRun, finishRun, listRuns, openRun } from '../../engine/src/train';
import { anyRunning, endedRuns } from '../../extension/src/panels/curvesFollow';
import { curveRunInfo, parseRunMeta, RunMetaCache } from '../../extension/src/panels/curvesRunInfo';
import { RunStatsFold, RunStatsTracker } from '../../extension/src/panels/curvesRunStats';
import { validateHostMessage } from '../../webview/src/protocol';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'curves-runinfo-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

/** config.json as the trainer writes it (engine/src/experiments/trainer.ts runConfig). */
const trainerConfig = {
  name: 'spiral',
  file: '/ws/spiral.ode.ts',
  task: 'trajectory',
  data: {},
  model: { kind: 'mlp', params: 1234, dim: 2 },
  solver: { method: 'dopri5', rtol: 1e-7, atol: 1e-9 },
  gradient: 'adjoint',
  train: { iterations: 300, optimizer: { name: 'rmsprop', lr: 1e-3 }, batchSize: 20 },
};

describe('parseRunMeta', () => {
  it('reads the settings the trainer records', () => {
    const meta = parseRunMeta({ id: 'x', experiment: 'spiral', createdAt: '', engineVersion: '0.1.0', config: trainerConfig });
    assert.deepEqual(meta, {
      name: null,
      tags: [],
      note: null,
      hparams: { task: 'trajectory', solver: 'dopri5', rtol: 1e-7, atol: 1e-9, gradient: 'adjoint', optimizer: 'rmsprop', lr: 1e-3, iterations: 300 },
    });
  });

  it("reads a run's own name, tags and note from its config, beside the experiment's name", () => {
    // `neural-ode train --name 'wide lr' --tag sweep --note …` writes them into config.
    const cli = parseRunMeta({ experiment: 'spiral', config: { ...trainerConfig, runName: 'wide lr', tags: ['sweep', ' ', 3, 'lr'], note: 'lr 3e-2' } });
    assert.deepEqual([cli.name, cli.tags, cli.note], ['wide lr', ['sweep', 'lr'], 'lr 3e-2']);
    // Without --name, config.name is the experiment's name: not a run name.
    assert.equal(parseRunMeta({ experiment: 'spiral', config: trainerConfig }).name, null);
    const other = parseRunMeta({ experiment: 'spiral', config: { ...trainerConfig, runName: 'narrow', tags: 'a, b', note: 'x' } });
    assert.deepEqual([other.name, other.tags, other.note], ['narrow', ['a', 'b'], 'x']);
  });

  it('reads the long gradient form, and the optimiser default lr when none is given', () => {
    const meta = parseRunMeta({ config: { ...trainerConfig, gradient: { method: 'checkpoint', checkpoints: 4 }, train: { iterations: 10, optimizer: { name: 'adam' } } } });
    assert.equal(meta.hparams.gradient, 'checkpoint');
    assert.equal(meta.hparams.optimizer, 'adam');
    assert.equal(meta.hparams.lr, 1e-3);
    assert.equal(parseRunMeta({ config: { train: { optimizer: { name: 'sgd' } } } }).hparams.lr, null, 'sgd has no default');
  });

  it('gives nulls for anything missing or of the wrong type, never throws', () => {
    const empty = { name: null, tags: [], note: null, hparams: { task: null, solver: null, rtol: null, atol: null, gradient: null, optimizer: null, lr: null, iterations: null } };
    for (const json of [null, undefined, 42, 'x', [], {}, { config: null }, { config: { solver: 'dopri5', train: [], gradient: 7 } }]) assert.deepEqual(parseRunMeta(json), empty);
    const odd = parseRunMeta({ config: { solver: { method: 5, rtol: '1e-7', atol: NaN }, train: { iterations: 2.5, optimizer: { name: 'adam', lr: 'fast' } } } });
    assert.deepEqual([odd.hparams.solver, odd.hparams.rtol, odd.hparams.atol, odd.hparams.iterations, odd.hparams.lr], [null, null, null, null, 1e-3]);
  });
});

describe('RunMetaCache', () => {
  it('reads config.json again only when it changed, and survives a broken one', () => {
    const run = createRun(root, { experiment: 'meta', config: trainerConfig });
    run.close();
    const cache = new RunMetaCache();
    assert.equal(cache.read(run.dir).hparams.solver, 'dopri5');
    const file = path.join(run.dir, 'config.json');
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(file, JSON.stringify({ ...json, config: { ...json.config, runName: 'renamed' } }));
    fs.utimesSync(file, new Date(), new Date(Date.now() + 5000));
    assert.equal(cache.read(run.dir).name, 'renamed');
    fs.writeFileSync(file, '{ half');
    fs.utimesSync(file, new Date(), new Date(Date.now() + 10_000));
    assert.equal(cache.read(run.dir).name, null);
    assert.equal(cache.read(path.join(root, 'absent')).name, null);
  });
});

describe('run statistics', () => {
  it('fold the best evaluation, the NFE total and the training time across resumed parts', () => {
    const fold = new RunStatsFold();
    assert.deepEqual(fold.stats, { bestEvalLoss: null, bestEvalIteration: null, totalNfe: null, seconds: null });
    fold.add([
      { iteration: 1, loss: 1, nfeForward: 20, nfeBackward: 30, wallSeconds: 1 },
      { iteration: 2, loss: 1, evalLoss: 0.5, nfeForward: 20, wallSeconds: 2 },
      { iteration: 3, loss: 1, evalLoss: NaN, nfeForward: NaN, nfeBackward: 40, wallSeconds: 3 },
    ]);
    fold.add([
      { iteration: 4, evalLoss: 0.25, wallSeconds: 0.5 },
      { iteration: 5, evalLoss: 0.25, wallSeconds: 1 },
    ]);
    assert.deepEqual(fold.stats, { bestEvalLoss: 0.25, bestEvalIteration: 4, totalNfe: 110, seconds: 4 });
  });

  it('follow a growing metrics file, and start over when a resume rewinds it', () => {
    const run = createRun(root, { experiment: 'stats', config: {} });
    const tracker = new RunStatsTracker(run.metricsFile);
    assert.equal(tracker.read().totalNfe, null);
    for (let i = 1; i <= 10; i++) appendMetrics(run, { iteration: i, loss: 1 / i, evalLoss: i % 5 === 0 ? 1 / i : undefined, nfeForward: 10, nfeBackward: 10, wallSeconds: i });
    assert.deepEqual(tracker.read(), { bestEvalLoss: 0.1, bestEvalIteration: 10, totalNfe: 200, seconds: 10 });
    run.close();
    const again = openRun(root, run.id, { rewindTo: 5 });
    appendMetrics(again, { iteration: 6, loss: 0.1, nfeForward: 1, wallSeconds: 0.5 });
    assert.deepEqual(tracker.read(), { bestEvalLoss: 0.2, bestEvalIteration: 5, totalNfe: 101, seconds: 5.5 });
    again.close();
  });
});

describe('curveRunInfo', () => {
  it("gives the webview a failed run's message, name and settings, in a message it accepts", () => {
    const run = createRun(root, { experiment: 'failing', config: trainerConfig });
    appendMetrics(run, { iteration: 1, loss: 2, nfeForward: 26, nfeBackward: 38, wallSeconds: 0.1 });
    finishRun(run, { status: 'failed', message: 'NaN loss at iteration 2' });
    const summary = listRuns(root).find((r) => r.id === run.id)!;
    const stats = new RunStatsTracker(run.metricsFile).read();
    const info = curveRunInfo(summary, { ...new RunMetaCache().read(run.dir), name: 'lr too high' }, stats);
    assert.equal(info.status, 'failed');
    assert.equal(info.message, 'NaN loss at iteration 2');
    assert.equal(info.name, 'lr too high');
    assert.equal(info.hparams.gradient, 'adjoint');
    assert.equal(info.stats.totalNfe, 64);
    const checked = validateHostMessage({ type: 'curves/runs', payload: { runs: [info], selected: [run.id] } });
    assert.ok(checked.ok, checked.ok ? '' : checked.error);
  });

  it('keeps a run whose config.json names no experiment (the list would be refused whole)', () => {
    const summary = { id: 'hand-made', dir: root, experiment: undefined as unknown as string, status: 'interrupted' as const, createdAt: '', lastIteration: null, lastLoss: null, wallSeconds: null, message: 'no result and no live process' };
    const info = curveRunInfo(summary, parseRunMeta({}), new RunStatsFold().stats);
    assert.equal(info.experiment, '');
    assert.ok(validateHostMessage({ type: 'curves/runs', payload: { runs: [info], selected: [] } }).ok);
  });
});

describe('following runs to their end', () => {
  it('keeps re-reading the list while any run is running', () => {
    assert.equal(anyRunning(['finished', 'running', 'failed']), true);
    assert.equal(anyRunning(['finished', 'interrupted']), false);
    assert.equal(anyRunning([]), false);
  });

  it('reads the last lines of a shown run once it stops running', () => {
    const before = new Map([['a', 'running'], ['b', 'running'], ['c', 'running'], ['d', 'finished']]);
    const after = new Map([['a', 'finished'], ['b', 'running'], ['d', 'finished']]);
    assert.deepEqual(endedRuns(before, after, ['a', 'b', 'c', 'd']), ['a', 'c']);
    assert.deepEqual(endedRuns(before, after, ['b', 'd']), []);
  });

  it('sees a run finish from its files: result.json turns running into finished', () => {
    const run = createRun(root, { experiment: 'follow', config: {} });
    appendMetrics(run, { iteration: 3703, loss: 0.1 });
    const status = () => listRuns(root).find((r) => r.id === run.id)!.status;
    assert.equal(status(), 'running');
    finishRun(run, { status: 'finished' });
    assert.equal(status(), 'finished');
  });
});
