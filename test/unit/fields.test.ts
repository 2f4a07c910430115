import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ACTIVATION_NAMES,
  augment,
  augmentedField,
  augmentedMlpField,
  kaimingBound,
  mlpField,
  project,
  type MlpField,
  type NativeField,
} from '../../engine/src/fields/index';
import { activation } from '../../engine/src/fields/activations';

/** Reproducible values in [−scale, scale] (a sine hash: independent of the engine's generator). */
function values(n: number, seed: number, scale = 1): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => {
    const x = Math.sin(12.9898 * (i + 1) + 78.233 * seed) * 43758.5453;
    return (2 * (x - Math.floor(x)) - 1) * scale;
  });
}

const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i], 0);
const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

/** Central differences of L = a·f(t, y) in every component of y and of params. */
function finiteDifferences(field: NativeField, t: number, y: Float64Array, a: Float64Array) {
  const L = (yy: Float64Array) => dot(a, field.f(t, yy));
  const step = (x: number) => 1e-5 * Math.max(1, Math.abs(x));
  const gy = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const h = step(y[i]);
    const yp = y.slice();
    const ym = y.slice();
    yp[i] += h;
    ym[i] -= h;
    gy[i] = (L(yp) - L(ym)) / (2 * h);
  }
  const P = field.params;
  const gp = new Float64Array(P.length);
  for (let i = 0; i < P.length; i++) {
    const p = P[i];
    const h = step(p);
    P[i] = p + h;
    const lp = L(y);
    P[i] = p - h;
    const lm = L(y);
    P[i] = p;
    gp[i] = (lp - lm) / (2 * h);
  }
  return { y: gy, params: gp };
}

const relErr = (actual: ArrayLike<number>, expected: ArrayLike<number>) => maxDiff(actual, expected) / Math.max(maxAbs(expected), 1e-300);

/** The MLP written out from the layout alone: weight [out, in] row-major, bias [out], input [y, t]. */
function referenceF(field: MlpField, t: number, y: Float64Array): Float64Array {
  const act = activation(field.activation);
  const d = field.dim;
  const out = new Float64Array(y.length);
  for (let s = 0; s < y.length / d; s++) {
    let x = Array.from(y.subarray(s * d, (s + 1) * d));
    if (field.timeDependent) x.push(t);
    for (let l = 0; l < field.layout.length / 2; l++) {
      const W = field.param(`${2 * l}.weight`);
      const b = field.param(`${2 * l}.bias`);
      const [nOut, nIn] = field.layout[2 * l].shape;
      const z = Array.from({ length: nOut }, (_, o) => b[o] + x.reduce((acc, xi, i) => acc + W[o * nIn + i] * xi, 0));
      x = l < field.layout.length / 2 - 1 ? z.map(act.value) : z;
    }
    out.set(x, s * d);
  }
  return out;
}

describe('mlpField: VJP against central finite differences', () => {
  const shapes = { 'depth 1': [3, 7, 3], 'depth 2': [3, 6, 5, 3] };
  for (const act of ACTIVATION_NAMES) {
    for (const timeDependent of [false, true]) {
      for (const [depth, sizes] of Object.entries(shapes)) {
        for (const batch of [1, 5]) {
          it(`${act}, ${timeDependent ? 'time-dependent' : 'autonomous'}, ${depth}, batch ${batch}`, () => {
            const field = mlpField({ sizes, activation: act, timeDependent, seed: 3 });
            const y = values(batch * 3, 1, 1.5);
            const a = values(batch * 3, 2);
            const t = 0.7;
            const vjp = field.vjp(t, y, a);
            const fd = finiteDifferences(field, t, y, a);
            assert.equal(vjp.y.length, y.length);
            assert.equal(vjp.params.length, field.params.length);
            assert.ok(relErr(vjp.y, fd.y) < 1e-6, `dL/dy relative error ${relErr(vjp.y, fd.y)}`);
            assert.ok(relErr(vjp.params, fd.params) < 1e-6, `dL/dθ relative error ${relErr(vjp.params, fd.params)}`);
            // the field is what its layout says it is
            assert.ok(maxDiff(field.f(t, y), referenceF(field, t, y)) < 1e-13);
          });
        }
      }
    }
  }

  it('the VJP does not depend on the last f call (it recomputes the activations)', () => {
    const field = mlpField({ sizes: [2, 8, 8, 2], activation: 'softplus', seed: 1 });
    const y = values(6, 4);
    const a = values(6, 5);
    const first = field.vjp(0.2, y, a);
    field.f(0.2, values(10, 6)); // another batch size and state in between
    const second = field.vjp(0.2, y, a);
    assert.deepEqual(second.y, first.y);
    assert.deepEqual(second.params, first.params);
  });

  it('dL/dθ sums over the batch', () => {
    const field = mlpField({ sizes: [2, 5, 2], activation: 'swish', timeDependent: true, seed: 2 });
    const y = values(8, 7);
    const a = values(8, 8);
    const whole = field.vjp(0.3, y, a).params;
    const sum = new Float64Array(whole.length);
    for (let s = 0; s < 4; s++) {
      const part = field.vjp(0.3, y.slice(2 * s, 2 * s + 2), a.slice(2 * s, 2 * s + 2)).params;
      part.forEach((v, i) => (sum[i] += v));
    }
    assert.ok(maxDiff(whole, sum) < 1e-14 * Math.max(1, maxAbs(sum)));
  });
});

describe('mlpField: parameters', () => {
  it('lays out params in PyTorch state_dict order', () => {
    const field = mlpField({ sizes: [3, 6, 5, 3], timeDependent: true });
    assert.deepEqual(
      field.layout.map((e) => [e.name, e.shape]),
      [
        ['0.weight', [6, 4]],
        ['0.bias', [6]],
        ['2.weight', [5, 6]],
        ['2.bias', [5]],
        ['4.weight', [3, 5]],
        ['4.bias', [3]],
      ],
    );
    let offset = 0;
    for (const e of field.layout) {
      assert.equal(e.offset, offset, e.name);
      assert.equal(e.size, e.shape.reduce((p, n) => p * n, 1), e.name);
      offset += e.size;
    }
    assert.equal(field.params.length, offset);
    assert.throws(() => field.param('1.weight'), /has no parameter '1.weight'.*0\.weight/);
  });

  for (const simd of [true, false]) {
    it(`writes to params take effect at once (${simd ? 'SIMD' : 'plain'} forward)`, () => {
      const field = mlpField({ sizes: [2, 16, 2], simd });
      assert.equal(field.simd, simd);
      const y = values(6, 9);
      const before = field.f(0, y);
      // the output bias shifts every sample's output
      field.param('2.bias')[1] += 0.5;
      const shifted = field.f(0, y);
      for (let s = 0; s < 3; s++) {
        assert.ok(Math.abs(shifted[2 * s] - before[2 * s]) < 1e-15);
        assert.ok(Math.abs(shifted[2 * s + 1] - before[2 * s + 1] - 0.5) < 1e-14);
      }
      // a first-layer weight, through params directly
      field.params[3] *= -2;
      assert.ok(maxDiff(field.f(0, y), referenceF(field, 0, y)) < 1e-14);
      field.params.set(values(field.params.length, 10, 0.3));
      assert.ok(maxDiff(field.f(0, y), referenceF(field, 0, y)) < 1e-14);
    });
  }

  it('initialises like nn.Linear: U(−1/√fan_in, 1/√fan_in), deterministic for a seed', () => {
    const opts = { sizes: [4, 64, 32, 4], timeDependent: true, seed: 42 };
    const a = mlpField(opts);
    assert.deepEqual(a.params, mlpField(opts).params);
    assert.notDeepEqual(a.params, mlpField({ ...opts, seed: 43 }).params);
    for (const e of a.layout) {
      const fanIn = a.layout[e.name.endsWith('weight') ? a.layout.indexOf(e) : a.layout.indexOf(e) - 1].shape[1];
      const bound = kaimingBound(fanIn);
      assert.equal(bound, 1 / Math.sqrt(fanIn));
      const v = a.param(e.name);
      assert.ok(maxAbs(v) <= bound, `${e.name} within ±${bound}`);
      if (e.size >= 256) {
        // uniform on the whole interval: extremes near the bound, mean near 0, variance bound²/3
        const mean = v.reduce((s, x) => s + x, 0) / v.length;
        const variance = v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length;
        assert.ok(maxAbs(v) > 0.97 * bound, `${e.name} spans the interval`);
        assert.ok(Math.abs(mean) < 0.1 * bound, `${e.name} mean ${mean}`);
        assert.ok(Math.abs(variance / (bound * bound / 3) - 1) < 0.15, `${e.name} variance ${variance}`);
      }
    }
  });

  it('takes initial params as a vector or a function', () => {
    const sizes = [2, 3, 2];
    const given = values(17, 11);
    assert.deepEqual(mlpField({ sizes, init: given }).params, given);
    const zeros = mlpField({ sizes, init: (e) => (e.name === '2.weight' ? 0 : 1) });
    assert.deepEqual(Array.from(zeros.param('2.weight')), [0, 0, 0, 0, 0, 0]);
    assert.deepEqual(Array.from(zeros.f(0, values(4, 1))), [1, 1, 1, 1]);
    assert.throws(() => mlpField({ sizes, init: [1, 2] }), /init has 2 values but this MLP has 17 parameters/);
  });

  it('rejects bad sizes, activations and batches with what to do', () => {
    assert.throws(() => mlpField({ sizes: [2, 2] }), /at least one hidden width/);
    assert.throws(() => mlpField({ sizes: [2, 8, 3] }), /start and end with the same dimension.*\[2, 8, 2\]/);
    assert.throws(() => mlpField({ sizes: [2, 0, 2] }), /positive integer/);
    assert.throws(() => mlpField({ sizes: [2, 8, 2], activation: 'gelu' as never }), /Unknown activation 'gelu'.*tanh, softplus/);
    const field = mlpField({ sizes: [2, 8, 2] });
    assert.throws(() => field.f(0, new Float64Array(3)), /3 values, not a whole number of samples of dimension 2/);
    assert.throws(() => field.vjp(0, new Float64Array(4), new Float64Array(2)), /cotangent a has 2 values but y has 4/);
  });
});

describe('mlpField: the SIMD forward kernel', () => {
  for (const [sizes, batch] of [
    [[2, 50, 2], 20],
    [[2, 64, 2], 256],
    [[5, 33, 5], 1],
    [[3, 7, 3], 7],
  ] as const) {
    it(`agrees with the plain loop: sizes [${sizes}], batch ${batch}`, () => {
      const fast = mlpField({ sizes, seed: 5 });
      const plain = mlpField({ sizes, seed: 5, simd: false });
      assert.ok(fast.simd, 'WebAssembly SIMD is available in Node 20');
      assert.ok(!plain.simd);
      const y = values(batch * sizes[0], 12, 3);
      const f1 = fast.f(0, y);
      const f2 = plain.f(0, y);
      assert.ok(maxDiff(f1, f2) <= 1e-14 * Math.max(1, maxAbs(f2)), `differ by ${maxDiff(f1, f2)}`);
      const out = new Float64Array(y.length);
      assert.equal(fast.f(0, y, out), out);
      assert.deepEqual(out, f1);
    });
  }

  it('the SIMD tanh of hidden layers agrees with Math.tanh in f and the VJP', () => {
    const opts = { sizes: [3, 40, 30, 3], timeDependent: true, seed: 8 };
    const fast = mlpField(opts);
    const plain = mlpField({ ...opts, simd: false });
    const y = values(33, 15, 2);
    const a = values(33, 16);
    const f2 = plain.f(0.5, y);
    assert.ok(maxDiff(fast.f(0.5, y), f2) <= 1e-14 * Math.max(1, maxAbs(f2)));
    const v1 = fast.vjp(0.5, y, a);
    const v2 = plain.vjp(0.5, y, a);
    assert.ok(maxDiff(v1.y, v2.y) <= 1e-13 * maxAbs(v2.y));
    assert.ok(maxDiff(v1.params, v2.params) <= 1e-13 * maxAbs(v2.params));
  });

  it('is used only for one hidden tanh layer without time', () => {
    assert.ok(mlpField({ sizes: [2, 8, 2] }).simd);
    assert.ok(!mlpField({ sizes: [2, 8, 8, 2] }).simd);
    assert.ok(!mlpField({ sizes: [2, 8, 2], activation: 'softplus' }).simd);
    assert.ok(!mlpField({ sizes: [2, 8, 2], timeDependent: true }).simd);
  });
});

describe('augmented fields (ANODE)', () => {
  it('pads and projects batch-major states', () => {
    const y0 = Float64Array.from([1, 2, 3, 4, 5, 6]);
    const up = augment(y0, 2, 2);
    assert.deepEqual(Array.from(up), [1, 2, 0, 0, 3, 4, 0, 0, 5, 6, 0, 0]);
    assert.deepEqual(project(up, 4, 2), y0);
    assert.throws(() => augment(y0, 4, 1), /6 values, not a whole number of samples of dimension 4/);
  });

  it('runs the network on data plus extra dimensions', () => {
    const field = augmentedMlpField({ sizes: [2, 16, 2], extraDims: 3, activation: 'softplus', seed: 4 });
    assert.equal(field.dim, 5);
    assert.equal(field.dataDim, 2);
    assert.equal(field.extraDims, 3);
    assert.deepEqual(field.base.sizes, [5, 16, 5]);
    assert.equal(field.params, field.base.params);
    const y0 = values(6, 13);
    const z0 = field.augment(y0);
    assert.equal(z0.length, 15);
    assert.deepEqual(field.project(z0), y0);
    for (let s = 0; s < 3; s++) assert.deepEqual(Array.from(z0.subarray(5 * s + 2, 5 * s + 5)), [0, 0, 0]);
    // the extra dimensions move: f has non-zero components there
    const dz = field.f(0, z0);
    assert.ok(maxAbs(dz.filter((_, i) => i % 5 >= 2)) > 0);
    const a = values(15, 14);
    const vjp = field.vjp(0, z0, a);
    const fd = finiteDifferences(field, 0, z0, a);
    assert.ok(relErr(vjp.y, fd.y) < 1e-6);
    assert.ok(relErr(vjp.params, fd.params) < 1e-6);
    assert.throws(() => field.f(0, y0), /6 values, not a whole number of samples of dimension 5/);
  });

  it('wraps any native field that says its dimension', () => {
    const base = mlpField({ sizes: [3, 4, 3] });
    const field = augmentedField(base, { extraDims: 1 });
    assert.equal(field.dataDim, 2);
    assert.throws(() => augmentedField(base, { extraDims: 3 }), /extraDims must be a whole number from 1 to 2/);
    const { kind, params, f, vjp } = base;
    assert.throws(() => augmentedField({ kind, params, f, vjp }, { extraDims: 1 }), /pass \{ dim \}/);
  });
});
