// Stability regions of Runge–Kutta methods from their tableaus: R(z) against closed forms, the
// real-axis crossings against the literature (rk4 −2.785, dopri5 −3.307), and the traced
// boundary lying on |R| = 1.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { methodCoefficients, realAxisCrossing, stabilityFunction, stabilityRegion, type RkCoefficients } from '../../engine/src/inspect/stability';
import { cAbs, cAdd, cDiv, cMul, type Complex } from '../../engine/src/inspect/complex';

const coeff = (method: string): RkCoefficients => {
  const m = methodCoefficients(method);
  assert.ok(m.coefficients, `${method} has a tableau`);
  return m.coefficients;
};

const close = (a: Complex, b: Complex, tol: number, what: string) =>
  assert.ok(cAbs({ re: a.re - b.re, im: a.im - b.im }) <= tol * Math.max(1, cAbs(b)), `${what}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);

const POINTS: Complex[] = [
  { re: -1, im: 0 },
  { re: -0.3, im: 1.7 },
  { re: 0.4, im: -2.2 },
  { re: -2.5, im: 0.5 },
];

/** Σ_{k≤p} z^k/k!: R(z) of every explicit p-stage method of order p ≤ 4. */
function truncatedExp(z: Complex, p: number): Complex {
  let term: Complex = { re: 1, im: 0 };
  let sum = term;
  for (let k = 1; k <= p; k++) {
    term = cDiv(cMul(term, z), { re: k, im: 0 });
    sum = cAdd(sum, term);
  }
  return sum;
}

describe('stabilityFunction', () => {
  it('euler: R(z) = 1 + z', () => {
    for (const z of POINTS) close(stabilityFunction(coeff('euler'), z), { re: 1 + z.re, im: z.im }, 1e-15, `euler at ${z.re}+${z.im}i`);
  });

  for (const [method, p] of [['midpoint', 2], ['heun3', 3], ['rk4', 4], ['rk4_classic', 4]] as const) {
    it(`${method}: R(z) is the degree-${p} Taylor polynomial of e^z`, () => {
      for (const z of POINTS) close(stabilityFunction(coeff(method), z), truncatedExp(z, p), 1e-13, `${method} at ${z.re}+${z.im}i`);
    });
  }

  it('implicit_euler: R(z) = 1/(1 − z)', () => {
    for (const z of POINTS) close(stabilityFunction(coeff('implicit_euler'), z), cDiv({ re: 1, im: 0 }, { re: 1 - z.re, im: -z.im }), 1e-14, `at ${z.re}+${z.im}i`);
  });

  it('kvaerno3 is A-stable: |R| ≤ 1 on the imaginary axis and the left half-plane, and R(−∞) → 0 (L-stable)', () => {
    const c = coeff('kvaerno3');
    for (const y of [0.1, 1, 3, 10, 100]) assert.ok(cAbs(stabilityFunction(c, { re: 0, im: y })) <= 1 + 1e-12, `at ${y}i`);
    for (const z of POINTS) if (z.re < 0) assert.ok(cAbs(stabilityFunction(c, z)) <= 1);
    assert.ok(cAbs(stabilityFunction(c, { re: -1e8, im: 0 })) < 1e-6);
    assert.equal(realAxisCrossing(c), -Infinity);
  });
});

describe('realAxisCrossing', () => {
  for (const [method, expected, tol] of [
    ['euler', -2, 1e-12],
    ['heun', -2, 1e-12],
    ['rk4', -2.785293563405282, 1e-9],
    ['dopri5', -3.3066, 1e-3],
    ['tsit5', -3.5, 0.05],
  ] as const) {
    it(`${method} meets the negative real axis at ≈ ${expected}`, () => {
      const x = realAxisCrossing(coeff(method));
      assert.ok(Math.abs(x - expected) <= tol, `${method}: ${x}`);
      assert.ok(Math.abs(cAbs(stabilityFunction(coeff(method), { re: x, im: 0 })) - 1) < 1e-9);
    });
  }
});

describe('stabilityRegion', () => {
  it("samples |R| on the grid and traces a boundary on which |R| = 1 (rk4)", () => {
    const c = coeff('rk4');
    const r = stabilityRegion(c, { reMin: -4, reMax: 1, imMin: -3.5, imMax: 3.5 }, 101, 71);
    assert.equal(r.absR.length, 101 * 71);
    // Node (i, j) = (40, 35) is z = −2 + 0i: |R(−2)| for rk4 is 1/3.
    assert.ok(Math.abs(r.absR[35 * 101 + 40] - 1 / 3) < 1e-12);
    assert.ok(r.boundary.length >= 4 * 50, 'a closed curve of many segments');
    let worst = 0;
    for (let k = 0; k < r.boundary.length; k += 2) {
      worst = Math.max(worst, Math.abs(cAbs(stabilityFunction(c, { re: r.boundary[k], im: r.boundary[k + 1] })) - 1));
    }
    // Linear interpolation on a 0.05 grid: the points sit close to the curve, not on it exactly.
    assert.ok(worst < 0.02, `farthest boundary point has |R| − 1 = ${worst}`);
    // The curve passes through the real-axis crossing.
    const nearCrossing = [];
    for (let k = 0; k < r.boundary.length; k += 2) if (Math.abs(r.boundary[k + 1]) < 0.05) nearCrossing.push(r.boundary[k]);
    assert.ok(nearCrossing.some((x) => Math.abs(x - r.realAxis) < 0.01), `near ${r.realAxis}: ${nearCrossing}`);
  });

  it('the default window holds the whole region of an explicit method', () => {
    const r = stabilityRegion(coeff('dopri5'));
    assert.ok(r.bounds.reMin < r.realAxis && r.realAxis < r.bounds.reMax);
    // |R| > 1 all around the window's edge: nothing of the region is cut off.
    const { nx, ny, absR } = r;
    for (let i = 0; i < nx; i++) assert.ok(absR[i] > 1 && absR[(ny - 1) * nx + i] > 1);
    for (let j = 0; j < ny; j++) assert.ok(absR[j * nx] > 1 && absR[j * nx + nx - 1] > 1);
  });

  it('multistep methods have no one-step stability function, and say so', () => {
    const m = methodCoefficients('explicit_adams');
    assert.equal(m.coefficients, null);
    assert.match(m.note ?? '', /multistep/);
  });
});
