import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { selectBackend, tf } from '../../engine/src/backend/index';
import { ACTIVATION_NAMES, mlpField, tensorField, tensorMlpField, type TensorField } from '../../engine/src/fields/index';

type Tensor = tf.Tensor;

/** Reproducible values in [−scale, scale]. */
function values(n: number, seed: number, scale = 1): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => {
    const x = Math.sin(12.9898 * (i + 1) + 78.233 * seed) * 43758.5453;
    return (2 * (x - Math.floor(x)) - 1) * scale;
  });
}

/** tfjs takes Float32Array, not Float64Array. */
const f32 = (a: ArrayLike<number>) => Float32Array.from(a);
const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

/** float32 agreement: a few float32 roundings through a short chain of ops, against the scale. */
function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number, what: string): void {
  assert.equal(actual.length, expected.length, what);
  const err = maxDiff(actual, expected) / Math.max(maxAbs(expected), 1e-30);
  assert.ok(err < rel, `${what}: relative error ${err}`);
}

/** Runs `fn` and checks it left exactly `created` more tensors alive. */
function leaves<T>(created: number, fn: () => T): T {
  const before = tf.memory().numTensors;
  const out = fn();
  assert.equal(tf.memory().numTensors - before, created, `expected ${created} new tensor(s)`);
  return out;
}

/** Σ f(t, y)·a summed in float64, for finite differences of a float32 field. */
function lossOf(field: TensorField, t: number, y: Tensor, a: Float64Array): number {
  const out = field.f(t, y);
  const v = out.dataSync();
  out.dispose();
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i] * a[i];
  return sum;
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`tensor fields on ${backend}`, () => {
    before(async () => {
      await selectBackend(backend);
      assert.equal(tf.getBackend(), backend);
    });

    for (const activation of ACTIVATION_NAMES) {
      for (const timeDependent of [false, true]) {
        it(`tensorMlpField matches mlpField: ${activation}, ${timeDependent ? 'time-dependent' : 'autonomous'}`, () => {
          const opts = { sizes: [3, 12, 9, 3], activation, timeDependent, seed: 7 };
          const native = mlpField(opts);
          const tensor = tensorMlpField(opts);
          try {
            // same initial weights, rounded to float32
            assert.deepEqual(tensor.readParams(), native.params.map(Math.fround));
            assert.deepEqual(tensor.params.map((v) => v.shape), native.layout.map((e) => e.shape));
            native.params.set(tensor.readParams()); // compare the arithmetic on identical weights
            const batch = 5;
            const y = values(batch * 3, 1, 1.5).map(Math.fround);
            const a = values(batch * 3, 2).map(Math.fround);
            const t = 0.4;
            const yT = tf.tensor2d(Float32Array.from(y), [batch, 3]);
            const aT = tf.tensor2d(Float32Array.from(a), [batch, 3]);
            const fT = leaves(1, () => tensor.f(t, yT));
            assert.deepEqual(fT.shape, [batch, 3]);
            assertClose(fT.dataSync(), native.f(t, y), 1e-5, 'f');
            const vjp = leaves(1 + tensor.params.length, () => tensor.vjp(t, yT, aT));
            const ref = native.vjp(t, y, a);
            assertClose(vjp.y.dataSync(), ref.y, 1e-5, 'dL/dy');
            const gP = new Float64Array(native.params.length);
            tensor.layout.forEach((e, i) => {
              assert.deepEqual(vjp.params[i].shape, e.shape);
              gP.set(vjp.params[i].dataSync(), e.offset);
            });
            assertClose(gP, ref.params, 1e-5, 'dL/dθ');
            tf.dispose([yT, aT, fT, vjp.y, ...vjp.params]);
          } finally {
            tensor.dispose();
          }
        });
      }
    }

    it('tensorMlpField takes one sample as [d], and writeParams changes it', () => {
      const tensor = leaves(4, () => tensorMlpField({ sizes: [2, 6, 2], seed: 1 })); // the variables, nothing else
      const native = mlpField({ sizes: [2, 6, 2], seed: 1 });
      const before = tf.memory().numTensors;
      const w = values(native.params.length, 3, 0.5).map(Math.fround);
      tensor.writeParams(w);
      native.params.set(w);
      assert.deepEqual(tensor.readParams(), w);
      const y = tf.tensor1d([0.3, -0.2]);
      const out = tensor.f(0, y);
      assert.deepEqual(out.shape, [2]);
      assertClose(out.dataSync(), native.f(0, Float64Array.from([0.3, -0.2]).map(Math.fround)), 1e-5, 'f');
      const wrong = tf.tensor2d([[1, 2, 3]]);
      assert.throws(() => tensor.f(0, wrong), /shape \[1, 3\]; this field takes \[batch, 2\] or \[2\]/);
      tf.dispose([y, out, wrong]);
      assert.equal(tf.memory().numTensors, before, 'no tensor leaked');
      tensor.dispose();
      assert.equal(tf.memory().numTensors, before - tensor.params.length);
    });

    it('tensorField: a matrix field gets its VJP from autodiff', () => {
      const d = 4;
      const A = tf.variable(tf.tensor2d(f32(values(d * d, 5, 0.8)), [d, d]));
      const c = tf.variable(tf.tensor1d(f32(values(d, 6, 0.5))));
      // f = tanh(y A + c) · (1 + t)
      const field = tensorField((t, y) => tf.mul(tf.tanh(tf.add(tf.matMul(y, A), c)), 1 + t), [A, c]);
      checkAgainstFiniteDifferences(field, [3, d], 0.5);
      // a variable f never reads is named, not trained silently at zero
      const unused = tf.variable(tf.zeros([3]), true, 'unusedBias');
      const withUnused = tensorField((t, y) => tf.mul(tf.tanh(tf.add(tf.matMul(y, A), c)), 1 + t), [A, c, unused]);
      const y = tf.ones([2, d]);
      const before = tf.memory().numTensors;
      assert.throws(() => withUnused.vjp(0, y, y), /does not use the variable 'unusedBias'/);
      assert.equal(tf.memory().numTensors, before, 'the failed vjp leaves no tensor');
      tf.dispose([A, c, unused, y]);
    });

    it('tensorField: a small convolution gets its VJP from autodiff', () => {
      const k1 = tf.variable(tf.tensor4d(f32(values(3 * 3 * 1 * 2, 7, 0.5)), [3, 3, 1, 2]));
      const k2 = tf.variable(tf.tensor4d(f32(values(3 * 3 * 2 * 1, 8, 0.5)), [3, 3, 2, 1]));
      const field = tensorField((_t, y) => tf.conv2d(tf.softplus(tf.conv2d(y as tf.Tensor4D, k1, 1, 'same')) as tf.Tensor4D, k2, 1, 'same'), [k1, k2]);
      checkAgainstFiniteDifferences(field, [2, 5, 5, 1], 0);
      tf.dispose([k1, k2]);
    });

    it('tensorField says what is wrong with a bad field function', () => {
      const field = tensorField((_t, y) => tf.sum(y, 1), []);
      const y = tf.ones([2, 3]);
      const before = tf.memory().numTensors;
      assert.throws(() => field.f(0.5, y), /returned shape \[2\] for y of shape \[2, 3\] at t = 0.5/);
      assert.throws(() => field.vjp(0, y, tf.ones([3])), /cotangent a has shape \[3\] but y has \[2, 3\]/);
      assert.equal(tf.memory().numTensors, before + 1); // the ones([3]) above, nothing else
      tf.dispose(y);
    });
  });
}

/**
 * The VJP of a float32 tensor field against central differences of Σ f·a, summed in float64.
 * Steps of 1e-2 keep float32 rounding (≈ 1e-7·|L|/h) and truncation (≈ h²) both near 1e-4.
 */
function checkAgainstFiniteDifferences(field: TensorField, shape: number[], t: number): void {
  const n = shape.reduce((p, k) => p * k, 1);
  const y0 = values(n, 9).map(Math.fround);
  const a = values(n, 10).map(Math.fround);
  const yT = tf.tensor(f32(y0), shape);
  const aT = tf.tensor(f32(a), shape);
  const vjp = leaves(1 + field.params.length, () => field.vjp(t, yT, aT));
  const h = 1e-2;
  const at = (y: Float64Array) => tf.tidy(() => tf.keep(tf.tensor(f32(y), shape)));
  const fdY = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const yp = y0.slice();
    const ym = y0.slice();
    yp[i] += h;
    ym[i] -= h;
    const [tp, tm] = [at(yp), at(ym)];
    fdY[i] = (lossOf(field, t, tp, a) - lossOf(field, t, tm, a)) / (2 * h);
    tf.dispose([tp, tm]);
  }
  assertClose(vjp.y.dataSync(), fdY, 2e-3, 'dL/dy');
  field.params.forEach((v, k) => {
    const p0 = Float64Array.from(v.dataSync());
    const fd = new Float64Array(p0.length);
    for (let i = 0; i < p0.length; i++) {
      const set = (x: number) => tf.tidy(() => {
        const p = p0.slice();
        p[i] = x;
        v.assign(tf.tensor(f32(p), v.shape));
      });
      set(p0[i] + h);
      const lp = lossOf(field, t, yT, a);
      set(p0[i] - h);
      const lm = lossOf(field, t, yT, a);
      set(p0[i]);
      fd[i] = (lp - lm) / (2 * h);
    }
    const g = vjp.params[k].dataSync();
    if (maxAbs(fd) === 0) assert.equal(maxAbs(g), 0, `parameter ${k} unused: zero cotangent`);
    else assertClose(g, fd, 2e-3, `dL/dθ[${k}]`);
  });
  tf.dispose([yT, aT, vjp.y, ...vjp.params]);
}
