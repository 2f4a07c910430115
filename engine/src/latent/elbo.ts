/**
 * The latent ODE's training loss on a batch of series, with its gradient by hand: the
 * negative ELBO, mean over the batch, of
 *
 *   −Σ_i log N(y_i; dec(z(t_i)), obsStd²) + KL(N(μ, σ²) ‖ N(0, I)),   z0 = μ + σ ⊙ ε.
 *
 * One batched solve of every series' z0 over the union of their times (odeintGrad, any gradient
 * method) gives z(t_i); the decoder's VJP makes the cotangents, odeintGrad returns dL/dz0 and
 * dL/dθ of the field, and dL/dz0 flows back through the reparameterisation and the encoder.
 */
import { Rng } from '../data/rng';
import { regularizedGrad, type RegularizeSpec, type RegularizerTerms } from '../regularize/regularizedGrad';
import type { GradStats, OdeintGradOptions } from '../gradients/types';
import { decode, decodeBackward, encode, encodeBackward, type Encoded } from './codec';
import type { LatentOdeModel } from './latentOde';
import { unionTimes, type LatentSeries } from './series';

export interface ElboResult {
  /** Negative ELBO, mean over the batch. */
  loss: number;
  /** Mean log-likelihood of the observations and mean KL, per series. */
  logLikelihood: number;
  kl: number;
  gradParams: Float64Array;
  gradExtra: Float64Array;
  stats: GradStats;
  /** train.regularize's terms of the latent solve, unweighted. */
  regularizers?: RegularizerTerms;
}

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * `eps` holds one standard normal draw per series and latent component (batch × latentDim);
 * null uses z0 = μ.
 */
export async function latentElbo(
  model: LatentOdeModel,
  batch: readonly LatentSeries[],
  eps: Float64Array | null,
  opts: OdeintGradOptions = {},
  regularize?: { spec: RegularizeSpec; rng: Rng },
): Promise<ElboResult> {
  const lay = model.latentOde;
  const { latentDim: L, obsDim: D, obsStd } = lay;
  const B = batch.length;
  const extra = model.extra;
  const enc: Encoded[] = batch.map((s) => encode(extra, lay, s.t, s.ys));
  const z0 = new Float64Array(B * L);
  let kl = 0;
  enc.forEach((e, s) => {
    for (let k = 0; k < L; k++) {
      const sd = Math.exp(0.5 * e.logvar[k]);
      z0[s * L + k] = e.mu[k] + (eps ? sd * eps[s * L + k] : 0);
      kl += 0.5 * (e.mu[k] * e.mu[k] + sd * sd - 1 - e.logvar[k]);
    }
  });
  const grid = unionTimes(batch.map((s) => s.t));
  const var2 = obsStd * obsStd;
  let logpx = 0;
  let gDec = new Float64Array(extra.length);
  const res = await regularizedGrad(
    model,
    z0,
    grid.t,
    (ys) => {
      // Called once after the forward solve: the decoder at every observation, and dL/dz(t).
      gDec = new Float64Array(extra.length);
      logpx = 0;
      const cots: (Float64Array | null)[] = grid.t.length ? Array.from(grid.t, () => null) : [];
      batch.forEach((s, b) => {
        s.t.forEach((_, j) => {
          const at = grid.index[b][j];
          const z = ys[at].subarray(b * L, (b + 1) * L);
          const d = decode(extra, lay, z);
          const gy = new Float64Array(D);
          for (let k = 0; k < D; k++) {
            const r = d.y[k] - s.ys[j * D + k];
            logpx -= 0.5 * ((r * r) / var2 + LOG_2PI + Math.log(var2));
            gy[k] = r / var2 / B;
          }
          const gz = decodeBackward(extra, gDec, lay, z, d, gy);
          const c = (cots[at] ??= new Float64Array(B * L));
          for (let k = 0; k < L; k++) c[b * L + k] += gz[k];
        });
      });
      return Number.isFinite(logpx) ? cots : cots.map(() => null);
    },
    opts,
    regularize?.spec,
    B,
    regularize?.rng ?? new Rng(0),
  );
  const gradExtra = gDec;
  enc.forEach((e, s) => {
    const gMu = new Float64Array(L);
    const gLv = new Float64Array(L);
    for (let k = 0; k < L; k++) {
      const sd = Math.exp(0.5 * e.logvar[k]);
      const gz = res.gradY0[s * L + k];
      gMu[k] = gz + e.mu[k] / B;
      gLv[k] = (eps ? gz * eps[s * L + k] * 0.5 * sd : 0) + (0.5 * (sd * sd - 1)) / B;
    }
    encodeBackward(extra, gradExtra, lay, e, gMu, gLv);
  });
  return { loss: (kl - logpx) / B, logLikelihood: logpx / B, kl: kl / B, gradParams: res.gradParams, gradExtra, stats: res.stats, ...(res.terms ? { regularizers: res.terms } : {}) };
}
