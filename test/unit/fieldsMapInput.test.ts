import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mapInput, mlpField } from '../../engine/src/fields/index';

describe('mapInput', () => {
  const base = mlpField({ sizes: [2, 7, 2], seed: 3 });
  const field = mapInput(base, (x) => x ** 3, (x) => 3 * x * x);
  const y = Float64Array.of(0.3, -1.2, 0.9, 0.5);
  const a = Float64Array.of(1, -2, 0.5, 3);
  const loss = (yy: Float64Array) => field.f(0.4, yy).reduce((s, v, i) => s + v * a[i], 0);

  it('evaluates the base field on g(y)', () => {
    assert.deepEqual(field.f(0.4, y), base.f(0.4, y.map((x) => x ** 3)));
  });

  it('its VJP in y is the chain rule, checked by central differences; the params part is the base one', () => {
    const { y: gy, params: gp } = field.vjp(0.4, y, a);
    for (let i = 0; i < y.length; i++) {
      const h = 1e-6;
      const up = y.slice();
      const dn = y.slice();
      up[i] += h;
      dn[i] -= h;
      const fd = (loss(up) - loss(dn)) / (2 * h);
      assert.ok(Math.abs(gy[i] - fd) <= 1e-7 * Math.max(1, Math.abs(fd)), `component ${i}: ${gy[i]} vs ${fd}`);
    }
    assert.deepEqual(gp, base.vjp(0.4, y.map((x) => x ** 3), a).params);
  });
});

describe('mapInput with a fused f and vjp', () => {
  it('passes fAndVjp through with the chain rule, equal to f and vjp called apart', () => {
    const field = mapInput(mlpField({ sizes: [2, 8, 2], seed: 2 }), (x) => x ** 3, (x) => 3 * x * x);
    assert.ok(field.fAndVjp, 'the SIMD mlpField offers fAndVjp, so the mapped field does too');
    const y = Float64Array.of(0.3, -0.7, 1.1, 0.2);
    const a = Float64Array.of(0.5, -1, 2, 0.25);
    const fused = field.fAndVjp!(0.1, y, a);
    const apart = field.vjp(0.1, y, a);
    assert.deepEqual(fused.f, field.f(0.1, y));
    fused.y.forEach((v, i) => assert.ok(Math.abs(v - apart.y[i]) <= 1e-13 * Math.max(1, Math.abs(v))));
    fused.params.forEach((v, i) => assert.ok(Math.abs(v - apart.params[i]) <= 1e-13 * Math.max(1, Math.abs(v))));
  });
});
