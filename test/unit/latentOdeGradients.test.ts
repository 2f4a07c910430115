// The latent ODE's and the RNN baseline's hand-written gradients against central finite
// differences: every part (encoder cell and head, reparameterisation, latent field through
// odeintGrad, decoder, the fixed observation scale) on a small model and irregular series, one
// of them observed at t = 0.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../engine/src/data/rng';
import { latentElbo } from '../../engine/src/latent/elbo';
import { latentOde, type LatentOdeModel } from '../../engine/src/latent/latentOde';
import { rnnBaseline, rnnLoss, rnnPredict } from '../../engine/src/latent/rnnBaseline';
import { cellSequence, cellSequenceBackward, cellSize, initCell, type CellSpec } from '../../engine/src/latent/rnnCell';
import { seededRandom } from '../../engine/src/layers/init';
import type { LatentSeries } from '../../engine/src/latent/series';

function series(rng: Rng, n: number, atZero: boolean): LatentSeries {
  const t = Float64Array.from({ length: n }, () => rng.uniform(0.05, 2)).sort();
  if (atZero) t[0] = 0;
  const ys = Float64Array.from({ length: 2 * n }, () => rng.normal(0, 1));
  return { t, ys, interpT: t, interpYs: ys, extrapT: new Float64Array(0), extrapYs: new Float64Array(0) };
}

const rng = new Rng(3);
const batch = [series(rng, 5, true), series(rng, 3, false), series(rng, 4, false)];
// Fixed steps: the loss is then a smooth function of the parameters.
const solver = { method: 'rk4', options: { stepSize: 0.1 } };

async function lossOf(m: LatentOdeModel, eps: Float64Array, gradient: 'backprop' | 'adjoint' = 'backprop'): Promise<Awaited<ReturnType<typeof latentElbo>>> {
  return latentElbo(m, batch, eps, { ...solver, gradient });
}

/** Indices spread over a vector, so every layer is probed. */
const probes = (n: number, count: number): number[] => Array.from({ length: count }, (_, i) => Math.floor(((i + 0.5) * n) / count));

describe('GRU cell', () => {
  it('back-propagates through time as central differences say, in every parameter', () => {
    const cell: CellSpec = { nIn: 3, hidden: 4, offset: 2, kind: 'gru' };
    const params = new Float64Array(2 + cellSize(3, 4, 'gru'));
    initCell(params, cell, seededRandom(7));
    const inputs = Array.from({ length: 6 }, () => Float64Array.from({ length: 3 }, () => rng.normal(0, 1)));
    // A loss on two of the states: a weighted sum, so each state's cotangent is its weight vector.
    const w3 = Float64Array.from({ length: 4 }, () => rng.normal(0, 1));
    const w5 = Float64Array.from({ length: 4 }, () => rng.normal(0, 1));
    const loss = (): number => {
      const st = cellSequence(params, cell, inputs);
      let l = 0;
      for (let i = 0; i < 4; i++) l += w3[i] * st[3][i] + w5[i] * st[5][i] * st[5][i];
      return l;
    };
    const states = cellSequence(params, cell, inputs);
    const grads = new Float64Array(params.length);
    const g5 = Float64Array.from(w5, (w, i) => 2 * w * states[5][i]);
    cellSequenceBackward(params, grads, cell, inputs, states, states.map((_, k) => (k === 3 ? w3 : k === 5 ? g5 : null)));
    assert.equal(grads[0] + grads[1], 0, 'parameters before the cell are not touched');
    const h = 1e-6;
    for (let i = 2; i < params.length; i++) {
      const keep = params[i];
      params[i] = keep + h;
      const up = loss();
      params[i] = keep - h;
      const down = loss();
      params[i] = keep;
      const fd = (up - down) / (2 * h);
      assert.ok(Math.abs(fd - grads[i]) <= 1e-7 * Math.max(1, Math.abs(fd)), `params[${i}]: analytic ${grads[i]}, finite difference ${fd}`);
    }
  });

  it('keeps the state where the update gate is open: h′ = h when u = 1', () => {
    const cell: CellSpec = { nIn: 2, hidden: 3, offset: 0, kind: 'gru' };
    const params = new Float64Array(cellSize(2, 3, 'gru'));
    initCell(params, cell, seededRandom(8));
    // The update gate's biases follow its weights in the second block.
    const block = cellSize(2, 3, 'tanh');
    for (let i = 0; i < 3; i++) params[block + 5 * 3 + i] = 60;
    const st = cellSequence(params, cell, [Float64Array.of(1, 2), Float64Array.of(-1, 0.5)]);
    assert.deepEqual(Array.from(st[1]), Array.from(st[0]));
    assert.deepEqual(Array.from(st[0]), [0, 0, 0]);
  });
});

for (const encoderCell of ['gru', 'tanh'] as const) {
  describe(`latent ODE gradients (${encoderCell} encoder)`, () => {
    const model = latentOde({ latentDim: 3, encoderHidden: 5, encoderCell, fieldHidden: 6, decoderHidden: 4, seed: 2 });
    // A fixed observation scale other than the identity, so its part of the chain rule is checked too.
    model.latentOde.scale.mean.set([0.5, -1]);
    model.latentOde.scale.std.set([2, 0.5]);
    const eps = Float64Array.from({ length: batch.length * 3 }, () => rng.normal(0, 1));

    it('match central differences in the field, encoder and decoder parameters (backprop)', async () => {
      const base = await lossOf(model, eps);
      assert.ok(Number.isFinite(base.loss));
      const h = 1e-6;
      for (const [name, vec, grad] of [
        ['field', model.params, base.gradParams],
        ['encoder and decoder', model.extra, base.gradExtra],
      ] as const) {
        for (const i of probes(vec.length, name === 'field' ? 12 : 30)) {
          const keep = vec[i];
          vec[i] = keep + h;
          const up = (await lossOf(model, eps)).loss;
          vec[i] = keep - h;
          const down = (await lossOf(model, eps)).loss;
          vec[i] = keep;
          const fd = (up - down) / (2 * h);
          assert.ok(Math.abs(fd - grad[i]) <= 1e-5 * Math.max(1, Math.abs(fd)), `${name}[${i}]: analytic ${grad[i]}, finite difference ${fd}`);
        }
      }
    });

    it('the adjoint agrees with backprop to the solver tolerance', async () => {
      const tight = { method: 'dopri5', rtol: 1e-9, atol: 1e-10 };
      const a = await latentElbo(model, batch, eps, { ...tight, gradient: 'backprop' });
      const b = await latentElbo(model, batch, eps, { ...tight, gradient: 'adjoint' });
      assert.ok(Math.abs(a.loss - b.loss) < 1e-8);
      for (let i = 0; i < a.gradExtra.length; i++) assert.ok(Math.abs(a.gradExtra[i] - b.gradExtra[i]) < 1e-5 * Math.max(1, Math.abs(a.gradExtra[i])), `extra[${i}]`);
      for (let i = 0; i < a.gradParams.length; i++) assert.ok(Math.abs(a.gradParams[i] - b.gradParams[i]) < 1e-5 * Math.max(1, Math.abs(a.gradParams[i])), `params[${i}]`);
    });

    it('the loss is the negative ELBO: likelihood and KL', async () => {
      const r = await lossOf(model, eps);
      assert.ok(r.kl > 0, 'KL of an untrained encoder is positive');
      assert.ok(Math.abs(r.loss - (r.kl - r.logLikelihood)) < 1e-12);
    });
  });
}

describe('RNN baseline gradient', () => {
  it('matches central differences in every parameter', () => {
    const m = rnnBaseline({ hidden: 6, seed: 4 });
    m.scale.mean.set([0.5, -1]);
    m.scale.std.set([2, 0.5]);
    const { grads } = rnnLoss(m, batch);
    const h = 1e-6;
    for (let i = 0; i < m.params.length; i++) {
      const keep = m.params[i];
      m.params[i] = keep + h;
      const up = rnnLoss(m, batch).loss;
      m.params[i] = keep - h;
      const down = rnnLoss(m, batch).loss;
      m.params[i] = keep;
      const fd = (up - down) / (2 * h);
      assert.ok(Math.abs(fd - grads[i]) <= 1e-6 * Math.max(1, Math.abs(fd)), `params[${i}]: analytic ${grads[i]}, finite difference ${fd}`);
    }
  });
});

describe('RNN baseline predictions', () => {
  it('predict at an observation time as the training step does, and roll forward from the last observation', () => {
    const m = rnnBaseline({ hidden: 6, seed: 5 });
    const s = batch[0];
    const extrapT = Float64Array.of(2.5, 3);
    const [p] = rnnPredict(m, [{ ...s, interpT: s.t, extrapT, extrapYs: new Float64Array(4) }]);
    // At τ = t_j the step reads observation j − 1 and the gap t_j − t_{j−1}: the one-step prediction of y_j.
    for (let k = 0; k < p.observed.length; k++) assert.ok(Math.abs(p.interp[k] - p.observed[k]) < 1e-12);
    // The first extrapolated point is a jump from the last observation; the second reads the first prediction.
    const [q] = rnnPredict(m, [{ ...s, interpT: Float64Array.of(), extrapT: Float64Array.of(2.5), extrapYs: new Float64Array(2) }]);
    assert.deepEqual(Array.from(q.extrap), Array.from(p.extrap.subarray(0, 2)));
    assert.notDeepEqual(Array.from(p.extrap.subarray(2)), Array.from(p.extrap.subarray(0, 2)));
  });
});
