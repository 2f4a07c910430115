// The gradient methods' float64 algebra adds a lincomb's terms per component in registers; it
// must give the same bits as the plain typed-array algebra, which adds one term per pass.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fusedFloat64Algebra } from '../../engine/src/gradients/fusedAlgebra';
import { nativeAlgebra } from '../../engine/src/state/native';
import { randomArray, uniform } from './gradientProblems';

describe('fusedFloat64Algebra', () => {
  it('lincomb equals the plain algebra bit for bit: 0 to 9 terms, zero coefficients, with and without base', () => {
    const fused = fusedFloat64Algebra();
    const plain = nativeAlgebra(new Float64Array(0));
    const rand = uniform(21);
    for (let terms = 0; terms <= 9; terms++) {
      for (const withBase of [false, true]) {
        if (terms === 0 && !withBase) continue;
        const n = 37;
        // values spread over many magnitudes, so a different order of additions would round differently
        const xs = Array.from({ length: terms }, () => randomArray(n, rand).map((v, i) => v * 10 ** ((i % 9) - 4)));
        const coeffs = xs.map((_, j) => (j % 3 === 1 ? 0 : rand() * 2 - 1));
        const base = withBase ? randomArray(n, rand) : null;
        const a = fused.lincomb(base, coeffs, xs);
        const b = plain.lincomb(base, coeffs, xs) as Float64Array;
        assert.ok(a instanceof Float64Array && a !== base);
        for (let i = 0; i < n; i++) assert.ok(Object.is(a[i], b[i]), `${terms} terms, base ${withBase}, component ${i}: ${a[i]} vs ${b[i]}`);
      }
    }
  });

  it('keeps the rest of the plain algebra', () => {
    const fused = fusedFloat64Algebra();
    const y = Float64Array.of(1, -2, 3);
    assert.equal(fused.dtype, 'float64');
    assert.deepEqual(fused.clone(y), y);
    assert.equal(fused.weightedRms(y, 0, 1, y), nativeAlgebra(y).weightedRms(y, 0, 1, y));
  });
});
