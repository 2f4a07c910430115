// fAndVjp: f and the VJP from one evaluation, checked against calling f and vjp separately,
// and the continuous adjoint checked to give the same gradients and counts with and without it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mlpField, type MlpField, type NativeField } from '../../engine/src/fields/index';
import { odeintGrad } from '../../engine/src/gradients/index';
import { mlpVjp, type MlpGradsOut } from '../../engine/src/kernels/mlpVjpKernel';

/** Reproducible values in [−scale, scale] (a sine hash, independent of the engine's generator). */
function values(n: number, seed: number, scale = 1): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => {
    const x = Math.sin(12.9898 * (i + 1) + 78.233 * seed) * 43758.5453;
    return (2 * (x - Math.floor(x)) - 1) * scale;
  });
}

const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
const relErr = (actual: ArrayLike<number>, expected: ArrayLike<number>) => maxDiff(actual, expected) / Math.max(maxAbs(expected), 1e-300);

function gradViews(field: MlpField, g: Float64Array): MlpGradsOut {
  const view = (name: string) => {
    const e = field.layout.find((p) => p.name === name)!;
    return g.subarray(e.offset, e.offset + e.size);
  };
  return { W1: view('0.weight'), b1: view('0.bias'), W2: view('2.weight'), b2: view('2.bias') };
}

/** fAndVjp of `field` against its own f and vjp at the same point. */
function assertMatchesSeparate(field: MlpField, y: Float64Array, a: Float64Array, label: string): void {
  const both = field.fAndVjp(0.3, y, a);
  const f = field.f(0.3, y);
  const g = field.vjp(0.3, y, a);
  assert.equal(both.f.length, y.length);
  assert.ok(relErr(both.f, f) <= 1e-13, `${label}: f differs by ${relErr(both.f, f)}`);
  assert.ok(relErr(both.y, g.y) <= 1e-13, `${label}: dL/dy differs by ${relErr(both.y, g.y)}`);
  assert.ok(relErr(both.params, g.params) <= 1e-13, `${label}: dL/dθ differs by ${relErr(both.params, g.params)}`);
}

describe('fAndVjp: f and the VJP in one evaluation', () => {
  // hidden widths around the 4-unit block (padded units must add nothing to f either), d from 1 to 5
  const shapes = [
    [1, 1],
    [1, 6],
    [2, 3],
    [2, 64],
    [3, 7],
    [4, 50],
    [5, 9],
  ] as const;
  for (const [d, H] of shapes) {
    for (const batch of [1, 37]) {
      it(`kernel: f matches the forward MLP and the VJP matches vjp, d = ${d}, H = ${H}, batch ${batch}`, () => {
        const plain = mlpField({ sizes: [d, H, d], seed: d * 10 + H, simd: false });
        const kernel = mlpVjp({ W1: plain.param('0.weight'), b1: plain.param('0.bias'), W2: plain.param('2.weight'), b2: plain.param('2.bias') });
        assert.ok(kernel, 'WebAssembly SIMD is available in Node 20');
        const y = values(batch * d, H + batch, 2.5);
        const a = values(batch * d, H + batch + 1);
        const f = new Float64Array(y.length).fill(NaN); // every entry must be written
        const gy = new Float64Array(y.length).fill(NaN);
        const gP = new Float64Array(plain.params.length).fill(NaN);
        kernel.fAndVjp(y, a, f, gy, gradViews(plain, gP));
        const ref = plain.vjp(0, y, a);
        const fRef = plain.f(0, y);
        assert.ok(relErr(f, fRef) <= 1e-13, `f differs by ${relErr(f, fRef)}`);
        assert.ok(relErr(gy, ref.y) <= 1e-13, `dL/dy differs by ${relErr(gy, ref.y)}`);
        assert.ok(relErr(gP, ref.params) <= 1e-13, `dL/dθ differs by ${relErr(gP, ref.params)}`);
      });

      it(`mlpField: fAndVjp equals f and vjp, sizes [${d}, ${H}, ${d}], batch ${batch}, SIMD and plain`, () => {
        const y = values(batch * d, 40 + H, 2);
        const a = values(batch * d, 41 + H);
        const fast = mlpField({ sizes: [d, H, d], seed: 5 });
        assert.ok(fast.simd);
        assertMatchesSeparate(fast, y, a, 'SIMD');
        assertMatchesSeparate(mlpField({ sizes: [d, H, d], seed: 5, simd: false }), y, a, 'plain');
      });
    }
  }

  it('matches on the fields that have no fused kernel (deeper, time-dependent, softplus)', () => {
    const y = values(3 * 11, 50, 1.5);
    const a = values(3 * 11, 51);
    assertMatchesSeparate(mlpField({ sizes: [3, 8, 6, 3], seed: 2 }), y, a, 'two hidden layers');
    assertMatchesSeparate(mlpField({ sizes: [3, 8, 3], timeDependent: true, seed: 3 }), y, a, 'time-dependent');
    assertMatchesSeparate(mlpField({ sizes: [3, 8, 3], activation: 'softplus', seed: 4 }), y, a, 'softplus');
  });

  it('sees writes to params between calls, f included', () => {
    const field = mlpField({ sizes: [2, 10, 2], seed: 8 });
    const y = values(14, 60);
    const a = values(14, 61);
    const before = field.fAndVjp(0, y, a);
    field.param('2.bias')[1] += 0.5; // moves f only
    const after = field.fAndVjp(0, y, a);
    assert.ok(Math.abs(after.f[1] - before.f[1] - 0.5) < 1e-12, 'the new output bias reached the kernel');
    assertMatchesSeparate(field, y, a, 'after b2 changed');
    field.params.set(values(field.params.length, 62, 0.4));
    assertMatchesSeparate(field, y, a, 'after every parameter changed');
  });

  it('rejects a cotangent of the wrong size with what to do', () => {
    const field = mlpField({ sizes: [2, 5, 2] });
    assert.throws(() => field.fAndVjp(0, new Float64Array(4), new Float64Array(2)), /cotangent a has 2 values but y has 4/);
  });
});

describe('adjoint with fAndVjp', () => {
  for (const T of [1, 3]) {
    it(`gives the gradients and counts of separate f and vjp calls (T = ${T})`, async () => {
      const field = mlpField({ sizes: [2, 16, 2], seed: 11 });
      let fused = 0;
      const counting: NativeField = {
        kind: 'native',
        params: field.params,
        f: (t, y) => field.f(t, y),
        vjp: (t, y, a) => field.vjp(t, y, a),
        fAndVjp: (t, y, a) => {
          fused++;
          return field.fAndVjp(t, y, a);
        },
      };
      const separate: NativeField = { kind: 'native', params: field.params, f: counting.f, vjp: counting.vjp };
      const y0 = values(2 * 9, 70, 1.5);
      const cot = values(2 * 9, 71);
      const opts = { method: 'dopri5', rtol: 1e-6, atol: 1e-8, gradient: 'adjoint' as const };
      const r1 = await odeintGrad(counting, y0, [0, T], () => [null, cot], opts);
      const r2 = await odeintGrad(separate, y0, [0, T], () => [null, cot], opts);
      assert.ok(fused > 0, 'the adjoint used fAndVjp');
      assert.equal(r1.stats.nfBackward, fused, 'one f per augmented evaluation');
      assert.equal(r1.stats.nVjpBackward, fused, 'one vjp per augmented evaluation');
      assert.equal(r2.stats.nfBackward, r1.stats.nfBackward);
      assert.equal(r2.stats.nVjpBackward, r1.stats.nVjpBackward);
      assert.ok(relErr(r1.gradParams, r2.gradParams) <= 1e-12, `dL/dθ differs by ${relErr(r1.gradParams, r2.gradParams)}`);
      assert.ok(relErr(r1.gradY0, r2.gradY0) <= 1e-12, `dL/dy0 differs by ${relErr(r1.gradY0, r2.gradY0)}`);
    });
  }
});
