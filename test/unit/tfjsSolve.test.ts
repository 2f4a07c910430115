/**
 * odeint on tf.Tensor states: the analytic problems of the native tests, solved on cpu and on
 * wasm, forwards and backwards, in float32, with error bounds tied to rtol/atol, the same steps
 * as the Float32Array path, and not one tensor left behind (also when the solve fails).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { selectBackend, tf } from '../../engine/src/backend/index';
import { odeint } from '../../engine/src/odeint';
import { SolverError } from '../../engine/src/solvers/errors';

type Tensor = tf.Tensor;

const RTOL = 1e-5;
const ATOL = 1e-7;
/** Global error allowed, in units of the tolerance atol + rtol·max|y| (see errorRatio). */
const SLACK = 10;
/** float32 rounding of the states themselves: a few ulps of |y|. */
const EPS32 = 2 ** -23;

interface TensorProblem {
  name: string;
  /** A batch of initial states, shape [4, 2]. */
  shape: number[];
  f: (t: number, y: Tensor) => Tensor;
  /** The same field on a flat Float32Array (for the step-for-step comparison). */
  fNative: (t: number, y: Float32Array) => Float32Array;
  exact: (t: number, i: number) => number;
}

/** y' = −λ·y per component, y(0) = c_i ⇒ y = c_i·e^{−λt}. */
const LAMBDA = 0.8;
const C = [1, -2, 0.5, 3, -0.25, 1.5, 2, -1];
const decay: TensorProblem = {
  name: 'exponential decay',
  shape: [4, 2],
  f: (_t, y) => tf.mul(y, tf.scalar(-LAMBDA)),
  fNative: (_t, y) => Float32Array.from(y, (v) => -LAMBDA * v),
  exact: (t, i) => C[i] * Math.exp(-LAMBDA * t),
};

/** y' = ω·cos(ωt)·1, y(0) = c_i ⇒ y = c_i + sin(ωt) (f independent of y). */
const OMEGA = 2;
const sine: TensorProblem = {
  name: 'sine',
  shape: [4, 2],
  f: (t, y) => tf.fill(y.shape, OMEGA * Math.cos(OMEGA * t)),
  fNative: (t, y) => new Float32Array(y.length).fill(OMEGA * Math.cos(OMEGA * t)),
  exact: (t, i) => C[i] + Math.sin(OMEGA * t),
};

const METHODS: { method: string; options: Record<string, number> }[] = [
  { method: 'dopri5', options: {} },
  { method: 'tsit5', options: {} },
  { method: 'rk4', options: { stepSize: 0.01 } },
];

function initial(p: TensorProblem, t0: number): number[] {
  return C.map((_, i) => p.exact(t0, i));
}

/**
 * Largest error relative to the tolerance, ≤ 1 when every output is within
 * slack·(atol + rtol·scale) + float32 rounding, scale being the largest |y| of the solution.
 * The controller measures a step by the RMS over all components, and a global error is a sum
 * of local errors made where the state was larger, so a component near a zero crossing is not
 * held to its own |yᵢ(t)|.
 */
function errorRatio(ys: Float32Array, p: TensorProblem, times: number[], slack: number): number {
  const scale = Math.max(...times.flatMap((t) => C.map((_, i) => Math.abs(p.exact(t, i)))));
  const bound = slack * (ATOL + RTOL * scale) + 8 * EPS32 * scale;
  let worst = 0;
  times.forEach((t, k) => {
    for (let i = 0; i < C.length; i++) worst = Math.max(worst, Math.abs(ys[k * C.length + i] - p.exact(t, i)) / bound);
  });
  return worst;
}

async function solveAndCheck(p: TensorProblem, method: string, options: Record<string, number>, times: number[]) {
  const y0 = tf.tensor(initial(p, times[0]), p.shape);
  const before = tf.memory().numTensors;
  const sol = await odeint(p.f, y0, times, { method, rtol: RTOL, atol: ATOL, options });
  assert.equal(tf.memory().numTensors, before + 1, 'a solve leaves only its result');
  assert.deepEqual(sol.ys.shape, [times.length, ...p.shape]);
  assert.equal(sol.ys.dtype, 'float32');
  assert.equal(y0.isDisposed, false, 'y0 belongs to the caller');
  const ys = sol.ys.dataSync() as Float32Array;
  assert.deepEqual(Array.from(ys.subarray(0, C.length)), Array.from(y0.dataSync()), 'ys[0] is y0');
  // Global error of an adaptive solve is a modest multiple of the local tolerance.
  const ratio = errorRatio(ys, p, times, SLACK);
  if (process.env.SHOW_ERROR_RATIOS) console.log(`${p.name} ${method} [${times.join(', ')}]: ${ratio.toFixed(3)}`);
  assert.ok(ratio <= 1, `${p.name} ${method}: error ${ratio.toFixed(3)}× the bound`);
  sol.ys.dispose();
  y0.dispose();
  return sol.stats;
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`odeint on tf.Tensor states, ${backend} backend`, () => {
    before(async () => {
      await selectBackend(backend);
    });

    for (const p of [decay, sine]) {
      for (const { method, options } of METHODS) {
        it(`${p.name}, ${method}: forwards, within tolerance, no tensor left`, async () => {
          const stats = await solveAndCheck(p, method, options, [0, 0.4, 1, 2.5]);
          assert.ok(stats.nfe > 0);
          assert.equal(tf.getBackend(), backend);
        });

        it(`${p.name}, ${method}: backwards in t`, async () => {
          await solveAndCheck(p, method, options, [2.5, 1.7, 0.6, 0]);
        });
      }

      it(`${p.name}: dopri5 takes the same steps on tensors as on a Float32Array`, async () => {
        const times = [0, 1, 2.5];
        const y0 = tf.tensor(initial(p, 0), p.shape);
        const tensorSol = await odeint(p.f, y0, times, { rtol: RTOL, atol: ATOL });
        const nativeSol = await odeint(p.fNative, Float32Array.from(initial(p, 0)), times, { rtol: RTOL, atol: ATOL });
        assert.equal(tensorSol.stats.nfe, nativeSol.stats.nfe);
        assert.equal(tensorSol.stats.nAccepted, nativeSol.stats.nAccepted);
        assert.equal(tensorSol.stats.nRejected, nativeSol.stats.nRejected);
        const flat = tensorSol.ys.dataSync();
        nativeSol.ys.forEach((y, k) =>
          y.forEach((v, i) => {
            const bound = ATOL + RTOL * Math.abs(v);
            assert.ok(Math.abs(flat[k * y.length + i] - v) <= bound, `t=${times[k]} [${i}]: ${flat[k * y.length + i]} vs ${v}`);
          }),
        );
        tensorSol.ys.dispose();
        y0.dispose();
      });
    }

    it('a single time returns y0 exactly, as a new tensor', async () => {
      const y0 = tf.tensor(C, [4, 2]);
      const sol = await odeint(decay.f, y0, [0.5]);
      assert.deepEqual(sol.ys.shape, [1, 4, 2]);
      assert.deepEqual(Array.from(sol.ys.dataSync()), Array.from(y0.dataSync()));
      sol.ys.dispose();
      assert.equal(y0.isDisposed, false);
      y0.dispose();
    });

    it('a NaN from f at the start fails with a nonFinite error and frees every state', async () => {
      const y0 = tf.tensor(C, [4, 2]);
      const before = tf.memory().numTensors;
      const f = (_t: number, y: Tensor) => tf.div(tf.sub(y, y), tf.sub(y, y)); // 0/0
      await assert.rejects(
        () => odeint(f, y0, [0, 1], { rtol: RTOL, atol: ATOL }),
        (e: unknown) => e instanceof SolverError && e.kind === 'nonFinite',
      );
      assert.equal(tf.memory().numTensors, before, 'no tensor leaked by the failed solve');
      y0.dispose();
    });

    it('a NaN from f later in the solve stops it, naming the non-finite values, and frees every state', async () => {
      const y0 = tf.tensor(C, [4, 2]);
      const before = tf.memory().numTensors;
      const f = (t: number, y: Tensor) => (t > 0.5 ? tf.div(tf.sub(y, y), tf.sub(y, y)) : tf.mul(y, tf.scalar(-LAMBDA)));
      await assert.rejects(
        () => odeint(f, y0, [0, 1], { rtol: RTOL, atol: ATOL }),
        (e: unknown) =>
          e instanceof SolverError && (e.kind === 'nonFinite' || e.kind === 'stepUnderflow') && /non-finite/i.test(e.message),
      );
      assert.equal(tf.memory().numTensors, before, 'no tensor leaked by the failed solve');
      y0.dispose();
    });

    const shapeMismatch = () => {
      let calls = 0;
      return (_t: number, y: Tensor) => (++calls > 3 ? tf.reshape(y, [8]) : tf.neg(y));
    };
    const throwsLate = (t: number, y: Tensor) => {
      if (t > 0.7) throw new Error('f failed on purpose');
      return tf.tanh(y);
    };
    const failures: { name: string; method: string; f: () => (t: number, y: Tensor) => Tensor; error: RegExp }[] = [
      { name: 'a shape mismatch mid-step', method: 'dopri5', f: shapeMismatch, error: /shape \[8\] at t = .*but y has shape \[4, 2\]/ },
      { name: 'a shape mismatch mid-step', method: 'rk4', f: shapeMismatch, error: /shape \[8\] at t = .*but y has shape \[4, 2\]/ },
      { name: 'an error thrown by f mid-step', method: 'dopri5', f: () => throwsLate, error: /f failed on purpose/ },
    ];
    for (const { name, method, f, error } of failures) {
      it(`${name} (${method}) fails with f's error and frees every state`, async () => {
        const y0 = tf.tensor(C, [4, 2]);
        const before = tf.memory().numTensors;
        await assert.rejects(
          () => odeint(f(), y0, [0, 1], { method, rtol: RTOL, atol: ATOL, options: method === 'rk4' ? { stepSize: 0.1 } : {} }),
          (e: unknown) => e instanceof Error && error.test(e.message) && (!(e instanceof SolverError) || e.kind === 'shape'),
        );
        assert.equal(tf.memory().numTensors, before, 'no tensor leaked by the failed solve (stage states included)');
        y0.dispose();
      });
    }
  });
}
