import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mlpField, type MlpField } from '../../engine/src/fields/index';
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

/** The field's weights (views of params), as the kernels take them. */
function weightsOf(field: MlpField): MlpGradsOut {
  return { W1: field.param('0.weight'), b1: field.param('0.bias'), W2: field.param('2.weight'), b2: field.param('2.bias') };
}

/** Gradient views into a params-shaped vector of `field`'s layout. */
function gradViews(field: MlpField, g: Float64Array): MlpGradsOut {
  const view = (name: string) => {
    const e = field.layout.find((p) => p.name === name)!;
    return g.subarray(e.offset, e.offset + e.size);
  };
  return { W1: view('0.weight'), b1: view('0.bias'), W2: view('2.weight'), b2: view('2.bias') };
}

/** Central differences of L = a·f(y) in every component of y and of params. */
function finiteDifferences(field: MlpField, y: Float64Array, a: Float64Array) {
  const L = (yy: Float64Array) => field.f(0, yy).reduce((s, v, i) => s + v * a[i], 0);
  const h = 1e-5;
  const gy = y.map((_, i) => {
    const yp = y.slice();
    const ym = y.slice();
    yp[i] += h;
    ym[i] -= h;
    return (L(yp) - L(ym)) / (2 * h);
  });
  const P = field.params;
  const gp = P.map((p, i) => {
    P[i] = p + h;
    const lp = L(y);
    P[i] = p - h;
    const lm = L(y);
    P[i] = p;
    return (lp - lm) / (2 * h);
  });
  return { y: gy, params: gp };
}

describe('mlpVjp: the SIMD VJP kernel of the one-hidden-layer tanh MLP', () => {
  // hidden widths around the 4-unit block (padded units must add nothing), d from 1 to 4
  const shapes = [
    [1, 1],
    [1, 6],
    [2, 3],
    [2, 64],
    [3, 7],
    [4, 50],
    [4, 5],
  ] as const;
  for (const [d, H] of shapes) {
    for (const batch of [1, 37]) {
      it(`agrees with the plain-JS VJP: d = ${d}, H = ${H}, batch ${batch}`, () => {
        const plain = mlpField({ sizes: [d, H, d], seed: d * 100 + H, simd: false });
        const kernel = mlpVjp(weightsOf(plain));
        assert.ok(kernel, 'WebAssembly SIMD is available in Node 20');
        const y = values(batch * d, H + batch, 2.5);
        const a = values(batch * d, H + batch + 1);
        const ref = plain.vjp(0, y, a);
        const gy = new Float64Array(y.length);
        const gP = new Float64Array(plain.params.length).fill(NaN); // every entry must be written
        kernel.vjp(y, a, gy, gradViews(plain, gP));
        assert.ok(relErr(gy, ref.y) <= 1e-13, `dL/dy differs by ${relErr(gy, ref.y)}`);
        assert.ok(relErr(gP, ref.params) <= 1e-13, `dL/dθ differs by ${relErr(gP, ref.params)}`);
        // the sums start again at every call
        kernel.vjp(y, a, gy, gradViews(plain, gP));
        assert.ok(relErr(gP, ref.params) <= 1e-13);
      });
    }
  }

  it('keeps working when the batch grows and shrinks', () => {
    const plain = mlpField({ sizes: [3, 9, 3], seed: 4, simd: false });
    const kernel = mlpVjp(weightsOf(plain))!;
    for (const batch of [2, 300, 5]) {
      const y = values(3 * batch, batch);
      const a = values(3 * batch, batch + 1);
      const ref = plain.vjp(0, y, a);
      const gy = new Float64Array(y.length);
      const gP = new Float64Array(plain.params.length);
      kernel.vjp(y, a, gy, gradViews(plain, gP));
      assert.ok(relErr(gy, ref.y) <= 1e-13, `batch ${batch}`);
      assert.ok(relErr(gP, ref.params) <= 1e-13, `batch ${batch}`);
    }
  });

  it('rejects mismatched shapes with what to do', () => {
    const field = mlpField({ sizes: [2, 5, 2], simd: false });
    const kernel = mlpVjp(weightsOf(field))!;
    const g = gradViews(field, new Float64Array(field.params.length));
    assert.throws(() => kernel.vjp(new Float64Array(4), new Float64Array(2), new Float64Array(4), g), /same whole number of samples of 2/);
    assert.throws(() => kernel.setWeights(weightsOf(mlpField({ sizes: [2, 6, 2] }))), /hidden = 6.*hidden = 5. Make a new one/);
    assert.throws(() => mlpVjp({ ...weightsOf(field), b2: new Float64Array(3) }), /do not form a dense MLP/);
  });
});

describe('mlpField: the VJP on the SIMD kernel', () => {
  for (const [d, H, batch] of [
    [2, 64, 37],
    [2, 50, 1],
    [1, 3, 37],
    [3, 7, 37],
    [4, 13, 1],
  ] as const) {
    it(`agrees with the plain field: sizes [${d}, ${H}, ${d}], batch ${batch}`, () => {
      const fast = mlpField({ sizes: [d, H, d], seed: 6 });
      const plain = mlpField({ sizes: [d, H, d], seed: 6, simd: false });
      assert.ok(fast.simd);
      const y = values(batch * d, 20, 2);
      const a = values(batch * d, 21);
      const v1 = fast.vjp(0, y, a);
      const v2 = plain.vjp(0, y, a);
      assert.ok(relErr(v1.y, v2.y) <= 1e-13, `dL/dy differs by ${relErr(v1.y, v2.y)}`);
      assert.ok(relErr(v1.params, v2.params) <= 1e-13, `dL/dθ differs by ${relErr(v1.params, v2.params)}`);
    });
  }

  it('matches finite differences', () => {
    const field = mlpField({ sizes: [3, 5, 3], seed: 7 });
    const y = values(12, 22, 1.5);
    const a = values(12, 23);
    const vjp = field.vjp(0, y, a);
    const fd = finiteDifferences(field, y, a);
    assert.ok(relErr(vjp.y, fd.y) < 1e-7, `dL/dy off by ${relErr(vjp.y, fd.y)}`);
    assert.ok(relErr(vjp.params, fd.params) < 1e-7, `dL/dθ off by ${relErr(vjp.params, fd.params)}`);
  });

  it('sees writes to params between calls', () => {
    const fast = mlpField({ sizes: [2, 10, 2], seed: 8 });
    const y = values(14, 24);
    const a = values(14, 25);
    const check = () => {
      const plain = mlpField({ sizes: [2, 10, 2], init: fast.params, simd: false });
      const v1 = fast.vjp(0, y, a);
      const v2 = plain.vjp(0, y, a);
      assert.ok(relErr(v1.y, v2.y) <= 1e-13);
      assert.ok(relErr(v1.params, v2.params) <= 1e-13);
      return v1;
    };
    const before = check();
    fast.param('0.weight')[3] += 0.25; // one first-layer weight
    const after = check();
    assert.ok(maxDiff(after.y, before.y) > 1e-3, 'the change reached the kernel');
    fast.param('2.weight')[0] *= -1; // the output layer (dL/dW2 does not depend on it, dL/dy does)
    check();
    fast.params.set(values(fast.params.length, 26, 0.4));
    check();
  });
});
