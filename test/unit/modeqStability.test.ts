// Linear stability of the multistep schemes by the root condition, checked against the regions
// worked out by hand:
//  - the LM scheme in the network's form, ζ² − (1 − k + z)ζ − k, has the boundary locus
//    z(θ) = e^{iθ} − k e^{−iθ} − (1 − k): the ellipse centred at −(1 − k) with semi-axes
//    1 − k (real) and 1 + k (imaginary); its inside is stable for −1 < k < 1. At k = 0 it is
//    forward Euler's disc |1 + z| ≤ 1.
//  - that form solves (1 + k) u_t = f, so for the ODE u′ = λu it really solves, Δtλ is
//    z/(1 + k): the solver's consistent form (f scaled by 1 + k) has the ellipse divided by
//    1 + k, semi-axes (1 − k)/(1 + k) and 1; at k = 1 it is leapfrog's segment [−i, i].
//  - Adams–Bashforth 2 is stable on [−1, 0] of the real axis.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analysis } from '../../engine/src/index';

const { lmCoefficients, ab2Coefficients, isStable, boundaryLocus, multistepStabilityRegion, realStabilityInterval, schemeStability, characteristicRoots } = analysis;

/** A deterministic spread of points over a window. */
function* samplePoints(reMin: number, reMax: number, imMin: number, imMax: number, n = 40): Generator<{ re: number; im: number }> {
  for (let i = 0; i <= n; i++) for (let j = 0; j <= n; j++) yield { re: reMin + ((reMax - reMin) * i) / n, im: imMin + ((imMax - imMin) * j) / n };
}

describe('the LM scheme in the network form', () => {
  it('k = 0 is exactly forward Euler: stable where |1 + z| ≤ 1', () => {
    const m = lmCoefficients(0);
    let checked = 0;
    for (const z of samplePoints(-2.5, 0.5, -1.5, 1.5)) {
      const d = Math.hypot(1 + z.re, z.im);
      if (Math.abs(d - 1) < 1e-6) continue; // on the circle itself
      assert.equal(isStable(m, z), d < 1, `z = ${z.re} + ${z.im}i`);
      checked++;
    }
    assert.ok(checked > 1500);
    assert.ok(isStable(m, -2) && !isStable(m, -2.001) && isStable(m, 0) && !isStable(m, 0.001));
  });

  for (const k of [0.3, -0.5, 0.8]) {
    it(`k = ${k}: the locus is the ellipse centred at −(1 − k) with semi-axes 1 − k and 1 + k, stable inside`, () => {
      const m = lmCoefficients(k);
      const a = 1 - k;
      const b = 1 + k;
      const locus = boundaryLocus(m, 181);
      for (let i = 0; i < locus.length; i += 2) {
        const e = ((locus[i] + a) / a) ** 2 + (locus[i + 1] / b) ** 2;
        assert.ok(Math.abs(e - 1) < 1e-12, `locus point ${i / 2} off the ellipse: ${e}`);
      }
      for (const z of samplePoints(-2 * a - 0.5, 0.5, -b - 0.5, b + 0.5, 30)) {
        const e = ((z.re + a) / a) ** 2 + (z.im / b) ** 2;
        if (Math.abs(e - 1) < 1e-3) continue;
        assert.equal(isStable(m, z), e < 1, `k = ${k}, z = ${z.re} + ${z.im}i`);
      }
      const region = multistepStabilityRegion(m, { nx: 41, ny: 31 });
      assert.equal(region.stableSide, 'left'); // the locus runs anticlockwise round the ellipse
      const [lo, hi] = region.realInterval!;
      assert.ok(Math.abs(lo + 2 * a) < 1e-6 && Math.abs(hi) < 1e-6, `real interval [${lo}, ${hi}]`);
    });
  }

  it('the root modulus on the grid is ≤ 1 exactly at the stable nodes', () => {
    const m = lmCoefficients(0.3);
    const r = multistepStabilityRegion(m, { nx: 31, ny: 21 });
    assert.equal(r.rootModulus.length, 31 * 21);
    let inside = 0;
    for (let j = 0; j < r.ny; j++) {
      for (let i = 0; i < r.nx; i++) {
        const z = { re: r.bounds.reMin + ((r.bounds.reMax - r.bounds.reMin) * i) / (r.nx - 1), im: r.bounds.imMin + ((r.bounds.imMax - r.bounds.imMin) * j) / (r.ny - 1) };
        const mod = r.rootModulus[j * r.nx + i];
        if (Math.abs(mod - 1) < 1e-6) continue;
        assert.equal(mod < 1, isStable(m, z));
        if (mod < 1) inside++;
      }
    }
    assert.ok(inside > 50, `only ${inside} stable nodes`);
  });

  it('k outside (−1, 1] is not even zero-stable: z = 0 fails the root condition', () => {
    assert.ok(!isStable(lmCoefficients(-1), 0)); // double root ζ = 1
    assert.ok(!isStable(lmCoefficients(1.2), 0)); // root −1.2
    assert.equal(realStabilityInterval(lmCoefficients(1.2)), null);
    assert.ok(isStable(lmCoefficients(1), 0)); // roots ±1, simple
  });
});

describe('the LM scheme in the consistent form (the solver\'s lm)', () => {
  for (const k of [0, 0.3, -0.5]) {
    it(`k = ${k}: the network region divided by 1 + k: real interval [−2(1 − k)/(1 + k), 0], height ±1`, () => {
      const c = lmCoefficients(k, 'consistent');
      const n = lmCoefficients(k, 'network');
      for (const z of samplePoints(-3, 0.5, -1.5, 1.5, 25)) {
        const e = ((z.re * (1 + k) + (1 - k)) / (1 - k)) ** 2 + z.im ** 2; // the scaled ellipse
        if (Math.abs(e - 1) < 1e-3) continue;
        assert.equal(isStable(c, z), isStable(n, { re: z.re * (1 + k), im: z.im * (1 + k) }), `z = ${z.re} + ${z.im}i`);
      }
      const [lo] = realStabilityInterval(c)!;
      assert.ok(Math.abs(lo + (2 * (1 - k)) / (1 + k)) < 1e-6, `left end ${lo}`);
      const centre = -(1 - k) / (1 + k);
      assert.ok(isStable(c, { re: centre, im: 0.99 }) && !isStable(c, { re: centre, im: 1.01 }));
    });
  }

  it('k = 1 is leapfrog: stable only on the segment (−i, i) of the imaginary axis, with no interior', () => {
    const m = lmCoefficients(1, 'consistent');
    assert.ok(isStable(m, { re: 0, im: 0.5 }) && isStable(m, { re: 0, im: -0.9 }));
    assert.ok(!isStable(m, { re: -0.01, im: 0.5 }) && !isStable(m, { re: 0, im: 1.1 }));
    assert.ok(!isStable(m, { re: 0, im: 1 }), 'z = i gives the double root ζ = i');
    assert.equal(multistepStabilityRegion(m, { nx: 5, ny: 5 }).stableSide, 'none');
  });
});

describe('Adams–Bashforth', () => {
  it('AB2 is stable on [−1, 0] of the real axis, with the locus through −1', () => {
    const r = multistepStabilityRegion(ab2Coefficients, { nx: 5, ny: 5 });
    const [lo, hi] = r.realInterval!;
    assert.ok(Math.abs(lo + 1) < 1e-6 && Math.abs(hi) < 1e-6, `[${lo}, ${hi}]`);
    const mid = (r.locus.length / 2 - 1) / 2; // θ = π
    assert.ok(Math.abs(r.locus[2 * mid] + 1) < 1e-12 && Math.abs(r.locus[2 * mid + 1]) < 1e-12);
    assert.ok(isStable(ab2Coefficients, { re: -0.5, im: 0.2 }) && !isStable(ab2Coefficients, { re: -0.5, im: 0.8 }));
    assert.equal(r.stableSide, 'left');
  });

  it('AB3 through the general root finder: stable interval [−6/11, 0]', () => {
    const ab3 = { name: 'ab3', alpha: [0, 0, -1, 1], beta: [5 / 12, -16 / 12, 23 / 12, 0] };
    const [lo] = realStabilityInterval(ab3)!;
    assert.ok(Math.abs(lo + 6 / 11) < 1e-6, `left end ${lo}`);
    // Each root makes ρ(ζ) − zσ(ζ) vanish.
    const z = { re: -0.3, im: 0.4 };
    for (const r of characteristicRoots(ab3, z)) {
      let p = { re: 0, im: 0 };
      let pw = { re: 1, im: 0 };
      ab3.alpha.forEach((a, j) => {
        const c = { re: a - z.re * ab3.beta[j], im: -z.im * ab3.beta[j] };
        p = { re: p.re + c.re * pw.re - c.im * pw.im, im: p.im + c.re * pw.im + c.im * pw.re };
        pw = { re: pw.re * r.re - pw.im * r.im, im: pw.re * r.im + pw.im * r.re };
      });
      assert.ok(Math.hypot(p.re, p.im) < 1e-12, `residual ${Math.hypot(p.re, p.im)}`);
    }
  });
});

describe('schemeStability', () => {
  it('uses R(z) for Runge–Kutta methods and the root condition for lm and ab2', () => {
    const rk4 = schemeStability('rk4');
    assert.equal(rk4.kind, 'rk');
    assert.ok(rk4.isStable({ re: -2.78, im: 0 }) && !rk4.isStable({ re: -2.79, im: 0 }));
    const euler = schemeStability('euler');
    const lm0 = schemeStability('lm', 0);
    assert.equal(lm0.kind, 'lmm');
    for (const z of samplePoints(-2.5, 0.5, -1.5, 1.5, 12)) {
      if (Math.abs(Math.hypot(1 + z.re, z.im) - 1) < 1e-6) continue;
      assert.equal(lm0.isStable(z), euler.isStable(z), `z = ${z.re} + ${z.im}i`);
    }
    assert.equal(schemeStability('ab2').kind, 'lmm');
    assert.throws(() => schemeStability('lm'), /needs a value of k/);
    assert.throws(() => schemeStability('euler', 0.3), /k is a parameter of the lm scheme only/);
  });
});
