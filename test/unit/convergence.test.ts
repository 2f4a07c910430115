// Empirical order of the fixed-grid methods: the slope of log(global error) against log(h)
// must be the method's theoretical order (±0.3). Grids are chosen so that errors stay well
// above round-off (≥ 1e-11) and in the asymptotic range.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { odeint, type SolverOptions } from '../../engine/src/index';
import { maxAbsDiff, nonlinear, slope } from './problems';

const T = 2;
const y0 = (): Float64Array => nonlinear.exact(0);
const exactEnd = nonlinear.exact(T);

interface Case {
  method: string;
  options?: SolverOptions;
  order: number;
  /** Numbers of steps over [0, T]. */
  steps: number[];
}

const coarse = [10, 20, 40, 80, 160];
const medium = [20, 40, 80, 160, 320];
const fine = [40, 80, 160, 320, 640];

const cases: Case[] = [
  { method: 'euler', order: 1, steps: fine },
  { method: 'midpoint', order: 2, steps: medium },
  { method: 'heun', order: 2, steps: medium },
  { method: 'heun2', order: 2, steps: medium },
  { method: 'heun3', order: 3, steps: coarse },
  { method: 'rk4', order: 4, steps: coarse },
  { method: 'rk4_classic', order: 4, steps: coarse },
  { method: 'explicit_adams', options: { order: 1 }, order: 1, steps: fine },
  { method: 'explicit_adams', options: { order: 2 }, order: 2, steps: medium },
  { method: 'explicit_adams', options: { order: 3 }, order: 3, steps: medium },
  { method: 'explicit_adams', options: { order: 4 }, order: 4, steps: medium },
  { method: 'explicit_adams', order: 4, steps: medium }, // the default order
  { method: 'lm', options: { k: 0.5 }, order: 1, steps: fine },
  { method: 'lm', options: { k: 1 }, order: 2, steps: fine },
];

const label = (c: Case): string => `${c.method}${c.options ? ' ' + JSON.stringify(c.options) : ''}`;

/** Global error at T and log-log slope over the given grids (built by `times(n)`). */
async function measure(
  c: Case,
  run: (n: number) => Promise<Float64Array>,
): Promise<{ order: number; errors: number[] }> {
  const errors: number[] = [];
  for (const n of c.steps) errors.push(maxAbsDiff(await run(n), exactEnd));
  for (const e of errors) assert.ok(e > 1e-11 && e < 1e-1, `${label(c)}: error ${e} outside the fit range`);
  return { order: slope(c.steps.map((n) => Math.log(T / n)), errors.map(Math.log)), errors };
}

describe('convergence order on a uniform grid (options.stepSize)', () => {
  for (const c of cases) {
    it(`${label(c)} converges with order ${c.order}`, async () => {
      const { order, errors } = await measure(c, async (n) => {
        const sol = await odeint(nonlinear.f, y0(), [0, T], { method: c.method, options: { ...c.options, stepSize: T / n } });
        assert.equal(sol.stats.nAccepted, n, 'one accepted step per grid interval');
        return sol.ys[1];
      });
      assert.ok(Math.abs(order - c.order) <= 0.3, `${label(c)}: observed order ${order.toFixed(3)} (errors ${errors})`);
    });
  }

  it('heun2 is heun', async () => {
    const a = await odeint(nonlinear.f, y0(), [0, T], { method: 'heun', options: { stepSize: 0.1 } });
    const b = await odeint(nonlinear.f, y0(), [0, T], { method: 'heun2', options: { stepSize: 0.1 } });
    assert.deepEqual(b.ys, a.ys);
  });

  it('takes the output times as the grid when no stepSize is given', async () => {
    const n = 40;
    const grid = Array.from({ length: n + 1 }, (_, i) => (T * i) / n);
    const onGrid = await odeint(nonlinear.f, y0(), grid, { method: 'rk4' });
    const stepped = await odeint(nonlinear.f, y0(), [0, T], { method: 'rk4', options: { stepSize: T / n } });
    assert.equal(onGrid.stats.nAccepted, n);
    assert.ok(maxAbsDiff(onGrid.ys[n], stepped.ys[1]) < 1e-13);
  });

  it('integrates backwards with the same order (rk4 from T down to 0)', async () => {
    const c: Case = { method: 'rk4', order: 4, steps: coarse };
    const errors: number[] = [];
    for (const n of c.steps) {
      const sol = await odeint(nonlinear.f, nonlinear.exact(T), [T, 0], { method: 'rk4', options: { stepSize: T / n } });
      errors.push(maxAbsDiff(sol.ys[1], nonlinear.exact(0)));
    }
    const order = slope(c.steps.map((n) => Math.log(T / n)), errors.map(Math.log));
    assert.ok(Math.abs(order - 4) <= 0.3, `observed order ${order}`);
  });
});

describe('explicit_adams on a non-uniform output grid (no stepSize)', () => {
  // t_i = T·φ(i/n) with φ(s) = s + 0.3·s(1 − s): smooth and strictly increasing, so the step
  // ratios vary smoothly and a variable-step Adams–Bashforth keeps its order.
  const warped = (n: number): number[] =>
    Array.from({ length: n + 1 }, (_, i) => {
      const s = i / n;
      return T * (s + 0.3 * s * (1 - s));
    });

  for (const p of [1, 2, 3, 4]) {
    const c: Case = { method: 'explicit_adams', options: { order: p }, order: p, steps: p === 1 ? fine : [40, 80, 160, 320, 640] };
    it(`order ${p} is kept`, async () => {
      const { order, errors } = await measure(c, async (n) => {
        const sol = await odeint(nonlinear.f, y0(), warped(n), { method: 'explicit_adams', options: { order: p } });
        return sol.ys[n];
      });
      assert.ok(Math.abs(order - p) <= 0.3, `observed order ${order.toFixed(3)} (errors ${errors})`);
    });
  }

  it('matches the classical constant-step weights on a uniform grid', async () => {
    // On a uniform grid the Lagrange-integral weights must reduce to AB4's 55, −59, 37, −9 (/24),
    // so the grid-as-t solve equals the stepSize solve to rounding.
    const n = 64;
    const uniform = Array.from({ length: n + 1 }, (_, i) => (T * i) / n);
    const a = await odeint(nonlinear.f, y0(), uniform, { method: 'explicit_adams' });
    const b = await odeint(nonlinear.f, y0(), [0, T], { method: 'explicit_adams', options: { stepSize: T / n } });
    assert.ok(maxAbsDiff(a.ys[n], b.ys[1]) < 1e-13);
  });
});

describe('fixed-grid output between grid points', () => {
  // Output times halfway between grid points: linear interpolation is 2nd order, the cubic
  // Hermite option 3rd order or better, whatever the method's own order.
  const halfway = async (interp: 'linear' | 'cubic', n: number): Promise<number> => {
    const h = T / n;
    const tOut = [0, h / 2, T - h / 2];
    const sol = await odeint(nonlinear.f, y0(), tOut, { method: 'rk4', options: { stepSize: h, interp } });
    return Math.max(maxAbsDiff(sol.ys[1], nonlinear.exact(tOut[1])), maxAbsDiff(sol.ys[2], nonlinear.exact(tOut[2])));
  };
  const ns = [10, 20, 40, 80];
  const orderOf = async (interp: 'linear' | 'cubic'): Promise<number> => {
    const errs: number[] = [];
    for (const n of ns) errs.push(await halfway(interp, n));
    return slope(ns.map((n) => Math.log(T / n)), errs.map(Math.log));
  };

  it('is 2nd order with linear interpolation (the default)', async () => {
    const p = await orderOf('linear');
    assert.ok(Math.abs(p - 2) <= 0.3, `observed ${p}`);
  });

  it("is at least 3rd order with interp: 'cubic'", async () => {
    const p = await orderOf('cubic');
    assert.ok(p >= 2.7, `observed ${p}`);
  });
});
