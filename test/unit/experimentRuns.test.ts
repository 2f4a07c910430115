import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { experimentRuns, launchRun, pickOfValue, resolvePick, weightsChoices, weightsValue } from '../../extension/src/panels/experimentRuns';
import { validateHostMessage, validateWebviewMessage } from '../../webview/src/protocol';

/** A run folder as the trainer leaves it: config.json naming the file, and the files given. */
function run(root: string, id: string, file: string, files: string[], extra: Record<string, unknown> = {}): void {
  const dir = path.join(root, id);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ id, experiment: 'spiral', config: { name: 'spiral', file, ...extra } }));
  for (const f of files) fs.writeFileSync(path.join(dir, f), f === 'result.json' ? JSON.stringify({ status: 'finished' }) : '');
}

describe("an experiment's runs in the weights picker", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-picker-'));
  const file = path.join(root, 'spiral.ode.ts');
  run(root, '20261206-050000-spiral-aaaa', file, ['checkpoint-latest.ckpt', 'checkpoint-best.ckpt', 'result.json']);
  run(root, '20261206-060000-spiral-bbbb', file, ['checkpoint-latest.ckpt', 'run.lock'], { runName: 'wider' });
  run(root, '20261206-070000-spiral-cccc', file, ['run.lock']); // started, no checkpoint yet
  run(root, '20261206-080000-other-dddd', path.join(root, 'other.ode.ts'), ['checkpoint-latest.ckpt']);
  fs.mkdirSync(path.join(root, 'not-a-run'));

  it('lists the runs of this file only, newest first, with their status and checkpoints', () => {
    const runs = experimentRuns([root, path.join(root, 'missing')], file);
    assert.deepEqual(runs.map((r) => [r.id.slice(-4), r.status, r.hasLatest, r.hasBest, r.name]), [
      ['cccc', 'running', false, false, null],
      ['bbbb', 'running', true, false, 'wider'],
      ['aaaa', 'finished', true, true, null],
    ]);
  });

  it("resolves 'latest' to the newest run with a checkpoint, 'best' to the newest best checkpoint", () => {
    const runs = experimentRuns([root], file);
    assert.equal(resolvePick(runs, 'latest', null), '20261206-060000-spiral-bbbb');
    assert.equal(resolvePick(runs, 'best', null), '20261206-050000-spiral-aaaa@best');
    assert.equal(resolvePick(runs, 'untrained', 'x'), null);
    assert.equal(resolvePick(runs, 'run', '20261206-050000-spiral-aaaa'), '20261206-050000-spiral-aaaa');
    assert.equal(resolvePick([], 'latest', null), null, 'no run yet: untrained');
  });

  it('offers latest, best, untrained, then every checkpoint of every run, as valid protocol messages', () => {
    const choices = weightsChoices(experimentRuns([root], file));
    assert.deepEqual(choices.map((c) => c.value), [
      'latest', 'best', 'untrained',
      'run:20261206-060000-spiral-bbbb',
      'run:20261206-050000-spiral-aaaa', 'run:20261206-050000-spiral-aaaa@best',
    ]);
    assert.equal(choices[0].label, 'Latest run (wider · running)');
    assert.equal(choices[4].label, 'Run 2026-12-06 05:00:00 · finished');
    const message = { type: 'panel/weights', payload: { choices, selected: 'latest' } };
    assert.deepEqual(validateHostMessage(message), { ok: true, value: message });
  });

  it('round-trips a pick through the picker value, and refuses a value that could leave the runs folder', () => {
    for (const source of [
      { file, runId: null, pick: 'latest' as const },
      { file, runId: 'a@best', pick: 'run' as const },
      { file, runId: null },
    ]) {
      const back = pickOfValue(weightsValue(source));
      assert.equal(back.pick, source.pick ?? 'untrained');
      if (back.pick === 'run') assert.equal(back.runId, source.runId);
    }
    assert.equal(validateWebviewMessage({ type: 'panel/pickWeights', payload: { value: 'run:../../etc' } }).ok, false);
    assert.equal(validateWebviewMessage({ type: 'panel/pickWeights', payload: { value: 'newest' } }).ok, false);
    assert.equal(validateWebviewMessage({ type: 'panel/pickWeights', payload: { value: 'best' } }).ok, true);
  });

  it("gives a debug configuration the latest run's weights unless it names others", () => {
    const runs = experimentRuns([root], file);
    assert.equal(launchRun(runs, undefined), '20261206-060000-spiral-bbbb');
    assert.equal(launchRun(runs, 'latest'), '20261206-060000-spiral-bbbb');
    assert.equal(launchRun(runs, 'best'), '20261206-050000-spiral-aaaa@best');
    assert.equal(launchRun(runs, 'untrained'), undefined);
    assert.equal(launchRun(runs, '20261206-050000-spiral-aaaa'), '20261206-050000-spiral-aaaa');
    assert.equal(launchRun([], undefined), undefined, 'no run yet: untrained');
  });
});
