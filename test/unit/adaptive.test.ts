// Adaptive methods against closed-form solutions: the error at every output time (dense output
// between steps included) is bounded by a small multiple of the tolerance, forwards and
// backwards, in float64 and float32; the error follows the tolerance; the step-size options
// and the evaluation counts are what they say.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SolverError, odeint, validateTableau, type StepReport } from '../../engine/src/index';
import * as adaptiveTableaus from '../../engine/src/solvers/tableaus/adaptive';
import { dopri8 } from '../../engine/src/solvers/tableaus/dopri8';
import { constant, decay, linear, linspace, maxAbsDiff, sine, type AnalyticProblem } from './problems';

const ADAPTIVE = ['dopri5', 'dopri8', 'tsit5', 'bosh3', 'fehlberg2', 'adaptive_heun'] as const;
type Method = (typeof ADAPTIVE)[number];

const tableauOf = (m: Method) =>
  validateTableau(m === 'dopri8' ? dopri8 : Object.values(adaptiveTableaus).find((t) => t.name === m)!);

/**
 * Allowed global error in units of (rtol·|y| + atol). Global error is the sum of the local
 * errors the controller keeps near the tolerance, so a few tens of steps give C of order 10.
 * fehlberg2 propagates its 2nd-order solution but estimates the error of its (exceptionally
 * accurate) 1st-order one: on y' = λy the estimate is z²/512 while the true local error is
 * z³/6 (z = hλ), so its global error is ≈ 85·|λ|·T times the tolerance by construction.
 */
const C: Record<Method, number> = {
  dopri5: 100,
  dopri8: 100,
  tsit5: 100,
  bosh3: 100,
  fehlberg2: 2000,
  adaptive_heun: 100,
};

/** The low-order methods need many steps at tight tolerances; keep the suite fast. */
const tolerances = (m: Method, dtype: 'float64' | 'float32'): number[] =>
  dtype === 'float32' ? [1e-4, 1e-5] : m === 'adaptive_heun' || m === 'fehlberg2' ? [1e-4, 1e-6] : [1e-5, 1e-8];

const problems: AnalyticProblem[] = [linear([-1, 0.5], [2, -1], [1, 2]), sine, decay(1.5)];

type Ctor = Float64ArrayConstructor | Float32ArrayConstructor;

/** Solves p at the times ts with states of type `ctor`; returns the worst error ratio. */
async function worstRatio(m: Method, p: AnalyticProblem, ts: number[], ctor: Ctor, rtol: number, atol: number): Promise<number> {
  const f = (t: number, y: Float64Array | Float32Array) => ctor.from(p.f(t, Float64Array.from(y)));
  const sol = await odeint(f, ctor.from(p.exact(ts[0])), ts, { method: m, rtol, atol });
  assert.equal(sol.ys.length, ts.length);
  let worst = 0;
  sol.ys.forEach((y, i) => {
    assert.ok(y instanceof ctor, `outputs keep the state type ${ctor.name}`);
    const exact = p.exact(ts[i]);
    exact.forEach((e, j) => (worst = Math.max(worst, Math.abs(y[j] - e) / (rtol * Math.abs(e) + atol))));
  });
  return worst;
}

for (const m of ADAPTIVE) {
  describe(`${m} accuracy`, () => {
    for (const dtype of ['float64', 'float32'] as const) {
      const ctor: Ctor = dtype === 'float64' ? Float64Array : Float32Array;
      it(`${dtype}: linear, sine and exponential decay within ${C[m]}·(rtol·|y| + atol) at 41 output times, forwards and backwards`, async () => {
        for (const p of problems) {
          for (const [from, to] of [[0, 2], [2, 0]]) {
            for (const tol of tolerances(m, dtype)) {
              const r = await worstRatio(m, p, linspace(from, to, 41), ctor, tol, tol);
              assert.ok(r <= C[m], `${m} ${dtype} ${p.name} [${from} → ${to}] rtol = atol = ${tol}: error is ${r.toFixed(1)}× the tolerance`);
            }
          }
        }
      });
    }

    it('is exact on y′ = 0, in a few growing steps, forwards and backwards, float64 and float32', async () => {
      for (const ctor of [Float64Array, Float32Array]) {
        for (const ts of [[0, 10], [10, 0]]) {
          const y0 = ctor.of(1.5, -2, 0);
          let calls = 0;
          const f = (_t: number, y: Float64Array | Float32Array) => {
            calls++;
            return new ctor(y.length);
          };
          const sol = await odeint(f, y0, [ts[0], (ts[0] + ts[1]) / 2 + 0.123, ts[1]], { method: m });
          // Step ends are exact (y0 + h·Σ b_i·0); the interpolant between them may round once.
          assert.deepEqual(sol.ys[2], y0);
          const ulp = ctor === Float32Array ? 2 ** -23 : 2 ** -52;
          assert.ok(maxAbsDiff(sol.ys[1], y0) <= 4 * ulp * 2, `dense output ${sol.ys[1]} of a constant ${y0}`);
          assert.equal(sol.stats.nRejected, 0);
          // Zero error lets h grow by ifactor = 10 per step from Hairer's first step (≥ 1e-6):
          // 10 units of time take at most log10(10 / 1e-6) + 1 = 8 steps; dopri8 also steps onto
          // the middle output time (it does not interpolate).
          const bound = m === 'dopri8' ? 9 : 8;
          assert.ok(sol.stats.nAccepted <= bound, `${sol.stats.nAccepted} steps for a constant solution`);
          assert.equal(calls, sol.stats.nfe);
        }
      }
    });

    it('error follows the tolerance: ≥ 10× smaller for each 100× smaller rtol', async () => {
      const p = problems[0];
      const tols = m === 'adaptive_heun' || m === 'fehlberg2' ? [1e-3, 1e-5, 1e-7] : [1e-4, 1e-6, 1e-8];
      const errs: number[] = [];
      for (const tol of tols) {
        const sol = await odeint(p.f, p.exact(0), [0, 2], { method: m, rtol: tol, atol: tol });
        errs.push(maxAbsDiff(sol.ys[1], p.exact(2)));
      }
      assert.ok(errs[1] <= errs[0] / 10 && errs[2] <= errs[1] / 10, `errors ${errs} for rtol ${tols}`);
    });

    it('counts evaluations of f exactly: 2 to start, s − 1 per attempt (+1 per accepted step unless FSAL)', async () => {
      const tab = tableauOf(m);
      let calls = 0;
      const f = (t: number, y: Float64Array) => {
        calls++;
        return sine.f(t, y);
      };
      // firstStep 1.5 is far too large at this tolerance, so the first attempts are rejected.
      for (const firstStep of [undefined, 1.5]) {
        calls = 0;
        const tol = m === 'dopri8' ? 1e-10 : 1e-6;
        const sol = await odeint(f, Float64Array.of(0), [0, 3], { method: m, rtol: tol, atol: tol, options: { firstStep } });
        const { nfe, nAccepted, nRejected } = sol.stats;
        const start = firstStep === undefined ? 2 : 1; // f(t0, y0), and one more for Hairer's first step
        const expected = start + (tab.stages - 1) * (nAccepted + nRejected) + (tab.fsal ? 0 : nAccepted);
        assert.equal(nfe, expected, `stats ${JSON.stringify(sol.stats)}`);
        assert.equal(calls, nfe, 'stats.nfe counts every call of f');
        if (firstStep !== undefined) assert.ok(nRejected > 0, 'this case must exercise rejected steps');
      }
    });

    it('dense output between steps is as accurate as the steps (sine, outputs at 30 % of each step)', async () => {
      for (const tol of m === 'adaptive_heun' || m === 'fehlberg2' ? [1e-4, 1e-6] : [1e-6, 1e-9]) {
        const ends: number[] = [];
        const hooks = { onStep: (r: StepReport) => void (r.accepted && ends.push(r.t + r.h)) };
        await odeint(sine.f, Float64Array.of(0), [0, 6], { method: m, rtol: tol, atol: tol, hooks });
        // The outputs do not change the steps, so these times fall inside the same steps.
        const inside = [0, ...ends.map((t1, i) => (i === 0 ? 0 : ends[i - 1]) + 0.3 * (t1 - (i === 0 ? 0 : ends[i - 1])))];
        const sol = await odeint(sine.f, Float64Array.of(0), inside, { method: m, rtol: tol, atol: tol });
        let worst = 0;
        sol.ys.forEach((y, i) => (worst = Math.max(worst, Math.abs(y[0] - Math.sin(inside[i])) / (tol * Math.abs(Math.sin(inside[i])) + tol))));
        assert.ok(worst <= C[m], `${m} rtol = atol = ${tol}: dense output error is ${worst.toFixed(1)}× the tolerance`);
      }
    });
  });
}

describe('dopri5 specifics', () => {
  it('uses 2 + 6 × (accepted + rejected) evaluations', async () => {
    const sol = await odeint(decay(3).f, Float64Array.of(1), [0, 5], { rtol: 1e-8, atol: 1e-10 });
    const { nfe, nAccepted, nRejected } = sol.stats;
    assert.equal(nfe, 2 + 6 * (nAccepted + nRejected));
    assert.equal(sol.stats.method, 'dopri5', 'dopri5 is the default method');
  });
});

describe('single output time', () => {
  it('returns y0 exactly without calling f, for every method', async () => {
    for (const m of [...ADAPTIVE, 'euler', 'rk4', 'explicit_adams', 'lm']) {
      for (const y0 of [Float64Array.of(0.1, Math.PI, -1e300), Float32Array.of(0.1, 3, -7)]) {
        let calls = 0;
        const f = (_t: number, y: Float64Array | Float32Array) => {
          calls++;
          return y;
        };
        const sol = await odeint(f, y0, [0.5], { method: m });
        assert.equal(sol.ys.length, 1);
        assert.deepEqual(sol.ys[0], y0);
        assert.notEqual(sol.ys[0], y0, 'a copy: the caller may reuse y0');
        assert.equal(calls, 0);
        assert.equal(sol.stats.nfe, 0);
      }
    }
  });
});

describe('per-component tolerances', () => {
  // Component 0 decays on a scale of 1; component 1 is a fast oscillation of amplitude 1e-6
  // that only a per-component atol resolves.
  const p: AnalyticProblem = {
    name: 'twoScales',
    f: (t, y) => Float64Array.of(-y[0], 20e-6 * Math.cos(20 * t)),
    exact: (t) => Float64Array.of(Math.exp(-t), 1e-6 * Math.sin(20 * t)),
  };
  const ts = linspace(0, 2, 81);
  const rtol = Float64Array.of(1e-3, 1e-6);
  const atol = Float64Array.of(1e-3, 1e-12);
  const errorRatios = (ys: Float64Array[]): number[] => {
    const worst = [0, 0];
    ys.forEach((y, i) => {
      const e = p.exact(ts[i]);
      for (const j of [0, 1]) worst[j] = Math.max(worst[j], Math.abs(y[j] - e[j]) / (rtol[j] * Math.abs(e[j]) + atol[j]));
    });
    return worst;
  };

  it('control each component to its own rtol/atol', async () => {
    const sol = await odeint(p.f, p.exact(0), ts, { rtol, atol });
    const [r0, r1] = errorRatios(sol.ys);
    assert.ok(r0 <= 100 && r1 <= 100, `error ratios ${r0}, ${r1}`);

    // With the loose scalar tolerance of component 0 for both, component 1 is not resolved:
    // proof that the per-component values above were applied, not just the first.
    const loose = await odeint(p.f, p.exact(0), ts, { rtol: 1e-3, atol: 1e-3 });
    assert.ok(errorRatios(loose.ys)[1] > 100);
    assert.ok(sol.stats.nAccepted > loose.stats.nAccepted);
  });

  it('accept plain arrays as well as Float64Array, with identical results', async () => {
    const a = await odeint(p.f, p.exact(0), ts, { rtol, atol });
    const b = await odeint(p.f, p.exact(0), ts, { rtol: [...rtol], atol: [...atol] });
    assert.deepEqual(b.ys, a.ys);
  });

  it('reject a tolerance array of the wrong length, naming both sizes', async () => {
    for (const opts of [{ rtol: Float64Array.of(1e-3, 1e-3, 1e-3) }, { atol: [1e-6] }]) {
      await assert.rejects(odeint(p.f, p.exact(0), ts, opts), (e: unknown) => {
        assert.ok(e instanceof SolverError);
        assert.equal(e.kind, 'input');
        assert.match(e.message, /(rtol|atol) has (3|1) entries but the state has 2 components/);
        return true;
      });
    }
  });
});

describe('step-size options', () => {
  const attempts = async (ts: number[], options: Record<string, number>, rtol = 1e-6): Promise<StepReport[]> => {
    const reports: StepReport[] = [];
    await odeint(sine.f, Float64Array.of(Math.sin(ts[0])), ts, { rtol, atol: rtol, options, hooks: { onStep: (r) => void reports.push(r) } });
    return reports;
  };

  it('firstStep is the first attempted step, with the sign of the direction', async () => {
    for (const [ts, firstStep] of [[[0, 3], 0.01], [[0, 3], 2], [[3, 0], 0.01]] as const) {
      const r = await attempts([...ts], { firstStep });
      // h is reported as t1 − t0, so it carries the rounding of t0 ± firstStep.
      const expected = ts[1] > ts[0] ? firstStep : -firstStep;
      assert.ok(Math.abs(r[0].h - expected) <= 2 * Number.EPSILON * Math.abs(ts[0]), `first h ${r[0].h}, expected ${expected}`);
    }
  });

  it('maxStep bounds every attempted step, and is reached', async () => {
    for (const ts of [[0, 3], [3, 0]]) {
      const r = await attempts(ts, { maxStep: 0.25 }, 1e-3);
      assert.ok(r.every((s) => Math.abs(s.h) <= 0.25), `steps ${r.map((s) => s.h)}`);
      assert.ok(r.some((s) => Math.abs(s.h) === 0.25), 'without the cap the steps would be larger');
    }
  });

  it('minStep bounds every step but the last (clipped to the end), and forces progress', async () => {
    // rtol 1e-12 would need far smaller steps: every step after the first is forced.
    const r = await attempts([0, 3], { minStep: 0.2, maxNumSteps: 2000 }, 1e-12);
    const body = r.slice(0, -1);
    // h is reported as t1 − t0, so it may differ from minStep by the rounding of t.
    assert.ok(body.every((s) => Math.abs(s.h) >= 0.2 - 8 * Number.EPSILON * 3), `steps ${r.map((s) => s.h)}`);
    assert.ok(r.every((s) => s.accepted || Math.abs(s.h) > 0.2 + 8 * Number.EPSILON * 3), 'a step at minStep is accepted whatever its error');
    assert.equal(r[r.length - 1].t + r[r.length - 1].h, 3);
  });

  it('steps capped by maxStep = 0.1 reach t = 1 (0.1 is inexact in binary)', async () => {
    // Ten steps of 0.1 add up to 0.9999999999999999, one ulp short of the end. That leftover
    // must be absorbed, not reported as a step-size underflow.
    // At rtol 1e-3 dopri5 would take steps > 0.1 on y′ = −y, so every step is capped.
    const sol = await odeint(decay(1).f, Float64Array.of(1), [0, 1], { rtol: 1e-3, atol: 1e-6, options: { firstStep: 0.1, maxStep: 0.1 } });
    assert.ok(Math.abs(sol.ys[1][0] - Math.exp(-1)) < 1e-5);
  });

  it('a step that ends a few ulps short of the end does not fail', async () => {
    const sol = await odeint(constant([0]).f, Float64Array.of(2), [0, 1], { options: { firstStep: 1 - 2 ** -52 } });
    assert.deepEqual(sol.ys[1], Float64Array.of(2));
  });
});

describe('what f may return', () => {
  it('f may return its argument y (y′ = y)', async () => {
    const sol = await odeint((_t, y) => y, Float64Array.of(1), [0, 1], { rtol: 1e-9, atol: 1e-12 });
    assert.ok(Math.abs(sol.ys[1][0] - Math.E) < 1e-7);
  });

  it('f may return a plain array or the other float type', async () => {
    const y0: Float64Array = Float64Array.of(1);
    const plain = await odeint((_t: number, y: Float64Array) => [-y[0]] as unknown as Float64Array, y0, [0, 1]);
    const other = (_t: number, y: Float64Array) => Float32Array.of(-y[0]) as unknown as Float64Array;
    const f32 = await odeint(other, y0, [0, 1], { rtol: 1e-5, atol: 1e-7 });
    assert.ok(Math.abs(plain.ys[1][0] - Math.exp(-1)) < 1e-6);
    assert.ok(plain.ys[1] instanceof Float64Array);
    assert.ok(Math.abs(f32.ys[1][0] - Math.exp(-1)) < 1e-5);
  });

  it('f may reuse one output buffer for every call (a common allocation-free style)', async () => {
    const out = new Float64Array(1);
    const f = (_t: number, y: Float64Array) => {
      out[0] = -y[0];
      return out;
    };
    const sol = await odeint(f, Float64Array.of(1), [0, 1], { rtol: 1e-8, atol: 1e-10 });
    assert.ok(Math.abs(sol.ys[1][0] - Math.exp(-1)) < 1e-6, `got ${sol.ys[1][0]}, expected e^-1 = ${Math.exp(-1)}`);
  });
});
