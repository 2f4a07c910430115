/**
 * What a trained latent model predicts: each series encoded to z0 = μ (the mean of q(z0)), one
 * batched solve to every query time, decoded; and the RMSE against the noise-free values
 * inside the observed span (interpolation) and past it (extrapolation).
 */
import { odeint } from '../odeint';
import type { OdeintOptions } from '../solvers/solve';
import { decode, encode } from './codec';
import type { LatentOdeModel } from './latentOde';
import { unionTimes, type LatentSeries } from './series';

export interface SeriesPrediction {
  /** Predictions at interpT, extrapT and the observation times, each n × obsDim. */
  interp: Float64Array;
  extrap: Float64Array;
  observed: Float64Array;
}

export interface Rmse {
  interpolation: number;
  extrapolation: number;
}

/** Predictions of any model at each series' query times. */
export type Predictor = (series: readonly LatentSeries[], signal?: AbortSignal) => Promise<{ predictions: SeriesPrediction[]; nfe: number }>;

/** The latent ODE's predictions, with z0 = μ; also the latent states at the merged query times (grid). */
export async function latentPredict(
  model: LatentOdeModel,
  series: readonly LatentSeries[],
  solver: OdeintOptions<Float64Array> = {},
): Promise<{ predictions: SeriesPrediction[]; nfe: number; latent: Float64Array[]; grid: Float64Array }> {
  const lay = model.latentOde;
  const L = lay.latentDim;
  const D = lay.obsDim;
  const z0 = new Float64Array(series.length * L);
  series.forEach((s, b) => z0.set(encode(model.extra, lay, s.t, s.ys).mu, b * L));
  // Every query time of every series: interpolation, extrapolation, observations.
  const lists = series.map((s) => Float64Array.from([...s.interpT, ...s.extrapT, ...s.t]));
  const grid = unionTimes(lists);
  const sol = await odeint((t, y: Float64Array) => model.f(t, y), z0, grid.t, solver);
  const ys = sol.ys as Float64Array[];
  const predictions = series.map((s, b) => {
    const all = new Float64Array(lists[b].length * D);
    lists[b].forEach((_, j) => all.set(decode(model.extra, lay, ys[grid.index[b][j]].subarray(b * L, (b + 1) * L)).y, j * D));
    const ni = s.interpT.length;
    const ne = s.extrapT.length;
    return { interp: all.slice(0, ni * D), extrap: all.slice(ni * D, (ni + ne) * D), observed: all.slice((ni + ne) * D) };
  });
  return { predictions, nfe: sol.stats.nfe, latent: ys, grid: grid.t };
}

/** Root-mean-square error over every series, query time and component (NaN where there are none). */
export function rmse(series: readonly LatentSeries[], predictions: readonly SeriesPrediction[]): Rmse {
  let si = 0, ni = 0, se = 0, ne = 0;
  series.forEach((s, b) => {
    const p = predictions[b];
    for (let k = 0; k < s.interpYs.length; k++) {
      const r = p.interp[k] - s.interpYs[k];
      si += r * r;
      ni++;
    }
    for (let k = 0; k < s.extrapYs.length; k++) {
      const r = p.extrap[k] - s.extrapYs[k];
      se += r * r;
      ne++;
    }
  });
  return { interpolation: ni ? Math.sqrt(si / ni) : NaN, extrapolation: ne ? Math.sqrt(se / ne) : NaN };
}
