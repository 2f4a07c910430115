import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mlpForward, type MlpWeightsLike } from '../../engine/src/kernels/mlpKernel';
import { scalarTanh, tanhArray } from '../../engine/src/kernels/simdTanh';

/** mulberry32: reproducible weights and inputs. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const uniform = (rand: () => number, n: number, scale: number) => Float64Array.from({ length: n }, () => (2 * rand() - 1) * scale);

function weights(seed: number, d: number, H: number): MlpWeightsLike & { W1: Float64Array; b1: Float64Array; W2: Float64Array; b2: Float64Array } {
  const r = rng(seed);
  return { W1: uniform(r, H * d, 2), b1: uniform(r, H, 1), W2: uniform(r, d * H, 1), b2: uniform(r, d, 1) };
}

/**
 * The plain float64 MLP with Math.tanh, and for each output a bound on what the kernel may
 * differ by: `tanhErr` per hidden unit times Σ|W2|, plus float rounding `u` of every product and sum.
 */
function reference(w: ReturnType<typeof weights>, y: ArrayLike<number>, tanhErr: number, u: number) {
  const H = w.b1.length;
  const d = w.b2.length;
  const out = new Float64Array(y.length);
  const bound = new Float64Array(y.length);
  for (let s = 0; s < y.length; s += d) {
    for (let k = 0; k < d; k++) {
      let o = w.b2[k];
      let mag = Math.abs(w.b2[k]);
      let tanhPart = 0;
      for (let j = 0; j < H; j++) {
        let z = w.b1[j];
        let zmag = Math.abs(w.b1[j]);
        for (let q = 0; q < d; q++) {
          z += w.W1[j * d + q] * y[s + q];
          zmag += Math.abs(w.W1[j * d + q] * y[s + q]);
        }
        const a = Math.tanh(z);
        o += w.W2[k * H + j] * a;
        // tanh's own error, the rounding of z (tanh' ≤ 1), then the products and the sum
        tanhPart += Math.abs(w.W2[k * H + j]) * (tanhErr + (d + 2) * u * zmag);
        mag += Math.abs(w.W2[k * H + j] * a);
      }
      out[s + k] = o;
      bound[s + k] = tanhPart + (H + 2) * u * mag;
    }
  }
  return { out, bound };
}

const U64 = 2 ** -53;
const U32 = 2 ** -24;
const SHAPES: [batch: number, d: number, hidden: number][] = [
  [1, 2, 5],
  [7, 3, 13],
  [16, 2, 32],
  [33, 2, 64],
  [5, 4, 9],
  [3, 1, 1],
];

function maxExcess(got: ArrayLike<number>, ref: { out: Float64Array; bound: Float64Array }): { worst: number; at: number } {
  let worst = 0;
  let at = -1;
  for (let i = 0; i < got.length; i++) {
    const r = Math.abs(got[i] - ref.out[i]) / ref.bound[i];
    if (!(r <= worst)) {
      worst = r;
      at = i;
    }
  }
  return { worst, at };
}

describe('mlpForward: SIMD MLP kernel', () => {
  it('uses WebAssembly SIMD on this Node', () => {
    const k = mlpForward(weights(1, 2, 4));
    assert.equal(k.simd, true);
    assert.equal(mlpForward(weights(1, 2, 4), { precision: 'float32' }).simd, true);
  });

  for (const simd of [true, false]) {
    for (const [batch, d, H] of SHAPES) {
      it(`float64 ${simd ? 'SIMD' : 'scalar fallback'} matches the Math.tanh MLP, batch ${batch}, d ${d}, hidden ${H}`, () => {
        const w = weights(1000 * d + H, d, H);
        const y = uniform(rng(batch + 7), batch * d, 3);
        const k = mlpForward(w, { simd });
        assert.equal(k.simd, simd);
        const got = k.forward(y);
        assert.ok(got instanceof Float64Array);
        const { worst, at } = maxExcess(got, reference(w, y, 4e-16, U64));
        assert.ok(worst <= 1, `output ${at} is off by ${worst.toFixed(2)}× its bound`);
      });

      it(`float32 ${simd ? 'SIMD' : 'scalar fallback'} matches the Math.tanh MLP on float32 weights, batch ${batch}, d ${d}, hidden ${H}`, () => {
        const w64 = weights(1000 * d + H, d, H);
        // The reference gets the weights and inputs the kernel sees: rounded to float32.
        const w = { W1: round32(w64.W1), b1: round32(w64.b1), W2: round32(w64.W2), b2: round32(w64.b2) };
        const y = Float32Array.from(uniform(rng(batch + 7), batch * d, 3));
        const k = mlpForward(w64, { precision: 'float32', simd });
        const got = k.forward(y);
        assert.ok(got instanceof Float32Array);
        const { worst, at } = maxExcess(got, reference(w, y, 2e-7, U32));
        assert.ok(worst <= 1, `output ${at} is off by ${worst.toFixed(2)}× its bound`);
      });
    }
  }

  it('the kernel errors are far below the bounds used above', () => {
    // Guards against bounds so loose that the tests above could not fail.
    const w = weights(5, 2, 64);
    const y = uniform(rng(9), 64 * 2, 3);
    const ref = reference(w, y, 0, 0);
    const got = mlpForward(w).forward(y);
    let err = 0;
    for (let i = 0; i < y.length; i++) err = Math.max(err, Math.abs(got[i] - ref.out[i]));
    assert.ok(err > 0 && err < 1e-13, `max abs error ${err}`);
    const wrong = mlpForward({ ...w, b2: Float64Array.from(w.b2, (v, i) => (i === 0 ? v + 1e-12 : v)) }).forward(y);
    assert.ok(Math.abs(wrong[0] - ref.out[0]) > reference(w, y, 4e-16, U64).bound[0], 'a 1e-12 change must exceed the bound');
  });

  it('setWeights takes effect, and forward reuses memory across batch sizes', () => {
    const a = weights(11, 3, 10);
    const b = weights(12, 3, 10);
    const k = mlpForward(a);
    const y = uniform(rng(3), 3 * 40, 2);
    const before = k.forward(y);
    k.setWeights(b);
    const after = k.forward(y);
    const refB = reference(b, y, 4e-16, U64);
    assert.ok(maxExcess(after, refB).worst <= 1);
    assert.ok(maxExcess(before, refB).worst > 1, 'the old weights must give other outputs');
    // a smaller batch after a larger one, then a larger one again
    const small = y.subarray(0, 6);
    assert.ok(maxExcess(k.forward(small), reference(b, small, 4e-16, U64)).worst <= 1);
    const big = uniform(rng(4), 3 * 1000, 2);
    assert.ok(maxExcess(k.forward(big), reference(b, big, 4e-16, U64)).worst <= 1);
    // an out array is filled in place
    const out = new Float64Array(y.length);
    assert.equal(k.forward(y, out), out);
    assert.deepEqual(out, after);
  });

  it('rejects inconsistent shapes with a message that names them', () => {
    const w = weights(1, 2, 8);
    assert.throws(() => mlpForward({ ...w, W2: new Float64Array(15) }), /W2 \[d, 8\].*W2 15/);
    const k = mlpForward(w);
    assert.throws(() => k.forward(new Float64Array(5)), /5 values, not a whole number of samples of 2/);
    assert.throws(() => k.setWeights(weights(1, 2, 9)), /hidden = 9.*hidden = 8/);
  });

  it('NaN in one sample gives NaN in that sample only', () => {
    const w = weights(3, 2, 6);
    for (const simd of [true, false]) {
      const y = Float64Array.from([0.1, NaN, 0.5, -0.2]);
      const out = mlpForward(w, { simd }).forward(y);
      assert.ok(Number.isNaN(out[0]) && Number.isNaN(out[1]));
      assert.ok(Number.isFinite(out[2]) && Number.isFinite(out[3]));
    }
  });
});

function round32(x: Float64Array): Float64Array {
  return Float64Array.from(Float32Array.from(x));
}

describe('SIMD tanh', () => {
  // a dense grid over the whole range, the clamp region and beyond
  const grid: number[] = [];
  for (let x = -25; x <= 25; x += 1 / 1024) grid.push(x);
  for (let e = -320; e <= 300; e += 0.5) grid.push(10 ** e, -(10 ** e));
  grid.push(Infinity, -Infinity, Number.MAX_VALUE, -Number.MAX_VALUE, 5e-324, 19.1, 19.0999, 9.5, 9.4999);

  it('float64: |error| ≤ 4e-16 against Math.tanh, exactly odd', () => {
    const xs = Float64Array.from(grid);
    const { y, simd } = tanhArray(xs);
    assert.equal(simd, true);
    const neg = tanhArray(Float64Array.from(xs, (x) => -x)).y;
    let worst = 0;
    for (let i = 0; i < xs.length; i++) {
      worst = Math.max(worst, Math.abs(y[i] - Math.tanh(xs[i])));
      assert.ok(Object.is(neg[i], -y[i]), `tanh(−x) ≠ −tanh(x) at x = ${xs[i]}`);
      assert.ok(Math.abs(y[i]) <= 1);
    }
    assert.ok(worst <= 4e-16, `max abs error ${worst}`);
  });

  it('float32: |error| ≤ 2e-7 against Math.tanh of the float32 input, exactly odd', () => {
    const xs = Float32Array.from(grid);
    const { y, simd } = tanhArray(xs);
    assert.equal(simd, true);
    const neg = tanhArray(Float32Array.from(xs, (x) => -x)).y;
    let worst = 0;
    for (let i = 0; i < xs.length; i++) {
      worst = Math.max(worst, Math.abs(y[i] - Math.tanh(xs[i])));
      assert.ok(Object.is(neg[i], -y[i]), `tanh(−x) ≠ −tanh(x) at x = ${xs[i]}`);
    }
    assert.ok(worst <= 2e-7, `max abs error ${worst}`);
  });

  it('±0 give ±0, NaN gives NaN, ±Infinity give ±1, in both precisions and in the fallback', () => {
    for (const C of [Float64Array, Float32Array]) {
      for (const simd of [true, false]) {
        const { y } = tanhArray(new C([0, -0, NaN, -NaN, Infinity, -Infinity]), simd);
        assert.ok(Object.is(y[0], 0) && Object.is(y[1], -0), `${C.name} simd=${simd}: ${y[0]}, ${y[1]}`);
        assert.ok(Number.isNaN(y[2]) && Number.isNaN(y[3]));
        assert.equal(y[4], 1);
        assert.equal(y[5], -1);
      }
    }
    assert.ok(Number.isNaN(scalarTanh(NaN)));
  });

  it('float64 is smooth: central differences match 1 − tanh² to the accuracy rounding allows', () => {
    const h = 1e-5;
    const xs: number[] = [];
    for (let x = -6; x <= 6; x += 0.01) xs.push(x - h, x + h);
    const { y } = tanhArray(Float64Array.from(xs));
    let worst = 0;
    for (let i = 0; i < xs.length; i += 2) {
      const x = (xs[i] + xs[i + 1]) / 2;
      const fd = (y[i + 1] - y[i]) / (xs[i + 1] - xs[i]);
      worst = Math.max(worst, Math.abs(fd - (1 - Math.tanh(x) ** 2)));
    }
    // truncation h²/3·|tanh'''| ≤ 7e-11, rounding 2·4e-16 / 2h = 3e-11
    assert.ok(worst < 2e-10, `max derivative error ${worst}`);
  });
});
