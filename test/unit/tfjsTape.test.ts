// A field left on TensorFlow.js keeps tfjs's gradient tape from its forward evaluation, so the
// reverse sweep's vjp runs the backward pass alone. Its results must be the same bits as a vjp
// that evaluates f again, and every tensor it keeps must be freed however the sweep ends.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { selectBackend, tf } from '../../engine/src/backend/index';
import { layersModelField } from '../../engine/src/fields/layersField';
import { tensorField } from '../../engine/src/fields/tensorField';
import { tensorNativeField } from '../../engine/src/fields/tensorNative';
import { tapedEvaluation } from '../../engine/src/fields/tfjsTape';
import { odeintGrad } from '../../engine/src/gradients/odeintGrad';
import { assertSameBits, untaped } from './gradientProblems';

const seeded = (shape: number[], seed: number, scale = 0.5) => tf.variable(tf.randomNormal(shape, 0, scale, 'float32', seed));
const state = (n: number, seed = 1) => Float64Array.from({ length: n }, (_, i) => Math.sin(seed * 12.9898 * (i + 1)) * 0.8);
const bits = (t: tf.Tensor) => Float64Array.from(t.dataSync());

/** A pendulum with a learned friction: slices, two products, tanh, sin and a concat, y used three times. */
function pendulum(hidden: number, seed: number, compile = false) {
  const w1 = seeded([2, hidden], seed);
  const b1 = seeded([hidden], seed + 1);
  const w2 = seeded([hidden, 1], seed + 2, 1 / Math.sqrt(hidden));
  const fn = (_t: number, y: tf.Tensor) => {
    const theta = tf.slice(y, [0, 0], [-1, 1]);
    const omega = tf.slice(y, [0, 1], [-1, 1]);
    const friction = tf.matMul(tf.tanh(tf.add(tf.matMul(y, w1), b1)), w2);
    return tf.concat([omega, tf.sub(friction, tf.sin(theta))], 1);
  };
  return { field: tensorField(fn, { w1, b1, w2 }, { compile }), vars: [w1, b1, w2] };
}

describe('tfjs gradient tape', () => {
  before(async () => {
    await selectBackend('wasm');
  });

  it('tapedEvaluation gives what tf.engine().gradients gives, bit for bit, and null for an x the value does not depend on', () => {
    const x = tf.tensor2d([0.3, -1.2, 2.5, 0.7, -0.4, 1.1], [3, 2]);
    const w = tf.variable(tf.tensor2d([0.5, -0.25, 1.5, 0.75], [2, 2]));
    const unused = tf.variable(tf.scalar(2));
    const fn = () => tf.add(tf.mul(tf.sigmoid(tf.matMul(x, w)), x), tf.square(x));
    const a = tf.tensor2d([1, -2, 0.5, 3, -1, 0.25], [3, 2]);
    const expected = tf.tidy(() => tf.engine().gradients(fn, [x, w], a, true).grads);
    const before = tf.memory().numTensors;
    const run = tapedEvaluation(fn, [x, w, unused]);
    assert.ok(run, 'this tfjs keeps a tape');
    assert.ok(run.bytes > 0);
    const [gx, gw, gu] = run.vjp(a);
    assertSameBits(bits(gx!), bits(expected[0]), 'd/dx');
    assertSameBits(bits(gw!), bits(expected[1]), 'd/dw');
    assert.equal(gu, null);
    // a second vjp from the same tape: the kept tensors are not consumed
    const again = run.vjp(a);
    assertSameBits(bits(again[1]!), bits(expected[1]), 'd/dw again');
    [gx, gw, ...again].forEach((g) => g?.dispose());
    run.value.dispose();
    run.dispose();
    assert.equal(tf.memory().numTensors, before, 'everything the tape kept is freed');
    assert.throws(() => run.vjp(tf.zeros([2, 2])), /cotangent must be float32 of shape \[3, 2\]/);
    [x, w, unused, a, ...expected].forEach((t) => t.dispose());
  });

  it('leaves the engine as it was when the function throws', () => {
    const x = tf.scalar(3);
    const before = tf.memory().numTensors;
    assert.throws(
      () =>
        tapedEvaluation(() => {
          tf.mul(x, x);
          throw new Error('thrown on purpose');
        }, [x]),
      /thrown on purpose/,
    );
    assert.equal(tf.memory().numTensors, before, 'what the tape kept is freed');
    const engine = tf.engine() as unknown as { state: { activeTape: unknown; gradientDepth: number }; saveTensorsForBackwardMode: unknown };
    assert.equal(engine.state.gradientDepth, 0);
    assert.equal(engine.state.activeTape, null);
    assert.ok(!Object.prototype.hasOwnProperty.call(engine, 'saveTensorsForBackwardMode'), "the engine's own save again");
    const g = tf.grad((v: tf.Tensor) => tf.mul(v, v))(x);
    assert.equal(g.dataSync()[0], 6);
    [x, g].forEach((t) => t.dispose());
  });

  it("a tensorField's taped vjp is its vjp, bit for bit; a variable f never reads, or an operation without a gradient, is reported from it too", () => {
    const { field, vars } = pendulum(16, 4);
    const y = tf.tensor2d(Array.from(state(10)), [5, 2]);
    const a = tf.tensor2d(Array.from(state(10, 2)), [5, 2]);
    const taped = field.taped!(0.5, y)!;
    const plain = field.vjp(0.5, y, a);
    const g = taped.vjp(a);
    assertSameBits(bits(taped.f), bits(field.f(0.5, y)), 'f');
    assertSameBits(bits(g.y), bits(plain.y), 'dy');
    g.params.forEach((p, i) => assertSameBits(bits(p), bits(plain.params[i]), `d${field.paramNames![i]}`));
    taped.dispose();

    const spare = tf.variable(tf.scalar(1));
    const lazy = tensorField((_t, x) => tf.mul(x, vars[1].sum()), { b1: vars[1], spare });
    const run = lazy.taped!(0, y)!;
    assert.throws(() => run.vjp(a), /does not use the variable 'spare'/);
    run.dispose();

    // an operation TensorFlow.js has no gradient for is named, with what to do
    const cumulative = tensorField((_t, x) => tf.mul(tf.cumprod(x, 1), vars[1].sum()), { b1: vars[1] });
    const product = cumulative.taped!(0, y)!;
    assert.throws(() => product.vjp(a), /operation 'Cumprod', which TensorFlow.js cannot differentiate: write that part with operations that have a gradient/);
    product.dispose();
    [y, a, spare, ...vars].forEach((t) => t.dispose());
  });

  const cases = [
    { name: 'dopri5, several outputs', method: 'dopri5', t: [0, 0.4, 1.1] },
    { name: 'rk4, backwards', method: 'rk4', t: [1, 0], options: { stepSize: 0.1 } },
  ];
  for (const c of cases) {
    it(`backprop of a field left on tfjs, ${c.name}: the tape keeps every stage, the same bits as without it, no tensor left`, async () => {
      const { field, vars } = pendulum(24, 7);
      const native = tensorNativeField(field, 2);
      const y0 = state(2 * 9, 3);
      const cots = c.t.map((_, i) => (i === 0 ? null : state(18, 5 + i)));
      const opts = { method: c.method, rtol: 1e-6, atol: 1e-8, options: c.options, gradient: 'backprop' as const };
      const before = tf.memory().numTensors;
      let records = 0;
      let made = 0;
      const watched = {
        ...native,
        tape: () => {
          const inner = native.tape!()!;
          return {
            ...inner,
            f: (t: number, y: Float64Array) => {
              const r = inner.f(t, y);
              made++;
              if (r.record >= 0) records++;
              return r;
            },
            get size() {
              return inner.size;
            },
            get bytes() {
              return inner.bytes;
            },
          };
        },
      };
      const taped = await odeintGrad(watched, y0, c.t, cots, opts);
      assert.equal(native.compiled?.why, 'the tensorField says compile: false');
      assert.ok(records > 0 && records === made, `${records} of ${made} evaluations kept`);
      assert.equal(tf.memory().numTensors, before, 'the tape freed what it kept');
      const plain = await odeintGrad(untaped(native), y0, c.t, cots, opts);
      assertSameBits(taped.gradY0, plain.gradY0, 'dL/dy0');
      assertSameBits(taped.gradParams, plain.gradParams, 'dL/dθ');
      vars.forEach((v) => v.dispose());
    });
  }

  it('a tf.sequential that does not compile trains from its tape, and a cancelled sweep frees it', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 12, inputShape: [2], activation: 'tanh' }), tf.layers.dense({ units: 2 })] });
    // reading a tensor's values keeps the model on tfjs
    const base = layersModelField(model);
    const reads = tensorField(
      (t, y) => {
        const scale = y.abs().max().dataSync()[0] > 10 ? 0.5 : 1;
        return tf.mul(base.f(t, y), scale);
      },
      base.params as tf.Variable[],
    );
    const native = tensorNativeField(reads, 2);
    const y0 = state(2 * 6, 8);
    const before = tf.memory().numTensors;
    const taped = await odeintGrad(native, y0, [0, 1], [null, y0], { gradient: 'backprop' });
    assert.match(native.compiled?.why ?? '', /reads a tensor's values/);
    const plain = await odeintGrad(untaped(native), y0, [0, 1], [null, y0], { gradient: 'backprop' });
    assertSameBits(taped.gradParams, plain.gradParams, 'dL/dθ');
    const controller = new AbortController();
    await assert.rejects(
      odeintGrad(native, y0, [0, 1], (ys) => (controller.abort(), ys.map((y) => y.slice())), { gradient: 'backprop', signal: controller.signal }),
      /cancelled/,
    );
    assert.equal(tf.memory().numTensors, before, 'nothing left after a finished and a cancelled sweep');
    model.dispose();
  });
});
