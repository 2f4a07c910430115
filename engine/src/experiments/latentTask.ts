/**
 * Training a latent ODE on irregularly sampled series (the paper's spirals): each step draws a
 * mini-batch of series and one ε per series and latent component from the trainer's Rng (so a
 * resumed run draws the same), and takes the negative ELBO with its gradient (latent/elbo.ts);
 * the field's parameters are the model's own, the encoder's and decoder's are the task's
 * `extra` (checkpointed beside them). Evaluation is the RMSE of the reconstruction (z0 = μ)
 * against the noise-free series inside the observed span; past it, extrapolation.
 */
import type { Rng } from '../data/rng';
import type { PointData, TrajectoryData } from '../data/types';
import type { NativeField } from '../fields/field';
import { latentElbo } from '../latent/elbo';
import { fitObservationScale, isLatentOde, type LatentOdeModel } from '../latent/latentOde';
import { latentPredict, rmse, type Rmse } from '../latent/predict';
import { SeriesError, spiralSeries, type LatentSeries } from '../latent/series';
import type { OdeintOptions } from '../solvers/solve';
import { ExperimentError, type Experiment, type ExperimentModel, type GradientSpec, type SeriesData } from './define';
import type { TaskStep, TrainTask } from './task';

/** Series per mini-batch when train.batchSize is unset (capped at the number of series). */
export const DEFAULT_SERIES_BATCH = 50;

export const isSeriesData = (d: unknown): d is SeriesData => typeof d === 'object' && d !== null && Array.isArray((d as SeriesData).spirals);

export interface LatentTask extends TrainTask {
  kind: 'latent';
  model: LatentOdeModel;
  series: LatentSeries[];
  /** Interpolation and extrapolation RMSE on these series (default: the training series). */
  evaluateRmse(series?: readonly LatentSeries[], signal?: AbortSignal): Promise<Rmse & { nfe: number }>;
}

export type LatentExperiment = Pick<Experiment, 'train' | 'solver' | 'location'>;

/** The series after the times rule, with the model and settings checked against them. */
export function checkLatent(exp: LatentExperiment, data: TrajectoryData | PointData | SeriesData, model: ExperimentModel | NativeField): { model: LatentOdeModel; series: LatentSeries[]; batchSize: number } {
  const fail = (what: string): never => {
    throw new ExperimentError(what, exp.location);
  };
  if (!isSeriesData(data)) {
    fail(`a latent ODE learns from irregularly sampled series, but the data '${data.name}' are not: use irregularSpirals({ … }) (or series of the same shape).`);
  }
  if (!isLatentOde(model)) {
    fail(`the data '${(data as SeriesData).name}' are irregularly sampled series: train them with a latent ODE, model: () => latentOde({ latentDim: 4 }).`);
  }
  const series = data as SeriesData;
  const m = model as LatentOdeModel;
  if (m.latentOde.obsDim !== series.dim) {
    fail(`the latent ODE decodes ${m.latentOde.obsDim} components per observation but the data '${series.name}' have ${series.dim}: build it with latentOde({ obsDim: ${series.dim} }).`);
  }
  const t = exp.train;
  if (t.loss !== undefined) fail(`train.loss '${t.loss}' does not apply: a latent ODE trains on the negative ELBO. Remove train.loss.`);
  if (t.batchTime !== undefined) fail('train.batchTime does not apply to a latent ODE (each series is used whole). Remove it; train.batchSize sets the series per batch.');
  const checked = seriesOrFail(series, fail);
  // The networks see the observations standardised by the training data's own scale.
  fitObservationScale(m, checked.map((s) => s.ys));
  const batchSize = t.batchSize ?? Math.min(DEFAULT_SERIES_BATCH, checked.length);
  if (batchSize > checked.length) fail(`train.batchSize is ${batchSize} but the data '${series.name}' hold only ${checked.length} series: lower batchSize.`);
  return { model: m, series: checked, batchSize };
}

/** The series after the times rule; a SeriesError becomes the experiment's error. */
function seriesOrFail(data: SeriesData, fail: (what: string) => never): LatentSeries[] {
  try {
    return spiralSeries(data);
  } catch (err) {
    if (err instanceof SeriesError) fail(`the data '${data.name}': ${err.message}`);
    throw err;
  }
}

export function latentTask(exp: LatentExperiment, data: TrajectoryData | PointData | SeriesData, field: ExperimentModel | NativeField, grad: GradientSpec): LatentTask {
  const { model, series, batchSize } = checkLatent(exp, data, field);
  const lay = model.latentOde;
  const L = lay.latentDim;
  const solver = (signal?: AbortSignal): OdeintOptions<Float64Array> => ({ ...exp.solver, signal }) as OdeintOptions<Float64Array>;
  const evaluateRmse = async (on: readonly LatentSeries[] = series, signal?: AbortSignal) => {
    const { predictions, nfe } = await latentPredict(model, on, solver(signal));
    return { ...rmse(on, predictions), nfe };
  };
  const spirals = (data as SeriesData).spirals;
  return {
    kind: 'latent',
    model,
    series,
    extra: model.extra,
    summary: {
      name: (data as SeriesData).name,
      dim: lay.obsDim,
      series: series.length,
      observations: spirals.reduce((a, s) => a + s.t.length, 0) / spirals.length,
      task: 'latent',
      model: { kind: 'latentOde', ...lay.options, encoderParams: lay.size, fieldParams: model.params.length },
      t0: 0,
      t1: Math.max(...series.map((s) => Math.max(s.t[s.t.length - 1], s.extrapT[s.extrapT.length - 1] ?? 0))),
    },
    async step(rng: Rng, signal?: AbortSignal): Promise<TaskStep> {
      const index = rng.choice(series.length, batchSize);
      const eps = rng.fillNormal(new Float64Array(batchSize * L));
      const r = await latentElbo(
        model,
        Array.from(index, (i) => series[i]),
        eps,
        { ...exp.solver, gradient: grad.method, adjointOptions: grad.adjointOptions, checkpoints: grad.checkpoints, signal },
        exp.train.regularize ? { spec: exp.train.regularize, rng } : undefined,
      );
      return { loss: r.loss, gradParams: r.gradParams, gradExtra: r.gradExtra, stats: r.stats, ...(r.regularizers ? { regularizers: r.regularizers } : {}) };
    },
    async evaluate(signal?: AbortSignal) {
      return { loss: (await evaluateRmse(series, signal)).interpolation };
    },
    evaluateRmse,
  };
}
