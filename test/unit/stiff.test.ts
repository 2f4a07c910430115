// Stiff problems: the implicit method finishes in a bounded number of steps, accurately, where an
// explicit one stops with a clear diagnosis. Step bounds are about twice what kvaerno3 measured
// (Robertson: 1431 attempts; Van der Pol: 3677), so a regression in step-size control or in the
// Jacobian reuse shows up here.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SolverError, odeint } from '../../engine/src/index';
import { linspace } from './problems';

type F = (t: number, y: Float64Array) => Float64Array;
type ImplicitStats = { njac: number; nlu: number; nNewton: number; nNewtonFailed: number };

/** Robertson's chemical kinetics: rate constants spanning 9 orders of magnitude. */
const robertson: F = (_t, y) =>
  Float64Array.of(
    -0.04 * y[0] + 1e4 * y[1] * y[2],
    0.04 * y[0] - 1e4 * y[1] * y[2] - 3e7 * y[1] * y[1],
    3e7 * y[1] * y[1],
  );

/** Van der Pol, y1″ − μ(1 − y1²)y1′ + y1 = 0 with μ = 1000: relaxation oscillations of period ≈ 1614. */
const MU = 1000;
const vanDerPol: F = (_t, y) => Float64Array.of(y[1], MU * (1 - y[0] * y[0]) * y[1] - y[0]);

/** Times where y1 changes sign, located by linear interpolation between outputs. */
function signChanges(t: readonly number[], ys: readonly Float64Array[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < t.length; i++) {
    const a = ys[i - 1][0];
    const b = ys[i][0];
    if (Math.sign(a) !== Math.sign(b)) out.push(t[i - 1] + ((t[i] - t[i - 1]) * a) / (a - b));
  }
  return out;
}

describe('stiff problems', () => {
  it("kvaerno3 solves Robertson's problem on [0, 4e10] in bounded steps, conserving mass", async (ctx) => {
    const t = [0, 0.4, 4, 40, 400, 4e3, 4e4, 4e5, 4e6, 4e7, 4e8, 4e9, 4e10];
    const started = performance.now();
    const sol = await odeint(robertson, Float64Array.of(1, 0, 0), t, { method: 'kvaerno3', rtol: 1e-6, atol: 1e-10 });
    const ms = performance.now() - started;
    const st = sol.stats as typeof sol.stats & ImplicitStats;
    assert.ok(st.nAccepted + st.nRejected <= 3000, `${st.nAccepted} accepted + ${st.nRejected} rejected`);
    assert.ok(st.njac <= 300, `${st.njac} Jacobians`);
    for (let i = 0; i < t.length; i++) {
      const y = sol.ys[i];
      assert.ok(Math.abs(y[0] + y[1] + y[2] - 1) < 1e-6, `t = ${t[i]}: y1 + y2 + y3 = ${y[0] + y[1] + y[2]}`);
      assert.ok(y[1] > -1e-10, `t = ${t[i]}: y2 = ${y[1]}`);
    }
    // The classical reference values (Hindmarsh's LSODE demonstration, Hairer & Wanner).
    const at04 = sol.ys[1];
    assert.ok(Math.abs(at04[0] - 0.9851721) < 1e-5 && Math.abs(at04[1] / 3.386395e-5 - 1) < 1e-3 && Math.abs(at04[2] - 0.01479402) < 1e-5);
    const end = sol.ys[t.length - 1];
    assert.ok(Math.abs(end[0] / 5.2083e-8 - 1) < 0.01 && Math.abs(end[1] / 2.0833e-13 - 1) < 0.01, `${end[0]}, ${end[1]}`);
    // Against a run 100× tighter, at every output.
    const ref = await odeint(robertson, Float64Array.of(1, 0, 0), t, { method: 'kvaerno3', rtol: 1e-8, atol: 1e-14 });
    for (let i = 1; i < t.length; i++) {
      for (let j = 0; j < 3; j++) {
        const rel = Math.abs(sol.ys[i][j] - ref.ys[i][j]) / Math.abs(ref.ys[i][j]);
        assert.ok(rel < 1e-2, `t = ${t[i]}, y${j + 1}: relative difference ${rel}`);
      }
    }
    ctx.diagnostic(
      `Robertson [0, 4e10], kvaerno3 rtol 1e-6 atol 1e-10: ${st.nAccepted} accepted, ${st.nRejected} rejected, ` +
        `nfe ${st.nfe}, ${st.njac} Jacobians, ${st.nlu} LU, ${st.nNewtonFailed} Newton failures, ${ms.toFixed(0)} ms`,
    );
  });

  it('kvaerno3 solves Van der Pol (μ = 1000) on [0, 3000] in bounded steps, with the right period', async (ctx) => {
    const t = linspace(0, 3000, 6001);
    const started = performance.now();
    const sol = await odeint(vanDerPol, Float64Array.of(2, 0), t, { method: 'kvaerno3', rtol: 1e-6, atol: 1e-6 });
    const ms = performance.now() - started;
    const st = sol.stats as typeof sol.stats & ImplicitStats;
    assert.ok(st.nAccepted + st.nRejected <= 7500, `${st.nAccepted} accepted + ${st.nRejected} rejected`);
    const crossings = signChanges(t, sol.ys);
    // Relaxation oscillation: y1 jumps through 0 every half period, (3/2 − ln 2)·μ ≈ 807 to first order in μ.
    assert.equal(crossings.length, 3, `sign changes at ${crossings}`);
    crossings.forEach((c, k) => assert.ok(Math.abs(c - 807 * (k + 1)) < 10, `crossing ${k + 1} at ${c}`));
    const halfPeriods = crossings.slice(1).map((c, k) => c - crossings[k]);
    for (const p of halfPeriods) assert.ok(Math.abs(2 * p - 1614) < 5, `period ${2 * p}`);
    for (const y of sol.ys) assert.ok(Math.abs(y[0]) < 2.01, 'y1 stays on the limit cycle');
    // The same crossings as a run 1000× tighter, to within the output spacing.
    const ref = await odeint(vanDerPol, Float64Array.of(2, 0), t, { method: 'kvaerno3', rtol: 1e-9, atol: 1e-9 });
    const refCrossings = signChanges(t, ref.ys);
    assert.equal(refCrossings.length, 3);
    crossings.forEach((c, k) => assert.ok(Math.abs(c - refCrossings[k]) <= 1, `${c} vs ${refCrossings[k]}`));
    ctx.diagnostic(
      `Van der Pol μ=1000 [0, 3000], kvaerno3 rtol=atol=1e-6: ${st.nAccepted} accepted, ${st.nRejected} rejected, ` +
        `nfe ${st.nfe}, ${st.njac} Jacobians, ${st.nlu} LU, ${st.nNewtonFailed} Newton failures, ${ms.toFixed(0)} ms`,
    );
  });

  it('dopri5 on the same Van der Pol problem stops at maxNumSteps and says it is stiff', async () => {
    const maxNumSteps = 20000;
    let err: unknown;
    try {
      await odeint(vanDerPol, Float64Array.of(2, 0), [0, 3000], { method: 'dopri5', rtol: 1e-6, atol: 1e-6, options: { maxNumSteps } });
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof SolverError, String(err));
    assert.equal(err.kind, 'stiff', err.message);
    assert.equal(err.context.stiff, true);
    assert.equal((err.context.nAccepted as number) + (err.context.nRejected as number), maxNumSteps);
    assert.ok((err.context.t as number) < 100, 'it got nowhere near the end');
    assert.match(err.message, /dopri5 reached maxNumSteps \(20000\)/);
    assert.match(err.message, /looks stiff/);
    assert.match(err.message, /implicit method \(method: 'kvaerno3'/);
  });

  it('implicit_euler crosses Robertson at large fixed steps without blowing up', async () => {
    // Steps of 1 over [0, 40]: h·|λ| reaches ~10⁴, far outside any explicit method's stability region.
    const sol = await odeint(robertson, Float64Array.of(1, 0, 0), [0, 40], { method: 'implicit_euler', options: { stepSize: 1 } });
    const y = sol.ys[1];
    assert.ok(Math.abs(y[0] + y[1] + y[2] - 1) < 1e-9);
    // First order at h = 1: within a few percent of the reference 0.7158 at t = 40.
    assert.ok(Math.abs(y[0] - 0.7158271) < 0.02, `${y[0]}`);
  });
});
