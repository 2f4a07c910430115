/**
 * The latent ODE against an RNN with time-delta inputs on irregularly sampled noisy spirals
 * (Chen et al. 2018, §5, Table 2), with 30, 50 and 100 observations per spiral in the first half
 * of each window; the second half is for extrapolation. Both models see the observations in the
 * same fixed scale (the training data's mean and std), train with Adam on the same mini-batches
 * of spirals, and are scored on held-out spirals by the RMSE against the noise-free spiral at
 * every dense time of the observed half (interpolation) and of the second half (extrapolation).
 * Extrapolation is also scored on the held-out spirals whose second half lies on the part of the
 * spirals that training observations cover ("seen span"): past it, the clockwise spiral's radius
 * grows from 3 to 15, which no model trained on the observed halves has seen.
 *
 *   node --import tsx bench/latentOde.ts [--iters 1500] [--rnn-iters 1500] [--spirals 200] [--test 100]
 *        [--batch 50] [--lr 0.01] [--rnn-lr 0.01] [--tol 1e-3] [--cell gru|tanh] [--only 30,50,100] [--json out.json]
 */
import * as fs from 'node:fs';
import { irregularSpirals } from '../engine/src/data/irregularSpirals';
import { Rng } from '../engine/src/data/rng';
import { latentTask } from '../engine/src/experiments/latentTask';
import { latentOde } from '../engine/src/latent/latentOde';
import { rmse, type Rmse } from '../engine/src/latent/predict';
import { fitRnnScale, rnnBaseline, rnnLoss, rnnPredict } from '../engine/src/latent/rnnBaseline';
import { spiralSeries } from '../engine/src/latent/series';
import { createOptimizer } from '../engine/src/train/optimizers';
import { flag, text } from './flags';
import { formatTable } from './table';

const iters = flag('iters', 1500);
const rnnIters = flag('rnn-iters', 1500);
const nSpirals = flag('spirals', 200);
const nTest = flag('test', 100);
const batch = flag('batch', 50);
const lr = flag('lr', 0.01);
const rnnLr = flag('rnn-lr', 0.01);
const tol = flag('tol', 1e-3);
const only = (text('only') ?? '30,50,100').split(',').map(Number);
const jsonOut = text('json');
const cellFlag = text('cell') ?? 'gru';
if (cellFlag !== 'gru' && cellFlag !== 'tanh') throw new Error(`--cell must be gru or tanh, got '${cellFlag}'.`);
const cell: 'gru' | 'tanh' = cellFlag;

/** Table 2 of the paper: RMSE with 30 / 50 / 100 observed points. */
const PAPER: Record<number, { rnn: number; latent: number }> = { 30: { rnn: 0.3937, latent: 0.1642 }, 50: { rnn: 0.3202, latent: 0.1502 }, 100: { rnn: 0.1813, latent: 0.1346 } };

/** 200 dense points per window of 500: observations among the first 100, extrapolation over the other 100. */
const N_TOTAL = 500;
const HORIZON = 200;
const OBSERVED = 100;
const spirals = (nSample: number, n: number, seed: number) =>
  irregularSpirals({ nSpirals: n, nSample, nTotal: N_TOTAL, horizon: HORIZON, observedFraction: OBSERVED / HORIZON, noiseStd: 0.3, seed });
/** Windows start before this index when their extrapolated half lies where some training window is observed. */
const SEEN_START = N_TOTAL - 2 * HORIZON + OBSERVED;

interface Row {
  n: number;
  latent: Rmse & { seconds: number; nfe: number; extrapolationSeen: number };
  rnn: Rmse & { seconds: number; extrapolationSeen: number };
}

async function one(n: number): Promise<Row> {
  const train = spirals(n, nSpirals, 1);
  const testData = spirals(n, nTest, 2);
  const test = spiralSeries(testData);
  const seen = test.filter((_, i) => testData.spirals[i].start < SEEN_START);
  // The latent ODE, through the trainer's task (negative ELBO, backprop through dopri5).
  const model = latentOde({ latentDim: 4, encoderHidden: 25, encoderCell: cell, fieldHidden: 20, decoderHidden: 20, obsStd: 0.3, seed: 0 });
  const solver = { method: 'dopri5' as const, rtol: tol, atol: tol / 10 };
  const task = latentTask({ train: { iterations: iters, optimizer: { name: 'adam', lr }, batchSize: Math.min(batch, nSpirals) }, solver }, train, model, { method: 'backprop' });
  const opt = createOptimizer({ name: 'adam', lr });
  const nF = model.params.length;
  const all = new Float64Array(nF + model.extra.length);
  const grads = new Float64Array(all.length);
  let rng = new Rng(0);
  let nfe = 0;
  let t0 = performance.now();
  for (let it = 1; it <= iters; it++) {
    const r = await task.step(rng);
    if (!Number.isFinite(r.loss)) throw new Error(`latent ODE, n = ${n}: the loss is ${r.loss} at iteration ${it}; try a smaller --lr.`);
    nfe += r.stats.nfeForward;
    grads.set(r.gradParams);
    grads.set(r.gradExtra, nF);
    all.set(model.params);
    all.set(model.extra, nF);
    opt.step(all, grads);
    model.params.set(all.subarray(0, nF));
    model.extra.set(all.subarray(nF));
  }
  const latentSeconds = (performance.now() - t0) / 1000;
  const latent = { ...(await task.evaluateRmse(test)), seconds: latentSeconds, nfe: nfe / iters, extrapolationSeen: (await task.evaluateRmse(seen)).extrapolation };
  // The RNN baseline on the same data, scale and mini-batch draws.
  const rnn = rnnBaseline({ hidden: 25, seed: 0 });
  fitRnnScale(rnn, task.series.map((s) => s.ys));
  const ropt = createOptimizer({ name: 'adam', lr: rnnLr });
  rng = new Rng(0);
  t0 = performance.now();
  for (let it = 1; it <= rnnIters; it++) {
    const index = rng.choice(task.series.length, Math.min(batch, nSpirals));
    const { loss, grads: g } = rnnLoss(rnn, Array.from(index, (i) => task.series[i]));
    if (!Number.isFinite(loss)) throw new Error(`RNN, n = ${n}: the loss is ${loss} at iteration ${it}; try a smaller --rnn-lr.`);
    ropt.step(rnn.params, g);
  }
  const rnnScore = { ...rmse(test, rnnPredict(rnn, test)), seconds: (performance.now() - t0) / 1000, extrapolationSeen: rmse(seen, rnnPredict(rnn, seen)).extrapolation };
  return { n, latent, rnn: rnnScore };
}

async function main(): Promise<void> {
  console.log(
    `Latent ODE vs RNN on irregular spirals: ${nSpirals} training and ${nTest} test spirals, noise std 0.3, ` +
      `${iters} latent-ODE (${cell} encoder) and ${rnnIters} RNN iterations, batches of ${Math.min(batch, nSpirals)}, Adam lr ${lr} / ${rnnLr}, dopri5 rtol ${tol}.`,
  );
  const rows: Row[] = [];
  for (const n of only) {
    const row = await one(n);
    rows.push(row);
    console.log(`n = ${n}: latent ODE ${row.latent.seconds.toFixed(0)} s (NFE ${row.latent.nfe.toFixed(0)} per forward solve), RNN ${row.rnn.seconds.toFixed(0)} s`);
  }
  const f = (v: number): string => (Number.isFinite(v) ? v.toFixed(4) : '—');
  console.log(
    formatTable(
      ['observed points', 'RNN interp.', 'RNN extrap.', 'RNN extrap. (seen span)', 'latent ODE interp.', 'latent ODE extrap.', 'latent ODE extrap. (seen span)', 'paper RNN', 'paper latent ODE'].map((header, i) => ({ header, align: i === 0 ? ('left' as const) : ('right' as const) })),
      rows.map((r) => [String(r.n), f(r.rnn.interpolation), f(r.rnn.extrapolation), f(r.rnn.extrapolationSeen), f(r.latent.interpolation), f(r.latent.extrapolation), f(r.latent.extrapolationSeen), f(PAPER[r.n]?.rnn ?? NaN), f(PAPER[r.n]?.latent ?? NaN)]),
    ),
  );
  if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify({ iters, rnnIters, nSpirals, nTest, batch, lr, rnnLr, tol, cell, rows }, null, 2));
}

void main();
