// The latent ODE as an experiment: the spirals' split into observed and extrapolated halves,
// the rule for observation times (unsorted or repeated times are refused, naming the series
// and the times; sortObservations is the fix), training through the trainer (the negative ELBO
// falls, NFE finite, a checkpoint the preview reads back), and the preview's shapes, which the
// Trajectories panel's protocol accepts.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { toTrajectoryPreview } from '../../extension/src/panels/trajectoriesPanel';
import { toFieldPreview } from '../../extension/src/panels/vectorFieldPanel';
import { irregularSpirals, type IrregularSpiralsData } from '../../engine/src/data/irregularSpirals';
import { defineExperiment, ExperimentError, type ExperimentSpec } from '../../engine/src/experiments/define';
import { LATENT_SHOWN } from '../../engine/src/experiments/latentPreview';
import { previewExperiment } from '../../engine/src/experiments/preview';
import { trainExperiment } from '../../engine/src/experiments/trainer';
import { latentOde } from '../../engine/src/latent/latentOde';
import { sortObservations, spiralSeries } from '../../engine/src/latent/series';
import { mlpField } from '../../engine/src/fields/mlpField';
import { spiral } from '../../engine/src/data/spiral';
import { readMetrics } from '../../engine/src/train/runStore';
import { validateHostMessage } from '../../webview/src/protocol';

const runsRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'latent-'));
after(() => fs.rmSync(runsRoot, { recursive: true, force: true }));

const small = (): IrregularSpiralsData => irregularSpirals({ nSpirals: 16, nSample: 10, nTotal: 200, horizon: 40, observedFraction: 0.5, noiseStd: 0.1, seed: 3 });

const spec = (over: Partial<ExperimentSpec> = {}): ExperimentSpec => ({
  name: 'latent-test',
  data: small,
  model: () => latentOde({ latentDim: 3, encoderHidden: 12, fieldHidden: 12, decoderHidden: 12, seed: 1 }),
  solver: { method: 'dopri5', rtol: 1e-3, atol: 1e-4 },
  train: { iterations: 40, optimizer: { name: 'adam', lr: 0.02 }, batchSize: 8, evalEvery: 20 },
  ...over,
});

describe('irregular spirals for a latent ODE', () => {
  it('observes the first half of each window and keeps the noise-free window for scoring', () => {
    const d = small();
    for (const s of d.spirals) {
      assert.equal(s.windowT.length, 40);
      assert.equal(s.windowYs.length, 80);
      assert.equal(s.observedUntil, s.windowT[20]);
      assert.ok(s.t[s.t.length - 1] < s.observedUntil, 'every observation lies in the first half');
    }
    const series = spiralSeries(d);
    assert.equal(series[0].interpT.length, 20);
    assert.equal(series[0].extrapT.length, 20);
    assert.ok(series[0].extrapT[0] >= d.spirals[0].observedUntil);
  });

  it('refuses more observations than the observed part holds, saying what to change', () => {
    assert.throws(() => irregularSpirals({ nSample: 30, horizon: 40, observedFraction: 0.5 }), /30 observations do not fit in the 20 dense points.*raise horizon or lower nSample/);
  });
});

describe('observation times rule', () => {
  const withTimes = (s: number, t: number[]): IrregularSpiralsData => {
    const d = small();
    const sp = d.spirals[s];
    d.spirals[s] = { ...sp, t: Float64Array.from(t), ys: sp.ys.slice(0, 2 * t.length), trueYs: sp.trueYs.slice(0, 2 * t.length) };
    return d;
  };

  it('refuses unsorted times, naming the series and the times, and the fix', async () => {
    const exp = defineExperiment(spec({ data: () => withTimes(5, [0.1, 0.4, 0.3, 0.9]) }));
    await assert.rejects(trainExperiment(exp, { runsRoot }), (err: Error) => {
      assert.ok(err instanceof ExperimentError);
      assert.match(err.message, /series 5: observation times are not increasing: t\[2\] = 0\.3 comes after t\[1\] = 0\.4/);
      assert.match(err.message, /sortObservations/);
      return true;
    });
  });

  it('refuses repeated times, naming both indices', async () => {
    const exp = defineExperiment(spec({ data: () => withTimes(2, [0.1, 0.5, 0.5, 0.9]) }));
    await assert.rejects(trainExperiment(exp, { runsRoot }), /series 2: t\[1\] and t\[2\] are both 0\.5: two observations at one time/);
  });

  it('refuses negative times', async () => {
    const exp = defineExperiment(spec({ data: () => withTimes(0, [-0.1, 0.5]) }));
    await assert.rejects(trainExperiment(exp, { runsRoot }), /series 0: observation time t\[0\] = -0\.1; times must be finite and ≥ 0/);
  });

  it('sortObservations sorts and averages repeated times, which then pass', () => {
    const s = { t: Float64Array.of(0.5, 0.1, 0.5), ys: Float64Array.of(1, 2, 3, 4, 5, 6), trueYs: Float64Array.of(1, 2, 3, 4, 5, 6) };
    const sorted = sortObservations(s);
    assert.deepEqual(Array.from(sorted.t), [0.1, 0.5]);
    assert.deepEqual(Array.from(sorted.ys), [3, 4, 3, 4]);
    const d = small();
    d.spirals[1] = { ...d.spirals[1], ...sortObservations({ ...d.spirals[1], t: d.spirals[1].t.slice().reverse(), ys: d.spirals[1].ys.slice(), trueYs: d.spirals[1].trueYs.slice() }) };
    assert.doesNotThrow(() => spiralSeries(d));
  });

  it('says which model the series need, and which data a latent ODE needs', async () => {
    await assert.rejects(trainExperiment(defineExperiment(spec({ model: () => mlpField({ sizes: [2, 8, 2] }) })), { runsRoot }), /irregularly sampled series: train them with a latent ODE/);
    await assert.rejects(trainExperiment(defineExperiment(spec({ data: () => spiral() })), { runsRoot }), /a latent ODE learns from irregularly sampled series/);
  });
});

describe('training and previewing a latent ODE', () => {
  let runDir = '';

  it('the negative ELBO falls through the trainer, with finite NFE, and the interpolation RMSE is evaluated', async () => {
    const exp = defineExperiment(spec());
    const out = await trainExperiment(exp, { runsRoot });
    assert.equal(out.status, 'finished', out.message);
    assert.equal(out.task, 'latent');
    runDir = out.runDir;
    const { records } = readMetrics(out.runDir);
    const losses = records.map((r) => Number(r.loss));
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(mean(losses.slice(-8)) < 0.8 * mean(losses.slice(0, 8)), `loss ${mean(losses.slice(0, 8))} → ${mean(losses.slice(-8))}`);
    for (const r of records) {
      assert.ok(Number(r.nfeForward) > 0 && Number.isFinite(Number(r.nfeForward)));
      assert.ok(Number(r.nfeBackward) > 0 && Number.isFinite(Number(r.nfeBackward)));
    }
    const evals = records.filter((r) => r.evalLoss !== undefined).map((r) => Number(r.evalLoss));
    assert.equal(evals.length, 2);
    assert.ok(evals.every((v) => v > 0 && Number.isFinite(v)));
  });

  it('a resumed run continues exactly: the encoder and decoder are checkpointed with the field, ε from the saved Rng', async () => {
    const exp = defineExperiment(spec({ train: { iterations: 20, optimizer: { name: 'adam', lr: 0.02 }, batchSize: 8, evalEvery: 0, checkpointEvery: 10 } }));
    const first = await trainExperiment(exp, { runsRoot, iterations: 10 });
    const resumed = await trainExperiment(exp, { runsRoot, resume: path.basename(first.runDir) });
    const straight = await trainExperiment(exp, { runsRoot });
    assert.equal(resumed.iteration, 20);
    assert.equal(resumed.loss, straight.loss);
  });

  it('the preview shows observed, reconstructed and extrapolated series of the run, which the panel protocol accepts', async () => {
    const exp = defineExperiment(spec());
    const untrained = await previewExperiment(exp, { grid: 5 });
    const trained = await previewExperiment(exp, { grid: 5, runsRoot, runId: path.basename(runDir) });
    assert.equal(trained.iteration, 40);
    const d = small();
    for (const p of [untrained, trained]) {
      const l = p.latent;
      assert.ok(l, 'a latent preview');
      assert.equal(l.series.length, LATENT_SHOWN);
      l.series.forEach((s, k) => {
        assert.equal(s.observed.t.length, d.spirals[k].t.length);
        assert.deepEqual(s.observed.x, Array.from(d.spirals[k].t, (_, j) => d.spirals[k].ys[2 * j]));
        assert.equal(s.reconstruction.x.length, 20);
        assert.equal(s.extrapolation.y.length, 20);
        assert.equal(s.truth.t.length, 40);
        assert.ok([...s.reconstruction.x, ...s.extrapolation.y].every(Number.isFinite));
      });
      assert.ok(l.rmse.interpolation > 0 && l.rmse.extrapolation > 0);
      assert.equal(p.field.u.length, 25);
      assert.equal(p.dim, 3);
    }
    assert.notDeepEqual(trained.latent!.series[0].reconstruction.x, untrained.latent!.series[0].reconstruction.x);
    const msg = toTrajectoryPreview({ file: '/w/latentOde.ode.ts', runId: null }, trained);
    const payload = JSON.parse(JSON.stringify(msg));
    const v = validateHostMessage({ type: 'trajectories/preview', payload });
    assert.equal(v.ok, true, v.ok ? '' : v.error);
    payload.latent.series[1].extrapolation.x.pop();
    const bad = validateHostMessage({ type: 'trajectories/preview', payload });
    assert.equal(bad.ok, false);
    assert.match(bad.ok ? '' : bad.error, /latent\.series\[1\]\.extrapolation: t, x and y differ in length/);
    // The Vector field panel draws the latent field (components 0 and 1) from the same preview.
    const field = validateHostMessage({ type: 'vectorField/preview', payload: JSON.parse(JSON.stringify(toFieldPreview({ file: '/w/latentOde.ode.ts', runId: null }, trained))) });
    assert.equal(field.ok, true, field.ok ? '' : field.error);
  });
});
