// The implicit machinery and methods: dense LU, finite-difference Jacobians, the simplified
// Newton iteration, the kvaerno3 tableau, implicit_euler, and the stepper contract (hooks, stats,
// Newton failures, refusals) that kvaerno3 shares with the explicit methods.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OdeSolve, SolverError, nativeAlgebra, odeint } from '../../engine/src/index';
import { butcherMatrix, kvaerno3Tableau, orderResiduals, validateEsdirk } from '../../engine/src/solvers/implicit/esdirkTableau';
import { evaluateJacobian } from '../../engine/src/solvers/implicit/jacobian';
import { DenseLU } from '../../engine/src/solvers/implicit/linalg';
import { StageNewton, implicitStats } from '../../engine/src/solvers/implicit/newton';
import type { StageReport, StepReport } from '../../engine/src/solvers/stepper';
import type { NativeState } from '../../engine/src/state/native';
import { decay, linspace, maxAbsDiff, nonlinear, slope } from './problems';

type F = (t: number, y: Float64Array) => Float64Array;

/** A deterministic pseudo-random sequence in [−1, 1). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

function matVec(A: ArrayLike<number>, x: ArrayLike<number>, n: number): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) y[i] += A[i * n + j] * x[j];
  return y;
}

async function expectSolverError(p: Promise<unknown>, kind: string): Promise<SolverError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof SolverError, `expected a SolverError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    return e;
  }
  assert.fail(`expected a SolverError of kind '${kind}', but the solve succeeded`);
}

/** f jumps from −1 to +1 across y = 0: z = base + hγ·f(z) has no solution near y = 0. */
const signField: F = (_t, y) => Float64Array.of(y[0] >= 0 ? -1 : 1);

describe('DenseLU', () => {
  it('solves random systems to rounding, one factorisation for many right-hand sides', () => {
    const rand = lcg(7);
    for (const n of [1, 2, 5, 12]) {
      const A = Float64Array.from({ length: n * n }, rand);
      for (let i = 0; i < n; i++) A[i * n + i] += n; // well conditioned
      const lu = new DenseLU(n);
      assert.equal(lu.factor(A), true);
      const m = 3;
      const X = Float64Array.from({ length: n * m }, rand);
      // B = A·X column by column, then solveMany must give X back.
      const B = new Float64Array(n * m);
      for (let c = 0; c < m; c++) {
        const col = matVec(A, Array.from({ length: n }, (_, i) => X[i * m + c]), n);
        for (let i = 0; i < n; i++) B[i * m + c] = col[i];
      }
      const single = lu.solve(Array.from({ length: n }, (_, i) => B[i * m]));
      lu.solveMany(B, m);
      assert.ok(maxAbsDiff(B, X) < 1e-12, `n = ${n}: ${maxAbsDiff(B, X)}`);
      assert.ok(maxAbsDiff(single, Array.from({ length: n }, (_, i) => X[i * m])) < 1e-12);
    }
  });

  it('pivots (a zero leading entry) and solves in place', () => {
    const A = Float64Array.of(0, 2, 1, 1, 1, 0, 3, 0, 1);
    const x = Float64Array.of(1, -2, 3);
    const b = matVec(A, x, 3);
    const lu = new DenseLU(3);
    assert.equal(lu.factor(A), true);
    assert.equal(lu.solve(b, b), b);
    assert.ok(maxAbsDiff(b, x) < 1e-14);
    assert.deepEqual(Array.from(A), [0, 2, 1, 1, 1, 0, 3, 0, 1], 'factor leaves its input alone');
  });

  it('reports a singular matrix instead of dividing by zero', () => {
    const lu = new DenseLU(2);
    assert.equal(lu.factor(Float64Array.of(1, 2, 2, 4)), false);
    assert.throws(() => lu.solve([1, 1]), /no successful factor/);
  });
});

describe('Jacobian by finite differences', () => {
  const f: F = (t, y) => Float64Array.of(y[0] * y[1] + t, Math.sin(y[0]) - 3 * y[1] * y[1], Math.exp(y[2]) * y[0]);
  const exact = (y: Float64Array): number[] => [
    y[1], y[0], 0,
    Math.cos(y[0]), -6 * y[1], 0,
    Math.exp(y[2]), 0, Math.exp(y[2]) * y[0],
  ];

  for (const [name, make, tol] of [
    ['float64', (v: number[]) => Float64Array.from(v), 1e-6],
    ['float32', (v: number[]) => Float32Array.from(v), 2e-2],
  ] as const) {
    it(`matches the analytic Jacobian (${name}) at n evaluations of f`, () => {
      const y = make([0.7, -1.3, 0.2]) as NativeState;
      let nfe = 0;
      const evalF = (t: number, v: NativeState): NativeState => {
        nfe++;
        const r = f(t, Float64Array.from(v));
        return y instanceof Float32Array ? Float32Array.from(r) : r;
      };
      const J = new Float64Array(9);
      evaluateJacobian(0.5, y, evalF(0.5, y), evalF, undefined, J);
      assert.equal(nfe, 1 + 3);
      const want = exact(Float64Array.from(y));
      for (let k = 0; k < 9; k++) assert.ok(Math.abs(J[k] - want[k]) <= tol * (1 + Math.abs(want[k])), `entry ${k}: ${J[k]} vs ${want[k]}`);
    });
  }
});

describe('StageNewton', () => {
  it('solves z = base + hγ·f(z) to a fraction of the tolerance, counting every f and Newton iteration', () => {
    // f(z) = −z³ − z: a monotone nonlinear field, so the stage equation has one root.
    const f = (_t: number, z: NativeState): NativeState => Float64Array.from(z, (v) => -v * v * v - v);
    let nfe = 0;
    const stats = implicitStats();
    const rtol = 1e-8;
    const atol = 1e-10;
    const nw = new StageNewton(2, (t, y) => (nfe++, f(t, y)), rtol, atol, 10, undefined, stats);
    const base = Float64Array.of(1.5, -0.5);
    const hg = 0.05;
    nw.updateJacobian(0, base);
    assert.equal(nfe, 3, 'f at the point plus one per component');
    assert.equal(nw.prepare(hg), true);
    assert.equal(nw.prepare(hg * (1 + 1e-12)), true);
    assert.equal(stats.nlu, 1, 'the same hγ (up to rounding) reuses the factorisation');
    nw.setScale(base);
    const r = nw.solve(0, base, hg, base);
    assert.equal(r.converged, true, StageNewton.explain(r, 10));
    const fz = f(0, r.z);
    for (let i = 0; i < 2; i++) {
      // Residual within a fraction of the tolerance, measured through the iteration matrix.
      const resid = Math.abs(r.z[i] - base[i] - hg * fz[i]) / (1 + hg * (3 * r.z[i] ** 2 + 1));
      assert.ok(resid < 0.1 * (atol + rtol * Math.abs(base[i])), `component ${i}: ${resid}`);
    }
    assert.equal(stats.nNewton, r.iters);
    assert.equal(nfe, 3 + r.iters);
    assert.equal(stats.njac, 1);
  });

  it('gives up early when the contraction rate cannot reach the tolerance within maxNewtonIters', () => {
    const f = (_t: number, z: NativeState): NativeState => Float64Array.from(z, (v) => -v * v * v - v);
    const stats = implicitStats();
    const nw = new StageNewton(2, f, 1e-8, 1e-10, 10, undefined, stats);
    const base = Float64Array.of(1.5, -0.5);
    nw.updateJacobian(0, base);
    nw.prepare(0.8);
    nw.setScale(base);
    // The first update is ~10⁷ tolerances; at the measured rate 10 iterations cannot close it.
    const r = nw.solve(0, base, 0.8, base);
    assert.equal(r.converged, false);
    assert.equal(r.failure, 'slow');
    assert.ok(r.iters < 10, `${r.iters} iterations`);
    assert.equal(stats.nNewtonFailed, 1);
  });

  it('converges in at most two iterations on a linear field with its exact Jacobian', () => {
    const A = [-1000, 1, 0, -0.5];
    const f = (_t: number, y: NativeState): NativeState => Float64Array.of(A[0] * y[0] + A[1] * y[1], A[3] * y[1]);
    const stats = implicitStats();
    const nw = new StageNewton(2, f, 1e-6, 1e-9, 10, () => Float64Array.from(A), stats);
    const y0 = Float64Array.of(1, 1);
    nw.updateJacobian(0, y0);
    nw.prepare(0.5);
    nw.setScale(y0);
    const r = nw.solve(0, y0, 0.5, y0);
    assert.equal(r.converged, true);
    assert.ok(r.iters <= 2, `${r.iters} iterations`);
  });

  it('reports divergence when the stage equation has no solution', () => {
    const stats = implicitStats();
    const nw = new StageNewton(1, signField as never, 1e-6, 1e-9, 10, undefined, stats);
    const y0 = Float64Array.of(0);
    nw.updateJacobian(0, y0);
    nw.prepare(0.1);
    nw.setScale(y0);
    const r = nw.solve(0, y0, 0.1, y0);
    assert.equal(r.converged, false);
    assert.equal(r.failure, 'diverged');
    assert.equal(stats.nNewtonFailed, 1);
    assert.match(StageNewton.explain(r, 10), /diverged after \d+ iterations/);
  });
});

describe('kvaerno3 tableau', () => {
  const tab = validateEsdirk(kvaerno3Tableau);

  it('is stiffly accurate, of order 3 with an embedded order-2 solution', () => {
    assert.equal(tab.stifflyAccurate, true);
    const A = butcherMatrix(tab);
    for (const r of orderResiduals(A, tab.b, tab.c)) assert.ok(Math.abs(r) < 1e-14, String(r));
    const rh = orderResiduals(A, tab.bHat, tab.c);
    assert.ok(Math.abs(rh[0]) < 1e-14 && Math.abs(rh[1]) < 1e-14);
    assert.ok(Math.abs(rh[2]) > 1e-3, 'the embedded solution is genuinely of order 2 (else no error estimate)');
    assert.ok(Math.abs(6 * tab.gamma ** 3 - 18 * tab.gamma ** 2 + 9 * tab.gamma - 1) < 1e-14);
  });

  it('is A-stable (|R(iy)| ≤ 1) and L-stable (R(z) → 0 as z → −∞)', () => {
    const A = butcherMatrix(tab);
    const s = tab.stages;
    // (I − zA)w = 1 for z = iy, as the real 2s×2s system [[I, yA], [−yA, I]]·[u; v] = [1; 0].
    const R = (y: number): { re: number; im: number } => {
      const M = new Float64Array(4 * s * s);
      for (let i = 0; i < s; i++) {
        M[i * 2 * s + i] = 1;
        M[(s + i) * 2 * s + s + i] = 1;
        for (let j = 0; j < s; j++) {
          M[i * 2 * s + s + j] = y * A[i][j];
          M[(s + i) * 2 * s + j] = -y * A[i][j];
        }
      }
      const lu = new DenseLU(2 * s);
      assert.ok(lu.factor(M));
      const w = lu.solve(Float64Array.from({ length: 2 * s }, (_, i) => (i < s ? 1 : 0)));
      let bu = 0;
      let bv = 0;
      for (let i = 0; i < s; i++) {
        bu += tab.b[i] * w[i];
        bv += tab.b[i] * w[s + i];
      }
      return { re: 1 - y * bv, im: y * bu };
    };
    for (let e = -3; e <= 6; e += 0.25) {
      const r = R(10 ** e);
      assert.ok(Math.hypot(r.re, r.im) <= 1 + 1e-12, `|R(i·1e${e})| = ${Math.hypot(r.re, r.im)}`);
    }
    // Real z: R(z) = 1 + z·bᵀ(I − zA)⁻¹·1.
    const Rreal = (z: number): number => {
      const M = new Float64Array(s * s);
      for (let i = 0; i < s; i++) for (let j = 0; j < s; j++) M[i * s + j] = (i === j ? 1 : 0) - z * A[i][j];
      const lu = new DenseLU(s);
      lu.factor(M);
      const w = lu.solve(new Float64Array(s).fill(1));
      return 1 + z * tab.b.reduce((acc, b, i) => acc + b * w[i], 0);
    };
    assert.ok(Math.abs(Rreal(-1e8)) < 1e-6, `R(−1e8) = ${Rreal(-1e8)}`);
    assert.ok(Math.abs(Rreal(-1e-3) - Math.exp(-1e-3)) < 1e-12, 'R(z) ≈ e^z for small z');
  });

  it('rejects a tableau that misses an order condition', () => {
    const broken = { ...kvaerno3Tableau, name: 'broken', b: [0.3, 0.2, 0.1, 0.4] };
    assert.throws(() => validateEsdirk(broken), (e: unknown) => e instanceof SolverError && /order-2 condition/.test(e.message));
  });
});

describe('implicit_euler', () => {
  it('converges with order 1 (slope of log error on log h)', async () => {
    const p = decay(1);
    const T = 1;
    const steps = [10, 20, 40, 80, 160];
    const errors: number[] = [];
    for (const n of steps) {
      const sol = await odeint(p.f, Float64Array.of(1), [0, T], { method: 'implicit_euler', options: { stepSize: T / n } });
      errors.push(Math.abs(sol.ys[1][0] - p.exact(T)[0]));
    }
    const order = slope(steps.map((n) => Math.log(T / n)), errors.map(Math.log));
    assert.ok(Math.abs(order - 1) <= 0.3, `order ${order}, errors ${errors}`);
  });

  it('integrates backwards on a decreasing t', async () => {
    const sol = await odeint(decay(1).f, Float64Array.of(Math.exp(-1)), [1, 0.5, 0], { method: 'implicit_euler', options: { stepSize: 1e-3 } });
    assert.ok(Math.abs(sol.ys[2][0] - 1) < 1e-3, `${sol.ys[2][0]}`);
    assert.ok(Math.abs(sol.ys[1][0] - Math.exp(-0.5)) < 1e-3);
  });

  it('is stable at any step: y′ = −1000(y − cos t) with h = 0.1 follows cos t, where euler blows up', async () => {
    const f: F = (t, y) => Float64Array.of(-1000 * (y[0] - Math.cos(t)));
    const t = linspace(0, 20, 201);
    const sol = await odeint(f, Float64Array.of(0), t, { method: 'implicit_euler' });
    // The initial layer (y0 = 0) shrinks 101-fold per step; then backward Euler lags cos t by
    // about h·|sin t|/(1 + 1000h) ≤ 1e-3.
    for (let i = 2; i < t.length; i++) assert.ok(Math.abs(sol.ys[i][0] - Math.cos(t[i])) < 2e-3, `t = ${t[i]}: ${sol.ys[i][0]}`);
    assert.equal(sol.stats.nAccepted, 200);
    const e = await expectSolverError(odeint(f, Float64Array.of(0), t, { method: 'euler' }), 'nonFinite');
    assert.match(e.message, /after step \d+ .*component 0/);
  });

  it('throws a newton error naming t, h, the residual and the iterations when the stage equation has no solution', async () => {
    const e = await expectSolverError(
      odeint(signField, Float64Array.of(0), [0, 1], { method: 'implicit_euler', options: { stepSize: 0.1 } }),
      'newton',
    );
    assert.match(e.message, /grid step 1, from t = 0 with h = 0\.1/);
    assert.match(e.message, /residual norm [\d.e+]+ after \d+ iteration/);
    assert.match(e.message, /Full Newton .* did not converge either/);
    assert.match(e.message, /smaller options\.stepSize.*kvaerno3/);
    assert.equal(e.context.failure, 'diverged');
  });

  it('reports one stage per step and keeps one Jacobian and one factorisation on a uniform grid', async () => {
    const stages: StageReport<Float64Array>[] = [];
    const steps: StepReport[] = [];
    const p = decay(2);
    const sol = await odeint(p.f, Float64Array.of(1), [0, 1], {
      method: 'implicit_euler',
      options: { stepSize: 0.05 },
      hooks: { onStage: (s) => void stages.push({ ...s, y: s.y.slice(), k: s.k.slice() }), onStep: (r) => void steps.push(r) },
    });
    assert.equal(steps.length, 20);
    assert.deepEqual(stages.map((s) => s.n), steps.map((r) => r.n));
    for (const s of stages) {
      // The stage is y1 at t1, with k = f(t1, y1) up to the Newton tolerance.
      assert.ok(Math.abs(s.k[0] - p.f(s.t, s.y)[0]) < 1e-6, `${s.k[0]} vs ${p.f(s.t, s.y)[0]}`);
    }
    const st = sol.stats as typeof sol.stats & { njac: number; nlu: number };
    assert.equal(st.njac, 1);
    assert.equal(st.nlu, 1);
  });
});

describe('kvaerno3', () => {
  it('meets rtol on exponential decay, forwards and backwards, float64 and float32', async () => {
    const p = decay(1);
    let prevNfe = 0;
    for (const rtol of [1e-4, 1e-6, 1e-8]) {
      const sol = await odeint(p.f, Float64Array.of(1), [0, 1, 5], { method: 'kvaerno3', rtol, atol: rtol * 1e-3 });
      for (const i of [1, 2]) {
        const t = [0, 1, 5][i];
        const rel = Math.abs(sol.ys[i][0] / p.exact(t)[0] - 1);
        assert.ok(rel < 5 * rtol, `rtol ${rtol}, t = ${t}: relative error ${rel}`);
      }
      assert.ok(sol.stats.nfe > prevNfe, 'tighter tolerances cost more');
      prevNfe = sol.stats.nfe;
    }
    const back = await odeint(p.f, Float64Array.of(1), [0, -2], { method: 'kvaerno3', rtol: 1e-6, atol: 1e-9 });
    assert.ok(Math.abs(back.ys[1][0] / Math.exp(2) - 1) < 5e-6);
    const f32 = await odeint((_t, y: Float32Array) => y.map((v) => -v), Float32Array.of(1), [0, 1], { method: 'kvaerno3', rtol: 1e-4, atol: 1e-7 });
    assert.ok(f32.ys[1] instanceof Float32Array);
    assert.ok(Math.abs(f32.ys[1][0] / Math.exp(-1) - 1) < 5e-4);
  });

  it('solves a nonlinear time-dependent system, with dense output between steps', async () => {
    const t = linspace(0, 3, 31);
    const sol = await odeint(nonlinear.f, Float64Array.of(1, 1), t, { method: 'kvaerno3', rtol: 1e-7, atol: 1e-9 });
    const endsOnly = await odeint(nonlinear.f, Float64Array.of(1, 1), [0, 3], { method: 'kvaerno3', rtol: 1e-7, atol: 1e-9 });
    assert.equal(sol.stats.nfe, endsOnly.stats.nfe, 'outputs come from interpolation, not from stepping onto each t');
    for (let i = 0; i < t.length; i++) assert.ok(maxAbsDiff(sol.ys[i], nonlinear.exact(t[i])) < 2e-5, `t = ${t[i]}`);
  });

  it('calls onStage once per stage of each attempt and onStep once per attempt, in order', async () => {
    const rober: F = (_t, y) =>
      Float64Array.of(-0.04 * y[0] + 1e4 * y[1] * y[2], 0.04 * y[0] - 1e4 * y[1] * y[2] - 3e7 * y[1] * y[1], 3e7 * y[1] * y[1]);
    const stages: { n: number; i: number; t: number }[] = [];
    const steps: StepReport[] = [];
    const sol = await odeint(rober, Float64Array.of(1, 0, 0), [0, 40], {
      method: 'kvaerno3',
      rtol: 1e-4,
      atol: 1e-8,
      hooks: { onStage: (s) => void stages.push({ n: s.n, i: s.i, t: s.t }), onStep: (r) => void steps.push(r) },
    });
    const st = sol.stats;
    assert.equal(steps.length, st.nAccepted + st.nRejected);
    assert.ok(st.nRejected > 0, 'the run should include rejected attempts');
    assert.deepEqual(steps.map((r) => r.n), steps.map((_, k) => k + 1));
    assert.equal(steps[steps.length - 1].nfe, st.nfe);
    for (const r of steps) {
      const mine = stages.filter((s) => s.n === r.n);
      const newtonFailed = r.errRatio === Infinity;
      if (!newtonFailed) assert.deepEqual(mine.map((s) => s.i), [0, 1, 2, 3], `attempt ${r.n}`);
      else assert.ok(mine.length >= 1 && mine.length < 4);
      assert.equal(mine[0].t, r.t);
      if (!newtonFailed) assert.equal(mine[3].t, r.t + r.h);
    }
    // Stages are reported before their step: the stream is ordered by attempt.
    const order = stages.map((s) => s.n);
    assert.deepEqual(order, [...order].sort((a, b) => a - b));
  });

  it('rejects and shrinks h when Newton cannot converge, then recovers', async () => {
    // A wrong Jacobian (0) makes the simplified Newton a fixed-point iteration, which converges
    // only while hγ·50 < 1: the first step (firstStep 1) must fail and be retried smaller.
    const f: F = (_t, y) => Float64Array.of(-50 * y[0]);
    const steps: StepReport[] = [];
    const sol = await odeint(f, Float64Array.of(1), [0, 0.1], {
      method: 'kvaerno3',
      rtol: 1e-6,
      atol: 1e-12,
      options: { firstStep: 1, jacobian: () => Float64Array.of(0) },
      hooks: { onStep: (r) => void steps.push(r) },
    });
    const st = sol.stats as typeof sol.stats & { nNewtonFailed: number; njac: number };
    assert.equal(steps[0].accepted, false);
    assert.equal(steps[0].errRatio, Infinity);
    assert.ok(Math.abs(steps[0].hNext - 0.2 * steps[0].h) < 1e-12, 'shrunk by dfactor');
    assert.ok(st.nNewtonFailed >= 1);
    assert.ok(st.njac >= 1);
    assert.ok(Math.abs(sol.ys[1][0] / Math.exp(-5) - 1) < 5e-5, `${sol.ys[1][0]} vs ${Math.exp(-5)}`);
  });

  it('gives a stepUnderflow error explaining Newton when no step size lets the stages converge', async () => {
    // A jump of 2e9 across y = 0: the stage equations from y0 = 0 have no solution, and only a
    // step below 1e-17 would hide the jump inside atol. From t = 1, h underflows (|h| ≤ 4ε·t)
    // first, after about 20 shrinks by dfactor.
    const cliff: F = (_t, y) => Float64Array.of(y[0] >= 0 ? -1e9 : 1e9);
    const e = await expectSolverError(odeint(cliff, Float64Array.of(0), [1, 2], { method: 'kvaerno3' }), 'stepUnderflow');
    assert.match(e.message, /Step size underflow at t = 1\b/);
    assert.match(e.message, /Newton's iteration .* did not converge at any step size/);
    assert.match(e.message, /jumpT|jacobian/);
    const withMin = await expectSolverError(
      odeint(cliff, Float64Array.of(0), [1, 2], { method: 'kvaerno3', options: { minStep: 1e-3 } }),
      'newton',
    );
    assert.match(withMin.message, /options\.minStep/);
  });

  it('uses options.jacobian instead of finite differences, and checks its shape', async () => {
    const k = [-3, -300];
    const f: F = (_t, y) => Float64Array.of(k[0] * y[0], k[1] * y[1]);
    const jac = (): Float64Array => Float64Array.of(k[0], 0, 0, k[1]);
    const withJ = await odeint(f, Float64Array.of(1, 1), [0, 1], { method: 'kvaerno3', rtol: 1e-6, atol: 1e-9, options: { jacobian: jac } });
    const fd = await odeint(f, Float64Array.of(1, 1), [0, 1], { method: 'kvaerno3', rtol: 1e-6, atol: 1e-9 });
    const sj = withJ.stats as typeof withJ.stats & { njac: number; nNewton: number };
    const sf = fd.stats as typeof fd.stats & { njac: number; nNewton: number };
    // Finite differences cost n + 1 evaluations per Jacobian on top of the Newton iterations.
    assert.equal(sf.nfe - sf.nNewton, sj.nfe - sj.nNewton + 3 * sf.njac);
    assert.ok(Math.abs(withJ.ys[1][0] / Math.exp(-3) - 1) < 1e-5);
    const e = await expectSolverError(
      odeint(f, Float64Array.of(1, 1), [0, 1], { method: 'kvaerno3', options: { jacobian: () => Float64Array.of(1, 2, 3) } }),
      'shape',
    );
    assert.match(e.message, /returned 3 values .* n·n = 4/);
  });

  it('steps onto stepT', async () => {
    const ends: number[] = [];
    await odeint(decay(1).f, Float64Array.of(1), [0, 2], {
      method: 'kvaerno3',
      options: { stepT: [0.7, 1.3] },
      hooks: { onStep: (r) => void (r.accepted && ends.push(r.t + r.h)) },
    });
    assert.ok(ends.includes(0.7) && ends.includes(1.3), `step ends ${ends}`);
  });

  it('steps onto jumpT and restarts f past the jump', async () => {
    // y' = −y before t = 1, y' = −y + 5 after: a kink in y that only stepping onto t = 1 resolves.
    const f: F = (t, y) => Float64Array.of(-y[0] + (t > 1 ? 5 : 0));
    const exact = (t: number): number => (t <= 1 ? Math.exp(-t) : 5 + (Math.exp(-1) - 5) * Math.exp(-(t - 1)));
    const ends: number[] = [];
    const sol = await odeint(f, Float64Array.of(1), [0, 2], {
      method: 'kvaerno3',
      rtol: 1e-7,
      atol: 1e-9,
      options: { jumpT: [1] },
      hooks: { onStep: (r) => void (r.accepted && ends.push(r.t + r.h)) },
    });
    assert.ok(ends.includes(1), 'an accepted step ends exactly on the jump');
    assert.ok(Math.abs(sol.ys[1][0] - exact(2)) < 1e-6, `${sol.ys[1][0]} vs ${exact(2)}`);
  });

  it('stops at maxNumSteps with the counts', async () => {
    const e = await expectSolverError(
      odeint(nonlinear.f, Float64Array.of(1, 1), [0, 10], { method: 'kvaerno3', rtol: 1e-10, atol: 1e-12, options: { maxNumSteps: 30 } }),
      'maxSteps',
    );
    assert.match(e.message, /kvaerno3 reached maxNumSteps \(30\)/);
    assert.equal((e.context.nAccepted as number) + (e.context.nRejected as number), 30);
  });
});

describe('implicit methods and non-finite f', () => {
  it('NaN from f at t0 is blamed on f at t0', async () => {
    for (const method of ['kvaerno3', 'implicit_euler']) {
      const e = await expectSolverError(odeint(() => Float64Array.of(1, NaN), Float64Array.of(0, 0), [0.25, 1], { method }), 'nonFinite');
      assert.match(e.message, /f\(t0, y0\) is not finite at t = 0\.25: component 1/);
    }
  });

  it('NaN appearing mid-solve: kvaerno3 stops (nonFinite) at that t naming the component; implicit_euler names the step', async () => {
    const f: F = (t) => Float64Array.of(Math.cos(t), t >= 0.5 ? NaN : 1);
    const e = await expectSolverError(odeint(f, Float64Array.of(0, 0), [0, 1], { method: 'kvaerno3' }), 'nonFinite');
    assert.match(e.message, /non-finite values \(component 1\)/);
    assert.ok(Math.abs((e.context.t as number) - 0.5) < 1e-6, `stopped at ${e.context.t}`);
    const g = await expectSolverError(
      odeint(f, Float64Array.of(0, 0), [0, 1], { method: 'implicit_euler', options: { stepSize: 0.1 } }),
      'nonFinite',
    );
    assert.match(g.message, /at t = 0\.5: component 1, evaluated while solving step 5 \(from t = 0\.4, h = 0\.1\)/);
  });
});

describe('implicit methods refuse what they cannot do', () => {
  it('a tf.Tensor state: input error at construction, explaining the typed-array path', async () => {
    const { tf } = await import('../../engine/src/backend/tf');
    const before = tf.memory().numTensors;
    const y0 = tf.tensor1d([1]);
    for (const method of ['kvaerno3', 'implicit_euler']) {
      const e = await expectSolverError(odeint((_t, y) => tf.neg(y), y0, [0, 1], { method }), 'input');
      assert.match(e.message, new RegExp(`${method} is an implicit method`));
      assert.match(e.message, /Float64Array/);
    }
    y0.dispose();
    assert.equal(tf.memory().numTensors, before);
  });

  it('more than 2000 components with a finite-difference Jacobian, unless options.jacobian is given', () => {
    const n = 2001;
    const f: F = (_t, y) => y.map((v) => -v);
    const y0 = new Float64Array(n).fill(1);
    const ops = nativeAlgebra(y0);
    assert.throws(
      () => new OdeSolve(ops, f as never, y0, [0, 1], { method: 'kvaerno3' }),
      (e: unknown) => e instanceof SolverError && e.kind === 'input' && /2001×2001/.test(e.message) && /options\.jacobian/.test(e.message),
    );
    const jacobian = (): Float64Array => new Float64Array(n * n);
    const solve = new OdeSolve(ops, f as never, y0, [0, 1], { method: 'kvaerno3', options: { jacobian } });
    assert.equal(solve.method, 'kvaerno3');
  });

  it('a bad maxNewtonIters', async () => {
    const e = await expectSolverError(
      odeint(decay(1).f, Float64Array.of(1), [0, 1], { method: 'kvaerno3', options: { maxNewtonIters: 0 } }),
      'input',
    );
    assert.match(e.message, /maxNewtonIters is 0/);
  });
});
