// `analysis/diagnostics` in the real engine worker: a discrete-network experiment file untrained
// and from a run's checkpoint (the k_n the run holds), and errors that point at the file.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { discreteNetwork } from '../../engine/src/index';
import { createRun, finishRun } from '../../engine/src/train/runStore';
import { engineWorkerFixture } from './engineWorkerFixture';

const { client, scratch, runsRoot } = engineWorkerFixture('diagnostics');
const file = path.join(scratch, 'moonsLm.ode.ts');
const model = () => discreteNetwork({ architecture: 'lm', inputDim: 2, width: 4, hidden: 8, depth: 4, seed: 5 });
fs.writeFileSync(
  file,
  [
    "import { defineExperiment, discreteNetwork, moons } from 'neural-ode-studio';",
    'export default defineExperiment({',
    "  name: 'moonsLm',",
    '  data: () => moons({ n: 64, seed: 1 }),',
    "  model: () => discreteNetwork({ architecture: 'lm', inputDim: 2, width: 4, hidden: 8, depth: 4, seed: 5 }),",
    "  train: { iterations: 10, optimizer: { name: 'adam', lr: 1e-2 } },",
    '});',
    '',
  ].join('\n'),
);

describe('analysis/diagnostics', { timeout: 60_000 }, () => {
  it('an untrained LM-ResNet: k_n as initialised, the equation symbolic in k', async () => {
    const d = await client.request('analysis/diagnostics', { file, runsRoot, samples: 2 });
    const net = model();
    assert.equal(d.experiment, 'moonsLm');
    assert.equal(d.iteration, null);
    assert.deepEqual(d.layers?.map((l) => l.k), [0, ...Array.from(net.param('k'))]);
    assert.match(d.equation.derivativeForm ?? '', /\(1 \+ k\) u_t \+ \(1 − k\)\(Δt\/2\) u_tt = f\(u\)/);
    assert.equal(d.tracking?.samples.length, 2);
  });

  it("a run's checkpoint: the run's k_n, and the scheme asked for", async () => {
    const net = model();
    net.param('k').set([0.5, -0.25, 0.125]);
    const run = createRun(runsRoot, { experiment: 'moonsLm', config: { file } });
    run.writeCheckpoint({ iteration: 3, params: net.params, readout: new Float64Array(2 * 4 + 2) });
    finishRun(run, { status: 'finished' });
    const d = await client.request('analysis/diagnostics', { file, runsRoot, runId: run.id, scheme: 'rk4', samples: 1 });
    assert.equal(d.iteration, 3);
    assert.deepEqual(d.layers?.map((l) => l.k), [0, 0.5, -0.25, 0.125]);
    assert.deepEqual(d.layers?.map((l) => l.uT), [1, 1.5, 0.75, 1.125]);
    assert.equal(d.order.scheme, 'rk4');
    assert.equal(d.order.theoretical, 4);
  });

  it('errors point at the experiment file', async () => {
    await assert.rejects(client.request('analysis/diagnostics', { file, runsRoot, scheme: 'dopri9' }), (err: Error) => /moonsLm\.ode\.ts:\d+:\d+/.test(err.message) && /Unknown scheme 'dopri9'/.test(err.message));
    await assert.rejects(client.request('analysis/diagnostics', { file, runsRoot, runId: 'no-such-run' }), /moonsLm\.ode\.ts/);
  });
});
