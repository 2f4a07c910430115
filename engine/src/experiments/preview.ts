/**
 * What the vector-field and trajectories panels draw: an experiment's data, its model's field
 * sampled on a grid over the data, and the model's solve from the data's y0 over the data's t.
 * The weights are those of a run's latest checkpoint, or the untrained model's. Everything comes
 * back as plain arrays (components 0 and 1 when the state has more than two).
 */
import * as path from 'node:path';
import type { TrajectoryData } from '../data/types';
import type { NativeField } from '../fields/field';
import { odeint } from '../odeint';
import { loadLatestCheckpoint } from '../train/runStore';
import { ExperimentError, type Experiment } from './define';

export interface PreviewOptions {
  /** Show this run's latest checkpoint (a folder name under runsRoot); untrained when absent. */
  runsRoot?: string;
  runId?: string;
  /** Grid points per axis (2–200). */
  grid: number;
  /** Solver steps the predicted trajectory may take before the preview gives up on it. */
  maxSteps?: number;
}

export interface ExperimentPreview {
  experiment: string;
  /** The run whose weights are shown, and its checkpoint's iteration; null: untrained. */
  runId: string | null;
  iteration: number | null;
  /** Components per state; when > 2 the arrays below hold components 0 and 1 only. */
  dim: number;
  /** How a higher-dimensional state was cut to two components (null when dim is 2). */
  slice: string | null;
  /** The field is sampled at t = t0 (time-dependent fields change with t). */
  t0: number;
  bounds: { xMin: number; xMax: number; yMin: number; yMax: number };
  /** n × n samples, row-major: index j·n + i is x = xMin + i·dx, y = yMin + j·dy. */
  field: { n: number; u: Float64Array; v: Float64Array };
  data: { t: Float64Array; x: Float64Array; y: Float64Array };
  /** The model's solve from the data's y0 over the data's t; null with a reason if it failed. */
  predicted: { t: Float64Array; x: Float64Array; y: Float64Array } | null;
  predictedError: string | null;
  /**
   * Every component over t (the first MAX_COMPONENTS), for y(t) plots: the data's `data.dim`
   * and the solve's `dim` (an augmented model's extra components have no data to compare with).
   */
  components: { data: Float64Array[]; predicted: Float64Array[] | null };
  nfe: number;
}

/** A panel plots one chart per component; more than this would not be read anyway. */
export const MAX_COMPONENTS = 16;

/** Component k of a list of states, for k < min(dim, MAX_COMPONENTS). */
function columns(ys: readonly Float64Array[], dim: number): Float64Array[] {
  return Array.from({ length: Math.min(dim, MAX_COMPONENTS) }, (_, k) => Float64Array.from(ys, (s) => s[k]));
}

const resolve = async <T>(x: T | (() => T | Promise<T>)): Promise<T> => (typeof x === 'function' ? (x as () => T | Promise<T>)() : x);

/** Components 0 and 1 of a list of states. */
function firstTwo(ys: readonly Float64Array[], dim: number): { x: Float64Array; y: Float64Array } {
  const x = new Float64Array(ys.length);
  const y = new Float64Array(ys.length);
  ys.forEach((s, i) => {
    x[i] = s[0];
    y[i] = dim > 1 ? s[1] : 0;
  });
  return { x, y };
}

/** The data's bounding box, padded 20 % each way (and never empty). */
function paddedBounds(x: Float64Array, y: Float64Array): ExperimentPreview['bounds'] {
  let xMin = Infinity, xMax = -Infinity, yMin = Infinity, yMax = -Infinity;
  for (let i = 0; i < x.length; i++) {
    if (Number.isFinite(x[i])) { xMin = Math.min(xMin, x[i]); xMax = Math.max(xMax, x[i]); }
    if (Number.isFinite(y[i])) { yMin = Math.min(yMin, y[i]); yMax = Math.max(yMax, y[i]); }
  }
  if (!(xMin <= xMax)) { xMin = -1; xMax = 1; }
  if (!(yMin <= yMax)) { yMin = -1; yMax = 1; }
  const px = Math.max((xMax - xMin) * 0.2, 1e-3 * Math.max(1, Math.abs(xMin)));
  const py = Math.max((yMax - yMin) * 0.2, 1e-3 * Math.max(1, Math.abs(yMin)));
  return { xMin: xMin - px, xMax: xMax + px, yMin: yMin - py, yMax: yMax + py };
}

function loadWeights(field: NativeField, exp: Experiment, runsRoot: string, runId: string): number {
  const { checkpoint } = loadLatestCheckpoint(path.join(runsRoot, runId));
  const params = checkpoint.params;
  if (!(params instanceof Float64Array || params instanceof Float32Array) || params.length !== field.params.length) {
    const got = params instanceof Float64Array || params instanceof Float32Array ? `${params.length} parameters` : 'named parameter groups';
    throw new ExperimentError(
      `run ${runId} does not fit this experiment's model: its checkpoint holds ${got}, the model has ${field.params.length}. ` +
        'The model was changed after the run: show the experiment untrained, or train it again.',
      exp.location,
    );
  }
  field.params.set(params);
  return checkpoint.iteration;
}

export async function previewExperiment(exp: Experiment, opts: PreviewOptions): Promise<ExperimentPreview> {
  const n = Math.round(opts.grid);
  if (!(n >= 2 && n <= 200)) throw new RangeError(`The preview grid must have 2 to 200 points per axis, got ${opts.grid}.`);
  let data: TrajectoryData;
  let field: NativeField;
  try {
    data = await resolve(exp.data);
    field = await resolve(exp.model);
  } catch (err) {
    if (err instanceof ExperimentError) throw err;
    throw new ExperimentError(`building the data or the model failed: ${(err as Error)?.message ?? String(err)}`, exp.location);
  }
  // The model's own dimension wins (an augmented model works on more components than the data).
  const dim = field.dim ?? data.dim;
  if (dim < data.dim) {
    throw new ExperimentError(`the model works on ${dim} components per sample but the data '${data.name}' have ${data.dim}.`, exp.location);
  }
  let iteration: number | null = null;
  if (opts.runId !== undefined) {
    if (!opts.runsRoot) throw new RangeError('A run id needs the runs folder (runsRoot) it lives in.');
    iteration = loadWeights(field, exp, opts.runsRoot, opts.runId);
  }

  const obs = firstTwo(data.ys, data.dim);
  const bounds = paddedBounds(obs.x, obs.y);
  const t0 = data.t[0] ?? 0;
  // The other components of a grid state sit at y0's (zeros past the data, as augmentation pads).
  const base = new Float64Array(dim);
  base.set(data.y0.subarray(0, Math.min(dim, data.y0.length)));
  const states = new Float64Array(n * n * dim);
  for (let j = 0; j < n; j++) {
    const yv = bounds.yMin + ((bounds.yMax - bounds.yMin) * j) / (n - 1);
    for (let i = 0; i < n; i++) {
      const o = (j * n + i) * dim;
      states.set(base, o);
      states[o] = bounds.xMin + ((bounds.xMax - bounds.xMin) * i) / (n - 1);
      if (dim > 1) states[o + 1] = yv;
    }
  }
  const dy = field.f(t0, states);
  const u = new Float64Array(n * n);
  const v = new Float64Array(n * n);
  for (let k = 0; k < n * n; k++) {
    u[k] = dy[k * dim];
    v[k] = dim > 1 ? dy[k * dim + 1] : 0;
  }

  let predicted: ExperimentPreview['predicted'] = null;
  let predictedError: string | null = null;
  let predictedComponents: Float64Array[] | null = null;
  let nfe = 1;
  try {
    const y0 = new Float64Array(base);
    const sol = await odeint((t, y: Float64Array) => field.f(t, y), y0, data.t, {
      ...exp.solver,
      options: { ...exp.solver?.options, maxNumSteps: opts.maxSteps ?? 20_000 },
    });
    nfe += sol.stats.nfe;
    predicted = { t: Float64Array.from(data.t), ...firstTwo(sol.ys as Float64Array[], dim) };
    predictedComponents = columns(sol.ys as Float64Array[], dim);
  } catch (err) {
    predictedError = `the model's solve from y0 failed: ${(err as Error)?.message ?? String(err)}`;
  }

  return {
    experiment: exp.name,
    runId: opts.runId ?? null,
    iteration,
    dim,
    slice: dim > 2 ? `components 0 and 1 of ${dim}; the others held at y0's values` : null,
    t0,
    bounds,
    field: { n, u, v },
    data: { t: Float64Array.from(data.t), ...obs },
    predicted,
    predictedError,
    components: { data: columns(data.ys, data.dim), predicted: predictedComponents },
    nfe,
  };
}
