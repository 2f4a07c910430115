// odeintGrad on the TensorFlow.js path: the same gradients as the native path on the same
// weights (float32 tolerances), and no tensor left behind.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SolverError, ensureBackend, tf } from '../../engine/src/index';
import type { TensorField } from '../../engine/src/fields/field';
import { odeintGrad, type GradientMethod, type OdeintGradOptions } from '../../engine/src/gradients/index';
import { mlp2d, randomArray, relErr, uniform } from './gradientProblems';

const H = 4;

/** The tensor twin of mlp2d(H, seed): f = tanh(y·W1yᵀ + t·w1t + b1)·W2ᵀ + b2, vjp by tf.grads. */
function tensorMlp(params: Float64Array): TensorField {
  const W1 = 0;
  const B1 = 3 * H;
  const W2 = 4 * H;
  const B2 = 6 * H;
  const at = (i: number) => params[i];
  const w1y = tf.variable(tf.tensor2d(Array.from({ length: 2 * H }, (_, k) => at(W1 + 3 * (k % H) + Math.floor(k / H))), [2, H]));
  const w1t = tf.variable(tf.tensor1d(Array.from({ length: H }, (_, h) => at(W1 + 3 * h + 2))));
  const b1 = tf.variable(tf.tensor1d(Array.from(params.subarray(B1, B1 + H))));
  const w2 = tf.variable(tf.tensor2d(Array.from({ length: 2 * H }, (_, k) => at(W2 + (k % 2) * H + Math.floor(k / 2))), [H, 2]));
  const b2 = tf.variable(tf.tensor1d(Array.from(params.subarray(B2, B2 + 2))));
  const vars = [w1y, w1t, b1, w2, b2];
  const fOf = (t: number, y: tf.Tensor, [a, bt, c, d, e]: tf.Tensor[]): tf.Tensor =>
    tf.add(tf.matMul(tf.tanh(tf.add(tf.add(tf.matMul(y as tf.Tensor2D, a as tf.Tensor2D), tf.mul(bt, t)), c)), d as tf.Tensor2D), e);
  return {
    kind: 'tfjs',
    params: vars,
    f: (t, y) => fOf(t, y, vars),
    vjp(t, y, a) {
      const grads = tf.grads((yy: tf.Tensor, ...ps: tf.Tensor[]) => tf.sum(tf.mul(fOf(t, yy, ps), a)));
      const [gy, ...gp] = grads([y, ...vars]);
      return { y: gy, params: gp };
    },
  };
}

/** The tensor gradients laid out as mlp2d's params. */
async function asNativeLayout(g: tf.Tensor[]): Promise<Float64Array> {
  const [w1y, w1t, b1, w2, b2] = await Promise.all(g.map((x) => x.data()));
  const out = new Float64Array(6 * H + 2);
  for (let h = 0; h < H; h++) {
    out[3 * h] = w1y[h];
    out[3 * h + 1] = w1y[H + h];
    out[3 * h + 2] = w1t[h];
    out[3 * H + h] = b1[h];
    out[4 * H + h] = w2[2 * h];
    out[5 * H + h] = w2[2 * h + 1];
  }
  out[6 * H] = b2[0];
  out[6 * H + 1] = b2[1];
  return out;
}

describe('odeintGrad on tensors', () => {
  const cases: [GradientMethod, OdeintGradOptions][] = [
    ['backprop', { method: 'rk4', options: { stepSize: 0.05 } }],
    ['checkpoint', { method: 'rk4', options: { stepSize: 0.05 }, checkpoints: 3 }],
    ['backprop', { method: 'dopri5', rtol: 1e-5, atol: 1e-6 }],
    ['adjoint', { method: 'dopri5', rtol: 1e-5, atol: 1e-6, adjointOptions: { seminorm: true } }],
  ];
  for (const [gradient, opts] of cases) {
    it(`${gradient} (${opts.method}) matches the native path on the same weights`, async () => {
      await ensureBackend();
      const native = mlp2d(H, 31);
      const rand = uniform(32);
      const y0 = randomArray(6, rand);
      const t = [0, 0.6, 1.5, 2];
      const cots = t.map((_, i) => (i === 1 ? null : randomArray(6, rand)));
      const ref = await odeintGrad(native, y0, t, cots, { ...opts, gradient });

      const field = tensorMlp(native.params);
      const ty0 = tf.tensor2d(Array.from(y0), [3, 2]);
      const tcots = cots.map((c) => (c ? tf.tensor2d(Array.from(c), [3, 2]) : null));
      const before = tf.memory().numTensors;
      const r = await odeintGrad(field, ty0, t, tcots, { ...opts, gradient });
      assert.deepEqual(r.ys.shape, [4, 3, 2]);
      assert.deepEqual(r.gradY0.shape, [3, 2]);
      assert.deepEqual(r.gradParams.map((g) => g.shape), field.params.map((v) => v.shape));
      const gy = Float64Array.from(await r.gradY0.data());
      const gp = await asNativeLayout(r.gradParams);
      assert.ok(relErr(gy, ref.gradY0) < 1e-4, `dL/dy0: ${relErr(gy, ref.gradY0)}`);
      assert.ok(relErr(gp, ref.gradParams) < 1e-4, `dL/dθ: ${relErr(gp, ref.gradParams)}`);
      assert.equal(r.stats.nAccepted, ref.stats.nAccepted);
      r.ys.dispose();
      r.gradY0.dispose();
      r.gradParams.forEach((g) => g.dispose());
      assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
      [ty0, ...tcots].forEach((x) => x?.dispose());
      field.params.forEach((v) => v.dispose());
    });
  }

  it('rejects cotangents of the wrong shape', async () => {
    const field = tensorMlp(mlp2d(H, 1).params);
    const y0 = tf.zeros([3, 2]);
    await assert.rejects(
      odeintGrad(field, y0, [0, 1], [null, tf.zeros([2, 2])]),
      (e: unknown) => e instanceof SolverError && e.kind === 'input' && /cotangents\[1\] must be a tensor of y0's shape \[3, 2\]/.test(e.message),
    );
  });
});
