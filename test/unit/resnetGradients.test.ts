// The hand-written backward pass of the discrete networks against central finite differences
// in float64: every parameter (k_n included) and the input, for ResNet, LM-ResNet and RK-Nets,
// with and without the training-time randomness (a fixed seed fixes the drawn masks and noise).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../engine/src/data/rng';
import { LinearReadout } from '../../engine/src/experiments/readout';
import { DiscreteNetwork, type DiscreteNetworkOptions } from '../../engine/src/resnet/index';
import { relErr } from './gradientProblems';

/** A fixed smooth scalar of the network: Σ c ⊙ u_L, or the softmax head's cross-entropy. */
function lossOf(net: DiscreteNetwork, x: Float64Array, c: Float64Array, training: boolean, head?: LinearReadout, target?: Int32Array): { loss: number; gParams: Float64Array; gx: Float64Array } {
  const tape = net.forward(x, { training, rng: new Rng(13) });
  const out = tape.states[net.depth];
  let loss = 0;
  let g = c;
  if (head && target) {
    const h = head.lossAndGrad(out, target);
    loss = h.loss;
    g = h.gradY;
  } else {
    for (let i = 0; i < out.length; i++) loss += c[i] * out[i];
  }
  const b = net.backward(tape, g);
  return { loss, gParams: b.params, gx: b.x };
}

function check(opts: DiscreteNetworkOptions, { training = false, withHead = false } = {}): void {
  const net = new DiscreteNetwork(opts);
  const B = 3;
  const rng = new Rng(5);
  const x = Float64Array.from({ length: B * opts.inputDim }, () => rng.normal());
  const c = Float64Array.from({ length: B * net.width }, () => rng.normal());
  const head = withHead ? new LinearReadout(net.width, 3, 'crossEntropy', 2) : undefined;
  const target = withHead ? Int32Array.from([0, 2, 1]) : undefined;
  const L = (): number => lossOf(net, x, c, training, head, target).loss;
  const { gParams, gx } = lossOf(net, x, c, training, head, target);
  const h = 1e-6;
  const fdParams = new Float64Array(net.params.length);
  for (let i = 0; i < net.params.length; i++) {
    const p = net.params[i];
    net.params[i] = p + h;
    const up = L();
    net.params[i] = p - h;
    const down = L();
    net.params[i] = p;
    fdParams[i] = (up - down) / (2 * h);
  }
  const fdX = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    x[i] = v + h;
    const up = L();
    x[i] = v - h;
    const down = L();
    x[i] = v;
    fdX[i] = (up - down) / (2 * h);
  }
  const eP = relErr(gParams, fdParams);
  const eX = relErr(gx, fdX);
  assert.ok(eP < 1e-6, `dL/dθ relative error ${eP.toExponential(2)} for ${JSON.stringify(opts)}`);
  assert.ok(eX < 1e-6, `dL/dx relative error ${eX.toExponential(2)} for ${JSON.stringify(opts)}`);
  if (opts.architecture === 'lm') {
    const k = net.layout.find((e) => e.name === 'k')!;
    const ek = relErr(gParams.subarray(k.offset, k.offset + k.size), fdParams.subarray(k.offset, k.offset + k.size));
    assert.ok(ek < 1e-6, `dL/dk relative error ${ek.toExponential(2)}`);
    assert.ok(gParams.subarray(k.offset, k.offset + k.size).some((v) => Math.abs(v) > 1e-6), 'dL/dk is not trivially zero');
  }
}

const base = { inputDim: 4, width: 3, hidden: 5, depth: 4, activation: 'tanh' as const, seed: 1 };

describe('discrete networks: gradients against central finite differences (float64)', () => {
  it('ResNet (forward Euler)', () => check({ ...base, architecture: 'resnet' }));
  it('LM-ResNet, k_n and all weights', () => check({ ...base, architecture: 'lm', kInit: [-0.6, 0.6] }));
  it('LM-ResNet with the paper initialisation of k_n', () => check({ ...base, architecture: 'lm' }));
  for (const method of ['euler', 'midpoint', 'heun3', 'rk4', 'rk4_classic']) {
    it(`RK-Net unrolling ${method}`, () => check({ ...base, architecture: 'rk', method }));
  }
  it('through the softmax cross-entropy head', () => {
    check({ ...base, architecture: 'lm', kInit: [-0.3, 0.3] }, { withHead: true });
    check({ ...base, architecture: 'rk', method: 'rk4' }, { withHead: true });
  });
  it('with stochastic depth and noise, in training mode (fixed seed) and test mode', () => {
    for (const architecture of ['resnet', 'lm', 'rk'] as const) {
      const opts: DiscreteNetworkOptions = { ...base, depth: 6, architecture, stochasticDepth: { finalSurvival: 0.3 }, noise: 0.1 };
      // with this seed some branches are dropped and some kept, so both paths are checked
      const net = new DiscreteNetwork(opts);
      const etas = net.forward(new Float64Array(3 * base.inputDim), { training: true, rng: new Rng(13) }).layers.map((l) => l.eta);
      assert.ok(etas.includes(0) && etas.includes(1), `masks ${etas.join('')}`);
      check(opts, { training: true });
      check(opts, { training: false });
    }
  });
  it('with 3 × 3 convolutional blocks (input conv, two convs per block), for all three schemes', () => {
    const conv = { inputDim: 2 * 4 * 5, conv: { height: 4, width: 5, inChannels: 2, channels: 2, hiddenChannels: 3 }, depth: 3, activation: 'tanh' as const, seed: 6 };
    check({ ...conv, architecture: 'resnet' });
    check({ ...conv, architecture: 'lm', kInit: [-0.5, 0.5] }, { withHead: true });
    check({ ...conv, architecture: 'rk', method: 'heun' });
    check({ ...conv, architecture: 'lm', stochasticDepth: { finalSurvival: 0.3 }, noise: 0.1 }, { training: true });
  });
  it('with ReLU blocks (away from the kinks)', () => check({ ...base, activation: 'relu', architecture: 'lm', kInit: [-0.3, 0.3], seed: 4 }));
});
