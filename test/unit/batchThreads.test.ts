// Large batches shared among threads (engine/src/threads): an mlpField's and a compiled tensor
// field's f, VJP and training gradients (backprop from the threads' tape records, and the
// adjoint) equal what one thread computes (up to the order of the θ-gradient sums), small
// batches stay in the caller's thread, and NEURAL_ODE_THREADS=1 turns the threads off.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { selectBackend, tf } from '../../engine/src/backend/index';
import { mlpField } from '../../engine/src/fields/mlpField';
import { tensorField } from '../../engine/src/fields/tensorField';
import { tensorNativeField } from '../../engine/src/fields/tensorNative';
import type { NativeField } from '../../engine/src/fields/field';
import { odeintGrad } from '../../engine/src/gradients/odeintGrad';
import { recordedBatches, sharedBatches, sharesFor } from '../../engine/src/threads/pool';
import { relErr } from './gradientProblems';

const state = (n: number, seed: number) => Float64Array.from({ length: n }, (_, i) => Math.sin(seed * 12.9898 * (i + 1)) * 0.8);
const saved = process.env.NEURAL_ODE_THREADS;
const threads = (n: number) => (process.env.NEURAL_ODE_THREADS = String(n));

/** f, the VJP and one backprop and adjoint iteration, with the threads and without. */
/** `sums`: the relative difference allowed in the θ-gradient, summed over the batch in another order (float32 sums: 1e-5). */
async function assertShared(make: () => NativeField, batch: number, dim: number, sums = 1e-12): Promise<void> {
  const y = state(batch * dim, 1);
  const a = state(batch * dim, 2);
  const iteration = (field: NativeField, gradient: 'backprop' | 'adjoint') =>
    odeintGrad(field, y, [0, 0.5], (ys) => [null, ys[1].map((v) => v / ys[1].length)], { method: 'dopri5', rtol: 1e-6, atol: 1e-8, gradient });
  threads(1);
  const one = make();
  const before = sharedBatches();
  const ref = { f: one.f(0.3, y), vjp: one.vjp(0.3, y, a), backprop: await iteration(one, 'backprop'), adjoint: await iteration(one, 'adjoint') };
  assert.equal(sharedBatches(), before, 'NEURAL_ODE_THREADS=1: no batch shared');
  threads(2);
  const two = make();
  two.params.set(one.params);
  assert.ok(relErr(two.f(0.3, y), ref.f) < 1e-14, 'f');
  const g = two.vjp(0.3, y, a);
  assert.ok(relErr(g.y, ref.vjp.y) < 1e-14, 'aᵀ∂f/∂y');
  assert.ok(relErr(g.params, ref.vjp.params) < sums, 'aᵀ∂f/∂θ');
  for (const gradient of ['backprop', 'adjoint'] as const) {
    const records = recordedBatches();
    const r = await iteration(two, gradient);
    // a field with an activation tape has its stages recorded by the threads
    const taped = two.tape?.() ?? null;
    taped?.close();
    if (gradient === 'backprop' && taped) assert.ok(recordedBatches() > records, 'backprop: the threads kept tape records of the stages');
    assert.ok(relErr(r.gradParams, ref[gradient].gradParams) < Math.max(1e-9, sums), `${gradient}: dL/dθ`);
    assert.ok(relErr(r.gradY0, ref[gradient].gradY0) < Math.max(1e-9, sums), `${gradient}: dL/dy0`);
  }
  assert.ok(sharedBatches() > before, 'the batches were shared');
  const small = sharedBatches();
  two.f(0.3, y.subarray(0, 8 * dim));
  assert.equal(sharedBatches(), small, 'a small batch stays in this thread');
}

describe('large batches shared among threads', () => {
  before(async () => {
    await selectBackend('wasm');
  });
  after(() => {
    if (saved === undefined) delete process.env.NEURAL_ODE_THREADS;
    else process.env.NEURAL_ODE_THREADS = saved;
  });

  it('an mlpField (float64 and float32, and with t as an input)', async () => {
    await assertShared(() => mlpField({ sizes: [2, 256, 2], activation: 'tanh', seed: 3 }), 1024, 2);
    await assertShared(() => mlpField({ sizes: [2, 256, 2], activation: 'tanh', seed: 4, precision: 'float32' }), 1023, 2, 1e-5);
    await assertShared(() => mlpField({ sizes: [3, 64, 64, 3], activation: 'softplus', timeDependent: true, seed: 5 }), 601, 3);
  });

  it("a compiled tensor field (the user's tfjs model)", async () => {
    const w1 = tf.variable(tf.randomNormal([2, 256], 0, 0.5, 'float32', 1));
    const b1 = tf.variable(tf.randomNormal([256], 0, 0.1, 'float32', 2));
    const w2 = tf.variable(tf.randomNormal([256, 1], 0, 0.1, 'float32', 3));
    const make = () =>
      tensorNativeField(
        tensorField(
          (t, y) => {
            const theta = tf.slice(y, [0, 0], [-1, 1]);
            const omega = tf.slice(y, [0, 1], [-1, 1]);
            const friction = tf.matMul(tf.tanh(tf.add(tf.matMul(y, w1), b1)), w2);
            return tf.concat([omega, tf.sub(tf.mul(friction, tf.scalar(1 + t)), tf.sin(theta))], 1);
          },
          { w1, b1, w2 },
        ),
        2,
      );
    await assertShared(make, 1025, 2);
  });

  it('a batch is split only as many ways as its work keeps busy', () => {
    const theta = 1282; // a 2-256-2 MLP
    assert.equal(sharesFor(1024, theta, 16), 10, 'about 1.3 M multiply–adds: 10 shares of 2¹⁷, not 16');
    assert.equal(sharesFor(1024, theta, 2), 2);
    assert.equal(sharesFor(256, 322, 16), 1, 'a 256×64 batch stays in one thread');
    assert.equal(sharesFor(4096, 512 * 4 + 2 * 512 + 2, 16), 16);
    assert.equal(sharesFor(3, 1e9, 16), 1, 'at least two samples a share');
  });
});
