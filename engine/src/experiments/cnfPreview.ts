/**
 * What the vector-field panel draws for a continuous normalising flow: its density on a grid in
 * data space and samples of the base N(0, I) flowing back to the data, both at FRAME_COUNT
 * times from t = T to t = 0, with the data's NLL and the NFE spent.
 *
 * The density at the intermediate times costs no extra solve: the grid's nodes flow forward
 * from t = 0 to T in one batched solve of [z, Δlogp], and at every output time a node sits at
 * z(t) with log p_t(z(t)) = log p(x) + Δlogp(t) (the change of variables run part way). So each
 * frame is the grid carried along the flow, a mesh whose cells the panel paints. The first
 * MAX_NLL_POINTS data points ride in the same solve for the NLL.
 */
import { MAX_EXACT_DIM, type CnfField } from '../cnf/cnfField';
import { cnfInitialState, cnfNll, DEFAULT_CNF_SOLVER } from '../cnf/density';
import { Rng } from '../data/rng';
import type { PointData, TrajectoryData } from '../data/types';
import { odeint } from '../odeint';
import { SolverError } from '../solvers/errors';
import { methodInfo } from '../solvers/registry';
import { checkCnfData } from './cnfTask';
import { ExperimentError, type Experiment, type ExperimentData } from './define';
import { loadRunWeights } from './modelSource';
import type { ExperimentPreview, PreviewOptions } from './preview';

/** Frames of the density and of the samples, from t = T to t = 0. */
export const CNF_FRAMES = 11;
/** Density grid nodes per axis, at most (with MAX_NLL_POINTS, about a second of dopri5 on the trained 8-Gaussians example here). */
export const MAX_DENSITY_GRID = 40;
/** Samples drawn from the base and flowed to the data. */
export const CNF_SAMPLES = 1000;
/** Data points whose NLL the header shows (the data come shuffled: the first ones are a fair sample). */
export const MAX_NLL_POINTS = 500;
/** Data points drawn under the density. */
export const MAX_SHOWN_POINTS = 2000;

export interface CnfPreviewOptions {
  /** The vector-field grid asked for (points per axis); the density grid is twice as fine, up to MAX_DENSITY_GRID. */
  grid: number;
  /** Evaluations of f the preview's solves may spend together (neuralOde.preview.maxCost). */
  maxCost?: number;
  /** Seed of the base samples. */
  seed?: number;
}

export interface CnfPreview {
  /** Frame times, from T (the base N(0, I)) to 0 (the data). */
  t: Float64Array;
  /** T, the flow's end time. */
  time: number;
  bounds: { xMin: number; xMax: number; yMin: number; yMax: number };
  /** The density grid: m × m nodes over `bounds` at t = 0, row-major (index j·m + i is x_i, y_j). */
  m: number;
  /**
   * mesh.x[f][k], mesh.y[f][k]: where grid node k is at t[f]; mesh.logp[f][k]: log p_t there
   * (at t = 0, the last frame, the grid itself and log p(x)). Null when the solve failed.
   */
  mesh: { x: Float64Array[]; y: Float64Array[]; logp: Float64Array[] } | null;
  /** samples.x[f][s], samples.y[f][s]: sample s at t[f] (the first frame is the base draw). Null when the solve failed. */
  samples: { x: Float64Array[]; y: Float64Array[] } | null;
  /** Mean NLL (nats) of the first `nllPoints` data points; NaN when the density solve failed. */
  nll: number;
  nllPoints: number;
  /** The data points drawn under the density (the first MAX_SHOWN_POINTS). */
  data: { x: Float64Array; y: Float64Array };
  /** The flow's velocity f(0, z) on the vector-field grid (n × n over `bounds`). */
  field: { n: number; u: Float64Array; v: Float64Array };
  nfe: number;
  /** Why the mesh or the samples are missing (a solve over the budget or failed). */
  error: string | null;
}

/** Steps a solve may take with `budget` evaluations left: the budget over the method's evaluations per step. */
function stepsFor(method: string, budget: number): number {
  const tab = methodInfo(method).tableau;
  // A first-same-as-last stage is the next step's first: one evaluation fewer per step.
  const perStep = tab ? tab.stages - (tab.fsal ? 1 : 0) : 1;
  return Math.max(1, Math.floor(budget / perStep));
}

const overBudget = (what: string, maxCost: number | undefined): string =>
  `skipped ${what}: it needs more than the preview's budget of ${maxCost} evaluations of f (setting neuralOde.preview.maxCost). ` +
  'Raise the setting, or train on: a flow that fits its data closely needs more steps.';

function failure(err: unknown, what: string, maxCost: number | undefined): string {
  if (maxCost !== undefined && err instanceof SolverError && err.kind === 'maxSteps') return overBudget(what, maxCost);
  return `${what} failed: ${(err as Error)?.message ?? String(err)}`;
}

/** The box of the data, widened to the base samples' (within twice the data's extent), padded 20 %. */
function boxOf(data: PointData, extra: Float64Array | null): CnfPreview['bounds'] {
  let xMin = Infinity, xMax = -Infinity, yMin = Infinity, yMax = -Infinity;
  for (let k = 0; k < data.n; k++) {
    const x = data.x[2 * k], y = data.x[2 * k + 1];
    if (Number.isFinite(x)) { xMin = Math.min(xMin, x); xMax = Math.max(xMax, x); }
    if (Number.isFinite(y)) { yMin = Math.min(yMin, y); yMax = Math.max(yMax, y); }
  }
  if (!(xMin < xMax)) { xMin = -1; xMax = 1; }
  if (!(yMin < yMax)) { yMin = -1; yMax = 1; }
  if (extra) {
    const wx = xMax - xMin, wy = yMax - yMin;
    const lim = { xMin: xMin - wx, xMax: xMax + wx, yMin: yMin - wy, yMax: yMax + wy };
    for (let k = 0; k + 1 < extra.length; k += 2) {
      if (Number.isFinite(extra[k])) { xMin = Math.min(xMin, Math.max(lim.xMin, extra[k])); xMax = Math.max(xMax, Math.min(lim.xMax, extra[k])); }
      if (Number.isFinite(extra[k + 1])) { yMin = Math.min(yMin, Math.max(lim.yMin, extra[k + 1])); yMax = Math.max(yMax, Math.min(lim.yMax, extra[k + 1])); }
    }
  }
  const px = (xMax - xMin) * 0.2, py = (yMax - yMin) * 0.2;
  return { xMin: xMin - px, xMax: xMax + px, yMin: yMin - py, yMax: yMax + py };
}

/** m × m points over the box, row-major, [m²·2]. */
export function gridPoints(b: CnfPreview['bounds'], m: number): Float64Array {
  const out = new Float64Array(m * m * 2);
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < m; i++) {
      out[2 * (j * m + i)] = b.xMin + ((b.xMax - b.xMin) * i) / (m - 1);
      out[2 * (j * m + i) + 1] = b.yMin + ((b.yMax - b.yMin) * j) / (m - 1);
    }
  }
  return out;
}

/** Components 0 and 1 of every sample of a [count·2] state. */
function split(y: Float64Array, count: number, stride: number, from = 0): { x: Float64Array; y: Float64Array } {
  const xs = new Float64Array(count);
  const ys = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    xs[k] = y[(from + k) * stride];
    ys[k] = y[(from + k) * stride + 1];
  }
  return { x: xs, y: ys };
}

/**
 * The density, the samples' flow and the NLL of a 2-D CNF whose weights are already loaded.
 * Solver settings the experiment leaves unset are the density task's (dopri5, 1e-5).
 */
export async function previewCnf(exp: Pick<Experiment, 'solver' | 'location'>, data: PointData, field: CnfField, opts: CnfPreviewOptions): Promise<CnfPreview> {
  const d = field.dataDim;
  if (d !== 2 || data.dim !== 2) {
    throw new ExperimentError(
      `the Vector field panel draws the density of 2-D points, but this flow models ${d}-dimensional ones` +
        `${data.dim !== d ? ` and the data have ${data.dim} components` : ''}. Follow its negative log-likelihood in the Training curves.`,
      exp.location,
    );
  }
  const solver = { ...DEFAULT_CNF_SOLVER, ...exp.solver };
  let left = opts.maxCost ?? Infinity;
  const limit = () => (Number.isFinite(left) ? { maxNumSteps: stepsFor(solver.method, left) } : {});
  const T = field.time;
  // Frames from T down to 0 (the order the samples flow in); the grid's solve runs the other way.
  const t = Float64Array.from({ length: CNF_FRAMES }, (_, f) => (f === CNF_FRAMES - 1 ? 0 : T * (1 - f / (CNF_FRAMES - 1))));
  let nfe = 0;
  const errors: string[] = [];

  // Samples first: the box must hold where they start as well as the data.
  const base = new Rng(opts.seed ?? 0).fillNormal(new Float64Array(CNF_SAMPLES * 2));
  let samples: CnfPreview['samples'] = null;
  try {
    const sol = await odeint((s, y: Float64Array) => field.velocity(s, y), base, Array.from(t), { ...solver, options: { ...solver.options, ...limit() } });
    nfe += sol.stats.nfe;
    left -= sol.stats.nfe;
    const frames = (sol.ys as Float64Array[]).map((y) => split(y, CNF_SAMPLES, 2));
    samples = { x: frames.map((f) => f.x), y: frames.map((f) => f.y) };
  } catch (err) {
    errors.push(failure(err, 'the samples’ flow', opts.maxCost));
  }
  const bounds = boxOf(data, base);

  // The grid and the first data points, flowed together from 0 to T with the exact trace.
  const m = Math.max(2, Math.min(MAX_DENSITY_GRID, 2 * Math.round(opts.grid)));
  const nllPoints = Math.min(data.n, MAX_NLL_POINTS);
  const nodes = m * m;
  const xs = new Float64Array((nodes + nllPoints) * 2);
  xs.set(gridPoints(bounds, m));
  xs.set(data.x.subarray(0, nllPoints * 2), nodes * 2);
  const g = field.withTrace(d <= MAX_EXACT_DIM ? 'exact' : 'hutchinson');
  if (g.trace === 'hutchinson') g.drawNoise(nodes + nllPoints, new Rng(opts.seed ?? 0));
  let mesh: CnfPreview['mesh'] = null;
  let nll = NaN;
  if (left >= 1) {
    try {
      const up = Array.from(t).reverse();
      const sol = await odeint((s, y: Float64Array) => g.f(s, y), cnfInitialState(xs, d), up, { ...solver, options: { ...solver.options, ...limit() } });
      nfe += sol.stats.nfe;
      const ys = sol.ys as Float64Array[];
      const yT = ys[ys.length - 1];
      const { logp } = cnfNll(yT, d);
      let sum = 0;
      for (let k = 0; k < nllPoints; k++) sum -= logp[nodes + k];
      nll = sum / nllPoints;
      // Frame f is output time up[F − 1 − f]: log p_t(z(t)) = log p(x) + Δlogp(t), Δlogp(t) = −∫₀ᵗ tr ∂f/∂z.
      const frames = ys.slice().reverse().map((y) => {
        const at = split(y, nodes, 3);
        const lp = Float64Array.from({ length: nodes }, (_, k) => logp[k] + y[3 * k + 2]);
        return { ...at, logp: lp };
      });
      mesh = { x: frames.map((f) => f.x), y: frames.map((f) => f.y), logp: frames.map((f) => f.logp) };
    } catch (err) {
      errors.push(failure(err, 'the density', opts.maxCost));
    }
  } else {
    errors.push(overBudget('the density', opts.maxCost));
  }

  // The velocity on the vector-field grid: one evaluation of f.
  const n = Math.max(2, Math.round(opts.grid));
  const fieldAt0 = field.velocity(0, gridPoints(bounds, n));
  const uv = split(fieldAt0, n * n, 2);
  nfe += 1;

  const shown = Math.min(data.n, MAX_SHOWN_POINTS);
  return {
    t,
    time: T,
    bounds,
    m,
    mesh,
    samples,
    nll,
    nllPoints,
    data: split(data.x, shown, 2),
    field: { n, u: uv.x, v: uv.y },
    nfe,
    error: errors.length > 0 ? errors.join(' ') : null,
  };
}

/**
 * A CNF experiment as the panels' preview: the run's latest weights (or the untrained flow's),
 * the density preview, and for the trajectories panel a message that points at the vector field.
 */
export async function cnfExperimentPreview(
  exp: Experiment,
  data: ExperimentData,
  field: CnfField,
  opts: PreviewOptions,
): Promise<ExperimentPreview> {
  const points = checkCnfData(exp, data as TrajectoryData | PointData, field).data;
  let iteration: number | null = null;
  if (opts.runId !== undefined) iteration = loadRunWeights(exp, field, null, opts.runsRoot, opts.runId);
  const density = await previewCnf(exp, points, field, { grid: opts.grid, maxCost: opts.maxCost });
  return {
    experiment: exp.name,
    runId: opts.runId ?? null,
    iteration,
    dim: 2,
    slice: null,
    t0: 0,
    task: 'density',
    frames: null,
    classification: null,
    planes: [],
    bounds: density.bounds,
    field: density.field,
    data: { t: new Float64Array(0), ...density.data },
    predicted: null,
    predictedError:
      'a continuous normalising flow has no trajectory over time to plot: the Vector field panel (Neural ODE: Open Vector Field) ' +
      'draws its density and the flow of its samples.',
    components: { data: [], predicted: null },
    nfe: density.nfe,
    density,
  };
}
