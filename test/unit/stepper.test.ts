// The resumable stepper under odeint: OdeSolve driven by hand, the step and stage hooks, stepT
// and jumpT, and cancellation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  OdeSolve,
  SolverError,
  nativeAlgebra,
  odeint,
  validateTableau,
  type OdeintOptions,
  type StageReport,
  type StateAlgebra,
  type StepReport,
} from '../../engine/src/index';
import * as adaptiveTableaus from '../../engine/src/solvers/tableaus/adaptive';
import { dopri8 } from '../../engine/src/solvers/tableaus/dopri8';
import { linspace, maxAbsDiff, nonlinear, sine } from './problems';

const ADAPTIVE = ['dopri5', 'dopri8', 'tsit5', 'bosh3', 'fehlberg2', 'adaptive_heun'];
const stagesOf = (m: string): number =>
  validateTableau(m === 'dopri8' ? dopri8 : Object.values(adaptiveTableaus).find((t) => t.name === m)!).stages;

describe('OdeSolve (init / advance)', () => {
  for (const [method, options] of [
    ['dopri5', {}],
    ['bosh3', {}],
    ['rk4', { stepSize: 0.05 }],
    ['explicit_adams', { stepSize: 0.05 }],
    ['lm', { stepSize: 0.05, k: 0.5 }],
  ] as const) {
    it(`${method}: drives the same steps as odeint, bit for bit`, async () => {
      const ts = linspace(0, 3, 17);
      const opts: OdeintOptions<Float64Array> = { method, rtol: 1e-6, atol: 1e-8, options };
      const viaOdeint = await odeint(nonlinear.f, nonlinear.exact(0), ts, opts);

      const y0 = nonlinear.exact(0);
      const solve = new OdeSolve(nativeAlgebra(y0) as StateAlgebra<Float64Array>, nonlinear.f, y0, ts, opts);
      await solve.init();
      assert.equal(solve.ys.length, 1, 'init yields y(t0)');
      let advances = 0;
      while (!solve.done) {
        const before = solve.ys.length;
        await solve.advance();
        advances++;
        assert.ok(solve.ys.length >= before, 'outputs are only added');
      }
      assert.deepEqual(solve.ys, viaOdeint.ys);
      assert.deepEqual(solve.stats, viaOdeint.stats);
      assert.equal(advances, solve.stats.nAccepted + solve.stats.nRejected, 'one attempt per advance');

      await solve.advance(); // a no-op once done
      assert.deepEqual(solve.stats, viaOdeint.stats);
      solve.dispose();
    });
  }
});

describe('onStep hook', () => {
  for (const method of ['dopri5', 'fehlberg2', 'rk4']) {
    it(`${method}: called once per attempt with consistent counts`, async () => {
      const reports: StepReport[] = [];
      let calls = 0;
      const f = (t: number, y: Float64Array) => {
        calls++;
        return sine.f(t, y);
      };
      const sol = await odeint(f, Float64Array.of(0), [0, 4], {
        method,
        rtol: 1e-7,
        atol: 1e-7,
        options: method === 'rk4' ? { stepSize: 0.25 } : { firstStep: 2 }, // firstStep 2 forces rejections
        hooks: { onStep: (r) => void reports.push({ ...r }) },
      });
      const st = sol.stats;
      assert.equal(reports.length, st.nAccepted + st.nRejected);
      if (method !== 'rk4') assert.ok(st.nRejected > 0, 'the case must include rejected steps');
      let acc = 0;
      let rej = 0;
      let tNow = 0;
      reports.forEach((r, i) => {
        assert.equal(r.n, i + 1, 'n counts attempts from 1');
        if (r.accepted) acc++;
        else rej++;
        assert.equal(r.nAccepted, acc);
        assert.equal(r.nRejected, rej);
        assert.equal(r.n, r.nAccepted + r.nRejected);
        assert.equal(r.t, tNow, 'each attempt starts where the last accepted step ended');
        if (r.accepted) tNow = r.t + r.h;
        if (i > 0) assert.ok(r.nfe > reports[i - 1].nfe, 'nfe grows with every attempt');
        if (method === 'rk4') assert.ok(Number.isNaN(r.errRatio));
        else assert.equal(r.accepted, r.errRatio <= 1, `attempt ${r.n}: accepted ⇔ errRatio ≤ 1 (${r.errRatio})`);
        const next = reports[i + 1];
        if (next && next.t + next.h !== 4) {
          // h is reported as t1 − t0, which carries the rounding of t0 + h; the last step is clipped to the end.
          const ulps = 4 * Number.EPSILON * (Math.abs(next.t) + Math.abs(next.h));
          assert.ok(Math.abs(r.hNext - next.h) <= ulps, `hNext ${r.hNext} is the next attempt's h ${next.h}`);
        }
      });
      assert.equal(tNow, 4, 'the accepted steps tile [0, 4]');
      assert.equal(reports[reports.length - 1].nfe, st.nfe);
      assert.equal(calls, st.nfe);
    });
  }
});

describe('onStage hook', () => {
  for (const method of ['dopri5', 'dopri8', 'tsit5', 'bosh3', 'fehlberg2', 'adaptive_heun', 'rk4', 'euler']) {
    it(`${method}: called once per stage, reporting true k = f(t, y)`, async () => {
      const stages: StageReport<Float64Array>[] = [];
      const steps: StepReport[] = [];
      const fixed = method === 'rk4' || method === 'euler';
      await odeint(nonlinear.f, nonlinear.exact(0), [0, 1], {
        method,
        rtol: 1e-5,
        atol: 1e-5,
        options: fixed ? { stepSize: 0.25 } : {},
        hooks: {
          onStage: (s) => void stages.push({ ...s, y: s.y.slice(), k: s.k.slice() }),
          onStep: (r) => void steps.push(r),
        },
      });
      const s = fixed ? (method === 'rk4' ? 4 : 1) : stagesOf(method);
      assert.equal(stages.length, s * steps.length);
      steps.forEach((step, j) => {
        for (let i = 0; i < s; i++) {
          const st = stages[j * s + i];
          assert.equal(st.n, step.n);
          assert.equal(st.i, i);
          const lo = Math.min(step.t, step.t + step.h);
          const hi = Math.max(step.t, step.t + step.h);
          assert.ok(st.t >= lo && st.t <= hi, `stage time ${st.t} inside the step [${lo}, ${hi}]`);
          assert.deepEqual(st.k, nonlinear.f(st.t, st.y), 'k is f at the reported (t, y)');
        }
        assert.equal(stages[j * s].t, step.t);
      });
    });
  }
});

describe('async hooks', () => {
  it('are awaited: nothing is evaluated while a hook is pending', async () => {
    let pending = false;
    let waited = 0;
    const later = async (): Promise<void> => {
      pending = true;
      await new Promise((r) => setTimeout(r, 1));
      waited++;
      pending = false;
    };
    const f = (t: number, y: Float64Array) => {
      assert.equal(pending, false, 'f called while a hook was still pending');
      return sine.f(t, y);
    };
    for (const method of ['dopri5', 'rk4']) {
      waited = 0;
      const sol = await odeint(f, Float64Array.of(0), [0, 2], {
        method,
        rtol: 1e-4,
        atol: 1e-4,
        options: method === 'rk4' ? { stepSize: 0.5 } : {},
        hooks: { onStep: later, onStage: later },
      });
      const st = sol.stats;
      const stages = method === 'rk4' ? 4 : 7;
      assert.equal(waited, (st.nAccepted + st.nRejected) * (1 + stages), 'every hook promise resolved before the solve returned');
    }
  });
});

describe('stepT', () => {
  it('makes the solver step exactly onto the given times, forwards and backwards', async () => {
    const kinks = [0.7314, 1.2718, 2.5];
    for (const [t0, t1] of [[0, 3], [3, 0]]) {
      const starts: number[] = [];
      const ends: number[] = [];
      const stepT = [...kinks, 10, -10]; // times outside the span are ignored
      const sol = await odeint(sine.f, Float64Array.of(Math.sin(t0)), [t0, t1], {
        rtol: 1e-6,
        atol: 1e-6,
        options: { stepT },
        hooks: {
          onStep: (r) => {
            if (r.accepted) {
              starts.push(r.t);
              ends.push(r.t + r.h);
            }
          },
        },
      });
      for (const k of kinks) assert.ok(starts.includes(k), `a step starts exactly at ${k} (starts ${starts})`);
      assert.ok(Math.abs(sol.ys[1][0] - Math.sin(t1)) < 1e-5);
      // Without stepT these times are not step boundaries: the option is what put them there.
      const free: number[] = [];
      await odeint(sine.f, Float64Array.of(Math.sin(t0)), [t0, t1], {
        rtol: 1e-6,
        atol: 1e-6,
        hooks: { onStep: (r) => void (r.accepted && free.push(r.t)) },
      });
      assert.ok(kinks.every((k) => !free.includes(k)));
    }
  });
});

describe('jumpT', () => {
  // f jumps from +1 to −1 at t = 1: y = t before, 2 − t after.
  const f = (t: number) => Float64Array.of(t < 1 ? 1 : -1);
  const exact = (t: number): number => (t < 1 ? t : 2 - t);
  const ts = linspace(0, 2, 21);

  for (const method of ADAPTIVE) {
    it(`${method}: accurate across a jump of f, with fewer rejected steps than without jumpT`, async () => {
      const withJump = await odeint(f, Float64Array.of(0), ts, { method, rtol: 1e-6, atol: 1e-6, options: { jumpT: [1] } });
      const without = await odeint(f, Float64Array.of(0), ts, { method, rtol: 1e-6, atol: 1e-6 });
      // f is piecewise constant, so every RK stage is exact on each side of the jump.
      withJump.ys.forEach((y, i) => assert.ok(Math.abs(y[0] - exact(ts[i])) < 1e-9, `t = ${ts[i]}: ${y[0]} vs ${exact(ts[i])}`));
      assert.ok(withJump.stats.nRejected < without.stats.nRejected, `${withJump.stats.nRejected} vs ${without.stats.nRejected} rejected`);
    });
  }

  it('works backwards in time', async () => {
    const back = linspace(2, 0, 21);
    const sol = await odeint(f, Float64Array.of(0), back, { rtol: 1e-6, atol: 1e-6, options: { jumpT: [1] } });
    sol.ys.forEach((y, i) => assert.ok(Math.abs(y[0] - (exact(back[i]) - exact(2))) < 1e-9));
    assert.equal(sol.stats.nRejected, 0);
  });
});

describe('lm far from t = 0', () => {
  it('takes one evaluation of f per step on a uniform stepSize grid, wherever the grid lies', async () => {
    // On [t0, t0 + 1] with 1000 steps, the first step bootstraps with Heun (2 evaluations),
    // every later one is a single LM step: 1001 evaluations in all, whatever t0 is.
    for (const t0 of [0, 1000]) {
      const sol = await odeint((_t, y) => Float64Array.of(-y[0]), Float64Array.of(1), [t0, t0 + 1], {
        method: 'lm',
        options: { stepSize: 1e-3, k: 0.5 },
      });
      assert.equal(sol.stats.nfe, 1001, `t0 = ${t0}: ${sol.stats.nfe} evaluations`);
    }
  });
});

describe('cancellation', () => {
  it('an AbortSignal aborted mid-solve stops it with a cancelled SolverError naming t', async () => {
    const ac = new AbortController();
    let steps = 0;
    await assert.rejects(
      odeint(sine.f, Float64Array.of(0), [0, 100], {
        rtol: 1e-10,
        atol: 1e-10,
        signal: ac.signal,
        hooks: { onStep: () => void (++steps === 3 && ac.abort()) },
      }),
      (e: unknown) => {
        assert.ok(e instanceof SolverError);
        assert.equal(e.kind, 'cancelled');
        assert.match(e.message, /cancelled at t = [0-9.e-]+/);
        assert.equal(typeof e.context.t, 'number');
        assert.ok((e.context.t as number) > 0 && (e.context.t as number) < 100);
        return true;
      },
    );
    assert.equal(steps, 3, 'no step after the abort');
  });

  it('an already aborted signal takes no step', async () => {
    const ac = new AbortController();
    ac.abort();
    let steps = 0;
    await assert.rejects(
      odeint(sine.f, Float64Array.of(0), [0, 1], { method: 'rk4', signal: ac.signal, hooks: { onStep: () => void steps++ } }),
      (e: unknown) => e instanceof SolverError && e.kind === 'cancelled',
    );
    assert.equal(steps, 0);
  });
});

describe('outputs', () => {
  it('are independent copies: mutating one does not change the others or later solves', async () => {
    const y0 = nonlinear.exact(0);
    const sol = await odeint(nonlinear.f, y0, [0, 0.5, 1], { method: 'rk4', options: { stepSize: 0.1 } });
    const copy = sol.ys.map((y) => y.slice());
    sol.ys[1][0] = 42;
    assert.deepEqual(sol.ys[2], copy[2]);
    assert.deepEqual(y0, nonlinear.exact(0), 'y0 untouched');
    assert.ok(maxAbsDiff(copy[2], nonlinear.exact(1)) < 1e-3);
  });
});
