import { DataError } from './errors';
import { toRng, type Rng } from './rng';
import { linspace } from './trajectory';

export interface IrregularSpiralsOptions {
  /** Number of spirals (default 100). */
  nSpirals?: number;
  /** Points on each dense ground-truth spiral (default 500). */
  nTotal?: number;
  /** Observations per spiral (default 100). */
  nSample?: number;
  /** Angle span of the dense spiral (default [0, 6π]). */
  start?: number;
  stop?: number;
  /** Std of the Gaussian observation noise (default 0.3). */
  noiseStd?: number;
  /** Spiral radii r = a + b·θ (counter-clockwise) and a + 50·b/θ' (clockwise), as the latent-ODE demo. */
  a?: number;
  b?: number;
  /** Observation times irregular (default) or every dense point in the window. */
  irregular?: boolean;
  /** Dense points in each spiral's window (default 2·nSample). */
  horizon?: number;
  /**
   * Share of the window, from its start, that observations are drawn from (default 1). With 0.5
   * the second half is left for extrapolation (the latent-ODE experiments).
   */
  observedFraction?: number;
  seed?: number | Rng;
}

export interface IrregularSpiral {
  clockwise: boolean;
  /** Observation times, from 0 (the window start), strictly increasing, nSample of them. */
  t: Float64Array;
  /** Noisy observations, nSample × 2. */
  ys: Float64Array;
  /** Noise-free values at the same times, nSample × 2. */
  trueYs: Float64Array;
  /** Index of the window start in the dense grid. */
  start: number;
  /** The window's dense times from 0 (horizon of them) and the noise-free spiral there (horizon × 2). */
  windowT: Float64Array;
  windowYs: Float64Array;
  /** Observations lie before this time (the end of the observed share); the rest is for extrapolation. */
  observedUntil: number;
}

export interface IrregularSpiralsData {
  name: 'irregularSpirals';
  dim: 2;
  /** The dense time grid (nTotal points) and both ground-truth spirals on it (nTotal × 2 each). */
  denseT: Float64Array;
  clockwise: Float64Array;
  counterClockwise: Float64Array;
  spirals: IrregularSpiral[];
}

/**
 * The latent-ODE paper's spirals, irregularly sampled: each sample follows the clockwise or the
 * counter-clockwise ground truth (a fair coin), over a window of 2·nSample dense points that
 * starts at a random index; nSample distinct times are drawn from that window (sorted) and
 * Gaussian noise is added. Times are shifted so that each window starts at 0. `horizon` sets
 * the window's length and `observedFraction` the share of it observations come from; each
 * spiral keeps the noise-free values at every dense time of its window (`windowT`, `windowYs`),
 * so a model can be scored on interpolation and on extrapolation past `observedUntil`.
 */
export function irregularSpirals(opts: IrregularSpiralsOptions = {}): IrregularSpiralsData {
  const nSpirals = opts.nSpirals ?? 100;
  const nTotal = opts.nTotal ?? 500;
  const nSample = opts.nSample ?? 100;
  const start = opts.start ?? 0;
  const stop = opts.stop ?? 6 * Math.PI;
  const noiseStd = opts.noiseStd ?? 0.3;
  const a = opts.a ?? 0;
  const b = opts.b ?? 0.3;
  const irregular = opts.irregular ?? true;
  const horizon = opts.horizon ?? 2 * nSample;
  const fraction = opts.observedFraction ?? 1;
  for (const [k, v] of Object.entries({ nSpirals, nTotal, nSample, horizon })) {
    if (!Number.isInteger(v) || v < 1) throw new DataError('input', `irregularSpirals: ${k} must be a positive integer, got ${v}.`);
  }
  if (!(fraction > 0 && fraction <= 1)) throw new DataError('input', `irregularSpirals: observedFraction must be in (0, 1], got ${fraction}.`);
  // Observations come from the first `observed` dense points of the window.
  const observed = Math.floor(horizon * fraction);
  const window = irregular ? observed : nSample;
  if (observed < nSample) {
    throw new DataError(
      'input',
      `irregularSpirals: ${nSample} observations do not fit in the ${observed} dense points of the observed part of each window ` +
        `(horizon ${horizon} × observedFraction ${fraction}): raise horizon or lower nSample.`,
    );
  }
  if (nTotal < horizon + 1) {
    throw new DataError('input', `irregularSpirals: nTotal (${nTotal}) must exceed the window (${horizon} points) so that windows have room to start at random.`);
  }
  const rng = toRng(opts.seed);
  const denseT = linspace(start, stop, nTotal);
  const cw = new Float64Array(2 * nTotal);
  const ccw = new Float64Array(2 * nTotal);
  for (let i = 0; i < nTotal; i++) {
    // Clockwise: the angle runs backwards from stop + 1 (never 0, so the 1/θ radius stays finite).
    const zcw = stop + 1 - denseT[i];
    const rcw = a + (b * 50) / zcw;
    cw[2 * i] = rcw * Math.cos(zcw) - 5;
    cw[2 * i + 1] = rcw * Math.sin(zcw);
    const zcc = denseT[i];
    const rcc = a + b * zcc;
    ccw[2 * i] = rcc * Math.cos(zcc) + 5;
    ccw[2 * i + 1] = rcc * Math.sin(zcc);
  }
  const spirals: IrregularSpiral[] = [];
  for (let s = 0; s < nSpirals; s++) {
    const clockwise = rng.random() > 0.5;
    const truth = clockwise ? cw : ccw;
    // Regular samples of the default window keep their old place: its second half.
    const t0 = rng.int(nTotal - horizon) + (irregular || opts.horizon !== undefined ? 0 : nSample);
    const picks = irregular ? Array.from(rng.choice(window, nSample)).sort((p, q) => p - q) : Array.from({ length: nSample }, (_, i) => i);
    const t = new Float64Array(nSample);
    const ys = new Float64Array(2 * nSample);
    const trueYs = new Float64Array(2 * nSample);
    picks.forEach((p, j) => {
      const idx = t0 + p;
      t[j] = denseT[idx] - denseT[t0];
      trueYs[2 * j] = truth[2 * idx];
      trueYs[2 * j + 1] = truth[2 * idx + 1];
      ys[2 * j] = trueYs[2 * j] + rng.normal(0, noiseStd);
      ys[2 * j + 1] = trueYs[2 * j + 1] + rng.normal(0, noiseStd);
    });
    const last = Math.min(t0 + horizon, nTotal) - t0;
    const windowT = Float64Array.from({ length: last }, (_, p) => denseT[t0 + p] - denseT[t0]);
    const windowYs = truth.slice(2 * t0, 2 * (t0 + last));
    const observedUntil = observed < last ? windowT[observed] : windowT[last - 1];
    spirals.push({ clockwise, t, ys, trueYs, start: t0, windowT, windowYs, observedUntil });
  }
  return { name: 'irregularSpirals', dim: 2, denseT, clockwise: cw, counterClockwise: ccw, spirals };
}
