// The modified equation is what the scheme's iterates follow: its solution stays O(Δt^N) from
// them (N the truncation order), while the plain ODE's stays only O(Δt^p) away.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analysis } from '../../engine/src/index';

const { modifiedEquation, schemeByName, lmScheme, scalarModifiedField, Rational } = analysis;

/** A reference solution: classic RK4 with many small steps (its own error is ~1e-14 here). */
function solveAccurately(g: (u: number) => number, u0: number, t: number, steps = 4000): number {
  const h = t / steps;
  let u = u0;
  for (let i = 0; i < steps; i++) {
    const k1 = g(u);
    const k2 = g(u + (h / 2) * k1);
    const k3 = g(u + (h / 2) * k2);
    const k4 = g(u + h * k3);
    u += (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
  }
  return u;
}

/** Slope of log(error) against log(Δt) between consecutive halvings. */
const slopes = (errors: number[]): number[] => errors.slice(1).map((e, i) => Math.log2(errors[i] / e));

describe('forward Euler on u′ = u² (u(0) = 1/2, to t = 1)', () => {
  // f = u², f′ = 2u, f″ = 2, f‴ = 0.
  const derivatives = (u: number): number[] => [u * u, 2 * u, 2, 0, 0];
  const T = 1;
  const u0 = 0.5;
  const exact = u0 / (1 - u0 * T);
  const dts = [1 / 20, 1 / 40, 1 / 80];

  const euler = (dt: number): number => {
    let u = u0;
    for (let n = 0; n < Math.round(T / dt); n++) u += dt * u * u;
    return u;
  };

  const errors = (order: number): number[] =>
    dts.map((dt) => {
      const g = scalarModifiedField(modifiedEquation(schemeByName('euler'), order), dt, derivatives);
      return Math.abs(euler(dt) - solveAccurately(g, u0, T));
    });

  it('the plain ODE is first-order away, the order-2 and order-3 modified equations second and third', () => {
    const plain = dts.map((dt) => Math.abs(euler(dt) - exact));
    const e2 = errors(2);
    const e3 = errors(3);
    for (const s of slopes(plain)) assert.ok(Math.abs(s - 1) < 0.15, `plain: slope ${s}`);
    for (const s of slopes(e2)) assert.ok(Math.abs(s - 2) < 0.2, `order 2: slope ${s}`);
    for (const s of slopes(e3)) assert.ok(Math.abs(s - 3) < 0.3, `order 3: slope ${s}`);
    dts.forEach((dt, i) => {
      assert.ok(e2[i] < plain[i] / 8, `Δt = ${dt}: modified ${e2[i]} vs plain ${plain[i]}`);
      assert.ok(e3[i] < e2[i] / 4, `Δt = ${dt}: order 3 ${e3[i]} vs order 2 ${e2[i]}`);
    });
  });

  it('order 1 is the plain ODE itself', () => {
    const e1 = errors(1);
    dts.forEach((dt, i) => assert.ok(Math.abs(e1[i] - Math.abs(euler(dt) - exact)) < 1e-10));
  });
});

describe('forward Euler on u′ = −u', () => {
  it('follows u_t = −(1 + Δt/2 + Δt²/3) u: the iterates (1 − Δt)^n to O(Δt³)', () => {
    // ln(1 − Δt)/Δt = −(1 + Δt/2 + Δt²/3 + …): the modified equation's series, exactly.
    const dt = 0.05;
    const g = scalarModifiedField(modifiedEquation(schemeByName('euler'), 3), dt, (u) => [-u, -1, 0]);
    assert.ok(Math.abs(g(1) + (1 + dt / 2 + (dt * dt) / 3)) < 1e-15);
    const n = 20;
    const iterate = (1 - dt) ** n;
    const modErr = Math.abs(iterate - solveAccurately(g, 1, n * dt));
    const plainErr = Math.abs(iterate - Math.exp(-n * dt));
    assert.ok(modErr < plainErr / 100, `modified ${modErr} vs plain ${plainErr}`);
  });
});

describe('the LM scheme u_{n+1} = (1 − k) u_n + k u_{n−1} + Δt f(u_n) on u′ = −u + u²/4', () => {
  const derivatives = (u: number): number[] => [-u + (u * u) / 4, -1 + u / 2, 0.5, 0, 0];
  const T = 2;
  const u0 = 1;
  const dts = [1 / 20, 1 / 40, 1 / 80];

  for (const kText of ['0.5', '-0.3']) {
    it(`k = ${kText}: tracked to O(Δt^N) by the order-N modified equation; the plain (1 + k) u_t = f only to O(Δt)`, () => {
      const kr = Rational.parse(kText);
      const kv = kr.toNumber();
      // The second starting value on the order-5 modified solution, so the parasitic root −k
      // is excited only at O(Δt⁵).
      const run = (dt: number): number => {
        const g5 = scalarModifiedField(modifiedEquation(lmScheme(kr), 5), dt, derivatives);
        let prev = u0;
        let u = solveAccurately(g5, u0, dt, 200);
        for (let n = 1; n < Math.round(T / dt); n++) {
          const next = (1 - kv) * u + kv * prev + dt * derivatives(u)[0];
          prev = u;
          u = next;
        }
        return u;
      };
      const err = (order: number): number[] =>
        dts.map((dt) => Math.abs(run(dt) - solveAccurately(scalarModifiedField(modifiedEquation(lmScheme(kr), order), dt, derivatives), u0, T)));
      const plain = err(1); // u_t = f/(1 + k)
      const e2 = err(2);
      const e3 = err(3);
      for (const s of slopes(plain)) assert.ok(Math.abs(s - 1) < 0.15, `plain: slope ${s}`);
      for (const s of slopes(e2)) assert.ok(Math.abs(s - 2) < 0.2, `order 2: slope ${s}`);
      for (const s of slopes(e3)) assert.ok(Math.abs(s - 3) < 0.3, `order 3: slope ${s}`);
      dts.forEach((dt, i) => assert.ok(e2[i] < plain[i] / 5, `Δt = ${dt}: modified ${e2[i]} vs plain ${plain[i]}`));
    });
  }
});
