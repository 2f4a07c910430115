// The ODE-Net as an experiment: a few iterations through the trainer on a Fashion-MNIST subset
// lower the loss with finite NFE; the memory kept for the backward pass stays flat under the
// adjoint when the steps grow tenfold and grows under backprop (and with a ResNet's depth);
// wrong image shapes and options are refused saying what to change.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Rng } from '../../engine/src/data/rng';
import { FASHION_MNIST_DIR } from '../../engine/src/data/idx';
import type { PointData } from '../../engine/src/data/types';
import { defineExperiment, type ExperimentSpec } from '../../engine/src/experiments/define';
import { odeNetTask } from '../../engine/src/experiments/odeNetTask';
import { LinearReadout } from '../../engine/src/experiments/readout';
import { trainExperiment } from '../../engine/src/experiments/trainer';
import { odeNet, odeNetLossAndGrad } from '../../engine/src/odenet/index';
import { fashionMnistPoints } from '../../engine/src/resnet/index';
import { readMetrics } from '../../engine/src/train/runStore';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-odenet-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** n random images of size × size with labels 0 … 2. */
function images(n: number, size: number, seed = 1): PointData {
  const rng = new Rng(seed);
  return { name: `noise-${size}`, n, dim: size * size, x: Float64Array.from({ length: n * size * size }, () => rng.random()), labels: Float64Array.from({ length: n }, (_, i) => i % 3) };
}

const installed = fs.existsSync(path.join(FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz'));
const skip = installed ? false : `Fashion-MNIST is not installed: apt-get install dataset-fashion-mnist puts it in ${FASHION_MNIST_DIR}`;

describe('odeNet experiments', () => {
  for (const [label, model, gradient] of [
    ['ODE-Net (adjoint)', () => odeNet({ channels: 4, seed: 1 }), 'adjoint'],
    ['ResNet', () => odeNet({ architecture: 'resnet', channels: 4, depth: 3, seed: 1 }), undefined],
  ] as const) {
    it(`${label} trains on a Fashion-MNIST subset through the trainer: the loss falls, NFE is finite`, { skip }, async () => {
      const spec: ExperimentSpec = {
        name: `odenet-${label}`,
        data: () => fashionMnistPoints({ split: 'train', limit: 300, pool: 1 }),
        model,
        ...(gradient ? { gradient, solver: { rtol: 1e-3, atol: 1e-3 } } : {}),
        train: { iterations: 100, optimizer: { name: 'adam', lr: 2e-2 }, batchSize: 16, evalEvery: 0, checkpointEvery: 100 },
      };
      const progress: number[] = [];
      const out = await trainExperiment(defineExperiment(spec), { runsRoot: scratch, onProgress: (p) => progress.push(p.nfeForward) });
      assert.equal(out.status, 'finished', out.message);
      const m = readMetrics(out.runDir).records;
      assert.equal(m.length, 100);
      const mean = (r: typeof m): number => r.reduce((s, x) => s + x.loss, 0) / r.length;
      assert.ok(mean(m.slice(-20)) < 0.85 * mean(m.slice(0, 20)), `loss ${mean(m.slice(0, 20))} → ${mean(m.slice(-20))}`);
      for (const r of m) {
        const [f, b] = [r.nfeForward ?? NaN, r.nfeBackward ?? NaN];
        assert.ok(Number.isFinite(f) && f > 0 && Number.isFinite(b) && b > 0, `NFE ${f}/${b}`);
        assert.ok(typeof r.accuracy === 'number');
      }
      assert.equal(progress.length, 100);
      assert.ok(typeof out.evalAccuracy === 'number' && out.evalAccuracy > 0.2, `accuracy ${out.evalAccuracy}`);
      const config = JSON.parse(fs.readFileSync(path.join(out.runDir, 'config.json'), 'utf8')) as { config: { data: { model: { kind: string } } } };
      assert.equal(config.config.data.model.kind, 'ode-net');
    });
  }

  it("the adjoint's stored bytes stay flat when the steps grow tenfold; backprop's and a ResNet's grow", async () => {
    const data = images(8, 12);
    const target = Int32Array.from(data.labels!);
    const net = odeNet({ channels: 4, height: 12, width: 12, pool: 2, seed: 2 });
    const readout = new LinearReadout(net.features, 3, 'crossEntropy', 1);
    const bytes = async (method: 'adjoint' | 'backprop', steps: number): Promise<number> => {
      const r = await odeNetLossAndGrad(net, readout, data.x, target, { solver: { method: 'rk4', options: { stepSize: 1 / steps } }, gradient: { method } });
      assert.equal(r.stats.nfeForward, 4 * steps);
      return r.stats.peakStoredBytes;
    };
    const stateBytes = 8 * data.n * net.stateDim;
    const [adj2, adj20, bp2, bp20] = [await bytes('adjoint', 2), await bytes('adjoint', 20), await bytes('backprop', 2), await bytes('backprop', 20)];
    assert.equal(adj20, adj2, 'the adjoint keeps no state per step');
    // backprop keeps at least the stage inputs of every step
    assert.ok(bp20 - bp2 >= 18 * 4 * stateBytes, `backprop ${bp2} → ${bp20} bytes`);
    const res = async (depth: number): Promise<number> => {
      const r = odeNet({ architecture: 'resnet', channels: 4, height: 12, width: 12, pool: 2, depth, seed: 2 });
      return (await odeNetLossAndGrad(r, readout, data.x, target)).stats.peakStoredBytes;
    };
    const [r2, r20] = [await res(2), await res(20)];
    assert.ok(r20 - r2 >= 18 * 5 * stateBytes, `ResNet ${r2} → ${r20} bytes`);
  });

  it('refuses data that are not images of the network\'s size, saying which size and what to change', () => {
    const exp = { train: { iterations: 1, optimizer: { name: 'adam' as const } } };
    const net = odeNet({ channels: 4 });
    const pooled = images(10, 14);
    assert.throws(() => odeNetTask(exp, pooled, net, { method: 'adjoint' }), /1 × 28 × 28 = 784.*have 196.*height: 14, width: 14.*pool: 1/s);
    const rgb = odeNet({ channels: 4, inChannels: 3 });
    assert.throws(() => odeNetTask(exp, images(10, 28), rgb, { method: 'adjoint' }), /3 × 28 × 28 = 2352.*have 784/);
    assert.throws(() => net.embed(new Float64Array(700)), /700 values.*1 × 28 × 28 = 784/);
  });

  it('refuses options that do not fit together', () => {
    assert.throws(() => odeNet({ channels: 6, groups: 4 }), /groups \(4\) must divide channels \(6\)/);
    assert.throws(() => odeNet({ channels: 4, pool: 5 }), /pool 5 must divide.*28 × 28/);
    assert.throws(() => odeNet({ channels: 4, depth: 3 }), /depth counts a ResNet's blocks/);
    assert.throws(() => odeNet({ architecture: 'resnet', channels: 4 }), /depth must be a whole number/);
    assert.throws(() => odeNet({ channels: 0 }), /channels must be a whole number ≥ 1, got 0/);
    assert.throws(() => odeNet({ channels: 4, pool: 4, poolAfter: 2 }), /poolAfter 2 must divide.*7 × 7 after pool 4/);
    assert.throws(() => odeNet({ channels: 4, headPool: 8 }), /headPool 8 is more regions.*\(7\)/);
  });
});
