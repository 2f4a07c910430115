// Discrete networks as schemes: the LM step with k = 0 is the ResNet step, the layers satisfy
// their recurrences exactly, an RK-Net unrolling Euler is a ResNet; stochastic depth's test-time
// scaling is the expectation of the training network; randomness is fixed by the seed; and
// wrong shapes and options get messages that say what, where and what to try.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../engine/src/data/rng';
import { circles } from '../../engine/src/data/toys2d';
import { DiscreteNetwork, trainClassifier, type DiscreteNetworkOptions } from '../../engine/src/resnet/index';

const base = { inputDim: 3, width: 4, hidden: 6, depth: 5, activation: 'tanh' as const, seed: 3 };
const input = (B: number, dim: number, seed = 1): Float64Array => {
  const r = new Rng(seed);
  return Float64Array.from({ length: B * dim }, () => r.normal());
};
const maxDiff = (a: Float64Array, b: Float64Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('discrete networks as schemes', () => {
  it('an LM network with every k_n = 0 steps exactly as the ResNet with the same weights', () => {
    const res = new DiscreteNetwork({ ...base, architecture: 'resnet' });
    const lm = new DiscreteNetwork({ ...base, architecture: 'lm', kInit: 0 });
    // the LM layout is the ResNet's with k appended
    assert.deepEqual(Array.from(lm.params.subarray(0, res.params.length)), Array.from(res.params));
    const x = input(7, 3);
    const a = res.forward(x).states;
    const b = lm.forward(x).states;
    for (let n = 0; n <= base.depth; n++) assert.deepEqual(Array.from(b[n]), Array.from(a[n]), `u_${n}`);
    // and a nonzero k changes the output
    lm.param('k').fill(0.3);
    assert.ok(maxDiff(lm.predict(x), res.predict(x)) > 1e-3);
  });

  it('LM layers satisfy u_{n+1} = (1 − k_n) u_n + k_n u_{n−1} + f_n(u_n), the first a ResNet step', () => {
    const lm = new DiscreteNetwork({ ...base, architecture: 'lm', kInit: [-0.5, 0.5] });
    const u = lm.forward(input(4, 3)).states;
    assert.ok(maxDiff(u[1], u[0].map((v, i) => v + lm.branch(0, u[0])[i])) < 1e-15);
    for (let n = 1; n < base.depth; n++) {
      const k = lm.k(n);
      const f = lm.branch(n, u[n]);
      const want = u[n].map((v, i) => (1 - k) * v + k * u[n - 1][i] + f[i]);
      assert.ok(maxDiff(u[n + 1], want) < 1e-14, `layer ${n}`);
    }
    assert.equal(lm.k(0), 0);
    assert.equal(lm.param('k').length, base.depth - 1);
    assert.ok(lm.param('k').every((k) => k !== 0));
  });

  it('a one-layer ResNet computes u_1 = u_0 + W2·relu(W1·u_0 + b1) + b2 with u_0 = W·x + b', () => {
    const net = new DiscreteNetwork({ inputDim: 3, width: 2, hidden: 4, depth: 1, architecture: 'resnet', seed: 9 });
    const [W, b, W1, b1, W2, b2] = ['input.weight', 'input.bias', 'blocks.0.0.weight', 'blocks.0.0.bias', 'blocks.0.2.weight', 'blocks.0.2.bias'].map((n) => net.param(n));
    const x = [0.3, -1.2, 0.7];
    const u0 = [0, 1].map((o) => b[o] + x.reduce((s, v, i) => s + W[o * 3 + i] * v, 0));
    const h = [0, 1, 2, 3].map((j) => Math.max(0, b1[j] + u0.reduce((s, v, i) => s + W1[j * 2 + i] * v, 0)));
    const u1 = [0, 1].map((o) => u0[o] + b2[o] + h.reduce((s, v, j) => s + W2[o * 4 + j] * v, 0));
    const got = net.predict(Float64Array.from(x));
    u1.forEach((v, i) => assert.ok(Math.abs(got[i] - v) < 1e-14, `component ${i}: ${got[i]} vs ${v}`));
  });

  it('conv blocks: the input layer is a zero-padded 3 × 3 convolution (checked against a direct sum)', () => {
    const [H, Wd, cin, C] = [4, 5, 2, 3];
    const net = new DiscreteNetwork({ inputDim: cin * H * Wd, conv: { height: H, width: Wd, inChannels: cin, channels: C }, depth: 1, architecture: 'resnet', seed: 2 });
    assert.equal(net.width, C * H * Wd);
    const x = input(2, cin * H * Wd, 4);
    const u0 = net.forward(x).states[0];
    const w = net.param('input.weight');
    const b = net.param('input.bias');
    const px = (n: number, c: number, i: number, j: number): number => (i < 0 || j < 0 || i >= H || j >= Wd ? 0 : x[((n * cin + c) * H + i) * Wd + j]);
    let worst = 0;
    for (let n = 0; n < 2; n++) for (let co = 0; co < C; co++) for (let i = 0; i < H; i++) for (let j = 0; j < Wd; j++) {
      let s = b[co];
      for (let ci = 0; ci < cin; ci++) for (let di = 0; di < 3; di++) for (let dj = 0; dj < 3; dj++) s += w[((co * cin + ci) * 3 + di) * 3 + dj] * px(n, ci, i + di - 1, j + dj - 1);
      worst = Math.max(worst, Math.abs(u0[((n * C + co) * H + i) * Wd + j] - s));
    }
    assert.ok(worst < 1e-14, `max difference ${worst}`);
    // PyTorch's Conv2d bound 1/√(cin·9)
    assert.ok(w.every((v) => Math.abs(v) <= 1 / Math.sqrt(cin * 9)));
    assert.ok(w.some((v) => Math.abs(v) > 0.5 / Math.sqrt(cin * 9)));
  });

  it('k_n starts uniform on [−0.1, 0] by default', () => {
    const lm = new DiscreteNetwork({ ...base, depth: 200, architecture: 'lm' });
    const k = lm.param('k');
    assert.ok(k.every((v) => v >= -0.1 && v <= 0));
    const mean = k.reduce((a, b) => a + b, 0) / k.length;
    assert.ok(Math.abs(mean + 0.05) < 0.01, `mean k ${mean}`);
  });

  it('an RK-Net unrolling euler is the ResNet; midpoint is u + f(u + f(u)/2) with the layer block', () => {
    const res = new DiscreteNetwork({ ...base, architecture: 'resnet' });
    const eul = new DiscreteNetwork({ ...base, architecture: 'rk', method: 'euler' });
    const mid = new DiscreteNetwork({ ...base, architecture: 'rk', method: 'midpoint' });
    const x = input(5, 3);
    assert.deepEqual(Array.from(eul.predict(x)), Array.from(res.predict(x)));
    const u = mid.forward(x).states;
    for (let n = 0; n < base.depth; n++) {
      const f0 = res.branch(n, u[n]);
      const f1 = res.branch(n, u[n].map((v, i) => v + 0.5 * f0[i]));
      assert.ok(maxDiff(u[n + 1], u[n].map((v, i) => v + f1[i])) < 1e-14, `layer ${n}`);
    }
    assert.equal(mid.forward(x).evaluations, 2 * base.depth);
  });

  it('stochastic depth: survival falls linearly with depth to p_L, and layers drop at that rate', () => {
    const net = new DiscreteNetwork({ ...base, depth: 4, architecture: 'lm', stochasticDepth: { finalSurvival: 0.5 } });
    assert.deepEqual([0, 1, 2, 3].map((n) => net.survival(n)), [0.875, 0.75, 0.625, 0.5]);
    const rng = new Rng(4);
    const kept = [0, 0, 0, 0];
    const runs = 4000;
    const x = input(1, 3);
    for (let r = 0; r < runs; r++) net.forward(x, { training: true, rng }).layers.forEach((l, n) => (kept[n] += l.eta));
    kept.forEach((k, n) => {
      const p = net.survival(n);
      assert.ok(Math.abs(k / runs - p) < 4 * Math.sqrt((p * (1 - p)) / runs), `layer ${n}: kept ${k / runs}, expected ${p}`);
    });
  });

  it('stochastic depth and noise: the test-time network is the expectation of the training network (affine blocks)', () => {
    // With affine blocks the output is affine in each independent mask and noise draw, so its
    // expectation is the network with every branch scaled by its survival probability.
    for (const architecture of ['resnet', 'lm'] as const) {
      const opts: DiscreteNetworkOptions = { ...base, activation: 'identity', architecture, kInit: architecture === 'lm' ? [-0.4, 0.4] : undefined, stochasticDepth: { finalSurvival: 0.4 }, noise: 0.05 };
      const net = new DiscreteNetwork(opts);
      const plain = new DiscreteNetwork({ ...opts, stochasticDepth: false, noise: 0 });
      const x = input(1, 3, 9);
      const test = net.predict(x);
      const runs = 20000;
      const rng = new Rng(8);
      const sum = new Float64Array(test.length);
      const sq = new Float64Array(test.length);
      for (let r = 0; r < runs; r++) {
        const out = net.forward(x, { training: true, rng }).states[net.depth];
        for (let i = 0; i < out.length; i++) {
          sum[i] += out[i];
          sq[i] += out[i] * out[i];
        }
      }
      for (let i = 0; i < test.length; i++) {
        const mean = sum[i] / runs;
        const se = Math.sqrt((sq[i] / runs - mean * mean) / runs);
        assert.ok(Math.abs(mean - test[i]) < 4 * se + 1e-12, `${architecture} output ${i}: mean ${mean}, test mode ${test[i]}, se ${se}`);
      }
      // the scaling matters: the unscaled network is far from the mean
      assert.ok(maxDiff(plain.predict(x), test) > 0.05, 'test-time scaling changes the output');
    }
  });

  it('one seed gives one training pass; another seed another', () => {
    const net = new DiscreteNetwork({ ...base, architecture: 'lm', stochasticDepth: true, noise: 0.1 });
    const x = input(3, 3);
    const a = net.forward(x, { training: true, rng: new Rng(1) }).states[base.depth];
    const b = net.forward(x, { training: true, rng: new Rng(1) }).states[base.depth];
    const c = net.forward(x, { training: true, rng: new Rng(2) }).states[base.depth];
    assert.deepEqual(Array.from(a), Array.from(b));
    assert.ok(maxDiff(a, c) > 1e-6);
    // test mode draws nothing and needs no rng
    assert.deepEqual(Array.from(net.predict(x)), Array.from(net.forward(x, { training: false }).states[base.depth]));
  });
});

describe('discrete networks: errors say what, where and what to try', () => {
  const bad = (opts: Partial<DiscreteNetworkOptions>, pattern: RegExp): void => {
    assert.throws(() => new DiscreteNetwork({ ...base, architecture: 'resnet', ...opts } as DiscreteNetworkOptions), (e: Error) => {
      assert.match(e.message, /^discreteNetwork: /);
      assert.match(e.message, pattern);
      return true;
    });
  };
  it('rejects bad options', () => {
    bad({ architecture: 'densenet' as never }, /architecture must be 'resnet', 'lm' or 'rk', got "densenet"/);
    bad({ width: 0 }, /width must be a whole number ≥ 1, got 0/);
    bad({ depth: 2.5 }, /depth must be a whole number/);
    bad({ architecture: 'lm', depth: 1 }, /LM network needs depth ≥ 2.*use architecture 'resnet'/);
    bad({ architecture: 'rk', method: 'dopri5' }, /'dopri5' is not a fixed-grid explicit Runge–Kutta method.*midpoint/);
    bad({ architecture: 'rk', method: 'rk5' }, /'rk5' is not a known method.*rk4/);
    bad({ architecture: 'rk', method: 'implicit_euler' }, /'implicit_euler' is not a fixed-grid explicit Runge–Kutta method/);
    bad({ method: 'rk4' }, /method is for architecture 'rk'/);
    bad({ kInit: [-0.1, 0] }, /kInit sets the LM coefficients.*architecture 'resnet' has none/);
    bad({ architecture: 'lm', kInit: [0.1, -0.1] }, /lo ≤ hi/);
    bad({ stochasticDepth: { finalSurvival: 0 } }, /finalSurvival must be in \(0, 1\]/);
    bad({ noise: -1 }, /noise must be a standard deviation ≥ 0/);
    bad({ activation: 'gelu' as never }, /activation must be one of relu, tanh, identity/);
    const conv = { height: 4, width: 4, channels: 2 };
    bad({ inputDim: 16, conv }, /width and hidden size MLP blocks.*remove width and hidden/);
    bad({ inputDim: 15, width: undefined, hidden: undefined, conv }, /inputDim 15 does not match conv: inChannels × height × width = 1 × 4 × 4 = 16/);
    bad({ inputDim: 16, width: undefined, hidden: undefined, conv: { ...conv, channels: 0 } }, /conv.channels must be a whole number ≥ 1, got 0/);
  });

  it('rejects bad shapes and missing randomness', () => {
    const net = new DiscreteNetwork({ ...base, architecture: 'lm', stochasticDepth: true });
    assert.throws(() => net.forward(new Float64Array(7)), /forward: x has 7 values, not a whole number ≥ 1 of samples of inputDim 3.*\[batch × 3\]/);
    assert.throws(() => net.forward(new Float64Array(6), { training: true }), /stochastic depth or noise.*rng: new Rng\(seed\)/);
    const tape = net.forward(new Float64Array(6));
    assert.throws(() => net.backward(tape, new Float64Array(5)), /backward: the cotangent has 5 values but the output is \[2 × 4\]/);
    assert.throws(() => net.param('blocks.9.0.weight'), /no parameter 'blocks.9.0.weight'; it has input.weight/);
    assert.throws(() => new DiscreteNetwork({ ...base, architecture: 'resnet' }).k(1), /'resnet' has no k_n; only 'lm' does/);
    const pts = circles({ n: 64, seed: 1 });
    assert.throws(() => trainClassifier(net, pts, { optimizer: { name: 'adam' }, epochs: 1, batchSize: 8 }), /data 'circles' have dim 2 but the network takes inputDim 3; build the network with inputDim: 2/);
    const net2 = new DiscreteNetwork({ ...base, inputDim: 2, architecture: 'resnet' });
    assert.throws(() => trainClassifier(net2, pts, { optimizer: { name: 'adam' }, epochs: 1, batchSize: 100 }), /batchSize must be a whole number in 1 … 64/);
  });
});
