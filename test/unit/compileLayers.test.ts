// A tf.sequential that is a plain MLP runs on the native kernels: the same f and VJP as the tfjs
// path within float32 tolerance, the same parameter names and order, t as an input column; any
// other model stays on tfjs and says why; a training run says which it was.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { selectBackend, tf } from '../../engine/src/backend/index';
import { compileLayersModel } from '../../engine/src/fields/compileLayers';
import { layersModelField } from '../../engine/src/fields/layersField';
import { tensorNativeField } from '../../engine/src/fields/tensorNative';
import { defineExperiment, spiral, trainExperiment } from '../../engine/src/index';
import { namedLayout } from '../../engine/src/experiments/paramNames';
import { relErr } from './gradientProblems';

const seeded = (seed: number) => tf.initializers.glorotUniform({ seed });
const dense = (units: number, activation: string | undefined, seed: number, inputShape?: number[]) =>
  tf.layers.dense({ units, activation: activation as 'tanh', inputShape, kernelInitializer: seeded(seed), biasInitializer: tf.initializers.randomNormal({ seed: seed + 1, stddev: 0.1 }) });

describe('compiling a tf.LayersModel to the native kernels', () => {
  before(async () => {
    await selectBackend('wasm');
  });

  for (const timeInput of [false, true]) {
    it(`a Dense MLP${timeInput ? ' with t as its last input column' : ''}: f and its VJP equal the tfjs path's`, () => {
      const model = tf.sequential({ layers: [dense(12, 'tanh', 1, [timeInput ? 3 : 2]), dense(12, 'tanh', 3), dense(2, undefined, 5)] });
      const compiled = compileLayersModel(model);
      assert.ok(compiled.field, compiled.why);
      assert.equal(compiled.note, `compiled to the native kernels as mlpField [2, 12, 12, 2] tanh${timeInput ? ' with t as an input' : ''}`);
      const viaTfjs = tensorNativeField(layersModelField(model), 2);
      assert.deepEqual(namedLayout(compiled.field), namedLayout(viaTfjs), 'the same names, shapes and order');
      assert.ok(relErr(compiled.field.params, viaTfjs.params) < 1e-12, 'the same weights');
      const y = Float64Array.from([0.4, -0.7, 1.1, 0.2, -0.3, 0.9]); // three samples
      const t = 0.7;
      assert.ok(relErr(compiled.field.f(t, y), viaTfjs.f(t, y)) < 1e-5);
      const a = Float64Array.from([0.3, -1, 0.5, 0.2, -0.4, 0.8]);
      const native = compiled.field.vjp(t, y, a);
      const tfjs = viaTfjs.vjp(t, y, a);
      assert.ok(relErr(native.y, tfjs.y) < 1e-5, 'the VJP in y');
      assert.ok(relErr(native.params, tfjs.params) < 1e-5, 'the VJP in the parameters');
    });
  }

  it('leaves any other model on tfjs and says why', () => {
    const why = (layers: tf.layers.Layer[]) => compileLayersModel(tf.sequential({ layers })).why;
    assert.match(why([dense(8, 'tanh', 1, [2]), dense(8, 'relu', 2), dense(2, undefined, 3)]) ?? '', /mix the activations tanh, relu/);
    assert.match(why([dense(8, 'tanh', 1, [2]), dense(2, 'tanh', 2)]) ?? '', /last layer has the activation 'tanh'/);
    assert.match(why([dense(8, 'elu', 1, [2]), dense(2, undefined, 2)]) ?? '', /hidden activation 'elu' is not one of tanh/);
    assert.match(why([dense(8, 'tanh', 1, [2]), tf.layers.dropout({ rate: 0.1, name: 'drop' }), dense(2, undefined, 2)]) ?? '', /layer 'drop' is a Dropout/);
    assert.match(why([tf.layers.dense({ units: 8, inputShape: [2], useBias: false, name: 'nobias', activation: 'tanh' }), dense(2, undefined, 2)]) ?? '', /'nobias' has no bias/);
  });

  it('trains as an mlpField, and the run says it was compiled', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-compiled-'));
    const exp = defineExperiment({
      name: 'compiled',
      data: () => spiral({ dataSize: 40, t1: 3 }),
      model: () => tf.sequential({ layers: [dense(16, 'tanh', 7, [2]), dense(2, undefined, 9)] }),
      train: { iterations: 3, optimizer: { name: 'adam', lr: 1e-2 }, batchTime: 4, batchSize: 6 },
    });
    let note: string | undefined;
    const out = await trainExperiment(exp, { runsRoot: root, onStart: (s) => (note = s.model) });
    assert.equal(out.status, 'finished');
    assert.equal(note, 'the tf.LayersModel is compiled to the native kernels as mlpField [2, 16, 2] tanh');
    assert.ok(Number.isFinite(out.loss));
  });
});
