// Compiled tensor fields (engine/src/fields/trace): a user's tfjs function recorded and replayed
// on the engine's float64 kernels gives tfjs's f and VJP (float32 tolerance) for every kernel
// it compiles, follows t where t enters as a + b·t, and stays on tfjs, saying why, otherwise.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { selectBackend, tf } from '../../engine/src/backend/index';
import { layersModelField } from '../../engine/src/fields/layersField';
import { tensorField } from '../../engine/src/fields/tensorField';
import { tensorNativeField, type TensorNativeField } from '../../engine/src/fields/tensorNative';
import { odeintGrad } from '../../engine/src/gradients/odeintGrad';
import { defineExperiment, spiral, trainExperiment } from '../../engine/src/index';
import { programOf } from '../../engine/src/fields/trace/program';
import { record, type Recording } from '../../engine/src/fields/trace/record';
import { Replay } from '../../engine/src/fields/trace/replay';
import { relErr } from './gradientProblems';

type Fn = (t: number, y: tf.Tensor) => tf.Tensor;

const seeded = (shape: number[], seed: number, scale = 0.5) => tf.variable(tf.randomNormal(shape, 0, scale, 'float32', seed));
const state = (n: number, seed = 1) => Float64Array.from({ length: n }, (_, i) => Math.sin(seed * 12.9898 * (i + 1)) * 0.8);

/** The same function compiled and on tfjs, on the same variables. */
function both(fn: Fn, vars: Record<string, tf.Variable>, dim: number): { compiled: TensorNativeField; tfjs: TensorNativeField } {
  return {
    compiled: tensorNativeField(tensorField(fn, vars), dim),
    tfjs: tensorNativeField(tensorField(fn, vars, { compile: false }), dim),
  };
}

/** f and the VJP agree at a few states and times, and the field was compiled. */
function assertSame(fn: Fn, vars: Record<string, tf.Variable>, dim: number, batch = 5): TensorNativeField {
  const { compiled, tfjs } = both(fn, vars, dim);
  for (const t of [0, 0.7, -2.5]) {
    const y = state(batch * dim, 1 + t);
    const a = state(batch * dim, 3 - t);
    assert.ok(relErr(compiled.f(t, y), tfjs.f(t, y)) < 1e-5, `f at t = ${t}`);
    const g = compiled.vjp(t, y, a);
    const h = tfjs.vjp(t, y, a);
    assert.ok(relErr(g.y, h.y) < 1e-5, `aᵀ∂f/∂y at t = ${t}`);
    assert.ok(relErr(g.params, h.params) < 1e-5, `aᵀ∂f/∂θ at t = ${t}`);
  }
  assert.ok(compiled.compiled?.ops, `compiled (${compiled.compiled?.why})`);
  return compiled;
}

describe('compiled tensor fields', () => {
  before(async () => {
    await selectBackend('wasm');
  });

  it('the pendulum of the examples: physics plus a tanh network', () => {
    const w1 = seeded([2, 16], 1);
    const b1 = seeded([16], 2);
    const w2 = seeded([16, 1], 3);
    const field = assertSame(
      (_t, y) => {
        const theta = tf.slice(y, [0, 0], [-1, 1]);
        const omega = tf.slice(y, [0, 1], [-1, 1]);
        const friction = tf.matMul(tf.tanh(tf.add(tf.matMul(y, w1), b1)), w2);
        return tf.concat([omega, tf.sub(friction, tf.sin(theta))], 1);
      },
      { w1, b1, w2 },
      2,
      32,
    );
    assert.equal(field.compiled?.ops, 9);
  });

  it('unary kernels, broadcasts and reductions', () => {
    const w = seeded([3, 3], 4);
    const b = seeded([3], 5);
    const c = seeded([1, 3], 6, 0.2);
    assertSame(
      (_t, y) => {
        const h = tf.add(tf.matMul(y, w), b);
        const parts = [
          tf.sigmoid(h), tf.relu(h), tf.elu(h), tf.softplus(h), tf.leakyRelu(h, 0.1), tf.relu6(tf.mul(h, 4)), tf.selu(h),
          tf.cos(h), tf.atan(h), tf.exp(tf.neg(tf.square(h))), tf.expm1(h), tf.abs(h),
          tf.log(tf.add(tf.square(h), 1)), tf.log1p(tf.square(h)), tf.sqrt(tf.add(tf.square(h), 0.5)), tf.rsqrt(tf.add(tf.square(h), 2)),
          tf.reciprocal(tf.add(tf.square(h), 1)), tf.div(h, tf.add(tf.abs(c), 1)), tf.maximum(h, tf.mul(h, -0.5)), tf.minimum(h, tf.mul(h, 0.5)), tf.add(h, c), tf.mul(c, h),
          tf.squaredDifference(h, tf.mul(h, 0.3)), tf.pow(tf.add(tf.abs(h), 0.5), tf.add(c, 2)), tf.mul(tf.sum(h, 1, true), tf.mean(h, 0, true)),
        ];
        return tf.addN(parts.map((p, i) => tf.mul(p, 1 / (i + 1))));
      },
      { w, b, c },
      3,
    );
  });

  it('layout kernels: split, stack, unstack, transpose, tile, reshape, expandDims, squeeze, transposed matMuls', () => {
    const w = seeded([4, 4], 7);
    const v = seeded([2, 4], 8);
    assertSame(
      (_t, y) => {
        const [p, q] = tf.split(y, 2, 1);
        const stacked = tf.stack([tf.tanh(p), q], 1); // [n, 2, 2]
        const flat = tf.reshape(stacked, [-1, 4]);
        const mixed = tf.matMul(tf.matMul(flat, w, false, true), tf.transpose(w), false, false);
        const cols = tf.unstack(mixed, 1);
        const z = tf.add(tf.expandDims(tf.mul(cols[0], cols[3]), 1), tf.squeeze(tf.tile(tf.expandDims(v, 0), [1, 1, 1]), [0]).slice([0, 0], [1, 4]));
        const back = tf.matMul(z, v, false, true); // [n, 2]
        const out = tf.add(tf.matMul(flat, tf.tanh(tf.matMul(flat, w)), true, false).sum().mul(0.01), tf.transpose(tf.transpose(back)));
        return tf.concat([out, tf.mul(q, 2)], 1);
      },
      { w, v },
      4,
    );
  });

  it('tf.layers Dense layers (fused matMul with bias and activation)', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ units: 6, inputShape: [3], activation: 'relu', kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }), biasInitializer: 'ones' }),
        tf.layers.dense({ units: 5, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotNormal({ seed: 2 }) }),
        tf.layers.dense({ units: 4, activation: 'elu', kernelInitializer: tf.initializers.glorotNormal({ seed: 3 }) }),
        tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotNormal({ seed: 4 }), biasInitializer: 'ones' }),
      ],
    });
    // t as the last input column: tf.fill([n, 1], t), recorded as a constant equal to t
    const compiled = tensorNativeField(layersModelField(model), 2);
    const tfjs = tensorNativeField({ ...layersModelField(model), compile: false }, 2);
    for (const t of [0, 1.3, 7]) {
      const y = state(8, t + 2);
      assert.ok(relErr(compiled.f(t, y), tfjs.f(t, y)) < 1e-5, `f at t = ${t}`);
      const a = state(8, t + 5);
      assert.ok(relErr(compiled.vjp(t, y, a).params, tfjs.vjp(t, y, a).params) < 1e-5, `aᵀ∂f/∂θ at t = ${t}`);
    }
    assert.ok(compiled.compiled?.ops);
    // θ holds the kernels transposed ([out, in]): a write to it reaches the compiled field
    compiled.params[0] += 0.5;
    tfjs.params.set(compiled.params);
    assert.ok(relErr(compiled.f(0.5, state(8)), tfjs.f(0.5, state(8))) < 1e-5);
  });

  it('follows t where it enters as a + b·t: tf.scalar(t), 2t + 1 computed in JavaScript, tf.sin of a tensor t', () => {
    const w = seeded([2, 2], 9);
    const field = assertSame(
      (t, y) => tf.add(tf.mul(tf.matMul(y, w), tf.scalar(2 * t + 1)), tf.sin(tf.mul(tf.fill([y.shape[0], 2], t), tf.scalar(3)))),
      { w },
      2,
    );
    assert.ok(field.compiled?.ops);
  });

  it('stays on tfjs and says why: t through Math.sin, a read of tensor values, an operation not compiled, compile: false', () => {
    const w = seeded([2, 2], 10);
    const cases: [Fn, RegExp][] = [
      [(t, y) => tf.mul(tf.matMul(y, w), Math.sin(t)), /constant from t in JavaScript that is not a \+ b·t/],
      [(_t, y) => (tf.sum(y).dataSync()[0] > 0 ? tf.matMul(y, w) : tf.neg(tf.matMul(y, w))), /reads a tensor's values in JavaScript \(dataSync\)/],
      [(_t, y) => tf.cumsum(tf.matMul(y, w), 1), /operation 'Cumsum'/],
      [(_t, y) => tf.add(tf.matMul(y, w), tf.randomNormal([1, 2])), /changes from call to call/],
    ];
    for (const [fn, why] of cases) {
      const { compiled, tfjs } = both(fn, { w }, 2);
      const y = state(6);
      assert.deepEqual(Array.from(compiled.f(0.3, y)).map((v) => v.toFixed(5)).length, 6);
      if (!/randomNormal/.test(fn.toString())) assert.deepEqual(compiled.f(0.3, y), tfjs.f(0.3, y), 'the tfjs path, unchanged');
      assert.match(compiled.compiled?.why ?? '', why);
    }
    const off = tensorNativeField(tensorField((_t, y) => tf.matMul(y, w), { w }, { compile: false }), 2);
    off.f(0, state(2));
    assert.match(off.compiled?.why ?? '', /compile: false/);
  });

  it('a new batch size is recorded again; training gradients equal the tfjs path for backprop and the adjoint', async () => {
    const w1 = seeded([2, 8], 11);
    const b1 = seeded([8], 12);
    const w2 = seeded([8, 2], 13);
    const fn: Fn = (t, y) => tf.matMul(tf.tanh(tf.add(tf.matMul(y, w1), b1)), w2).add(tf.mul(y, tf.scalar(-0.1 * t)));
    const { compiled, tfjs } = both(fn, { w1, b1, w2 }, 2);
    for (const batch of [3, 11]) {
      const y0 = state(batch * 2, batch);
      for (const gradient of ['backprop', 'adjoint'] as const) {
        const run = (f: TensorNativeField) =>
          odeintGrad(f, y0, [0, 0.5, 1], (ys) => [null, ys[1], ys[2].map((v) => 2 * v)], { method: 'dopri5', rtol: 1e-6, atol: 1e-8, gradient });
        const [g, h] = [await run(compiled), await run(tfjs)];
        assert.ok(relErr(g.ys[2], h.ys[2]) < 1e-5, `${gradient}, batch ${batch}: y(1)`);
        assert.ok(relErr(g.gradParams, h.gradParams) < 1e-4, `${gradient}, batch ${batch}: dL/dθ`);
        assert.ok(relErr(g.gradY0, h.gradY0) < 1e-4, `${gradient}, batch ${batch}: dL/dy0`);
      }
      assert.ok(compiled.compiled?.ops, `batch ${batch} compiled`);
    }
  });

  it('a training run says whether the model was compiled, and why not', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-traced-'));
    const run = async (fn: (w: tf.Variable) => Fn) => {
      const exp = defineExperiment({
        name: 'traced',
        data: () => spiral({ dataSize: 30, t1: 2 }),
        model: () => {
          const w = seeded([2, 2], 14, 0.1);
          return tensorField(fn(w), { w });
        },
        train: { iterations: 2, optimizer: { name: 'adam', lr: 1e-2 }, batchTime: 4, batchSize: 4 },
      });
      let note: string | undefined;
      const out = await trainExperiment(exp, { runsRoot: root, onStart: (s) => (note = s.model) });
      assert.equal(out.status, 'finished');
      return note;
    };
    assert.equal(await run((w) => (_t, y) => tf.matMul(y, w)), "the tensorField is compiled: its 1 TensorFlow.js operations replay on the engine's own float64 kernels");
    assert.match((await run((w) => (_t, y) => tf.cumsum(tf.matMul(y, w), 1))) ?? '', /^the tensorField runs on TensorFlow.js, not compiled: it uses the operation 'Cumsum'/);
  });

  it('the JavaScript kernels (where WebAssembly SIMD is missing) give what the SIMD ones give', () => {
    const w1 = seeded([4, 6], 15);
    const b1 = seeded([6], 16);
    const w2 = seeded([6, 4], 17);
    const w3 = seeded([1, 6], 18);
    const w4 = seeded([6, 2], 19);
    const fn: Fn = (_t, y) => {
      const h = tf.tanh(tf.add(tf.matMul(y, w1), b1));
      const side = tf.matMul(tf.matMul(h, w3, false, true), w3); // N = 1, then K = 1
      const pair = tf.matMul(h, w4); // N = 2 (its VJP: K = 2 with B transposed)
      return tf.add(tf.add(tf.matMul(tf.add(h, side), w2), tf.matMul(h, tf.transpose(w2), false, true)), tf.concat([pair, tf.neg(pair)], 1));
    };
    for (const batch of [8, 7]) {
      const ts = [0.1, 0.6, -0.4];
      const yt = tf.tensor(Float32Array.from(state(batch * 4)), [batch, 4]);
      const recs: Recording[] = [];
      for (const t of ts) tf.tidy(() => (recs.push(record(fn, t, yt, [w1, b1, w2, w3, w4])), recs[recs.length - 1].result));
      const program = programOf(recs, ts);
      const params = [w1, b1, w2, w3, w4].map((v) => Float64Array.from(v.dataSync()));
      const [simd, js] = [new Replay(program), new Replay(program, { simd: false })];
      const y = state(batch * 4, 2);
      const a = state(batch * 4, 5);
      assert.ok(relErr(simd.forward(0.1, y, params), js.forward(0.1, y, params)) < 1e-14, `f, batch ${batch}`);
      const [g, h] = [simd.vjp(0.1, y, a, params), js.vjp(0.1, y, a, params)];
      assert.ok(relErr(g.y, h.y) < 1e-13, `aᵀ∂f/∂y, batch ${batch}`);
      g.params.forEach((p, i) => assert.ok(relErr(p, h.params[i]) < 1e-13, `aᵀ∂f/∂θ ${i}, batch ${batch}`));
      yt.dispose();
      recs.forEach((r) => r.result.dispose());
    }
  });
});
