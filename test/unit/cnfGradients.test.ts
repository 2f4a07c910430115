// Gradients of the continuous normalising flow and of the planar flow against central finite
// differences in float64: the augmented dynamics' vjp (second derivatives of the MLP) with the
// exact trace and with Hutchinson's estimator at a fixed ε, the NLL's gradient through a whole
// solve (backprop on a fixed grid, and the adjoint), and the planar flow's hand-written gradient.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cnfField, type CnfField } from '../../engine/src/cnf/cnfField';
import { cnfInitialState, cnfNll } from '../../engine/src/cnf/density';
import { planarFlow } from '../../engine/src/cnf/planarFlow';
import { Rng } from '../../engine/src/data/rng';
import { odeintGrad } from '../../engine/src/gradients/odeintGrad';
import { odeint } from '../../engine/src/odeint';
import type { OdeintOptions } from '../../engine/src/solvers/solve';

/** max |x − ref| / max |ref|. */
function relErr(x: Float64Array, ref: Float64Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < ref.length; i++) {
    num = Math.max(num, Math.abs(x[i] - ref[i]));
    den = Math.max(den, Math.abs(ref[i]));
  }
  assert.ok(den > 0, 'the reference gradient is identically zero: the check would prove nothing');
  return num / den;
}

/** Central differences of phi in every entry of `arr` (changed in place and restored). */
function centralDiff(arr: Float64Array, phi: () => number, h = 1e-5): Float64Array {
  return Float64Array.from(arr, (_, i) => {
    const keep = arr[i];
    arr[i] = keep + h;
    const up = phi();
    arr[i] = keep - h;
    const down = phi();
    arr[i] = keep;
    return (up - down) / (2 * h);
  });
}

describe('CNF augmented dynamics: vjp against finite differences', () => {
  const cases = [
    { dim: 2, trace: 'exact', activation: 'tanh' },
    { dim: 2, trace: 'exact', activation: 'softplus' },
    { dim: 3, trace: 'exact', activation: 'tanh' },
    { dim: 2, trace: 'hutchinson', activation: 'tanh', noise: 'rademacher' },
    { dim: 3, trace: 'hutchinson', activation: 'softplus', noise: 'gaussian' },
  ] as const;
  for (const c of cases) {
    it(`${c.trace} trace, d = ${c.dim}, ${c.activation}${'noise' in c ? `, ${c.noise} ε` : ''}: a·f in y and θ to < 1e-6`, () => {
      const B = 4;
      const field = cnfField({ dim: c.dim, hidden: [6, 5], activation: c.activation, trace: c.trace, noise: 'noise' in c ? c.noise : undefined, seed: 5 });
      const rng = new Rng(11);
      if (c.trace === 'hutchinson') field.drawNoise(B, rng);
      const y = rng.fillNormal(new Float64Array(B * field.dim));
      const a = rng.fillNormal(new Float64Array(B * field.dim));
      const t = 0.37;
      const phi = (): number => field.f(t, y).reduce((s, v, i) => s + a[i] * v, 0);
      const g = field.vjp(t, y, a);
      assert.ok(relErr(g.y, centralDiff(y, phi)) < 1e-6, 'dy');
      assert.ok(relErr(g.params, centralDiff(field.params, phi)) < 1e-6, 'dθ');
      // the Δlogp component never feeds back into the dynamics
      for (let n = 0; n < B; n++) assert.equal(g.y[n * field.dim + c.dim], 0);
      // fAndVjp agrees with f and vjp called apart
      const both = field.fAndVjp(t, y, a);
      assert.deepEqual(both.f, field.f(t, y));
      assert.deepEqual(both.params, g.params);
    });
  }

  it('the Δlogp cotangent alone (a on Δlogp only) gives the gradient of −tr J, which needs the second derivatives', () => {
    const field = cnfField({ dim: 2, hidden: [7], trace: 'exact', seed: 2 });
    const B = 3;
    const rng = new Rng(4);
    const y = rng.fillNormal(new Float64Array(B * 3));
    const a = new Float64Array(B * 3);
    for (let n = 0; n < B; n++) a[n * 3 + 2] = 1 + n;
    const phi = (): number => field.f(0.2, y).reduce((s, v, i) => s + a[i] * v, 0);
    const g = field.vjp(0.2, y, a);
    assert.ok(relErr(g.y, centralDiff(y, phi)) < 1e-6);
    assert.ok(relErr(g.params, centralDiff(field.params, phi)) < 1e-6);
  });

  it('the exact trace is tr(∂f/∂z) of the velocity, by finite differences', () => {
    const field = cnfField({ dim: 3, hidden: [8, 8], trace: 'exact', seed: 9 });
    const z = new Rng(1).fillNormal(new Float64Array(2 * 3));
    const tr = field.traceAt(0.4, z);
    for (let n = 0; n < 2; n++) {
      let fd = 0;
      for (let i = 0; i < 3; i++) {
        const h = 1e-5;
        const zp = Float64Array.from(z);
        const zm = Float64Array.from(z);
        zp[n * 3 + i] += h;
        zm[n * 3 + i] -= h;
        fd += (field.velocity(0.4, zp)[n * 3 + i] - field.velocity(0.4, zm)[n * 3 + i]) / (2 * h);
      }
      assert.ok(Math.abs(tr[n] - fd) < 1e-8 * Math.max(1, Math.abs(fd)), `sample ${n}: ${tr[n]} vs ${fd}`);
    }
  });
});

describe('CNF: the NLL gradient through a solve', () => {
  const x = Float64Array.from([0.5, -1, 1.5, 0.3, -0.7, -0.2]);
  const nll = async (field: CnfField, opts: OdeintOptions<Float64Array>): Promise<number> =>
    cnfNll((await odeint((t, y: Float64Array) => field.f(t, y), cnfInitialState(x, 2), [0, field.time], opts)).ys[1], 2).loss;

  it('backprop on a fixed rk4 grid matches finite differences of the same solve', async () => {
    const field = cnfField({ dim: 2, hidden: [8, 8], trace: 'exact', time: 0.5, seed: 3 });
    const opts = { method: 'rk4', options: { stepSize: 0.05 } };
    const res = await odeintGrad(field, cnfInitialState(x, 2), [0, 0.5], (ys) => [null, cnfNll(ys[1], 2).cotangent], { ...opts, gradient: 'backprop' });
    const fdParams = new Float64Array(field.params.length);
    for (let i = 0; i < fdParams.length; i++) {
      const keep = field.params[i];
      const h = 1e-5;
      field.params[i] = keep + h;
      const up = await nll(field, opts);
      field.params[i] = keep - h;
      const down = await nll(field, opts);
      field.params[i] = keep;
      fdParams[i] = (up - down) / (2 * h);
    }
    assert.ok(relErr(res.gradParams, fdParams) < 1e-6);
  });

  it('the adjoint and checkpointing (Hutchinson ε fixed through forward and backward solves) agree with backprop', async () => {
    const field = cnfField({ dim: 2, hidden: [8], trace: 'hutchinson', time: 0.5, seed: 3 });
    field.drawNoise(3, new Rng(2));
    const y0 = cnfInitialState(x, 2);
    const cot = (ys: readonly Float64Array[]) => [null, cnfNll(ys[1], 2).cotangent];
    const tight = { method: 'dopri5', rtol: 1e-10, atol: 1e-10 };
    const bp = await odeintGrad(field, y0, [0, 0.5], cot, { ...tight, gradient: 'backprop' });
    const adj = await odeintGrad(field, y0, [0, 0.5], cot, { ...tight, gradient: 'adjoint' });
    assert.ok(relErr(adj.gradParams, bp.gradParams) < 1e-6);
    assert.ok(adj.stats.nfeBackward > 0 && Number.isFinite(adj.stats.nfeForward));
    // checkpointing recomputes segments of the same steps: backprop's gradient
    const ck = await odeintGrad(field, y0, [0, 0.5], cot, { ...tight, gradient: 'checkpoint', checkpoints: 2 });
    assert.ok(relErr(ck.gradParams, bp.gradParams) < 1e-12);
  });
});

describe('planar flow', () => {
  it('the hand-written NLL gradient matches finite differences (constraint û included)', () => {
    const flow = planarFlow({ dim: 2, layers: 6, seed: 2 });
    const rng = new Rng(4);
    // move away from the initialisation so that every term of the gradient is exercised
    for (let i = 0; i < flow.params.length; i++) flow.params[i] += rng.normal(0, 0.5);
    const x = rng.fillNormal(new Float64Array(2 * 7));
    const { grad } = flow.nllAndGrad(x);
    assert.ok(relErr(grad, centralDiff(flow.params, () => flow.nllAndGrad(x).loss)) < 1e-6);
  });

  it('sample inverts the layers: samples mapped back to the base give the Gaussian draws', () => {
    const flow = planarFlow({ dim: 3, layers: 8, seed: 1, initScale: 1 });
    const x = flow.sample(20, 5);
    const z = flow.toBase(x);
    const ref = new Rng(5).fillNormal(new Float64Array(60));
    assert.ok(relErr(z, ref) < 1e-10);
  });

  it('starts near the identity however deep: the NLL of N(0, I) data is that of the base', () => {
    const flow = planarFlow({ dim: 2, layers: 256, seed: 0 });
    const x = new Rng(3).fillNormal(new Float64Array(2 * 2000));
    const base = flow.nllAndGrad(x).loss;
    // E[−log N(x)] = log 2π + 1 for d = 2
    assert.ok(Math.abs(base - (Math.log(2 * Math.PI) + 1)) < 0.15, `NLL ${base}`);
  });
});
