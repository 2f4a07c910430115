// The user's own TensorFlow.js models (tensorField and tf.LayersModel) as native fields: the
// same gradients as mlpField on the same weights for every gradient method, finite differences,
// PyTorch-like names, and the refusals at the user's line.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { selectBackend, tf } from '../../engine/src/backend/index';
import { layersModelField } from '../../engine/src/fields/layersField';
import { mlpField, tensorField, tensorMlpField } from '../../engine/src/fields/index';
import { tensorNativeField } from '../../engine/src/fields/tensorNative';
import { odeintGrad } from '../../engine/src/gradients/odeintGrad';
import type { GradientMethod } from '../../engine/src/gradients/types';
import { exportWeights, importWeights } from '../../engine/src/io/weights';
import { decodeSafetensors } from '../../engine/src/io/safetensors';
import { finiteDifferences, relErr } from './gradientProblems';

const y0 = Float64Array.from([0.5, -0.3, 0.2, 0.7, -0.4, 0.1]); // two samples of 3
const times = [0, 0.5, 1];
const cots = [null, Float64Array.from([0.3, -0.2, 0.5, 0.1, 0.4, -0.6]), Float64Array.from([1, 0.5, -0.25, -1, 0.2, 0.3])];

describe('the user\'s tfjs models as native fields', () => {
  before(async () => {
    await selectBackend('wasm');
  });

  const sizes = [3, 10, 3];
  const cases: { name: string; gradient: GradientMethod; seminorm?: boolean }[] = [
    { name: 'backprop', gradient: 'backprop' },
    { name: 'checkpoint', gradient: 'checkpoint' },
    { name: 'adjoint', gradient: 'adjoint' },
    { name: 'adjoint + seminorm', gradient: 'adjoint', seminorm: true },
  ];
  for (const c of cases) {
    it(`${c.name}: a tensor field's gradients equal mlpField's on the same weights (float32 tolerance)`, async () => {
      const native = mlpField({ sizes, activation: 'tanh', timeDependent: true, seed: 3 });
      const tensor = tensorNativeField(tensorMlpField({ sizes, activation: 'tanh', timeDependent: true, seed: 3 }), 3);
      assert.equal(tensor.params.length, native.params.length);
      assert.ok(relErr(tensor.params, native.params) < 1e-7, 'the same initial weights, rounded to float32');
      native.params.set(tensor.params);
      const opts = { method: 'dopri5', rtol: 1e-6, atol: 1e-8, gradient: c.gradient, adjointOptions: c.seminorm ? { seminorm: true } : undefined };
      const a = await odeintGrad(tensor, y0, times, cots, opts);
      const b = await odeintGrad(native, y0, times, cots, opts);
      assert.ok(relErr(a.ys[2], b.ys[2]) < 1e-5, `y(1): ${relErr(a.ys[2], b.ys[2])}`);
      assert.ok(relErr(a.gradY0, b.gradY0) < 1e-4, `dL/dy0: ${relErr(a.gradY0, b.gradY0)}`);
      assert.ok(relErr(a.gradParams, b.gradParams) < 1e-4, `dL/dθ: ${relErr(a.gradParams, b.gradParams)}`);
      assert.ok(a.stats.nfeBackward > 0);
    });
  }

  it('every gradient method agrees with central differences of the float32 field (rk4)', async () => {
    const w1 = tf.variable(tf.tensor2d([0.4, -0.3, 0.2, 0.1, 0.5, -0.6], [3, 2]));
    const w2 = tf.variable(tf.tensor2d([0.7, -0.2, 0.3, 0.5, -0.4, 0.1], [2, 3]));
    // known physics (a rotation of the first two components) plus a network
    const field = tensorNativeField(
      tensorField((_t, y) => tf.add(tf.concat([tf.neg(tf.slice(y, [0, 1], [-1, 1])), tf.slice(y, [0, 0], [-1, 1]), tf.zeros([y.shape[0], 1])], 1), tf.matMul(tf.sin(tf.matMul(y, w1)), w2)), { w1, w2 }),
      3,
    );
    const opts = { method: 'rk4', options: { stepSize: 0.05 } };
    const fd = await finiteDifferences(field, y0, times, cots, opts, 1e-2);
    for (const [gradient, extra] of [['backprop', {}], ['checkpoint', { checkpoints: 2 }], ['adjoint', {}], ['adjoint', { adjointOptions: { seminorm: true } }]] as const) {
      // the adjoint solves the continuous adjoint with rk4 on the same grid: O(h⁴) from the discrete gradient
      const g = await odeintGrad(field, y0, times, cots, { ...opts, ...extra, gradient });
      const what = `${gradient}${'adjointOptions' in extra ? ' + seminorm' : ''}`;
      assert.ok(relErr(g.gradY0, fd.gradY0) < 2e-3, `${what} dL/dy0: ${relErr(g.gradY0, fd.gradY0)}`);
      assert.ok(relErr(g.gradParams, fd.gradParams) < 2e-3, `${what} dL/dθ: ${relErr(g.gradParams, fd.gradParams)}`);
    }
    assert.deepEqual(field.layout.map((e) => e.name), ['w1', 'w2']);
  });

  it('writes to θ reach the variables before the next evaluation', () => {
    const w = tf.variable(tf.tensor2d([1, 0, 0, 1], [2, 2]));
    const field = tensorNativeField(tensorField((_t, y) => tf.matMul(y, w), [w]), 2);
    assert.deepEqual(Array.from(field.f(0, Float64Array.from([2, 3]))), [2, 3]);
    field.params.set([0, 1, 1, 0]);
    assert.deepEqual(Array.from(field.f(0, Float64Array.from([2, 3]))), [3, 2]);
    assert.deepEqual(Array.from(w.dataSync()), [0, 1, 1, 0]);
  });

  it('a tf.sequential with t as the last input column: PyTorch names, kernels exported as [out, in], and the file loads back', () => {
    // Seeded weights and non-zero biases, so that no relu unit is dead and f is not zero.
    const layers = (seed: number) => [
      tf.layers.dense({ units: 5, inputShape: [3], activation: 'tanh', kernelInitializer: tf.initializers.glorotNormal({ seed }) }),
      tf.layers.dense({ units: 4, activation: 'relu', kernelInitializer: tf.initializers.glorotNormal({ seed: seed + 1 }), biasInitializer: 'ones' }),
      tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotNormal({ seed: seed + 2 }), biasInitializer: 'ones' }),
    ];
    const model = tf.sequential({ layers: layers(1) });
    const field = tensorNativeField(layersModelField(model), 2);
    assert.deepEqual(
      field.layout.map((e) => `${e.name} [${e.shape.join(', ')}]`),
      ['0.weight [5, 3]', '0.bias [5]', '2.weight [4, 5]', '2.bias [4]', '4.weight [2, 4]', '4.bias [2]'],
    );
    // f is the model applied to [y, t]
    const y = Float64Array.from([0.3, -0.8]);
    const expected = (model.predict(tf.tensor2d([[0.3, -0.8, 0.25]])) as tf.Tensor).dataSync();
    const f = field.f(0.25, y);
    assert.ok(relErr(f, expected) < 1e-6);
    // 0.weight in the file is the first kernel transposed
    const kernel = model.layers[0].getWeights()[0].arraySync() as number[][];
    const file = decodeSafetensors(exportWeights(field));
    const w0 = file.tensors.get('0.weight')!;
    assert.deepEqual(w0.shape, [5, 3]);
    assert.ok(Math.abs(w0.data[1 * 3 + 2] - kernel[2][1]) < 1e-7, 'weight[1][2] = kernel[2][1]');
    // loading the file into a fresh model of the same shape gives the same f
    const other = tf.sequential({ layers: layers(11) });
    const back = tensorNativeField(layersModelField(other), 2);
    assert.ok(relErr(back.f(0.25, y), f) > 1e-3, 'a fresh model differs before loading');
    importWeights(back, exportWeights(field));
    assert.ok(relErr(back.f(0.25, y), f) < 1e-6);
  });

  it('refuses a LayersModel whose shapes cannot be a vector field, naming them', () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [5] })] });
    assert.throws(() => layersModelField(model), /maps \[batch, 5\] to \[batch, 3\]: its input must have 3 columns \(y\) or 4 \(y and t\)/);
  });

  it('says which variables the field never uses, instead of training them at zero', () => {
    const used = tf.variable(tf.ones([2, 2]));
    const unused = tf.variable(tf.ones([2]));
    const field = tensorNativeField(tensorField((_t, y) => tf.matMul(y, used), { used, unused }), 2);
    assert.throws(() => field.vjp(0, Float64Array.from([1, 2]), Float64Array.from([1, 1])), /does not use the variable 'unused'/);
  });

  it('refuses a function that returns no tensor, or the wrong shape', () => {
    const w = tf.variable(tf.ones([2, 2]));
    const notTensor = tensorNativeField(tensorField(() => [1, 2] as unknown as tf.Tensor, [w]), 2);
    assert.throws(() => notTensor.f(0, Float64Array.from([1, 2])), /returned object, not a tf.Tensor/);
    const wrong = tensorNativeField(tensorField((_t, y) => tf.matMul(y, tf.ones([2, 3])), [w]), 2);
    assert.throws(() => wrong.f(0, Float64Array.from([1, 2])), /returned shape \[1, 3\] for y of shape \[1, 2\]/);
  });

  it('leaves no tensors behind per evaluation', () => {
    const w = tf.variable(tf.ones([2, 2]));
    const field = tensorNativeField(tensorField((_t, y) => tf.tanh(tf.matMul(y, w)), [w]), 2);
    field.f(0, Float64Array.from([1, 2]));
    field.vjp(0, Float64Array.from([1, 2]), Float64Array.from([1, 0]));
    const n = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      field.params[0] += 0.1;
      field.f(0, Float64Array.from([1, 2, 3, 4]));
      field.vjp(0, Float64Array.from([1, 2]), Float64Array.from([1, 0]));
    }
    assert.equal(tf.memory().numTensors, n);
  });
});
