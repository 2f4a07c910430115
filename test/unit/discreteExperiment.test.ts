// Discrete networks (ResNet, LM-ResNet) as experiment models: trained by the same trainer and
// run store as ODE models, resumed exactly, and refused with a clear message where a vector
// field is needed (previews, the inspector, the debugger) or the data are a trajectory.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { defineExperiment, discreteNetwork, moons, spiral, trainExperiment, type ExperimentSpec } from '../../engine/src/index';
import { previewExperiment } from '../../engine/src/experiments/preview';
import { traceExperiment } from '../../engine/src/inspect/experimentTrace';
import { readMetrics } from '../../engine/src/train/runStore';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-discrete-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

const spec = (architecture: 'resnet' | 'lm', iterations = 120): ExperimentSpec => ({
  name: `moons-${architecture}`,
  data: () => moons({ n: 400, noise: 0.1, seed: 2 }),
  model: () => discreteNetwork({ architecture, inputDim: 2, width: 8, hidden: 16, depth: 4, seed: 3 }),
  train: { iterations, optimizer: { name: 'adam', lr: 1e-2 }, batchSize: 64, evalEvery: 40, checkpointEvery: 10 },
});

describe('discrete networks in experiments', () => {
  for (const architecture of ['resnet', 'lm'] as const) {
    it(`a ${architecture} trains on labelled points: the loss falls, accuracy is recorded`, async () => {
      const out = await trainExperiment(defineExperiment(spec(architecture)), { runsRoot: scratch });
      assert.equal(out.status, 'finished');
      const metrics = readMetrics(out.runDir).records;
      assert.equal(metrics.length, 120);
      const first = metrics.slice(0, 10).reduce((s, m) => s + m.loss, 0) / 10;
      const last = metrics.slice(-10).reduce((s, m) => s + m.loss, 0) / 10;
      assert.ok(last < 0.7 * first, `loss ${first} → ${last}`);
      assert.ok(typeof out.evalAccuracy === 'number' && out.evalAccuracy > 0.85, `accuracy ${out.evalAccuracy}`);
      const config = JSON.parse(fs.readFileSync(path.join(out.runDir, 'config.json'), 'utf8')) as { config: { task: string } };
      assert.equal(config.config.task, 'classification');
    });
  }

  it('a stopped LM-ResNet run resumes to the same weights as an uninterrupted one', async () => {
    const whole = await trainExperiment(defineExperiment(spec('lm', 30)), { runsRoot: scratch });
    const stop = new AbortController();
    const first = await trainExperiment(defineExperiment(spec('lm', 30)), { runsRoot: scratch, signal: stop.signal, onProgress: (p) => p.iteration === 10 && stop.abort() });
    assert.equal(first.status, 'cancelled');
    const resumed = await trainExperiment(defineExperiment(spec('lm', 30)), { runsRoot: scratch, resume: first.runId });
    assert.equal(resumed.loss, whole.loss);
  });

  it('a discrete network with trajectory data is refused at the spec, saying what fits', async () => {
    const exp = defineExperiment({ ...spec('resnet'), data: () => spiral({ dataSize: 50 }) });
    await assert.rejects(trainExperiment(exp, { runsRoot: scratch }), /discreteExperiment\.test\.ts:\d+:\d+.*classifies labelled points.*trajectory/s);
  });

  it('the panels and the inspector explain that a discrete network has no vector field', async () => {
    const exp = defineExperiment(spec('lm'));
    await assert.rejects(previewExperiment(exp, { grid: 8 }), /discrete network \(lm, 4 layers\): it has no vector field.*modeq --scheme lm/s);
    await assert.rejects(traceExperiment(exp), /discrete network/);
  });
});
