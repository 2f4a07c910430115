// odeintGrad checked three ways, as torchdiffeq's gradient tests do: each gradient method
// against central finite differences, adjoint against backprop, checkpoint against backprop.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SolverError, type OdeintOptions } from '../../engine/src/index';
import { odeintGrad, type OdeintGradOptions } from '../../engine/src/gradients/index';
import {
  acceptedStarts,
  finiteDifferences,
  linearField,
  mlp2d,
  randomArray,
  relErr,
  replayOptions,
  uniform,
} from './gradientProblems';

type Case = { name: string; t: number[]; method: string; options?: OdeintGradOptions['options'] };

const setup = (t: number[], seed = 3) => {
  const field = mlp2d(4, seed);
  const rand = uniform(seed + 100);
  const y0 = randomArray(6, rand); // a batch of three 2-D states
  // A cotangent at every output but the second (null: the loss ignores it).
  const cots = t.map((_, i) => (i === 1 ? null : randomArray(6, rand)));
  return { field, y0, cots };
};

/** The forward options under which finite differences see the same steps as backprop. */
async function sameDiscretisation(c: Case, fieldArgs: ReturnType<typeof setup>, rtol: number, atol: number): Promise<OdeintOptions<Float64Array>> {
  const { field, y0 } = fieldArgs;
  if (c.options?.stepSize !== undefined || !['dopri5', 'tsit5', 'bosh3', 'fehlberg2', 'adaptive_heun', 'dopri8'].includes(c.method)) {
    return { method: c.method, options: c.options };
  }
  // backprop steps onto every output time; hold its accepted steps fixed.
  const jumpT = Array.from(c.options?.jumpT ?? []);
  const stepT = c.t.slice(1, -1).filter((x) => !jumpT.includes(x));
  const starts = await acceptedStarts(field, y0, c.t, { method: c.method, rtol, atol, options: { ...c.options, stepT } });
  return replayOptions(c.method, starts, c.t, jumpT);
}

describe('odeintGrad: backprop and checkpoint against finite differences of the same discretisation', () => {
  const cases: Case[] = [
    { name: 'dopri5, several outputs', t: [0, 0.3, 0.9, 1.6, 2.5], method: 'dopri5' },
    { name: 'dopri5, backwards in time', t: [1.5, 0.8, 0.2, -0.7], method: 'dopri5' },
    { name: 'fehlberg2 (not FSAL)', t: [0, 0.5, 1.2], method: 'fehlberg2' },
    { name: 'rk4 on the output grid', t: [0, 0.25, 0.5, 0.75, 1], method: 'rk4' },
    { name: 'rk4, stepSize with linear output between grid points', t: [0, 0.33, 0.71, 1.3], method: 'rk4', options: { stepSize: 0.1 } },
    { name: 'midpoint, stepSize with cubic output, backwards', t: [1, 0.62, 0.05], method: 'midpoint', options: { stepSize: 0.1, interp: 'cubic' } },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const args = setup(c.t);
      const { field, y0, cots } = args;
      const rtol = 1e-5;
      const atol = 1e-7;
      const bp = await odeintGrad(field, y0, c.t, cots, { method: c.method, rtol, atol, options: c.options, gradient: 'backprop' });
      const fd = await finiteDifferences(field, y0, c.t, cots, await sameDiscretisation(c, args, rtol, atol));
      assert.ok(relErr(bp.gradY0, fd.gradY0) < 1e-5, `dL/dy0: ${relErr(bp.gradY0, fd.gradY0)}`);
      assert.ok(relErr(bp.gradParams, fd.gradParams) < 1e-5, `dL/dθ: ${relErr(bp.gradParams, fd.gradParams)}`);
      assert.equal(bp.ys.length, c.t.length);
      assert.ok(bp.stats.nfeForward > 0 && bp.stats.nVjpBackward > 0 && bp.stats.nfBackward === 0);

      const ck = await odeintGrad(field, y0, c.t, cots, { method: c.method, rtol, atol, options: c.options, gradient: 'checkpoint', checkpoints: 2 });
      assert.ok(relErr(ck.gradY0, bp.gradY0) <= 1e-12, `checkpoint dL/dy0: ${relErr(ck.gradY0, bp.gradY0)}`);
      assert.ok(relErr(ck.gradParams, bp.gradParams) <= 1e-12, `checkpoint dL/dθ: ${relErr(ck.gradParams, bp.gradParams)}`);
      assert.deepEqual(ck.ys, bp.ys);
      assert.equal(ck.stats.nVjpBackward, bp.stats.nVjpBackward);
      assert.ok(ck.stats.nfBackward > 0, 'checkpoint recomputes f');
    });
  }

  it('steps onto a jump in t (jumpT) and differentiates f on the right side of it', async () => {
    const field = linearField(3, 5, 0.45);
    const rand = uniform(9);
    const y0 = randomArray(3, rand);
    const t = [0, 0.7, 1];
    const cots = [null, randomArray(3, rand), randomArray(3, rand)];
    const opts = { method: 'dopri5', rtol: 1e-6, atol: 1e-8, options: { jumpT: [0.45] } };
    const bp = await odeintGrad(field, y0, t, cots, opts);
    const starts = await acceptedStarts(field, y0, t, { ...opts, options: { jumpT: [0.45], stepT: [0.7] } });
    assert.ok(starts.includes(0.45));
    const fd = await finiteDifferences(field, y0, t, cots, replayOptions('dopri5', starts, t, [0.45]));
    assert.ok(relErr(bp.gradY0, fd.gradY0) < 1e-5, `dL/dy0: ${relErr(bp.gradY0, fd.gradY0)}`);
    assert.ok(relErr(bp.gradParams, fd.gradParams) < 1e-5, `dL/dθ: ${relErr(bp.gradParams, fd.gradParams)}`);
  });

  it('checkpoint holds fewer states than backprop, and fewer still with more checkpoints', async () => {
    const t = [0, 2, 4];
    const { field, y0, cots } = setup(t);
    const run = (gradient: 'backprop' | 'checkpoint', checkpoints?: number) =>
      odeintGrad(field, y0, t, cots, { method: 'rk4', options: { stepSize: 0.01 }, gradient, checkpoints });
    const bp = await run('backprop');
    const one = await run('checkpoint', 1);
    const many = await run('checkpoint', 20);
    assert.equal(bp.stats.nAccepted, 400);
    // 1 checkpoint: the one segment is the whole trajectory, as backprop's tape.
    assert.ok(Math.abs(one.stats.peakStoredBytes - bp.stats.peakStoredBytes) <= 2 * 48, `${one.stats.peakStoredBytes} vs ${bp.stats.peakStoredBytes}`);
    // 20 checkpoints: ≤ 20 states + one segment of ≤ 2·400/20 steps × 4 stages.
    assert.ok(many.stats.peakStoredBytes <= 48 * (20 + 2 + 4 * 40), `${many.stats.peakStoredBytes}`);
    assert.ok(many.stats.peakStoredBytes < bp.stats.peakStoredBytes / 5);
    assert.equal(relErr(many.gradParams, bp.gradParams), 0);
  });
});

describe('odeintGrad: adjoint', () => {
  it('matches finite differences of a tight solve, and backprop, forwards and backwards in time', async () => {
    for (const t of [
      [0, 0.4, 1.1, 2],
      [2, 1.3, 0.1],
    ]) {
      const { field, y0, cots } = setup(t, 11);
      const tight = { method: 'dopri5', rtol: 1e-11, atol: 1e-12 };
      const adj = await odeintGrad(field, y0, t, cots, { ...tight, gradient: 'adjoint' });
      const bp = await odeintGrad(field, y0, t, cots, { ...tight, gradient: 'backprop' });
      const fd = await finiteDifferences(field, y0, t, cots, { method: 'rk4', options: { stepSize: 0.005 } }, 1e-5);
      assert.ok(relErr(adj.gradY0, fd.gradY0) < 1e-5, `adjoint vs FD dL/dy0: ${relErr(adj.gradY0, fd.gradY0)}`);
      assert.ok(relErr(adj.gradParams, fd.gradParams) < 1e-5, `adjoint vs FD dL/dθ: ${relErr(adj.gradParams, fd.gradParams)}`);
      assert.ok(relErr(adj.gradY0, bp.gradY0) < 1e-8, `adjoint vs backprop dL/dy0: ${relErr(adj.gradY0, bp.gradY0)}`);
      assert.ok(relErr(adj.gradParams, bp.gradParams) < 1e-8, `adjoint vs backprop dL/dθ: ${relErr(adj.gradParams, bp.gradParams)}`);
      assert.equal(adj.stats.nfBackward, adj.stats.nVjpBackward, 'one f and one vjp per augmented evaluation');
      assert.ok(adj.stats.nAcceptedBackward >= t.length - 1);
    }
  });

  it('with a fixed-grid method and its own adjoint method and tolerances', async () => {
    const t = [0, 0.5, 1.5];
    const { field, y0, cots } = setup(t, 12);
    const adj = await odeintGrad(field, y0, t, cots, {
      method: 'rk4',
      options: { stepSize: 0.01 },
      gradient: 'adjoint',
      adjointOptions: { method: 'dopri5', rtol: 1e-10, atol: 1e-12, options: {} },
    });
    const bp = await odeintGrad(field, y0, t, cots, { method: 'rk4', options: { stepSize: 0.01 }, gradient: 'backprop' });
    assert.equal(adj.stats.nAccepted, 150);
    // Both approximate the true gradient; rk4 at h = 0.01 is accurate to ~1e-9.
    assert.ok(relErr(adj.gradParams, bp.gradParams) < 1e-6, `${relErr(adj.gradParams, bp.gradParams)}`);
  });

  it('seminorm leaves dL/dθ out of step-size control: fewer backward evaluations, same accuracy', async () => {
    const t = [0, 3];
    const field = mlp2d(16, 21);
    const rand = uniform(22);
    const y0 = randomArray(2, rand);
    const cots = [null, randomArray(2, rand)];
    const opts = { method: 'dopri5', rtol: 1e-6, atol: 1e-8, gradient: 'adjoint' as const };
    const plain = await odeintGrad(field, y0, t, cots, opts);
    const semi = await odeintGrad(field, y0, t, cots, { ...opts, adjointOptions: { seminorm: true } });
    const exact = await odeintGrad(field, y0, t, cots, { method: 'dopri5', rtol: 1e-12, atol: 1e-12 });
    assert.ok(semi.stats.nfeBackward < plain.stats.nfeBackward, `${semi.stats.nfeBackward} vs ${plain.stats.nfeBackward}`);
    assert.ok(relErr(semi.gradParams, exact.gradParams) < 1e-4, `${relErr(semi.gradParams, exact.gradParams)}`);
  });
});

describe('odeintGrad: errors', () => {
  const t = [0, 0.5, 1];
  const { field, y0, cots } = setup(t);
  const rejects = (p: Promise<unknown>, re: RegExp) =>
    assert.rejects(p, (e: unknown) => e instanceof SolverError && e.kind === 'input' && re.test(e.message));

  it('names what is wrong', async () => {
    await rejects(odeintGrad(field, y0, t, [cots[2]]), /one entry per output time \(3\), but got 1/);
    await rejects(odeintGrad(field, y0, t, [null, null, new Float64Array(5)]), /cotangents\[2\] has 5 values, but the state has 6/);
    await rejects(odeintGrad(field, y0, t, [null, null, Float64Array.from([NaN, 0, 0, 0, 0, 0])]), /cotangents\[2\]\[0\] is NaN/);
    const plainF = (_t: number, y: Float64Array) => y;
    // @ts-expect-error a plain function is not a field
    await rejects(odeintGrad(plainF, y0, t, cots), /needs a vector field with parameters and a vjp.*plain function/);
    // @ts-expect-error an unknown gradient method
    await rejects(odeintGrad(field, y0, t, cots, { gradient: 'reverse' }), /Unknown gradient method 'reverse'.*'backprop', 'adjoint', 'checkpoint'/);
    await rejects(odeintGrad(field, y0, t, cots, { checkpoints: 0 }), /checkpoints is 0/);
    await rejects(odeintGrad(field, Float32Array.from(y0) as unknown as Float64Array, t, cots), /Float64Array/);
  });

  it('backprop and checkpoint say which methods they support; adjoint takes any', async () => {
    for (const method of ['explicit_adams', 'implicit_euler', 'kvaerno3']) {
      for (const gradient of ['backprop', 'checkpoint'] as const) {
        await rejects(
          odeintGrad(field, y0, t, cots, { method, gradient, options: { stepSize: 0.1 } }),
          new RegExp(`'${method}' is not one\\. Use one of dopri5, .*rk4.*or gradient: 'adjoint'`),
        );
      }
    }
    const adj = await odeintGrad(field, y0, t, cots, { method: 'explicit_adams', options: { stepSize: 0.01 }, gradient: 'adjoint' });
    const bp = await odeintGrad(field, y0, t, cots, { method: 'rk4', options: { stepSize: 0.01 } });
    assert.ok(relErr(adj.gradParams, bp.gradParams) < 1e-5);
  });

  it('reports adjoint solve failures with the interval', async () => {
    await assert.rejects(
      odeintGrad(field, y0, t, cots, { gradient: 'adjoint', adjointOptions: { options: { maxNumSteps: 1 } } }),
      (e: unknown) => e instanceof SolverError && e.kind === 'maxSteps' && /adjoint solve from t = 1 back to t = 0\.5 failed/.test(e.message),
    );
  });
});

describe('cotangents as a function of the outputs', () => {
  it('gives the same gradient as the cotangents passed up front, with one forward solve', async () => {
    const { mlpField } = await import('../../engine/src/fields/index');
    const field = mlpField({ sizes: [2, 8, 2], seed: 1 });
    const y0 = Float64Array.of(0.5, -0.3, 1, 0.2);
    const t = [0, 0.5, 1];
    const target = Float64Array.of(0.1, 0.2, 0.3, 0.4);
    const cot = (ys: readonly Float64Array[]) => [null, null, ys[2].map((v, i) => 2 * (v - target[i]))];
    for (const gradient of ['backprop', 'adjoint'] as const) {
      const viaFn = await odeintGrad(field, y0, t, cot, { gradient, rtol: 1e-9, atol: 1e-11 });
      const forward = await odeintGrad(field, y0, t, [null, null, null], { gradient, rtol: 1e-9, atol: 1e-11 });
      const upFront = await odeintGrad(field, y0, t, cot(forward.ys), { gradient, rtol: 1e-9, atol: 1e-11 });
      assert.deepEqual(viaFn.gradParams, upFront.gradParams);
      assert.deepEqual(viaFn.gradY0, upFront.gradY0);
      assert.equal(viaFn.stats.nfeForward, upFront.stats.nfeForward);
    }
  });
});
