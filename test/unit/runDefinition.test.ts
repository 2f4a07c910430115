// What defines a run is checked on resume and export: a changed optimiser, data set or model
// (same size, other activation) is refused with what changed and how to go on; --allow-changes
// goes on and the run records the change.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defineExperiment, mlpField, spiral, trainExperiment, type ExperimentSpec } from '../../engine/src/index';
import { exportCommand } from '../../engine/src/cli/exportCommand';
import { resumeChanges } from '../../engine/src/experiments/runDefinition';

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-definition-'));

function spec(o: { lr?: number; activation?: 'tanh' | 'relu'; noise?: number; file?: string } = {}): ExperimentSpec {
  return {
    name: 'defined',
    data: () => spiral({ dataSize: 40, t1: 3, noiseStd: o.noise ?? 0, seed: 1 }),
    model: () => mlpField({ sizes: [2, 8, 2], activation: o.activation ?? 'tanh', seed: 1 }),
    solver: { method: 'dopri5', rtol: 1e-5, atol: 1e-7 },
    train: { iterations: 3, optimizer: { name: 'adam', lr: o.lr ?? 0.02 }, batchTime: 4, batchSize: 6, evalEvery: 0, checkpointEvery: 1 },
  };
}

const config = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')).config;

describe('what defines a run', () => {
  it('refuses a resume with another learning rate, saying what changed; --allow-changes goes on and records it', async () => {
    const root = tmp();
    const first = await trainExperiment(defineExperiment(spec()), { runsRoot: root });
    await assert.rejects(
      trainExperiment(defineExperiment(spec({ lr: 0.05 })), { runsRoot: root, resume: first.runId, iterations: 5 }),
      (e: Error) => /was trained with another experiment than this one: train\.optimizer\.lr: 0\.02 → 0\.05\. .*--allow-changes/.test(e.message),
    );
    assert.equal(fs.existsSync(path.join(first.runDir, 'run.lock')), false, 'a refused resume leaves no lock');
    const resumed = await trainExperiment(defineExperiment(spec({ lr: 0.05 })), { runsRoot: root, resume: first.runId, iterations: 5, allowChanges: true });
    assert.equal(resumed.status, 'finished');
    assert.equal(resumed.iteration, 5);
    const c = config(first.runDir);
    assert.equal(c.train.optimizer.lr, 0.05, 'config.json describes the run as it goes on');
    assert.equal(c.train.iterations, 5);
    assert.deepEqual(c.changes, [{ iteration: 3, changes: ['train.optimizer.lr: 0.02 → 0.05'] }]);
    // Resumed again with the same experiment: nothing changed any more.
    const again = await trainExperiment(defineExperiment(spec({ lr: 0.05 })), { runsRoot: root, resume: first.runId, iterations: 6 });
    assert.equal(again.iteration, 6);
  });

  it('notices other data of the same shape (another noise draw) by its fingerprint', async () => {
    const root = tmp();
    const first = await trainExperiment(defineExperiment(spec()), { runsRoot: root });
    assert.match(config(first.runDir).data.fingerprint, /^[0-9a-f]{8}$/);
    await assert.rejects(
      trainExperiment(defineExperiment(spec({ noise: 0.1 })), { runsRoot: root, resume: first.runId, iterations: 4 }),
      /data\.fingerprint: "[0-9a-f]{8}" → "[0-9a-f]{8}"/,
    );
  });

  it('refuses to resume or export into a model of the same shapes with another activation', async () => {
    const root = tmp();
    const first = await trainExperiment(defineExperiment(spec()), { runsRoot: root });
    await assert.rejects(
      trainExperiment(defineExperiment(spec({ activation: 'relu' })), { runsRoot: root, resume: first.runId, iterations: 4 }),
      /model\.activation: "tanh" → "relu"/,
    );
    const dir = tmp();
    const file = path.join(dir, 'relu.ode.ts');
    fs.writeFileSync(
      file,
      "import { defineExperiment, mlpField, spiral } from 'neural-ode-studio';\n" +
        "export default defineExperiment({ name: 'defined', data: () => spiral({ dataSize: 40, t1: 3 }), model: () => mlpField({ sizes: [2, 8, 2], activation: 'relu', seed: 1 }), train: { iterations: 3, optimizer: { name: 'adam', lr: 0.02 } } });\n",
    );
    await assert.rejects(exportCommand({ experiment: file, run: first.runId, runsRoot: root }), /model\.activation: "tanh" → "relu".*--allow-changes if the weights still fit/);
    const out = await exportCommand({ experiment: file, run: first.runId, runsRoot: root, out: path.join(dir, 'w.safetensors'), allowChanges: true });
    assert.equal(out.iteration, 3);
  });

  it('does not count what an older run did not record (activation, data fingerprint) as a change', () => {
    const older = { task: 'trajectory', data: { name: 'spiral', dim: 2 }, model: { kind: 'mlpField', params: 42 }, train: { optimizer: { name: 'adam' } } };
    const now = { ...older, data: { ...older.data, fingerprint: 'abcd0123' }, model: { ...older.model, activation: 'tanh' } };
    assert.deepEqual(resumeChanges(older, now), []);
    assert.deepEqual(resumeChanges(now, { ...now, model: { ...now.model, activation: 'relu' } }), ['model.activation: "tanh" → "relu"']);
  });
});
