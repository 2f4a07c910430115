// Training discrete networks on labelled points: the loss falls on circles for ResNet, LM-ResNet
// and RK-Net (Adam, SGD with momentum, with stochastic depth), and the TrainTask the trainer
// drives gives the same gradients as the network's backward pass, deterministically per seed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../engine/src/data/rng';
import { circles, moons } from '../../engine/src/data/toys2d';
import { discreteTask } from '../../engine/src/experiments/discreteTask';
import { ExperimentError } from '../../engine/src/experiments/define';
import { createOptimizer } from '../../engine/src/train/optimizers';
import { DiscreteNetwork, batchLossAndGrad, trainClassifier, type DiscreteNetworkOptions } from '../../engine/src/resnet/index';
import { gatherRows } from '../../engine/src/resnet/classifier';
import { LinearReadout } from '../../engine/src/experiments/readout';

const small = { inputDim: 2, width: 6, hidden: 12, depth: 4, seed: 2 };

describe('trainClassifier on circles', () => {
  const cases: [string, DiscreteNetworkOptions, { name: 'adam'; lr: number } | { name: 'sgd'; lr: number; momentum: number }][] = [
    ['ResNet, Adam', { ...small, architecture: 'resnet' }, { name: 'adam', lr: 1e-2 }],
    ['LM-ResNet, Adam', { ...small, architecture: 'lm' }, { name: 'adam', lr: 1e-2 }],
    ['RK-Net (rk4), Adam', { ...small, architecture: 'rk', method: 'rk4' }, { name: 'adam', lr: 1e-2 }],
    ['LM-ResNet, SGD with momentum', { ...small, architecture: 'lm' }, { name: 'sgd', lr: 0.05, momentum: 0.9 }],
    ['LM-ResNet with stochastic depth', { ...small, architecture: 'lm', stochasticDepth: { finalSurvival: 0.5 } }, { name: 'adam', lr: 1e-2 }],
  ];
  const data = circles({ n: 256, seed: 3 });
  const test = circles({ n: 256, seed: 4 });
  for (const [name, opts, optimizer] of cases) {
    it(`${name}: the loss falls and the held-out points are classified`, () => {
      const net = new DiscreteNetwork(opts);
      const k0 = opts.architecture === 'lm' ? Float64Array.from(net.param('k')) : null;
      const r = trainClassifier(net, data, { optimizer, epochs: 25, batchSize: 32, seed: 1, test });
      const first = r.epochs[0].trainLoss;
      const last = r.epochs.at(-1)!.trainLoss;
      assert.ok(last < 0.5 * first, `loss ${first.toFixed(3)} → ${last.toFixed(3)}`);
      assert.ok(r.testAccuracy! > 0.9, `test accuracy ${r.testAccuracy}`);
      // k_n is trained
      if (k0) assert.ok(net.param('k').some((k, i) => Math.abs(k - k0[i]) > 1e-4), 'k_n moved');
    });
  }
});

describe('trainClassifier: schedules', () => {
  it('applies the learning-rate schedule per optimiser step', () => {
    const data = circles({ n: 64, seed: 1 });
    const opts = { ...small, architecture: 'lm' as const };
    // a step schedule with gamma 0: only the very first step moves the parameters
    const trained = new DiscreteNetwork(opts);
    trainClassifier(trained, data, { optimizer: { name: 'sgd', lr: 0.1 }, schedule: { kind: 'step', stepSize: 1, gamma: 0 }, epochs: 3, batchSize: 16, seed: 1 });
    // that first step by hand: the same shuffle, head and gradient
    const net = new DiscreteNetwork(opts);
    const rng = new Rng(1);
    const first = rng.permutation(data.n).subarray(0, 16);
    const head = new LinearReadout(net.width, 2, 'crossEntropy', 2);
    const target = Int32Array.from(first, (i) => (data.labels![i] > 0 ? 1 : 0));
    const g = batchLossAndGrad(net, head, gatherRows(data.x, 2, first), target, rng);
    net.params.forEach((v, i) => (net.params[i] = v - 0.1 * g.gradNetwork[i]));
    assert.deepEqual(Array.from(trained.params), Array.from(net.params));
  });
});

describe('trainClassifier with convolutional blocks', () => {
  /** 6 × 6 noisy images whose class is the side (left or right) with a bright vertical bar. */
  function bars(n: number, seed: number) {
    const rng = new Rng(seed);
    const x = new Float64Array(n * 36);
    const labels = new Float64Array(n);
    for (let s = 0; s < n; s++) {
      const side = rng.int(2);
      labels[s] = side;
      const col = side === 0 ? rng.int(3) : 3 + rng.int(3);
      for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) x[s * 36 + i * 6 + j] = (j === col ? 1 : 0) + 0.3 * rng.normal();
    }
    return { name: 'bars', n, dim: 36, x, labels };
  }
  it('an LM-ResNet with conv blocks learns which side a bar is on', () => {
    const net = new DiscreteNetwork({ inputDim: 36, conv: { height: 6, width: 6, channels: 2 }, depth: 3, architecture: 'lm', seed: 1 });
    const r = trainClassifier(net, bars(192, 1), { optimizer: { name: 'adam', lr: 1e-2 }, epochs: 15, batchSize: 32, seed: 2, test: bars(200, 2) });
    assert.ok(r.epochs.at(-1)!.trainLoss < 0.5 * r.epochs[0].trainLoss, `loss ${r.epochs[0].trainLoss} → ${r.epochs.at(-1)!.trainLoss}`);
    assert.ok(r.testAccuracy! > 0.9, `test accuracy ${r.testAccuracy}`);
  });
});

describe('discreteTask (the TrainTask of a discrete network)', () => {
  const exp = { train: { iterations: 1, optimizer: { name: 'adam' as const, lr: 1e-2 }, batchSize: 32, seed: 5 } };

  it('steps give the exact mini-batch gradient and a few Adam iterations lower the loss', async () => {
    const net = new DiscreteNetwork({ ...small, architecture: 'lm', stochasticDepth: true });
    const data = moons({ n: 200, seed: 1 });
    const task = discreteTask(exp, data, net);
    assert.equal(task.kind, 'classification');
    assert.equal(task.extra, task.readout.params);
    assert.deepEqual(task.summary.classes, [0, 1]);
    assert.equal((task.summary.model as { architecture: string }).architecture, 'lm');
    const before = await task.evaluate();
    const optNet = createOptimizer({ name: 'adam', lr: 1e-2 });
    const optHead = createOptimizer({ name: 'adam', lr: 1e-2 });
    const rng = new Rng(9);
    for (let i = 0; i < 60; i++) {
      const s = await task.step(rng);
      assert.equal(s.gradParams.length, net.params.length);
      assert.equal(s.gradExtra.length, task.extra.length);
      assert.equal(s.stats.nfeForward, s.stats.nVjpBackward);
      assert.ok(s.stats.nfeForward <= net.depth);
      optNet.step(net.params, s.gradParams);
      optHead.step(task.extra, s.gradExtra);
    }
    const after = await task.evaluate();
    assert.ok(after.loss < 0.7 * before.loss, `loss ${before.loss} → ${after.loss}`);
    assert.ok(after.accuracy! > before.accuracy!);
    const held = task.evaluateOn(moons({ n: 200, seed: 2 }));
    assert.ok(held.accuracy! > 0.8, `held-out accuracy ${held.accuracy}`);
  });

  it('is deterministic given the trainer Rng', async () => {
    const make = () => discreteTask(exp, circles({ n: 100, seed: 1 }), new DiscreteNetwork({ ...small, architecture: 'resnet', noise: 0.1, stochasticDepth: true }));
    const a = await make().step(new Rng(3));
    const b = await make().step(new Rng(3));
    const c = await make().step(new Rng(4));
    assert.deepEqual(Array.from(a.gradParams), Array.from(b.gradParams));
    assert.equal(a.loss, b.loss);
    assert.notEqual(a.loss, c.loss);
  });

  it('reports data that do not fit as an ExperimentError saying what to change', () => {
    const net = new DiscreteNetwork({ ...small, inputDim: 3, architecture: 'resnet' });
    assert.throws(() => discreteTask(exp, circles({ n: 50 }), net), (e: Error) => e instanceof ExperimentError && /inputs of 3 components.*have 2: build it with inputDim: 2/.test(e.message));
    const net2 = new DiscreteNetwork({ ...small, architecture: 'resnet' });
    const unlabelled = { name: 'blob', n: 10, dim: 2, x: new Float64Array(20) };
    assert.throws(() => discreteTask(exp, unlabelled, net2), /'blob' have no labels: .*labelled data \(circles\(\), moons\(\), fashionMnistPoints\(\)\)/);
    assert.throws(() => discreteTask({ train: { ...exp.train, batchSize: 500 } }, circles({ n: 50 }), net2), /batchSize is 500 but .* have only 50 points/);
    assert.throws(() => discreteTask({ train: { ...exp.train, batchTime: 5 } }, circles({ n: 50 }), net2), /batchTime .* Remove it/);
  });
});
