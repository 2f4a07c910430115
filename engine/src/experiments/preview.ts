/**
 * What the vector-field and trajectories panels draw: an experiment's data, its model's field
 * sampled on a grid over the data (at several times when the field depends on t), and the
 * model's solve from the data's y0 over the data's t, or, for a classifier, every point's flow
 * from t = 0 to 1 with the readout's verdict. The weights are those of a run's latest
 * checkpoint, or the untrained model's. Everything comes back as plain arrays (components 0
 * and 1 when the state has more than two).
 */
import type { PointData } from '../data/types';
import type { NativeField } from '../fields/field';
import { evaluateField, solveField } from '../device/solveField';
import { SolverError } from '../solvers/errors';
import { methodInfo } from '../solvers/registry';
import { ExperimentError, type Experiment } from './define';
import { cnfExperimentPreview, type CnfPreview } from './cnfPreview';
import { buildFieldOrFlow, loadRunWeights } from './modelSource';
import { latentExperimentPreview, type LatentPreview } from './latentPreview';
import { checkPointData, flowInputs, isPointData, FLOW_TIME, type CheckedPoints } from './pointTask';
import { LinearReadout } from './readout';

export interface PreviewOptions {
  /** Show this run's latest checkpoint (a folder name under runsRoot; `ID@best` for its best); untrained when absent. */
  runsRoot?: string;
  runId?: string;
  /** Grid points per axis (2–200). */
  grid: number;
  /**
   * Evaluations of f the preview's solves may spend (the user's neuralOde.preview.maxCost); a
   * solve that would need more is skipped and says so. Default: 20,000 steps.
   */
  maxCost?: number;
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
  /** `field` is sampled at t = t0. */
  t0: number;
  /** 'classification' for labelled points (then `classification` is set); 'density' for a CNF (then `density` is set). */
  task: 'trajectory' | 'classification' | 'density';
  /**
   * The field sampled at FRAME_COUNT times over the data's time span (a classifier's [0, 1]),
   * for a time slider; null when the samples do not differ (an autonomous field).
   */
  frames: { t: Float64Array; u: Float64Array[]; v: Float64Array[] } | null;
  classification: ClassificationPreview | null;
  /**
   * States of more than two components: the field on the other planes of two components among
   * the first PLANE_DIMS (the arrays above are the plane of components 0 and 1), each sampled
   * over the box of what the panels draw on it.
   */
  planes: PreviewPlane[];
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
  /** A continuous normalising flow's density and samples over time (cnfPreview.ts). */
  density?: CnfPreview;
  /** A latent ODE's observed, reconstructed and extrapolated series (latentPreview.ts). */
  latent?: LatentPreview | null;
}

/** The field on the plane of components `axes`, the others at the grid's base state. */
export interface PreviewPlane {
  axes: [number, number];
  bounds: ExperimentPreview['bounds'];
  field: { n: number; u: Float64Array; v: Float64Array };
  frames: ExperimentPreview['frames'];
}

/** Planes are offered among this many first components. */
export const PLANE_DIMS = 4;

/** A classifier's data and what the model does with them. */
export interface ClassificationPreview {
  /** The label values, ascending: class k is classes[k]. */
  classes: number[];
  /** The class index of every shown point (the first MAX_FLOW_POINTS of the data, as `data.x`). */
  labels: Int32Array;
  /** The readout's class for every shown point. */
  predicted: Int32Array;
  /** Loss and accuracy of these weights on every point of the data. */
  loss: number;
  accuracy: number;
  /** The flow's output times, 0 to 1. */
  t: Float64Array;
  /** flowX[i][p], flowY[i][p]: components 0 and 1 of shown point p at t[i]; null if the flow failed. */
  flowX: Float64Array[] | null;
  flowY: Float64Array[] | null;
  /** flows[k][i][p]: component k (< PLANE_DIMS) of shown point p at t[i], for the other planes; null if the flow failed. */
  flows: Float64Array[][] | null;
  /** A few flows, every component (the first MAX_COMPONENTS): components[k][s][i] at t[i], point `index[s]`. */
  sample: { index: Int32Array; labels: Int32Array; components: Float64Array[][] } | null;
}

/** Points whose flows go to the panels (the data come shuffled, so the first ones are a fair sample). */
export const MAX_FLOW_POINTS = 2000;
/** Output times of each flow. */
export const FLOW_STEPS = 21;
/** Flows per class in the trajectories panel's sample. */
export const SAMPLE_PER_CLASS = 24;
/** Times at which a time-dependent field is sampled. */
export const FRAME_COUNT = 11;

/** A panel plots one chart per component; more than this would not be read anyway. */
export const MAX_COMPONENTS = 16;

/** Component k of a list of states, for k < min(dim, MAX_COMPONENTS). */
function columns(ys: readonly Float64Array[], dim: number): Float64Array[] {
  return Array.from({ length: Math.min(dim, MAX_COMPONENTS) }, (_, k) => Float64Array.from(ys, (s) => s[k]));
}


/** The arrays one after another (absent ones skipped). */
function concat(parts: readonly (Float64Array | undefined)[]): Float64Array {
  const present = parts.filter((p): p is Float64Array => p !== undefined);
  const out = new Float64Array(present.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of present) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

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

/** The data's bounding box (and that of `also`, within `limit`), padded 20 % each way (and never empty). */
function paddedBounds(x: Float64Array, y: Float64Array, also: { x: Float64Array; y: Float64Array }[] = [], limit?: ExperimentPreview['bounds']): ExperimentPreview['bounds'] {
  let xMin = Infinity, xMax = -Infinity, yMin = Infinity, yMax = -Infinity;
  for (let i = 0; i < x.length; i++) {
    if (Number.isFinite(x[i])) { xMin = Math.min(xMin, x[i]); xMax = Math.max(xMax, x[i]); }
    if (Number.isFinite(y[i])) { yMin = Math.min(yMin, y[i]); yMax = Math.max(yMax, y[i]); }
  }
  for (const a of also) {
    for (let i = 0; i < a.x.length; i++) {
      if (Number.isFinite(a.x[i]) && limit) { xMin = Math.min(xMin, Math.max(limit.xMin, a.x[i])); xMax = Math.max(xMax, Math.min(limit.xMax, a.x[i])); }
      if (Number.isFinite(a.y[i]) && limit) { yMin = Math.min(yMin, Math.max(limit.yMin, a.y[i])); yMax = Math.max(yMax, Math.min(limit.yMax, a.y[i])); }
    }
  }
  if (!(xMin <= xMax)) { xMin = -1; xMax = 1; }
  if (!(yMin <= yMax)) { yMin = -1; yMax = 1; }
  const px = Math.max((xMax - xMin) * 0.2, 1e-3 * Math.max(1, Math.abs(xMin)));
  const py = Math.max((yMax - yMin) * 0.2, 1e-3 * Math.max(1, Math.abs(yMin)));
  return { xMin: xMin - px, xMax: xMax + px, yMin: yMin - py, yMax: yMax + py };
}

/** Grid states: components `axes` over the box, the others from `base`. */
function gridStates(bounds: ExperimentPreview['bounds'], n: number, base: Float64Array, axes: [number, number] = [0, 1]): Float64Array {
  const dim = base.length;
  const [a, b] = axes;
  const states = new Float64Array(n * n * dim);
  for (let j = 0; j < n; j++) {
    const yv = bounds.yMin + ((bounds.yMax - bounds.yMin) * j) / (n - 1);
    for (let i = 0; i < n; i++) {
      const o = (j * n + i) * dim;
      states.set(base, o);
      states[o + a] = bounds.xMin + ((bounds.xMax - bounds.xMin) * i) / (n - 1);
      if (dim > 1) states[o + b] = yv;
    }
  }
  return states;
}

/** Components `axes` of f at every grid state. */
async function sampleField(field: NativeField, t: number, states: Float64Array, dim: number, axes: [number, number] = [0, 1]): Promise<{ u: Float64Array; v: Float64Array }> {
  const dy = await evaluateField(field, t, states);
  const m = states.length / dim;
  const u = new Float64Array(m);
  const v = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    u[k] = dy[k * dim + axes[0]];
    v[k] = dim > 1 ? dy[k * dim + axes[1]] : 0;
  }
  return { u, v };
}

/**
 * The field on every plane of two of the first PLANE_DIMS components except (0, 1), each over
 * the padded box of `points(axis)` (every value the panels draw along that axis).
 */
async function otherPlanes(
  field: NativeField,
  dim: number,
  n: number,
  base: Float64Array,
  span: [number, number],
  points: (axis: number) => Float64Array,
): Promise<{ planes: PreviewPlane[]; nfe: number }> {
  const planes: PreviewPlane[] = [];
  let nfe = 0;
  const top = Math.min(dim, PLANE_DIMS);
  for (let a = 0; a < top; a++) {
    for (let b = a + 1; b < top; b++) {
      if (a === 0 && b === 1) continue;
      const axes: [number, number] = [a, b];
      const bounds = paddedBounds(points(a), points(b));
      const states = gridStates(bounds, n, base, axes);
      const first = await sampleField(field, span[0], states, dim, axes);
      const frames = await fieldFrames(field, span[0], span[1], states, dim, first, axes);
      nfe += frames ? FRAME_COUNT : 1;
      planes.push({ axes, bounds, field: { n, ...first }, frames });
    }
  }
  return { planes, nfe };
}

const sameSamples = (a: Float64Array, b: Float64Array): boolean => {
  for (let k = 0; k < a.length; k++) {
    if (a[k] !== b[k] && !(Math.abs(a[k] - b[k]) <= 1e-12 * Math.max(Math.abs(a[k]), Math.abs(b[k])))) return false;
  }
  return true;
};

/** The field at FRAME_COUNT times over [t0, t1]; null when every sample equals the first (an autonomous field). */
async function fieldFrames(
  field: NativeField,
  t0: number,
  t1: number,
  states: Float64Array,
  dim: number,
  first: { u: Float64Array; v: Float64Array },
  axes: [number, number] = [0, 1],
): Promise<ExperimentPreview['frames']> {
  if (!(t1 > t0)) return null;
  const t = Float64Array.from({ length: FRAME_COUNT }, (_, i) => t0 + ((t1 - t0) * i) / (FRAME_COUNT - 1));
  const u = [first.u];
  const v = [first.v];
  let differ = false;
  for (let i = 1; i < FRAME_COUNT; i++) {
    const s = await sampleField(field, t[i], states, dim, axes);
    differ ||= !sameSamples(s.u, first.u) || !sameSamples(s.v, first.v);
    u.push(s.u);
    v.push(s.v);
  }
  return differ ? { t, u, v } : null;
}

/** Up to SAMPLE_PER_CLASS points of each class, in data order. */
function sampleIndex(labels: Int32Array, classes: number): Int32Array {
  const taken = new Array<number>(classes).fill(0);
  const out: number[] = [];
  for (let p = 0; p < labels.length; p++) {
    if (taken[labels[p]] < SAMPLE_PER_CLASS) {
      taken[labels[p]]++;
      out.push(p);
    }
  }
  return Int32Array.from(out);
}

/** Steps a preview's solve may take: the NFE budget over the method's evaluations per step. */
function maxPreviewSteps(exp: Experiment, opts: PreviewOptions): number {
  if (opts.maxCost === undefined) return 20_000;
  const tab = methodInfo(exp.solver?.method ?? 'dopri5').tableau;
  // A first-same-as-last stage is the next step's first: one evaluation fewer per step.
  const perStep = tab ? tab.stages - (tab.fsal ? 1 : 0) : 1;
  return Math.max(1, Math.floor(opts.maxCost / perStep));
}

/** The message of a solve stopped by the preview's budget (null for any other failure). */
function overBudget(err: unknown, opts: PreviewOptions): string | null {
  if (opts.maxCost === undefined || !(err instanceof SolverError) || err.kind !== 'maxSteps') return null;
  return (
    `skipped: the model's solve needs more than the preview's budget of ${opts.maxCost} evaluations of f (setting neuralOde.preview.maxCost). ` +
    'Raise the setting, or train on: an untrained model is often stiff or fast.'
  );
}

export async function previewExperiment(exp: Experiment, opts: PreviewOptions): Promise<ExperimentPreview> {
  const n = Math.round(opts.grid);
  if (!(n >= 2 && n <= 200)) throw new RangeError(`The preview grid must have 2 to 200 points per axis, got ${opts.grid}.`);
  const latent = await latentExperimentPreview(exp, n, opts);
  if (latent) return latent;
  const built = await buildFieldOrFlow(exp);
  if (built.cnf) return cnfExperimentPreview(exp, built.data, built.cnf, opts);
  const { data, field } = built;
  if (isPointData(data)) return previewClassifier(exp, data, field, n, opts);
  // The model's own dimension wins (an augmented model works on more components than the data).
  const dim = field.dim ?? data.dim;
  if (dim < data.dim) {
    throw new ExperimentError(`the model works on ${dim} components per sample but the data '${data.name}' have ${data.dim}.`, exp.location);
  }
  let iteration: number | null = null;
  if (opts.runId !== undefined) iteration = loadRunWeights(exp, field, null, opts.runsRoot, opts.runId);

  const obs = firstTwo(data.ys, data.dim);
  const bounds = paddedBounds(obs.x, obs.y);
  const t0 = data.t[0] ?? 0;
  // The other components of a grid state sit at y0's (zeros past the data, as augmentation pads).
  const base = new Float64Array(dim);
  base.set(data.y0.subarray(0, Math.min(dim, data.y0.length)));
  const states = gridStates(bounds, n, base);
  const first = await sampleField(field, t0, states, dim);
  const frames = await fieldFrames(field, t0, data.t[data.t.length - 1] ?? t0, states, dim, first);

  let predicted: ExperimentPreview['predicted'] = null;
  let predictedError: string | null = null;
  let predictedComponents: Float64Array[] | null = null;
  let nfe = frames ? FRAME_COUNT : 1;
  try {
    const y0 = new Float64Array(base);
    const sol = await solveField(field, y0, data.t, {
      ...exp.solver,
      options: { ...exp.solver?.options, maxNumSteps: maxPreviewSteps(exp, opts) },
    });
    nfe += sol.stats.nfe;
    predicted = { t: Float64Array.from(data.t), ...firstTwo(sol.ys as Float64Array[], dim) };
    predictedComponents = columns(sol.ys as Float64Array[], dim);
  } catch (err) {
    predictedError = overBudget(err, opts) ?? `the model's solve from y0 failed: ${(err as Error)?.message ?? String(err)}`;
  }
  const dataComponents = columns(data.ys, data.dim);
  const other = await otherPlanes(field, dim, n, base, [t0, data.t[data.t.length - 1] ?? t0], (k) =>
    concat([dataComponents[k], predictedComponents?.[k]]),
  );
  nfe += other.nfe;

  return {
    experiment: exp.name,
    runId: opts.runId ?? null,
    iteration,
    dim,
    slice: dim > 2 ? `components 0 and 1 of ${dim}; the others held at y0's values` : null,
    t0,
    task: 'trajectory',
    frames,
    classification: null,
    planes: other.planes,
    bounds,
    field: { n, ...first },
    data: { t: Float64Array.from(data.t), ...obs },
    predicted,
    predictedError,
    components: { data: dataComponents, predicted: predictedComponents },
    nfe,
  };
}

/**
 * A classifier: the points (coloured by class in the panels), every shown point's flow from
 * t = 0 to 1 (one batched solve), the readout's verdict on each, and the field over the box of
 * the points and their flows, on the plane of components 0 and 1 (augmented components at 0).
 */
async function previewClassifier(exp: Experiment, data: PointData, field: NativeField, n: number, opts: PreviewOptions): Promise<ExperimentPreview> {
  const checked: CheckedPoints = checkPointData(exp, data, field);
  const { dim, encoding } = checked;
  const readout = new LinearReadout(dim, encoding.classes.length, checked.loss, (exp.train.seed ?? 0) + 1);
  let iteration: number | null = null;
  if (opts.runId !== undefined) iteration = loadRunWeights(exp, field, readout, opts.runsRoot, opts.runId);
  const shown = Math.min(data.n, MAX_FLOW_POINTS);
  const index = Int32Array.from({ length: shown }, (_, i) => i);
  const x = Float64Array.from(index, (p) => data.x[p * data.dim]);
  const y = Float64Array.from(index, (p) => (data.dim > 1 ? data.x[p * data.dim + 1] : 0));
  const labels = encoding.index.slice(0, shown);
  const t = Float64Array.from({ length: FLOW_STEPS }, (_, i) => (FLOW_TIME * i) / (FLOW_STEPS - 1));

  let nfe = 0;
  let flowX: Float64Array[] | null = null;
  let flowY: Float64Array[] | null = null;
  let flows: Float64Array[][] | null = null;
  let sample: ClassificationPreview['sample'] = null;
  let predictedError: string | null = null;
  let verdict = { loss: NaN, accuracy: NaN, predicted: new Int32Array(shown) };
  const solver = { ...exp.solver, options: { ...exp.solver?.options, maxNumSteps: maxPreviewSteps(exp, opts) } };
  try {
    // Every point to t = 1 for the loss and accuracy on the whole data set.
    const all = await solveField(field, flowInputs(checked), [0, FLOW_TIME], solver);
    nfe += all.stats.nfe;
    const v = readout.evaluate(all.ys[1] as Float64Array, encoding.index);
    verdict = { loss: v.loss, accuracy: v.accuracy, predicted: v.predicted.slice(0, shown) };
    // The shown points along the way, for drawing and animating their flows.
    const sol = await solveField(field, flowInputs(checked, index), t, solver);
    nfe += sol.stats.nfe;
    const ys = sol.ys as Float64Array[];
    flowX = ys.map((s) => Float64Array.from(index, (_, p) => s[p * dim]));
    flowY = ys.map((s) => Float64Array.from(index, (_, p) => (dim > 1 ? s[p * dim + 1] : 0)));
    flows = dim > 2 ? Array.from({ length: Math.min(dim, PLANE_DIMS) }, (_, k) => ys.map((s) => Float64Array.from(index, (_, p) => s[p * dim + k]))) : null;
    const pick = sampleIndex(labels, encoding.classes.length);
    sample = {
      index: pick,
      labels: Int32Array.from(pick, (p) => labels[p]),
      components: Array.from({ length: Math.min(dim, MAX_COMPONENTS) }, (_, k) =>
        Array.from(pick, (p) => Float64Array.from(ys, (s) => s[p * dim + k])),
      ),
    };
  } catch (err) {
    predictedError = overBudget(err, opts) ?? `the model's flow of the points failed: ${(err as Error)?.message ?? String(err)}`;
  }

  // The box holds the points and (within twice their extent) where they flow.
  const inner = paddedBounds(x, y);
  const wx = inner.xMax - inner.xMin, wy = inner.yMax - inner.yMin;
  const limit = { xMin: inner.xMin - wx, xMax: inner.xMax + wx, yMin: inner.yMin - wy, yMax: inner.yMax + wy };
  const bounds = flowX && flowY ? paddedBounds(x, y, flowX.map((fx, i) => ({ x: fx, y: flowY![i] })), limit) : inner;
  const states = gridStates(bounds, n, new Float64Array(dim));
  const first = await sampleField(field, 0, states, dim);
  const frames = await fieldFrames(field, 0, FLOW_TIME, states, dim, first);
  nfe += frames ? FRAME_COUNT : 1;
  // Other planes: the box of the points' flows in those components (inputs pad with zeros).
  const other = await otherPlanes(field, dim, n, new Float64Array(dim), [0, FLOW_TIME], (k) => concat(flows ? flows[k] : []));
  nfe += other.nfe;

  return {
    experiment: exp.name,
    runId: opts.runId ?? null,
    iteration,
    dim,
    slice: dim > 2 ? `components 0 and 1 of ${dim}; the others at 0 (augmented)` : null,
    t0: 0,
    task: 'classification',
    frames,
    classification: {
      classes: encoding.classes,
      labels,
      predicted: verdict.predicted,
      loss: verdict.loss,
      accuracy: verdict.accuracy,
      t,
      flowX,
      flowY,
      flows,
      sample,
    },
    planes: other.planes,
    bounds,
    field: { n, ...first },
    data: { t: new Float64Array(0), x, y },
    predicted: null,
    predictedError,
    components: { data: [], predicted: null },
    nfe,
  };
}
