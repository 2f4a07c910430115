/**
 * What the panels show of a latent ODE: for the first few series, the observations, the
 * reconstruction over the observed span and the extrapolation past it (decoded from z0 = μ, at
 * the window's dense times), beside the noise-free series; the RMSE of these weights over every
 * series. The vector-field panel gets the latent field on the plane of latent components 0 and
 * 1 and the first series' latent path.
 */
import { isLatentOde, type LatentOdeModel } from '../latent/latentOde';
import { latentPredict, rmse } from '../latent/predict';
import type { LatentSeries } from '../latent/series';
import { loadRunCheckpoint } from '../train/runRef';
import { ExperimentError, type Experiment } from './define';
import { checkLatent } from './latentTask';
import { buildAnyTrainable } from './modelSource';
import type { ExperimentPreview, PreviewOptions } from './preview';

/** Series drawn in the Trajectories panel. */
export const LATENT_SHOWN = 4;

export interface XYSeries {
  t: number[];
  x: number[];
  y: number[];
}

export interface LatentSeriesPreview {
  /** The series' index in the data. */
  index: number;
  observed: XYSeries;
  /** Decoded predictions at the dense times inside the observed span, and past it. */
  reconstruction: XYSeries;
  extrapolation: XYSeries;
  /** The noise-free series at the same dense times. */
  truth: XYSeries;
}

export interface LatentPreview {
  /** Over every series of the data, with the shown weights (NaN where there is nothing to score). */
  rmse: { interpolation: number; extrapolation: number };
  /** The first LATENT_SHOWN series of the data. */
  series: LatentSeriesPreview[];
  latentDim: number;
}

const xy = (t: ArrayLike<number>, ys: ArrayLike<number>, dim: number): XYSeries => ({
  t: Array.from(t),
  x: Array.from(t, (_, i) => ys[i * dim]),
  y: Array.from(t, (_, i) => (dim > 1 ? ys[i * dim + 1] : 0)),
});

/** The experiment's model when it is a latent ODE (else null: the other previews apply). */
function latentModelOf(exp: Experiment): LatentOdeModel | null {
  try {
    const m = typeof exp.model === 'function' ? exp.model() : exp.model;
    return isLatentOde(m) ? m : null;
  } catch {
    return null;
  }
}

/** A run's field, encoder and decoder weights (its latest checkpoint, or `ID@best`) into the model; the checkpoint's iteration. */
function loadLatentWeights(exp: Experiment, model: LatentOdeModel, runsRoot: string | undefined, runId: string): number {
  if (!runsRoot) throw new RangeError('A run id needs the runs folder (runsRoot) it lives in.');
  const { checkpoint } = loadRunCheckpoint(runsRoot, runId);
  const params = checkpoint.params;
  const extra = checkpoint.readout;
  const ok = (v: unknown, n: number): v is Float64Array => v instanceof Float64Array && v.length === n;
  if (!ok(params, model.params.length) || !ok(extra, model.extra.length)) {
    throw new ExperimentError(
      `run ${runId} does not fit this latent ODE: the model has ${model.params.length} field and ${model.extra.length} encoder/decoder parameters, ` +
        'the checkpoint holds other sizes. The model was changed after the run: use the experiment untrained, or train it again.',
      exp.location,
    );
  }
  model.params.set(params);
  model.extra.set(extra);
  return checkpoint.iteration;
}

/** The preview of a latent ODE experiment, or null for any other model. */
export async function latentExperimentPreview(exp: Experiment, n: number, opts: PreviewOptions): Promise<ExperimentPreview | null> {
  if (!latentModelOf(exp)) return null;
  const { data, model: built } = await buildAnyTrainable(exp);
  const { model, series } = checkLatent(exp, data, built);
  const iteration = opts.runId !== undefined ? loadLatentWeights(exp, model, opts.runsRoot, opts.runId) : null;
  const lay = model.latentOde;
  const L = lay.latentDim;
  const D = lay.obsDim;
  // The preview's budget of f evaluations, as steps of the method (six per dopri5 step).
  const solver = { ...exp.solver, options: { ...exp.solver?.options, maxNumSteps: opts.maxCost !== undefined ? Math.max(1, Math.floor(opts.maxCost / 6)) : 20_000 } };
  const shown: LatentSeries[] = series.slice(0, LATENT_SHOWN);
  let latent: LatentPreview | null = null;
  let predictedError: string | null = null;
  let nfe = 0;
  let path0: { t: Float64Array; x: Float64Array; y: Float64Array } | null = null;
  try {
    const all = await latentPredict(model, series, solver);
    nfe += all.nfe;
    const few = await latentPredict(model, shown, solver);
    nfe += few.nfe;
    path0 = {
      t: few.grid,
      x: Float64Array.from(few.latent, (z) => z[0]),
      y: Float64Array.from(few.latent, (z) => (L > 1 ? z[1] : 0)),
    };
    latent = {
      rmse: rmse(series, all.predictions),
      latentDim: L,
      series: shown.map((s, i) => ({
        index: i,
        observed: xy(s.t, s.ys, D),
        reconstruction: xy(s.interpT, few.predictions[i].interp, D),
        extrapolation: xy(s.extrapT, few.predictions[i].extrap, D),
        truth: xy([...s.interpT, ...s.extrapT], [...s.interpYs, ...s.extrapYs], D),
      })),
    };
  } catch (err) {
    predictedError = `the latent ODE's solve failed: ${(err as Error)?.message ?? String(err)}`;
  }
  // The latent field on the plane of components 0 and 1 (the others at 0), over the first path's box.
  const px = path0?.x ?? Float64Array.of(-1, 1);
  const py = path0?.y ?? Float64Array.of(-1, 1);
  const span = (v: Float64Array): [number, number] => {
    const lo = Math.min(...v);
    const hi = Math.max(...v);
    const pad = Math.max((hi - lo) * 0.2, 0.5);
    return [lo - pad, hi + pad];
  };
  const [xMin, xMax] = span(px);
  const [yMin, yMax] = span(py);
  const states = new Float64Array(n * n * L);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      states[(j * n + i) * L] = xMin + ((xMax - xMin) * i) / (n - 1);
      if (L > 1) states[(j * n + i) * L + 1] = yMin + ((yMax - yMin) * j) / (n - 1);
    }
  }
  const f = model.f(0, states);
  nfe += 1;
  return {
    experiment: exp.name,
    runId: opts.runId ?? null,
    iteration,
    dim: L,
    slice: `latent components 0 and 1 of ${L} (the others at 0); the Trajectories panel shows the decoded series`,
    t0: 0,
    task: 'trajectory',
    frames: null,
    classification: null,
    planes: [],
    bounds: { xMin, xMax, yMin, yMax },
    field: { n, u: Float64Array.from({ length: n * n }, (_, k) => f[k * L]), v: Float64Array.from({ length: n * n }, (_, k) => (L > 1 ? f[k * L + 1] : 0)) },
    data: { t: new Float64Array(0), x: new Float64Array(0), y: new Float64Array(0) },
    predicted: path0,
    predictedError,
    components: { data: [], predicted: null },
    nfe,
    latent,
  };
}
