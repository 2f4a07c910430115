// Every failure is a SolverError of the right kind whose message says what happened, where
// (t, component, step) and what to try. No failure may hang: every case here ends quickly.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SolverError, methodInfo, methods, odeint, type OdeintOptions, type SolverErrorKind } from '../../engine/src/index';
import { sine } from './problems';

type F = (t: number, y: Float64Array) => Float64Array;

/** Runs the solve, expects a SolverError of `kind`, checks each pattern, returns the error. */
async function fails(
  run: () => Promise<unknown>,
  kind: SolverErrorKind | SolverErrorKind[],
  ...patterns: RegExp[]
): Promise<SolverError> {
  let caught: unknown;
  try {
    await run();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof SolverError, `expected a SolverError, got ${caught === undefined ? 'success' : String(caught)}`);
  const kinds = Array.isArray(kind) ? kind : [kind];
  assert.ok(kinds.includes(caught.kind), `kind '${caught.kind}' (${caught.message}), expected ${kinds.join(' or ')}`);
  for (const p of patterns) assert.match(caught.message, p);
  return caught;
}

const solve = (f: F, y0: Float64Array, t: ArrayLike<number>, opts: OdeintOptions<Float64Array> = {}) => () => odeint(f, y0, t, opts);
const y1 = (): Float64Array => Float64Array.of(0);
const ADAPTIVE = ['dopri5', 'dopri8', 'tsit5', 'bosh3', 'fehlberg2', 'adaptive_heun'];
const FIXED = ['euler', 'midpoint', 'heun', 'heun3', 'rk4', 'rk4_classic', 'explicit_adams', 'lm'];

describe('bad arguments', () => {
  it('an unknown method lists the known ones', async () => {
    const e = await fails(solve(sine.f, y1(), [0, 1], { method: 'dopri6' }), 'input', /Unknown method 'dopri6'/);
    for (const m of methods()) assert.ok(e.message.includes(m.name), `'${m.name}' missing from: ${e.message}`);
  });

  it('a non-monotone or repeated t names the offending entries', async () => {
    await fails(solve(sine.f, y1(), [0, 1, 0.5]), 'input', /t\[1\] = 1 and t\[2\] = 0\.5/, /strictly increasing or strictly decreasing/);
    await fails(solve(sine.f, y1(), [0, 1, 1]), 'input', /t\[1\] = 1 and t\[2\] = 1/, /remove duplicates/);
    await fails(solve(sine.f, y1(), [2, 2]), 'input', /t\[0\] = 2 and t\[1\] = 2/);
    await fails(solve(sine.f, y1(), [0, -1, 1]), 'input', /t\[1\] = -1 and t\[2\] = 1/);
  });

  it('a non-finite or missing t is rejected', async () => {
    await fails(solve(sine.f, y1(), [0, NaN]), 'input', /t\[1\] is NaN/, /finite/);
    await fails(solve(sine.f, y1(), [0, 1, Infinity]), 'input', /t\[2\] is Infinity/);
    await fails(solve(sine.f, y1(), [-Infinity]), 'input', /t\[0\] is -Infinity/);
    await fails(solve(sine.f, y1(), []), 'input', /non-empty/);
  });

  it('negative, NaN or infinite tolerances are rejected, naming which', async () => {
    await fails(solve(sine.f, y1(), [0, 1], { rtol: -1e-3 }), 'input', /rtol is -0\.001/, /≥ 0/);
    await fails(solve(sine.f, y1(), [0, 1], { atol: NaN }), 'input', /atol is NaN/);
    await fails(solve(sine.f, y1(), [0, 1], { rtol: Infinity }), 'input', /rtol is Infinity/);
    await fails(solve(sine.f, Float64Array.of(0, 0), [0, 1], { atol: [1e-6, -1] }), 'input', /atol\[1\] is -1/);
    await fails(solve(sine.f, Float64Array.of(0, 0), [0, 1], { rtol: Float64Array.of(NaN, 1e-3) }), 'input', /rtol\[0\] is NaN/);
  });

  it('rtol = atol = 0 is rejected for adaptive methods only', async () => {
    for (const method of ADAPTIVE) {
      await fails(solve(sine.f, y1(), [0, 1], { method, rtol: 0, atol: 0 }), 'input', /rtol and atol are both 0/);
    }
    const fixed = await odeint(sine.f, y1(), [0, 1], { method: 'rk4', rtol: 0, atol: 0, options: { stepSize: 0.1 } });
    assert.ok(Math.abs(fixed.ys[1][0] - Math.sin(1)) < 1e-5);
  });

  it('all-zero per-component tolerances are rejected like scalar zeros', async () => {
    await fails(
      solve((t) => Float64Array.of(Math.cos(t), 1), Float64Array.of(0, 0), [0, 1], { rtol: [0, 0], atol: Float64Array.of(0, 0) }),
      'input',
      /rtol(\[\d+\])? and atol(\[\d+\])? are both 0/,
    );
  });

  it('f, y0 of the wrong type are rejected with a hint', async () => {
    await fails(() => odeint(sine.f, [0] as unknown as Float64Array, [0, 1]), 'input', /Float64Array/);
    await fails(() => odeint('f' as unknown as F, y1(), [0, 1]), 'input', /f must be a function/);
  });

  it('stepSize ≤ 0 or not finite is rejected', async () => {
    for (const stepSize of [0, -0.1, NaN, Infinity]) {
      await fails(solve(sine.f, y1(), [0, 1], { method: 'rk4', options: { stepSize } }), 'input', /options\.stepSize is/, /positive finite/);
    }
  });

  it('explicit_adams accepts orders 1–4 only', async () => {
    for (const order of [5, 0, 2.5]) {
      await fails(solve(sine.f, y1(), [0, 1], { method: 'explicit_adams', options: { order } }), 'input', new RegExp(`options\\.order is ${order}`), /1, 2, 3 and 4/);
    }
  });

  it('lm accepts −1 < k ≤ 1 only', async () => {
    for (const k of [1.5, -1, NaN]) {
      await fails(solve(sine.f, y1(), [0, 1], { method: 'lm', options: { k } }), 'input', new RegExp(`options\\.k is ${k}`), /\(−1, 1\]/);
    }
  });

  it('a time listed in both stepT and jumpT (or twice) is rejected', async () => {
    await fails(solve(sine.f, y1(), [0, 2], { options: { stepT: [0.5, 1], jumpT: [1] } }), 'input', /t = 1 appears twice in stepT\/jumpT/);
    await fails(solve(sine.f, y1(), [0, 2], { options: { jumpT: [1.5, 1.5] } }), 'input', /t = 1\.5 appears twice/);
    await fails(solve(sine.f, y1(), [0, 2], { options: { stepT: [0.5, NaN] } }), 'input', /options\.stepT\[1\] is NaN/);
  });

  it('bad controller options are rejected, naming the option', async () => {
    await fails(solve(sine.f, y1(), [0, 1], { options: { safety: 0 } }), 'input', /options\.safety/);
    await fails(solve(sine.f, y1(), [0, 1], { options: { ifactor: 0.5 } }), 'input', /options\.ifactor/);
    await fails(solve(sine.f, y1(), [0, 1], { options: { dfactor: 2 } }), 'input', /options\.dfactor/);
    await fails(solve(sine.f, y1(), [0, 1], { options: { minStep: 1, maxStep: 0.5 } }), 'input', /options\.minStep \(1\) must not exceed maxStep \(0\.5\)/);
    await fails(solve(sine.f, y1(), [0, 1], { options: { maxStep: NaN } }), 'input', /options\.maxStep/);
  });

  it('a first step that is NaN or 0 is rejected, naming options.firstStep', async () => {
    for (const firstStep of [NaN, 0]) {
      await fails(solve(sine.f, y1(), [0, 1], { options: { firstStep, maxNumSteps: 100 } }), 'input', /options\.firstStep/);
    }
  });

  it('a maxNumSteps that is not a positive integer is rejected (it is what bounds the loop)', async () => {
    for (const maxNumSteps of [NaN, -1]) {
      await fails(solve(sine.f, y1(), [0, 1], { options: { maxNumSteps } }), 'input', /options\.maxNumSteps/);
    }
  });
});

describe('what f returns', () => {
  it('a wrong length is a shape error giving both sizes and t', async () => {
    for (const method of ['dopri5', 'rk4']) {
      await fails(
        solve(() => Float64Array.of(1, 2, 3), Float64Array.of(0, 0), [0, 1], { method }),
        'shape',
        /returned 3 values at t = 0, but the state y has 2 components/,
      );
    }
  });

  it('a wrong length appearing mid-solve is reported at the t where it happened', async () => {
    for (const method of ['dopri5', 'rk4']) {
      const f = (t: number) => (t < 0.5 ? Float64Array.of(1) : Float64Array.of(1, 1));
      const e = await fails(solve(f, y1(), [0, 1], { method, options: method === 'rk4' ? { stepSize: 0.1 } : {} }), 'shape', /returned 2 values/);
      const t = e.context.t as number;
      assert.ok(t >= 0.5 && t <= 1, `context.t = ${t}`);
      assert.match(e.message, new RegExp(`at t = ${String(Number(t.toPrecision(6))).replace('.', '\\.')}`));
    }
  });

  it('undefined (a forgotten return) is named as such', async () => {
    await fails(solve((() => undefined) as unknown as F, y1(), [0, 1]), 'shape', /returned undefined at t = 0/, /must return dy\/dt/);
  });
});

describe('non-finite values', () => {
  it('NaN in y0 names the component, for every method', async () => {
    for (const method of [...ADAPTIVE, ...FIXED]) {
      const e = await fails(solve(sine.f, Float64Array.of(0, NaN), [0, 1], { method }), 'nonFinite', /initial state y0/, /component 1 is NaN/);
      assert.equal(e.context.component, 1);
    }
  });

  it('NaN from f at t0 is blamed on f at t0 (not on a step), for every method', async () => {
    const f: F = () => Float64Array.of(1, NaN);
    for (const method of [...ADAPTIVE, ...FIXED]) {
      const e = await fails(solve(f, Float64Array.of(0, 0), [0.25, 1], { method }), 'nonFinite', /f\(t0, y0\)/, /component 1/);
      assert.equal(e.context.t, 0.25, `${method}: ${e.message}`);
    }
  });

  it('NaN appearing mid-solve on a fixed grid names the step, its t and the component', async () => {
    // Component 1 of f is NaN from t = 0.45 on. Euler evaluates f at the grid points only, so
    // step 6 (from t = 0.5) is the first to see it; rk4 also evaluates at t0 + h/3 and t0 + 2h/3,
    // so step 5 (from 0.4, stage at 0.4667) already does.
    const f: F = (t) => Float64Array.of(1, t >= 0.45 ? NaN : 1);
    for (const [method, n, from, to] of [['euler', 6, 0.5, 0.6], ['rk4', 5, 0.4, 0.5]] as const) {
      const e = await fails(
        solve(f, Float64Array.of(0, 0), [0, 1], { method, options: { stepSize: 0.1 } }),
        'nonFinite',
        new RegExp(`step ${n} \\(from t = ${from}, h = 0\\.1\\)`),
        new RegExp(`at t = ${to}: component 1 is NaN`),
        /stepSize/,
      );
      assert.equal(e.context.component, 1);
    }
  });

  it('NaN appearing mid-solve in an adaptive method ends, at the underflow, as nonFinite naming the component', async () => {
    const f: F = (t) => Float64Array.of(Math.cos(t), t >= 0.5 ? NaN : 1);
    for (const method of ADAPTIVE) {
      const e = await fails(solve(f, Float64Array.of(0, 0), [0, 1], { method }), 'nonFinite', /non-finite values \(component 1\)/);
      const t = e.context.t as number;
      assert.ok(Math.abs(t - 0.5) < 1e-6, `${method} stopped at t = ${t}`);
    }
  });
  it('a NaN only in the last (first-same-as-last) stage is still attributed to its component', async () => {
    // bosh3's stages sit at c = 0, 1/2, 3/4, 1 and only the last (weight 0 in y1) reaches t ≥ 0.5
    // on the step [0, 0.6], so y1 is finite while the error estimate is NaN; minStep = 0.6
    // forbids a retry, so the solve must stop and say which component went bad.
    const f: F = (t) => Float64Array.of(Math.cos(t), t >= 0.5 ? NaN : 1);
    const e = await fails(
      solve(f, Float64Array.of(0, 0), [0, 1], { method: 'bosh3', options: { firstStep: 0.6, minStep: 0.6 } }),
      'nonFinite',
      /component 1\b/,
    );
    assert.equal(e.context.component, 1);
  });
});

describe('solves that cannot finish', () => {
  it("a finite-time blow-up (y' = y², y(0) = 1 on [0, 2]) stops near t = 1, never hangs", async () => {
    const started = Date.now();
    for (const method of ADAPTIVE) {
      const e = await fails(solve((_t, y) => Float64Array.of(y[0] * y[0]), Float64Array.of(1), [0, 2], { method }), ['stepUnderflow', 'maxSteps'], /Try:/);
      const t = e.context.t as number;
      assert.ok(Math.abs(t - 1) < 1e-2, `${method} stopped at t = ${t}; the solution 1/(1 − t) blows up at 1`);
    }
    assert.ok(Date.now() - started < 10_000);
  });

  it('maxNumSteps reached gives the counts and the last error ratios', async () => {
    const e = await fails(
      solve(sine.f, y1(), [0, 10], { rtol: 1e-10, atol: 1e-10, options: { maxNumSteps: 7 } }),
      'maxSteps',
      /reached maxNumSteps \(7\) at t = /,
      /of \[0, 10\]/,
      /last error ratios \[[^\]]+\]/,
      /raise options\.maxNumSteps/,
    );
    const m = /(\d+) accepted and (\d+) rejected steps/.exec(e.message);
    assert.ok(m, e.message);
    assert.equal(Number(m[1]) + Number(m[2]), 7);
    assert.equal(e.context.nAccepted, Number(m[1]));
    assert.equal(e.context.nRejected, Number(m[2]));
    assert.ok(Array.isArray(e.context.errRatios) && (e.context.errRatios as number[]).length > 0);
  });

  it('a fixed grid finer than maxNumSteps allows is refused before stepping', async () => {
    await fails(solve(sine.f, y1(), [0, 1], { method: 'euler', options: { stepSize: 1e-6, maxNumSteps: 1000 } }), 'maxSteps', /needs 1000000 steps/, /larger stepSize/);
  });

  it('the step-size underflow message suggests only methods that exist', async () => {
    const e = await fails(solve((_t, y) => Float64Array.of(y[0] * y[0]), Float64Array.of(1), [0, 2]), 'stepUnderflow');
    const suggested = [...e.message.matchAll(/method: '([a-z0-9_]+)'/g)].map((m) => m[1]);
    assert.ok(suggested.length > 0);
    for (const name of suggested) assert.doesNotThrow(() => methodInfo(name), `the message suggests unknown method '${name}'`);
  });
});
