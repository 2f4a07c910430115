// The diagnostics of engine/src/analysis: fixed-step schemes and their measured orders, the
// stability picture of a field's Jacobian, a discrete network's k_n, coefficients and effective
// Δt, and its states against the plain ODE of its blocks and the modified equation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineExperiment, discreteNetwork, mlpField, moons } from '../../engine/src/index';
import { empiricalOrder, fitSlope } from '../../engine/src/analysis/empiricalOrder';
import { experimentDiagnostics } from '../../engine/src/analysis/experimentDiagnostics';
import { integrateFixed, type StepField } from '../../engine/src/analysis/fixedStep';
import { layerCoefficients, networkStability, trackNetwork } from '../../engine/src/analysis/networkDiagnostics';
import { differenceJacobian, regionPicture, scaledSpectrum, stableAt } from '../../engine/src/analysis/stabilityPicture';
import { vectorModifiedField, termWeights } from '../../engine/src/analysis/vectorModifiedField';
import { modifiedEquation, schemeByName } from '../../engine/src/analysis/index';

/** u′ = A u with A = [[-1, 2], [-2, -1]] (eigenvalues −1 ± 2i), batched over samples of 2. */
const rotation: StepField = (_t, u) => {
  const out = new Float64Array(u.length);
  for (let i = 0; i < u.length; i += 2) {
    out[i] = -u[i] + 2 * u[i + 1];
    out[i + 1] = -2 * u[i] - u[i + 1];
  }
  return out;
};

describe('fixed-step schemes and their empirical order', () => {
  const u0 = Float64Array.from([1, 0.5]);
  for (const [scheme, k, p] of [
    ['euler', undefined, 1],
    ['midpoint', undefined, 2],
    ['rk4', undefined, 4],
    ['ab2', undefined, 2],
    ['lm', 0.3, 1],
    ['lm', -0.2, 1],
  ] as const) {
    it(`${scheme}${k === undefined ? '' : ` (k = ${k})`} converges with order ${p} (±0.3) on a linear field`, async () => {
      const study = await empiricalOrder({ scheme, k }, rotation, u0, 2, { steps: [16, 32, 64, 128, 256] });
      assert.equal(study.theoretical, p);
      assert.ok(study.slope !== null && Math.abs(study.slope - p) < 0.3, `slope ${study.slope}, errors ${study.error}`);
      // The error falls with Δt.
      for (let i = 1; i < study.error.length; i++) if (study.fitted[i]) assert.ok(study.error[i] < study.error[i - 1]);
    });
  }

  it('rk4 on a smooth learned field (tanh MLP) measures order 4 ± 0.3', async () => {
    const field = mlpField({ sizes: [2, 16, 2], seed: 4 });
    const study = await empiricalOrder({ scheme: 'rk4' }, (t, y) => field.f(t, y), Float64Array.from([0.5, -0.3]), 2, { steps: [4, 8, 16, 32] });
    assert.ok(study.slope !== null && Math.abs(study.slope - 4) < 0.3, `slope ${study.slope}, errors ${study.error}`);
  });

  it('the LM scheme at k = 0 is forward Euler, bit for bit', () => {
    const lm = integrateFixed({ scheme: 'lm', k: 0 }, rotation, Float64Array.from([1, 0.5]), 0.1, 20);
    const euler = integrateFixed({ scheme: 'euler' }, rotation, Float64Array.from([1, 0.5]), 0.1, 20);
    assert.deepEqual(lm.map((u) => Array.from(u)), euler.map((u) => Array.from(u)));
  });

  it('an unstable Δt is left out of the fit, saying so', async () => {
    // Euler is unstable for |1 + Δtλ| > 1: λ = −50 with Δt = 1/4 and 1/8 blows up.
    const stiff: StepField = (_t, u) => Float64Array.from(u, (x) => -50 * x);
    const study = await empiricalOrder({ scheme: 'euler' }, stiff, Float64Array.from([1]), 10, { steps: [4, 8, 2048, 4096, 8192] });
    assert.deepEqual(study.fitted.slice(0, 2), [false, false]);
    assert.ok(study.notes.some((n) => /blew up/.test(n)));
  });

  it('fitSlope is least squares', () => {
    assert.equal(fitSlope([0, 1, 2], [1, 3, 5]), 2);
    assert.equal(fitSlope([1], [1]), null);
  });
});

describe('the stability picture', () => {
  it("the Jacobian's spectrum of a linear field times Δt, and which points each scheme keeps stable", () => {
    const jac = differenceJacobian((u) => rotation(0, u), Float64Array.from([0.3, -0.7]));
    assert.deepEqual(Array.from(jac, (x) => Math.round(x * 1e6) / 1e6), [-1, 2, -2, -1]);
    const z = scaledSpectrum(jac, 2, 0.5).sort((a, b) => a.im - b.im);
    assert.ok(Math.abs(z[0].re + 0.5) < 1e-8 && Math.abs(z[0].im + 1) < 1e-8 && Math.abs(z[1].im - 1) < 1e-8);
    // |1 + z| for z = −0.5 ± i is √1.25 > 1: Euler unstable; rk4 contains it.
    assert.equal(stableAt({ scheme: 'euler' }, 'consistent', -0.5, 1), false);
    assert.equal(stableAt({ scheme: 'rk4' }, 'consistent', -0.5, 1), true);
    // The LM ellipse (network form) centred at −(1 − k), semi-axes 1 − k and 1 + k.
    assert.equal(stableAt({ scheme: 'lm', k: 0.5 }, 'network', -0.5, 1.4), true);
    assert.equal(stableAt({ scheme: 'lm', k: 0.5 }, 'network', -1.1, 0), false);
  });

  it('the region picture takes in far points and is ≤ 1 inside', () => {
    const r = regionPicture({ scheme: 'lm', k: 0.2 }, 'network', [{ re: -3, im: 0.5 }]);
    assert.ok(r.bounds.reMin <= -3.3);
    const at = (re: number, im: number) => {
      const i = Math.round(((re - r.bounds.reMin) / (r.bounds.reMax - r.bounds.reMin)) * (r.nx - 1));
      const j = Math.round(((im - r.bounds.imMin) / (r.bounds.imMax - r.bounds.imMin)) * (r.ny - 1));
      return r.absR[j * r.nx + i];
    };
    assert.ok(at(-0.8, 0) <= 1 && at(-3, 0.5) > 1);
    assert.ok(r.boundary.length > 100 && r.boundary.length % 4 === 0);
    assert.equal(regionPicture({ scheme: 'euler' }, 'consistent').realAxis !== null, true);
  });
});

describe('a discrete network through its modified equation', () => {
  const x = moons({ n: 64, noise: 0.1, seed: 1 }).x;

  it('k_n, the coefficients of u_t and u_tt and the effective Δt per layer', () => {
    const net = discreteNetwork({ architecture: 'lm', inputDim: 2, width: 4, hidden: 8, depth: 5, kInit: 0.25 });
    const c = layerCoefficients(net);
    assert.equal(c.length, 5);
    assert.deepEqual(c[0], { layer: 0, k: 0, uT: 1, uTT: 0.5, effectiveDt: 1 });
    for (const l of c.slice(1)) {
      assert.equal(l.k, 0.25);
      assert.equal(l.uT, 1.25);
      assert.equal(l.uTT, 0.375);
      assert.equal(l.effectiveDt, 0.8);
    }
    const res = layerCoefficients(discreteNetwork({ architecture: 'resnet', inputDim: 2, width: 4, hidden: 8, depth: 3 }));
    assert.ok(res.every((l) => l.k === 0 && l.uT === 1 && l.uTT === 0.5));
  });

  it("the vector modified field of Euler is f − (Δt/2) f′f: exact for a linear field", () => {
    const eq = modifiedEquation(schemeByName('euler'), 2);
    const g = vectorModifiedField(termWeights(eq, 0.1), (u) => rotation(0, u));
    const u = Float64Array.from([1, 2]);
    const f = rotation(0, u);
    const ff = rotation(0, f);
    const expected = [f[0] - 0.05 * ff[0], f[1] - 0.05 * ff[1]];
    Array.from(g(u)).forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-7, `${v} vs ${expected[i]}`));
  });

  for (const [architecture, kInit] of [['resnet', undefined], ['lm', 0.3], ['lm', -0.3]] as const) {
    it(`${architecture}${kInit === undefined ? '' : ` (k = ${kInit})`}: with small steps of one field the modified equation tracks the network better than the plain ODE`, async () => {
      const net = discreteNetwork({ architecture, inputDim: 2, width: 4, hidden: 8, depth: 6, activation: 'tanh', seed: 2, ...(kInit === undefined ? {} : { kInit }) });
      // One block for every layer (the theory's single f), its output scaled down: f small, so Δt = 1 is a small step for it.
      for (const q of ['0.weight', '0.bias', '2.weight', '2.bias']) {
        const shared = net.param(`blocks.0.${q}`).map((v) => (q.startsWith('2') ? 0.1 * v : v));
        for (let n = 0; n < 6; n++) net.param(`blocks.${n}.${q}`).set(shared);
      }
      const tr = await trackNetwork(net, x, [0, 1, 2]);
      assert.equal(tr.order, 2);
      assert.equal(tr.t.length, 7);
      assert.equal(tr.discrete[0].length, 7 * 4);
      assert.equal(tr.plain[0].length, tr.fineT.length * 4);
      // Both start at u_0.
      assert.equal(tr.plainDistance[0], 0);
      assert.equal(tr.closer, 'modified');
      assert.ok(tr.modifiedDistance[6] < tr.plainDistance[6] / 3, `modified ${tr.modifiedDistance[6]} vs plain ${tr.plainDistance[6]}`);
    });
  }

  it("Δt·λ per layer, each checked against its layer's scheme", () => {
    const net = discreteNetwork({ architecture: 'lm', inputDim: 2, width: 4, hidden: 8, depth: 3, kInit: 0.2 });
    const s = networkStability(net, x, [0, 1]);
    assert.equal(s.points.length, 3 * 2 * 4, 'width eigenvalues per layer and sample');
    assert.deepEqual([...new Set(s.points.map((p) => p.group))], [0, 1, 2]);
    for (const p of s.points) assert.equal(p.stable, stableAt(p.group === 0 ? { scheme: 'euler' } : { scheme: 'lm', k: 0.2 }, 'network', p.re, p.im));
  });
});

describe('experiment diagnostics', () => {
  it('a discrete-network experiment: equation, layers, tracking, order and stability', async () => {
    const exp = defineExperiment({
      name: 'moonsLm',
      data: () => moons({ n: 64, seed: 3 }),
      model: () => discreteNetwork({ architecture: 'lm', inputDim: 2, width: 4, hidden: 8, depth: 4, activation: 'tanh', kInit: 0.1 }),
      train: { iterations: 1, optimizer: { name: 'adam', lr: 1e-2 } },
    });
    const d = await experimentDiagnostics(exp, { samples: 3 });
    assert.equal(d.model, 'network');
    assert.match(d.equation.text, /^u_t = \(1\/\(1 \+ k\)\) f/);
    assert.match(d.equation.derivativeForm ?? '', /\(1 \+ k\) u_t/);
    assert.equal(d.layers?.length, 4);
    assert.equal(d.tracking?.samples.length, 3);
    assert.equal(d.scheme.scheme, 'lm');
    assert.ok(Math.abs(d.scheme.k! - 0.1) < 1e-12, 'the mean k_n');
    assert.ok(d.order.error.length > 0 && d.stability.points.length === 4 * 3 * 4);
  });

  it('an ODE experiment: the chosen scheme on the learned field; a wrong scheme or k is refused', async () => {
    const exp = defineExperiment({
      name: 'moonsOde',
      data: () => moons({ n: 16, seed: 3 }),
      model: () => mlpField({ sizes: [2, 8, 2], seed: 1 }),
      train: { iterations: 1, optimizer: { name: 'adam', lr: 1e-2 } },
    });
    const d = await experimentDiagnostics(exp, { scheme: 'rk4', samples: 2, dt: 0.25 });
    assert.equal(d.model, 'field');
    assert.equal(d.layers, null);
    assert.ok(d.order.slope !== null && Math.abs(d.order.slope - 4) < 0.3, `rk4 slope ${d.order.slope}`);
    assert.equal(d.stability.points.length, 2 * 9 * 2);
    assert.equal(d.stability.dt, 0.25);
    await assert.rejects(experimentDiagnostics(exp, { scheme: 'dopri9' }), /Unknown scheme 'dopri9'.*euler, midpoint, rk4, ab2, lm/);
    await assert.rejects(experimentDiagnostics(exp, { scheme: 'lm', k: 1.5 }), /k = 1.5.*−1 < k ≤ 1/);
  });
});
