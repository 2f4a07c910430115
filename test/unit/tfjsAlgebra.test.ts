import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { selectBackend, tf } from '../../engine/src/backend/index';
import { WASM_FUSED_LINCOMB_MAX_SIZE } from '../../engine/src/backend/lincombKernel';
import { SolverError } from '../../engine/src/solvers/errors';
import { tfjsAlgebra as A } from '../../engine/src/state/tfjs';
import { rmsReference } from './problems';

type Tensor = tf.Tensor;

/** Deterministic values of both signs and several magnitudes. */
function data(n: number, seed: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.sin(0.37 * i + seed) * (1 + (i % 5)) + 0.01 * seed);
}

/** What a float32 tensor built from these numbers holds. */
const f32 = (xs: number[]): number[] => xs.map(Math.fround);

function values(t: Tensor): number[] {
  return Array.from(t.dataSync());
}

/** Result rounded once to float32 (fused) or a few times (op by op): relative 1e-6 is ample. */
function assertClose(actual: number[], expected: number[], rel = 1e-6): void {
  assert.equal(actual.length, expected.length);
  const scale = Math.max(1e-30, ...expected.map(Math.abs));
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= rel * scale, `[${i}]: ${v} vs ${expected[i]}`));
}

/** Runs `fn` and checks it left exactly `created` more tensors alive. */
function leaves<T>(created: number, fn: () => T): T {
  const before = tf.memory().numTensors;
  const out = fn();
  assert.equal(tf.memory().numTensors - before, created, `expected ${created} new tensor(s)`);
  return out;
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`tfjsAlgebra on ${backend}`, () => {
    const shape = [4, 3];
    const n = 12;
    const raw = [0, 1, 2, 3, 4, 5].map((s) => data(n, s));
    let xs: Tensor[] = [];

    before(async () => {
      await selectBackend(backend);
      xs = raw.map((v) => tf.tensor(v, shape));
    });
    after(() => tf.dispose(xs));

    it('describes its states', () => {
      assert.equal(A.kind, 'tfjs');
      assert.equal(A.dtype, 'float32');
      assert.equal(A.size(xs[0]), 12);
      assert.deepEqual(A.shape(xs[0]), [4, 3]);
      assert.equal(tf.getBackend(), backend);
    });

    it('lincomb: base + Σ cᵢ·xᵢ, zeros skipped, one new tensor', () => {
      const coeffs = [0.5, 0, -2.25, 1, 0];
      const out = leaves(1, () => A.lincomb(xs[0], coeffs, xs.slice(1)));
      const expected = f32(raw[0]).map((b, i) => b + coeffs.reduce((s, c, j) => s + c * f32(raw[j + 1])[i], 0));
      assertClose(values(out), expected);
      assert.deepEqual(out.shape, shape);
      assert.equal(out.dtype, 'float32');
      assert.deepEqual(values(xs[0]), f32(raw[0]), 'inputs are untouched');
      out.dispose();
    });

    it('lincomb without base, and with a single unit coefficient (an independent copy)', () => {
      const coeffs = [1e-3, 7, -1];
      const out = leaves(1, () => A.lincomb(null, coeffs, xs.slice(0, 3)));
      assertClose(
        values(out),
        f32(raw[0]).map((_, i) => coeffs.reduce((s, c, j) => s + c * f32(raw[j])[i], 0)),
      );
      out.dispose();
      const x = tf.tensor(raw[2], shape);
      const copy = leaves(1, () => A.lincomb(null, [0, 1], [xs[0], x]));
      assert.notEqual(copy, x);
      x.dispose();
      assert.deepEqual(values(copy), f32(raw[2]));
      copy.dispose();
    });

    it('lincomb with every coefficient zero: a copy of base, or zeros', () => {
      const b = leaves(1, () => A.lincomb(xs[1], [0, 0], [xs[2], xs[3]]));
      assert.notEqual(b, xs[1]);
      assert.deepEqual(values(b), f32(raw[1]));
      b.dispose();
      assert.deepEqual(values(xs[1]), f32(raw[1]), 'base survives the copy being disposed');
      const z = leaves(1, () => A.lincomb(null, [0], [xs[2]]));
      assert.deepEqual(values(z), new Array(n).fill(0));
      assert.deepEqual(z.shape, shape);
      z.dispose();
    });

    it('lincomb of large states (op by op on wasm) matches the reference', () => {
      const big = WASM_FUSED_LINCOMB_MAX_SIZE + 500;
      const bigRaw = [0, 1, 2, 3, 4, 5, 6, 7].map((s) => data(big, s));
      const ts = bigRaw.map((v) => tf.tensor1d(v));
      const coeffs = [0.1, -0.2, 0, 0.4, 1, 0.6, -0.7];
      const out = leaves(1, () => A.lincomb(ts[0], coeffs, ts.slice(1)));
      const f = bigRaw.map(f32);
      assertClose(
        values(out),
        f[0].map((b, i) => b + coeffs.reduce((s, c, j) => s + c * f[j + 1][i], 0)),
        4e-6,
      );
      tf.dispose([out, ...ts]);
    });

    it('lincomb rejects mismatched coefficients', () => {
      assert.throws(() => A.lincomb(null, [1, 2], [xs[0]]), /2 coefficients for 1 states/);
    });

    for (const size of [n, WASM_FUSED_LINCOMB_MAX_SIZE + 1]) {
      it(`lincomb is differentiable (state of ${size})`, () => {
        const [b, x0, x1] = [0, 1, 2].map((s) => tf.tensor1d(data(size, s)));
        const w = tf.tensor1d(data(size, 9));
        const grads = leaves(3, () =>
          tf.grads((p: Tensor, q: Tensor, r: Tensor) => tf.sum(tf.mul(A.lincomb(p, [0.5, -3], [q, r]), w)))([b, x0, x1]),
        );
        const wv = f32(data(size, 9));
        assertClose(values(grads[0]), wv);
        assertClose(values(grads[1]), wv.map((v) => 0.5 * v));
        assertClose(values(grads[2]), wv.map((v) => -3 * v));
        tf.dispose([...grads, b, x0, x1, w]);
      });
    }

    it('weightedRms with scalar tolerances, with and without ref1: a plain number, no tensors', () => {
      const x = f32(raw[0]);
      const r0 = f32(raw[1]);
      const r1 = f32(raw[2]);
      const two = leaves(0, () => A.weightedRms(xs[0], 1e-3, 1e-6, xs[1], xs[2]));
      assert.equal(typeof two, 'number');
      assertClose([two as number], [rmsReference(x, 1e-3, 1e-6, r0, r1)], 1e-12);
      const one = leaves(0, () => A.weightedRms(xs[0], 1e-3, 1e-6, xs[1]));
      assertClose([one as number], [rmsReference(x, 1e-3, 1e-6, r0)], 1e-12);
      assert.notEqual(one, two);
    });

    it('weightedRms with per-component tolerances', () => {
      const rtol = Float64Array.from({ length: n }, (_, i) => 1e-4 * (1 + i));
      const atol = Float64Array.from({ length: n }, (_, i) => (i % 2 ? 1e-8 : 1e-3));
      const got = leaves(0, () => A.weightedRms(xs[3], rtol, atol, xs[4], xs[5]));
      const expected = rmsReference(f32(raw[3]), Array.from(rtol), Array.from(atol), f32(raw[4]), f32(raw[5]));
      assertClose([got as number], [expected], 1e-12);
      const mixed = A.weightedRms(xs[3], 1e-4, atol, xs[4]);
      assertClose([mixed as number], [rmsReference(f32(raw[3]), 1e-4, Array.from(atol), f32(raw[4]))], 1e-12);
    });

    it('weightedRms rejects a tolerance of the wrong length', () => {
      assert.throws(
        () => A.weightedRms(xs[0], 1e-3, new Float64Array(5), xs[1]),
        (e: unknown) =>
          e instanceof SolverError && e.kind === 'input' && /atol has 5 components but the state has 12 \(shape \[4, 3\]\)/.test(e.message),
      );
    });

    it('evaluate releases f’s temporaries and returns one new tensor', () => {
      const f = (t: number, y: Tensor) => tf.mul(tf.sin(tf.add(y, tf.scalar(t))), tf.scalar(2));
      const out = leaves(1, () => A.evaluate(f, 0.25, xs[0]));
      assertClose(
        values(out),
        f32(raw[0]).map((v) => 2 * Math.sin(v + 0.25)),
      );
      out.dispose();
    });

    it('evaluate copies a result that f did not create (y itself, a captured constant)', () => {
      const constant = tf.tensor(raw[5], shape);
      for (const f of [(_t: number, y: Tensor) => y, () => constant]) {
        const out = leaves(1, () => A.evaluate(f, 0, xs[0]));
        out.dispose(); // what the solver does with a derivative
      }
      assert.equal(xs[0].isDisposed, false);
      assert.equal(constant.isDisposed, false);
      assert.deepEqual(values(constant), f32(raw[5]));
      constant.dispose();
    });

    it('evaluate turns an int32 result into float32', () => {
      const out = A.evaluate(() => tf.ones(shape, 'int32'), 0, xs[0]);
      assert.equal(out.dtype, 'float32');
      assert.deepEqual(values(out), new Array(n).fill(1));
      out.dispose();
    });

    it('evaluate reports a shape mismatch: what f returned, what was expected, where, what to do', () => {
      const before = tf.memory().numTensors;
      assert.throws(
        () => A.evaluate((_t, y) => tf.reshape(tf.tanh(y), [3, 4]), 0.125, xs[0]),
        (e: unknown) => {
          assert.ok(e instanceof SolverError);
          assert.equal(e.kind, 'shape');
          assert.match(e.message, /returned a tensor of shape \[3, 4\] at t = 0\.125, but y has shape \[4, 3\]/);
          assert.match(e.message, /reshape its result to \[4, 3\]/);
          assert.deepEqual(e.context, { t: 0.125, expected: [4, 3], got: [3, 4] });
          return true;
        },
      );
      assert.throws(() => A.evaluate(() => tf.zeros([12]), 0, xs[0]), /shape \[12\] at t = 0, but y has shape \[4, 3\]/);
      assert.equal(tf.memory().numTensors, before, 'temporaries of a failing f are released');
    });

    it('evaluate names what f returned when it is not a tensor', () => {
      const cases: [unknown, RegExp][] = [
        [3, /returned the number 3 at t = 2/],
        [undefined, /returned undefined/],
        [Promise.resolve(1), /returned a Promise.*must not be async/],
        [[1, 2], /returned a plain array of length 2/],
        [new Float32Array(12), /returned a Float32Array of length 12/],
      ];
      for (const [value, pattern] of cases) {
        assert.throws(
          () => A.evaluate(() => value as Tensor, 2, xs[0]),
          (e: unknown) => e instanceof SolverError && e.kind === 'shape' && pattern.test(e.message) && /\[4, 3\]/.test(e.message),
        );
      }
    });

    it('evaluate lets f’s own errors through and still releases its tensors', () => {
      const before = tf.memory().numTensors;
      assert.throws(
        () =>
          A.evaluate(
            (_t, y) => {
              tf.square(y);
              throw new Error('model blew up');
            },
            0,
            xs[0],
          ),
        /model blew up/,
      );
      assert.equal(tf.memory().numTensors, before);
    });

    it('firstNonFinite finds the first NaN or ±Infinity', () => {
      const cases: [number[], number][] = [
        [raw[0], -1],
        [raw[0].map((v, i) => (i === 5 ? NaN : v)), 5],
        [raw[0].map((v, i) => (i === 7 ? NaN : i === 3 ? Infinity : v)), 3],
        [raw[0].map((v, i) => (i === 0 ? -Infinity : v)), 0],
        [raw[0].map((v, i) => (i === 11 ? 1e39 : v)), 11], // overflows float32 to Infinity
      ];
      for (const [vals, index] of cases) {
        const y = tf.tensor(vals, shape);
        assert.equal(leaves(0, () => A.firstNonFinite(y)), index);
        y.dispose();
      }
    });

    it('read gives float64 copies of the float32 values', () => {
      const r = leaves(0, () => A.read(xs[1])) as Float64Array;
      assert.ok(r instanceof Float64Array);
      assert.deepEqual(Array.from(r), f32(raw[1]));
    });

    it('clone survives the original; dispose releases', () => {
      const y = tf.tensor(raw[3], shape);
      const c = leaves(1, () => A.clone(y));
      leaves(-1, () => A.dispose(y));
      assert.equal(y.isDisposed, true);
      assert.deepEqual(values(c), f32(raw[3]));
      leaves(-1, () => A.dispose(c));
    });

    it('gradients flow through a solver-like loop that disposes its intermediate states', () => {
      // Euler for dy/dt = a·y: y_N = y0·(1 + h·a)^N, so d Σy_N / da = Σy0 · N·h·(1 + h·a)^(N-1).
      const y0 = tf.tensor1d([1, -0.5, 2]);
      const a = tf.scalar(-0.7);
      const [N, h] = [20, 0.05];
      const before = tf.memory().numTensors;
      const g = tf.grad((param: Tensor) => {
        let y = A.clone(y0);
        for (let k = 0; k < N; k++) {
          const dy = A.evaluate((_t, s) => tf.mul(s, param), k * h, y);
          const next = A.lincomb(y, [h], [dy]);
          A.dispose(dy);
          A.dispose(y);
          y = next;
        }
        return tf.sum(y);
      })(a);
      assert.equal(tf.memory().numTensors - before, 1, 'only the gradient remains');
      const expected = 2.5 * N * h * (1 + h * -0.7) ** (N - 1);
      assertClose(values(g), [expected], 1e-5);
      tf.dispose([g, y0, a]);
    });
  });
}
