// The float64 algebra adds a lincomb's terms per component in registers; it must give the same
// bits as adding one term per pass over the array (what float32 states still do).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nativeAlgebra } from '../../engine/src/state/native';
import { randomArray, uniform } from './gradientProblems';

/** One pass per term, in float64: the reference order of additions. */
function onePassPerTerm(base: Float64Array | null, coeffs: readonly number[], xs: readonly Float64Array[]): Float64Array {
  const out = base ? Float64Array.from(base) : new Float64Array(xs[0].length);
  xs.forEach((x, j) => {
    if (coeffs[j] !== 0) for (let i = 0; i < out.length; i++) out[i] += coeffs[j] * x[i];
  });
  return out;
}

describe('the float64 lincomb', () => {
  it('equals adding one term per pass, bit for bit: 0 to 9 terms, zero coefficients, with and without base', () => {
    const algebra = nativeAlgebra(new Float64Array(0));
    const rand = uniform(21);
    for (let terms = 0; terms <= 9; terms++) {
      for (const withBase of [false, true]) {
        if (terms === 0 && !withBase) continue;
        const n = 37;
        // values spread over many magnitudes, so a different order of additions would round differently
        const xs = Array.from({ length: terms }, () => randomArray(n, rand).map((v, i) => v * 10 ** ((i % 9) - 4)));
        const coeffs = xs.map((_, j) => (j % 3 === 1 ? 0 : rand() * 2 - 1));
        const base = withBase ? randomArray(n, rand) : null;
        const a = algebra.lincomb(base, coeffs, xs);
        const b = onePassPerTerm(base, coeffs, xs);
        assert.ok(a instanceof Float64Array && a !== base);
        for (let i = 0; i < n; i++) assert.ok(Object.is(a[i], b[i]), `${terms} terms, base ${withBase}, component ${i}: ${a[i]} vs ${b[i]}`);
      }
    }
  });
});
