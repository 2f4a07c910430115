// mlpField with precision 'float32': f, the VJP and the activation tape computed in float32
// (f32x4 kernels) behind the same float64 interface. Answers must agree with the float64 field
// within float32 rounding, the tape must not change a bit, and writes to params must be seen.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { augmentedMlpField, mlpField } from '../../engine/src/fields/index';
import type { NativeField } from '../../engine/src/fields/field';
import { odeintGrad, type OdeintGradOptions } from '../../engine/src/gradients/index';
import { mlpVjp } from '../../engine/src/kernels/mlpVjpKernel';
import { assertSameBits, randomArray, relErr, uniform, untaped } from './gradientProblems';

function assertClose(actual: Float64Array, expected: Float64Array, limit: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const e = relErr(actual, expected);
  assert.ok(e <= limit, `${what}: relative error ${e.toExponential(2)} > ${limit}`);
}

const batchOf = (n: number, d: number, seed: number) => randomArray(n * d, uniform(seed), 1.5);

/** Every value a float32 can hold exactly: what comes out of float32 arithmetic widened to float64. */
const allFloat32 = (x: Float64Array) => x.every((v) => Math.fround(v) === v);

/** A float64 field and a float32 one with the same weights. */
function pair(d: number, H: number, seed: number) {
  const f64 = mlpField({ sizes: [d, H, d], seed });
  const f32 = mlpField({ sizes: [d, H, d], init: f64.params, precision: 'float32' });
  return { f64, f32 };
}

/** L = mean((y(T) − target)²) through odeintGrad, as a training iteration computes it. */
async function mseGrad(field: NativeField, y0: Float64Array, target: Float64Array, T: number, opts: OdeintGradOptions) {
  return odeintGrad(
    field,
    y0,
    [0, T],
    (ys) => {
      const y = ys[1];
      const cot = new Float64Array(y.length);
      for (let i = 0; i < y.length; i++) cot[i] = (2 * (y[i] - target[i])) / y.length;
      return [null, cot];
    },
    opts,
  );
}

describe("mlpField precision 'float32'", () => {
  for (const [d, H, batch] of [
    [2, 64, 256],
    [2, 50, 21],
    [2, 5, 7],
    [3, 13, 1],
    [5, 33, 9],
  ] as const) {
    it(`f, vjp and fAndVjp agree with float64 within float32 rounding: sizes [${d}, ${H}, ${d}], batch ${batch}`, () => {
      const { f64, f32 } = pair(d, H, d * 100 + H + batch);
      assert.equal(f32.precision, 'float32');
      assert.equal(f64.precision, 'float64');
      assert.equal(f32.simd, true);
      const y = batchOf(batch, d, 1);
      const a = batchOf(batch, d, 2);
      const f = f32.f(0.5, y);
      assert.ok(allFloat32(f), 'f is computed in float32');
      assert.ok(!allFloat32(f64.f(0.5, y)), 'the float64 field is not');
      assertClose(f, f64.f(0.5, y), 1e-5, 'f');
      const g = f32.vjp(0.5, y, a);
      const ref = f64.vjp(0.5, y, a);
      assertClose(g.y, ref.y, 1e-5, 'dL/dy');
      for (const e of f32.layout) {
        const part = (x: Float64Array) => x.subarray(e.offset, e.offset + e.size);
        assertClose(part(g.params), part(ref.params), 1e-5, `dL/d${e.name}`);
      }
      // f and vjp from one kernel run: the same bits as the two calls
      const both = f32.fAndVjp(0.5, y, a);
      assertSameBits(both.f, f, 'fAndVjp f');
      assertSameBits(both.y, g.y, 'fAndVjp dL/dy');
      assertSameBits(both.params, g.params, 'fAndVjp dL/dθ');
    });
  }

  it('f into a given array, y itself included, gives the same bits', () => {
    const { f32 } = pair(2, 12, 3);
    const y = batchOf(5, 2, 4);
    const expected = f32.f(0, y);
    const out = new Float64Array(y.length);
    assert.equal(f32.f(0, y, out), out);
    assertSameBits(out, expected, 'f into out');
    const inPlace = y.slice();
    f32.f(0, inPlace, inPlace);
    assertSameBits(inPlace, expected, 'f in place');
  });

  it('the activation tape gives the bits of f and vjp, and its records are keyed by the float64 state', () => {
    const { f32 } = pair(2, 64, 5);
    const tape = f32.tape();
    assert.ok(tape, 'a float32 field has a tape');
    const y = batchOf(37, 2, 6);
    const a = batchOf(37, 2, 7);
    const { f, record } = tape.f(0.25, y);
    assert.ok(record >= 0);
    assertSameBits(f, f32.f(0.25, y), 'tape f');
    const g = tape.vjp(record, 0.25, y, a);
    const ref = f32.vjp(0.25, y, a);
    assertSameBits(g.y, ref.y, 'tape dL/dy');
    assertSameBits(g.params, ref.params, 'tape dL/dθ');
    // a state that rounds to the same float32 values is still another state
    const near = y.slice();
    near[3] += Math.abs(near[3]) * 2 ** -40;
    assert.equal(Math.fround(near[3]), Math.fround(y[3]));
    assert.equal(tape.matches(record, 0.25, near), false);
    assert.equal(tape.matches(record, 0.25, y.slice()), true);
    tape.close();
    assert.equal(tape.bytes, 0);
  });

  for (const gradient of ['backprop', 'checkpoint'] as const) {
    it(`${gradient} with the tape gives the same bits as without it (float32)`, async () => {
      const { f32 } = pair(2, 64, 8);
      const y0 = batchOf(64, 2, 9);
      const target = batchOf(64, 2, 10);
      const opts: OdeintGradOptions = { method: 'dopri5', rtol: 1e-5, atol: 1e-6, gradient, checkpoints: 3 };
      const taped = await mseGrad(f32, y0, target, 2, opts);
      const plain = await mseGrad(untaped(f32), y0, target, 2, opts);
      assert.ok(taped.stats.peakStoredBytes > plain.stats.peakStoredBytes, 'the taped run kept records');
      assertSameBits(taped.gradY0, plain.gradY0, 'dL/dy0');
      assertSameBits(taped.gradParams, plain.gradParams, 'dL/dθ');
      assertSameBits(taped.ys[1], plain.ys[1], 'y(T)');
    });
  }

  it('backprop through a fixed-step solve agrees with float64 within float32 rounding', async () => {
    const { f64, f32 } = pair(2, 64, 11);
    const y0 = batchOf(256, 2, 12);
    const target = batchOf(256, 2, 13);
    const opts: OdeintGradOptions = { method: 'rk4', options: { stepSize: 0.05 }, gradient: 'backprop' };
    const a = await mseGrad(f64, y0, target, 1, opts);
    const b = await mseGrad(f32, y0, target, 1, opts);
    assert.equal(b.stats.nfeForward, a.stats.nfeForward);
    assertClose(b.ys[1], a.ys[1], 1e-5, 'y(T)');
    assertClose(b.gradY0, a.gradY0, 1e-5, 'dL/dy0');
    assertClose(b.gradParams, a.gradParams, 1e-5, 'dL/dθ');
  });

  for (const gradient of ['backprop', 'adjoint'] as const) {
    it(`${gradient} with dopri5 agrees with float64 within float32 rounding and the tolerance`, async () => {
      const { f64, f32 } = pair(2, 64, 14);
      const y0 = batchOf(256, 2, 15);
      const target = batchOf(256, 2, 16);
      const opts: OdeintGradOptions = { method: 'dopri5', rtol: 1e-5, atol: 1e-6, gradient };
      const a = await mseGrad(f64, y0, target, 1, opts);
      const b = await mseGrad(f32, y0, target, 1, opts);
      // the step-size controller may choose other steps on rounding noise: allow the tolerance's size
      assertClose(b.ys[1], a.ys[1], 1e-4, 'y(T)');
      assertClose(b.gradY0, a.gradY0, 1e-4, 'dL/dy0');
      assertClose(b.gradParams, a.gradParams, 1e-4, 'dL/dθ');
    });
  }

  it('sees writes to params at once, in f, vjp and records made before the write', () => {
    const { f32 } = pair(2, 16, 17);
    const y = batchOf(9, 2, 18);
    const a = batchOf(9, 2, 19);
    const tape = f32.tape()!;
    const before = tape.f(0, y);
    const fBefore = before.f.slice();
    f32.params[3] += 0.5;
    f32.param('2.bias')[1] -= 0.25;
    const fresh = mlpField({ sizes: [2, 16, 2], init: f32.params, precision: 'float32' });
    const f = f32.f(0, y);
    assert.ok(relErr(f, fBefore) > 1e-3, 'f changed');
    assertSameBits(f, fresh.f(0, y), 'f after the write');
    assertSameBits(f32.vjp(0, y, a).params, fresh.vjp(0, y, a).params, 'vjp after the write');
    // the record was made with the old weights: its vjp recomputes with the new ones
    const g = tape.vjp(before.record, 0, y, a);
    assertSameBits(g.y, fresh.vjp(0, y, a).y, 'tape dL/dy after the write');
    assertSameBits(g.params, fresh.vjp(0, y, a).params, 'tape dL/dθ after the write');
    tape.close();
  });

  it('passes through augmentedMlpField', () => {
    const aug = augmentedMlpField({ sizes: [2, 12, 2], extraDims: 1, seed: 3, precision: 'float32' });
    const ref = augmentedMlpField({ sizes: [2, 12, 2], extraDims: 1, seed: 3 });
    const y = batchOf(4, 3, 20);
    assert.ok(allFloat32(aug.f(0, y)));
    assertClose(aug.f(0, y), ref.f(0, y), 1e-5, 'augmented f');
  });

  it('rejects unknown precisions and models the float32 kernels do not cover, saying what to do', () => {
    assert.throws(
      () => mlpField({ sizes: [2, 8, 2], precision: 'float16' as never }),
      /mlpField: precision must be 'float64' or 'float32'; got "float16"/,
    );
    const cases: [Parameters<typeof mlpField>[0], RegExp][] = [
      [{ sizes: [2, 8, 8, 2] }, /has 2 hidden layers/],
      [{ sizes: [2, 8, 2], activation: 'relu' }, /the activation is 'relu'/],
      [{ sizes: [2, 8, 2], timeDependent: true }, /timeDependent is true/],
      [{ sizes: [2, 8, 2], simd: false }, /simd is false/],
    ];
    for (const [options, why] of cases) {
      assert.throws(() => mlpField({ ...options, precision: 'float32' }), (err: Error) => {
        assert.match(err.message, /precision 'float32' runs only on the SIMD kernels/);
        assert.match(err.message, why);
        assert.match(err.message, /Use precision 'float64'/);
        return true;
      });
    }
    assert.equal(mlpField({ sizes: [2, 8, 8, 2], precision: 'float64' }).precision, 'float64');
  });

  it('the float32 VJP kernel says its precision and rejects unknown ones', () => {
    const { f64 } = pair(2, 8, 21);
    const [W1, b1, W2, b2] = f64.layout.map((e) => f64.params.subarray(e.offset, e.offset + e.size));
    assert.equal(mlpVjp({ W1, b1, W2, b2 }, { precision: 'float32' })?.precision, 'float32');
    assert.equal(mlpVjp({ W1, b1, W2, b2 })?.precision, 'float64');
    assert.throws(() => mlpVjp({ W1, b1, W2, b2 }, { precision: 'half' as never }), /mlpVjp: precision must be 'float64' or 'float32'; got "half"/);
  });
});
