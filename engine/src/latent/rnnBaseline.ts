/**
 * The paper's baseline: an RNN with time-delta inputs (the same Elman cell as the encoder).
 * Step i reads [y_{i−1}, t_i − t_{i−1}] (y_{−1} = 0, t_{−1} = 0) and a linear readout of its
 * state predicts y_i; training minimises the mean squared error of these one-step predictions.
 * At a query time τ inside the observed span it predicts from the last observation before τ
 * with the gap τ − t_last; past the last observation it rolls forward on its own predictions,
 * one query time after the other (each prediction is the next step's input).
 */
import { denseAt, denseBackwardSample, denseForward, denseSize, type DenseLayer } from '../layers/dense';
import { fromRand, initDense, seededRandom } from '../layers/init';
import type { SeriesPrediction } from './predict';
import { cellSequence, cellSequenceBackward, cellSize, cellStep, initCell, type CellSpec } from './rnnCell';
import { fitScale } from './scale';
import type { LatentSeries } from './series';

export interface RnnBaselineOptions {
  /** Components of each observation (default 2). */
  obsDim?: number;
  /** Hidden units of the cell (default 25). */
  hidden?: number;
  seed?: number;
}

export interface RnnBaseline {
  readonly kind: 'rnn-baseline';
  readonly params: Float64Array;
  readonly obsDim: number;
  readonly cell: CellSpec;
  readonly readout: DenseLayer;
  /** Fixed observation scale, as the latent ODE's: the cell reads (y − mean) / std, the readout gives std ⊙ out + mean. */
  readonly scale: { mean: Float64Array; std: Float64Array };
}

export function rnnBaseline(opts: RnnBaselineOptions = {}): RnnBaseline {
  const obsDim = opts.obsDim ?? 2;
  const hidden = opts.hidden ?? 25;
  if (!Number.isInteger(hidden) || hidden < 1) throw new RangeError(`rnnBaseline: hidden must be a whole number ≥ 1, got ${hidden}.`);
  const cell: CellSpec = { nIn: obsDim + 1, hidden, offset: 0 };
  const readout = denseAt(hidden, obsDim, cellSize(cell.nIn, hidden));
  const params = new Float64Array(readout.w + denseSize(hidden, obsDim));
  const rand = seededRandom(opts.seed ?? 0);
  initCell(params, cell, rand);
  initDense(params, readout, fromRand(rand));
  const scale = { mean: new Float64Array(obsDim), std: new Float64Array(obsDim).fill(1) };
  return { kind: 'rnn-baseline', params, obsDim, cell, readout, scale };
}

/** The input of the step that predicts time `t` from the observation (y, at `tPrev`) before it. */
function stepInput(m: RnnBaseline, y: ArrayLike<number> | null, tPrev: number, t: number): Float64Array {
  const D = m.obsDim;
  const x = new Float64Array(D + 1);
  if (y) for (let k = 0; k < D; k++) x[k] = (y[k] - m.scale.mean[k]) / m.scale.std[k];
  x[D] = t - tPrev;
  return x;
}

function teacherInputs(m: RnnBaseline, s: LatentSeries): Float64Array[] {
  const D = m.obsDim;
  return Array.from(s.t, (t, i) => stepInput(m, i > 0 ? s.ys.subarray((i - 1) * D, i * D) : null, i > 0 ? s.t[i - 1] : 0, t));
}

/** Mean squared error of the one-step predictions over the batch, and its gradient. */
export function rnnLoss(m: RnnBaseline, batch: readonly LatentSeries[]): { loss: number; grads: Float64Array } {
  const D = m.obsDim;
  const grads = new Float64Array(m.params.length);
  let count = 0;
  for (const s of batch) count += s.ys.length;
  let sum = 0;
  for (const s of batch) {
    const inputs = teacherInputs(m, s);
    const states = cellSequence(m.params, m.cell, inputs);
    const gradStates = states.map((h, i) => {
      const p = denseForward(m.params, m.readout, h, 1, new Float64Array(D));
      const g = new Float64Array(D);
      for (let k = 0; k < D; k++) {
        const r = m.scale.std[k] * p[k] + m.scale.mean[k] - s.ys[i * D + k];
        sum += r * r;
        g[k] = (2 * r * m.scale.std[k]) / count;
      }
      return denseBackwardSample(m.params, grads, m.readout, h, g);
    });
    cellSequenceBackward(m.params, grads, m.cell, inputs, states, gradStates);
  }
  return { loss: sum / count, grads };
}

/** Predictions at each series' interpolation, extrapolation and observation times. */
export function rnnPredict(m: RnnBaseline, series: readonly LatentSeries[]): SeriesPrediction[] {
  const D = m.obsDim;
  const P = m.params;
  const read = (h: Float64Array): Float64Array => {
    const y = denseForward(P, m.readout, h, 1, new Float64Array(D));
    for (let k = 0; k < D; k++) y[k] = m.scale.std[k] * y[k] + m.scale.mean[k];
    return y;
  };
  return series.map((s) => {
    const n = s.t.length;
    const states = cellSequence(P, m.cell, teacherInputs(m, s));
    const observed = new Float64Array(n * D);
    states.forEach((h, i) => observed.set(read(h), i * D));
    const interp = new Float64Array(s.interpT.length * D);
    let i = 0;
    s.interpT.forEach((tau, q) => {
      while (i < n && s.t[i] < tau) i++;
      // i observations lie before τ: the step that would read observation i − 1, with the gap to τ.
      const h = i > 0 ? states[i - 1] : new Float64Array(m.cell.hidden);
      const x = i > 0 ? stepInput(m, s.ys.subarray((i - 1) * D, i * D), s.t[i - 1], tau) : stepInput(m, null, 0, tau);
      interp.set(read(cellStep(P, m.cell, x, h)), q * D);
    });
    const extrap = new Float64Array(s.extrapT.length * D);
    let h = states[n - 1];
    let prevY: ArrayLike<number> = s.ys.subarray((n - 1) * D, n * D);
    let prevT = s.t[n - 1];
    s.extrapT.forEach((tau, q) => {
      h = cellStep(P, m.cell, stepInput(m, prevY, prevT, tau), h);
      const y = read(h);
      extrap.set(y, q * D);
      prevY = y;
      prevT = tau;
    });
    return { interp, extrap, observed };
  });
}

/** Sets the baseline's observation scale from the training observations. */
export function fitRnnScale(m: RnnBaseline, observations: readonly Float64Array[]): void {
  fitScale(m.scale, observations);
}
