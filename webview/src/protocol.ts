/**
 * The messages between the extension host and the webview panels, in one place: a map from
 * message name to payload for each direction, and a validator for every message. Both sides
 * import this file (the host through a relative path), so a renamed field breaks the build, and
 * both sides check what they receive, because a webview is a separate page whose messages are
 * data, not trusted calls. Payloads are plain data that survive JSON (NaN and ±Infinity do not: see WireCurvePoint).
 *
 * No DOM and no Node here: the file is compiled into the browser bundle and the extension host.
 */

/** One training iteration as the curves panel draws it: a subset of a metrics.jsonl record. */
export interface CurvePoint {
  iteration: number;
  loss?: number;
  /** The task's evaluation loss (on the whole data), present only on evaluated iterations. */
  evalLoss?: number;
  /** A classifier's fraction of the batch classified right, in [0, 1]. */
  accuracy?: number;
  /** A classifier's fraction of every point classified right, on evaluated iterations. */
  evalAccuracy?: number;
  nfeForward?: number;
  nfeBackward?: number;
  /** Seconds this iteration took (the host derives it from `wallSeconds` for runs that did not record it). */
  iterationSeconds?: number;
  /**
   * Seconds since the run (or its resumed part) started; the host sends the training time up to
   * the point across resumed parts, which reads the same (elapsed.ts) and survives downsampling.
   */
  wallSeconds?: number;
  lr?: number;
  /** train.regularize's kinetic energy ∫‖f‖² dt and Jacobian term ∫‖∂f/∂y‖²_F dt, unweighted. */
  kinetic?: number;
  jacobian?: number;
}

/**
 * A CurvePoint as it travels to the webview: webview messages go through JSON, where NaN and
 * ±Infinity (a diverged loss) become null. The page reads null back as NaN (`fromWire`), drawn
 * as a gap with a marker.
 */
export type WireCurvePoint = { [K in keyof CurvePoint]: K extends 'iteration' ? number : number | null };

/** A received point with null back as NaN. */
export function fromWire(p: WireCurvePoint): CurvePoint {
  const out: CurvePoint = { iteration: p.iteration };
  for (const [k, v] of Object.entries(p) as [keyof CurvePoint, number | null | undefined][]) {
    if (k !== 'iteration' && v !== undefined) out[k] = v === null ? NaN : v;
  }
  return out;
}

/**
 * Values counted over equal bins of [min, max] (the last bin includes max; when min = max all
 * are in the first); NaN and infinities are left out and counted in `nonFinite`.
 */
export interface HistogramBins {
  min: number;
  max: number;
  counts: number[];
  nonFinite?: number;
}

/** One parameter group of a model (a state_dict key, 'params', 'readout') at a sampled iteration. */
export interface HistogramGroupSample {
  name: string;
  /** Values in the group. */
  size: number;
  /** The weights after the iteration's step. */
  weights: HistogramBins;
  /** The gradient the step used. */
  gradients: HistogramBins;
}

/** One line of a run's histograms.jsonl (train.histograms): every group at one iteration. */
export interface HistogramSample {
  iteration: number;
  groups: HistogramGroupSample[];
}

/** What a run was trained with, from its config.json (null: not recorded, or an older run). */
export interface CurveRunHparams {
  task: string | null;
  solver: string | null;
  rtol: number | null;
  atol: number | null;
  gradient: string | null;
  optimizer: string | null;
  lr: number | null;
  /** The iterations the run was started to reach. */
  iterations: number | null;
}

/** Figures over a run's whole metrics stream (null: the run has not recorded them). */
export interface CurveRunStats {
  bestEvalLoss: number | null;
  bestEvalIteration: number | null;
  /** Σ (nfeForward + nfeBackward) over every iteration. */
  totalNfe: number | null;
  /** Training time, summed over the resumed parts of the run. */
  seconds: number | null;
}

/** A run as the run picker and the runs table list it. */
export interface CurveRunInfo {
  id: string;
  experiment: string;
  /** The run's own name, tags and note from config.json (null/empty when it has none). */
  name: string | null;
  tags: string[];
  note: string | null;
  status: string;
  createdAt: string;
  lastIteration: number | null;
  lastLoss: number | null;
  /** Why a run failed, was cancelled or reads as interrupted (result.json's message). */
  message: string | null;
  /** Why the run slowed down and what to change, when the slowdown doctor found it (slowdown.json). */
  slowdown: string | null;
  hparams: CurveRunHparams;
  stats: CurveRunStats;
}

/**
 * Which weights a panel of an experiment shows: the experiment's newest run (followed, so the
 * next run is picked up as soon as it writes a checkpoint), that run's best checkpoint, the
 * untrained model, or one run the user chose.
 */
export type RunPick = 'latest' | 'best' | 'untrained' | 'run';
export const RUN_PICKS: readonly RunPick[] = ['latest', 'best', 'untrained', 'run'];

/** What a panel of an experiment shows: the experiment, and the weights (untrained, or a run's checkpoint). */
export interface FieldSource {
  /** The experiment file, absolute. */
  file: string;
  /** A run reference (`ID`, its latest checkpoint, or `ID@best`); null: untrained. */
  runId: string | null;
  /** How runId was chosen; absent: 'run' with a run, else 'untrained'. */
  pick?: RunPick;
}

/** One entry of a panel's weights picker: `value` is 'latest', 'best', 'untrained', or 'run:' and a run reference. */
export interface WeightsChoice {
  value: string;
  label: string;
}

/**
 * The model's field on an n × n grid over the data (row-major: index j·n + i is the i-th x and
 * j-th y), the data and the model's solve from y0; components 0 and 1 of larger states.
 */
export interface FieldPreview {
  source: FieldSource;
  experiment: string;
  /** The checkpoint's iteration; null for the untrained model. */
  iteration: number | null;
  dim: number;
  /** How a state of more than two components was cut (null for two). */
  slice: string | null;
  bounds: { xMin: number; xMax: number; yMin: number; yMax: number };
  n: number;
  u: number[];
  v: number[];
  data: { x: number[]; y: number[] };
  predicted: { x: number[]; y: number[] } | null;
  predictedError: string | null;
  /**
   * The field sampled at several times (u[i], v[i] at t[i], n² values each, as u and v), when it
   * depends on t; absent for an autonomous field. u and v above are the samples at t[0].
   */
  frames?: FieldFrames;
  /** A classifier's points (data.x/y are its inputs at t = 0) and their flows to t = 1. */
  classification?: FieldClassification;
  /**
   * States of more than two components: the field on the other planes of two of the first
   * four components (the arrays above are the plane of components 0 and 1).
   */
  planes?: FieldPlane[];
  /** With planes, a trajectory's first components over its times: data[k][i], predicted[k][i]. */
  components?: { data: number[][]; predicted: number[][] | null };
  /** A continuous normalising flow: its density and samples over time (u and v are its velocity at t = 0). */
  density?: FieldDensity;
}

/**
 * A CNF's density and the flow of its samples, at frames t[0] = T (the base N(0, I)) down to
 * t[last] = 0 (the data). The density is an m × m grid over `bounds` at t = 0 carried along the
 * flow: mesh.x[f][k], mesh.y[f][k] is where node k (row-major, j·m + i) is at t[f], mesh.logp[f][k]
 * the log-density there.
 */
export interface FieldDensity {
  t: number[];
  m: number;
  mesh: { x: number[][]; y: number[][]; logp: number[][] } | null;
  /** samples.x[f][s], samples.y[f][s]: sample s at t[f]. */
  samples: { x: number[][]; y: number[][] } | null;
  /** Mean NLL (nats) of the first `nllPoints` data points (null when the density was skipped). */
  nll: number | null;
  nllPoints: number;
  /** Evaluations of f the preview spent. */
  nfe: number;
  /** Why the mesh or the samples are missing. */
  error: string | null;
}

export interface FieldPlane {
  /** The components along x and y. */
  axes: [number, number];
  bounds: { xMin: number; xMax: number; yMin: number; yMax: number };
  /** n² samples as FieldPreview's u and v, on this plane. */
  u: number[];
  v: number[];
  frames?: FieldFrames;
}

export interface FieldFrames {
  t: number[];
  u: number[][];
  v: number[][];
}

export interface FieldClassification {
  /** Label values, ascending: class k is classes[k]. */
  classes: number[];
  /** Class index of every data point. */
  labels: number[];
  /** The readout's class for every data point. */
  predicted: number[];
  /** Loss and accuracy of the shown weights on every point of the data. */
  loss: number;
  accuracy: number;
  /** Flow output times, 0 to 1. */
  t: number[];
  /** flowX[i][p], flowY[i][p]: where data point p is at t[i]; null if the flow failed. */
  flowX: number[][] | null;
  flowY: number[][] | null;
  /** With planes: flows[k][i][p], component k of point p at t[i], for the first four components. */
  flows?: number[][][];
}

/** A classifier's flows for the trajectories panel: components[k][s][i] of flow s at t[i]. */
export interface TrajectoryFlows {
  classes: number[];
  /** Class index of each flow. */
  labels: number[];
  components: number[][][];
  accuracy: number;
}

/**
 * What the trajectories panel shows: each component of the data and of the model's solve from
 * y0 over the observation times t (the first few components of larger states).
 */
export interface TrajectoryPreview {
  source: FieldSource;
  experiment: string;
  iteration: number | null;
  /** Components of the model's state (the data may have fewer: augmentation). */
  dim: number;
  t: number[];
  /** data[k][i]: component k observed at t[i]. */
  data: number[][];
  /** predicted[k][i]: component k of the solve at t[i]; null if the solve failed. */
  predicted: number[][] | null;
  predictedError: string | null;
  /** A classifier: a sample of its points' flows over t (then data is empty and predicted null). */
  flows?: TrajectoryFlows;
  /** A latent ODE: a few series, observed, reconstructed and extrapolated (then t and data are empty). */
  latent?: TrajectoryLatent;
}

/** Times with the two components of a series there. */
export interface XYSeries {
  t: number[];
  x: number[];
  y: number[];
}

/** One series of a latent ODE: observations, the decoded solve inside the observed span and past it, the noise-free truth. */
export interface LatentSeriesView {
  index: number;
  observed: XYSeries;
  reconstruction: XYSeries;
  extrapolation: XYSeries;
  truth: XYSeries;
}

export interface TrajectoryLatent {
  /** RMSE over every series of the data (null: nothing to score). */
  rmse: { interpolation: number | null; extrapolation: number | null };
  series: LatentSeriesView[];
}

/** Host → webview. */
export interface HostToWebview {
  /** Every run in the workspace and the ones the panel shows. */
  'curves/runs': { runs: CurveRunInfo[]; selected: string[] };
  /** Points of one run: all of them (`reset`), or only those appended since the last message. */
  'curves/metrics': { runId: string; reset: boolean; points: WireCurvePoint[] };
  /** Histogram samples of one run: all of them (`reset`), or only those appended since the last message. */
  'curves/histograms': { runId: string; reset: boolean; samples: HistogramSample[] };
  /** Something the user should know, shown in the panel (an unreadable line, a failed export). */
  'panel/notice': { level: 'info' | 'warning' | 'error'; text: string };
  /** The weights an experiment's panel can show, and the one chosen. */
  'panel/weights': { choices: WeightsChoice[]; selected: string };
  /** An experiment panel's engine is evaluating (`busy`), or gave up (`error`, shown until the next result). */
  'panel/status': { busy: boolean; error: string | null };
  /** A new preview of the field (after opening, a save, or a new checkpoint). */
  'vectorField/preview': FieldPreview;
  /** A new evaluation of the trajectories (after opening, a save, or a new checkpoint). */
  'trajectories/preview': TrajectoryPreview;
}

/** Webview → host. The webview sends `panel/ready` first; the host then replays its state. */
export interface WebviewToHost {
  'panel/ready': Record<string, never>;
  /** The user chose other weights (a WeightsChoice's value). */
  'panel/pickWeights': { value: string };
  /** The runs the user picked. */
  'curves/select': { runIds: string[] };
  /** Save the charts as a PNG (a data: URL of the composed canvas). */
  'curves/exportPng': { dataUrl: string; suggestedName: string };
  /** Save the metrics of these runs as CSV. */
  'curves/exportCsv': { runIds: string[] };
  /** Evaluate the experiment again (an experiment panel's refresh button). */
  'panel/refresh': Record<string, never>;
}

export type MessageOf<M> = { [K in keyof M]: { type: K; payload: M[K] } }[keyof M];
export type HostMessage = MessageOf<HostToWebview>;
export type WebviewMessage = MessageOf<WebviewToHost>;

export type Validation<T> = { ok: true; value: T } | { ok: false; error: string };

/** A check returns null when `v` fits, else what is wrong (the caller prefixes the path). */
type Check = (v: unknown, path: string) => string | null;

const describe = (v: unknown): string => {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return v.length > 40 ? `a string of ${v.length} characters` : JSON.stringify(v);
  if (typeof v === 'number') return String(v);
  return typeof v;
};

const num: Check = (v, p) => (typeof v === 'number' ? null : `${p}: expected a number, got ${describe(v)}`);
const finiteInt: Check = (v, p) => (typeof v === 'number' && Number.isInteger(v) ? null : `${p}: expected an integer, got ${describe(v)}`);
const bool: Check = (v, p) => (typeof v === 'boolean' ? null : `${p}: expected true or false, got ${describe(v)}`);
const str = (maxLength: number): Check => (v, p) => {
  if (typeof v !== 'string') return `${p}: expected a string, got ${describe(v)}`;
  return v.length <= maxLength ? null : `${p}: longer than ${maxLength} characters`;
};
const nullable = (c: Check): Check => (v, p) => (v === null ? null : c(v, p));
const oneOf = (values: readonly string[]): Check => (v, p) =>
  typeof v === 'string' && values.includes(v) ? null : `${p}: expected one of ${values.join(', ')}, got ${describe(v)}`;
const arrayOf = (item: Check, maxLength: number): Check => (v, p) => {
  if (!Array.isArray(v)) return `${p}: expected an array, got ${describe(v)}`;
  if (v.length > maxLength) return `${p}: more than ${maxLength} items`;
  for (let i = 0; i < v.length; i++) {
    const e = item(v[i], `${p}[${i}]`);
    if (e) return e;
  }
  return null;
};
/** An object with these keys (optional ones may be absent or undefined) and no others. */
const object = (required: Record<string, Check>, optional: Record<string, Check> = {}): Check => (v, p) => {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return `${p}: expected an object, got ${describe(v)}`;
  const o = v as Record<string, unknown>;
  for (const [k, c] of Object.entries(required)) {
    if (!(k in o)) return `${p}.${k}: missing`;
    const e = c(o[k], `${p}.${k}`);
    if (e) return e;
  }
  for (const [k, c] of Object.entries(optional)) {
    if (o[k] === undefined) continue;
    const e = c(o[k], `${p}.${k}`);
    if (e) return e;
  }
  for (const k of Object.keys(o)) {
    if (!(k in required) && !(k in optional)) return `${p}.${k}: not a field of this message`;
  }
  return null;
};

/**
 * A run id names a folder under .neural-ode/runs/: the host joins it to a path, so anything
 * that could leave that folder is refused here, before any lookup.
 */
const runId: Check = (v, p) => {
  const e = str(200)(v, p);
  if (e) return e;
  const s = v as string;
  return s === '' || s.startsWith('.') || /[/\\\0]/.test(s) ? `${p}: not a run id: ${describe(s)}` : null;
};

/** Enough for a million-iteration run; more is a bug on the sending side. */
const MAX_POINTS = 5_000_000;
const MAX_RUNS = 10_000;

/** A metric's value, or null where it was not finite (NaN and ±Infinity do not survive JSON). */
const metric = nullable(num);
const curvePoint = object(
  { iteration: num },
  { loss: metric, evalLoss: metric, accuracy: metric, evalAccuracy: metric, nfeForward: metric, nfeBackward: metric, iterationSeconds: metric, wallSeconds: metric, lr: metric, kinetic: metric, jacobian: metric },
);

/** A sample every iteration of a 100 000-iteration run; the engine allows 200 bins. */
const MAX_HISTOGRAM_SAMPLES = 100_000;
const MAX_HISTOGRAM_GROUPS = 1000;
const MAX_HISTOGRAM_BINS = 200;
const count: Check = (v, p) => finiteInt(v, p) ?? ((v as number) >= 0 ? null : `${p}: expected a count ≥ 0, got ${describe(v)}`);
const histogramBins: Check = (v, p) => {
  const e = object({ min: num, max: num, counts: arrayOf(count, MAX_HISTOGRAM_BINS) }, { nonFinite: count })(v, p);
  if (e) return e;
  const h = v as HistogramBins;
  if (!(Number.isFinite(h.min) && Number.isFinite(h.max) && h.min <= h.max)) return `${p}: expected finite min ≤ max, got ${h.min} and ${h.max}`;
  return h.counts.length > 0 ? null : `${p}.counts: expected at least one bin`;
};
const histogramSample = object({
  iteration: count,
  groups: arrayOf(object({ name: str(200), size: count, weights: histogramBins, gradients: histogramBins }), MAX_HISTOGRAM_GROUPS),
});

const runHparams = object({
  task: nullable(str(100)),
  solver: nullable(str(100)),
  rtol: nullable(num),
  atol: nullable(num),
  gradient: nullable(str(100)),
  optimizer: nullable(str(100)),
  lr: nullable(num),
  iterations: nullable(finiteInt),
});

const runStats = object({ bestEvalLoss: nullable(num), bestEvalIteration: nullable(num), totalNfe: nullable(num), seconds: nullable(num) });

const runInfo = object({
  id: runId,
  experiment: str(500),
  name: nullable(str(500)),
  tags: arrayOf(str(100), 100),
  note: nullable(str(10_000)),
  status: str(40),
  createdAt: str(100),
  lastIteration: nullable(finiteInt),
  lastLoss: nullable(num),
  message: nullable(str(10_000)),
  slowdown: nullable(str(10_000)),
  hparams: runHparams,
  stats: runStats,
});

/** 64 MiB of base64: a PNG of a few charts is well under 1 MiB. */
const MAX_DATA_URL = 64 * 1024 * 1024;
const pngDataUrl: Check = (v, p) => {
  const e = str(MAX_DATA_URL)(v, p);
  if (e) return e;
  return /^data:image\/png;base64,[A-Za-z0-9+/]+=*$/.test(v as string) ? null : `${p}: expected a data:image/png;base64 URL`;
};
/** A file name only (the host puts it in a folder the user picks). */
const fileName: Check = (v, p) => {
  const e = str(200)(v, p);
  if (e) return e;
  return /^[\w.@ -]+$/.test(v as string) && !(v as string).startsWith('.') ? null : `${p}: not a plain file name: ${describe(v)}`;
};

/** 200 × 200 grid points, and a million data points: more is a bug on the sending side. */
const MAX_GRID = 200 * 200;
const MAX_SERIES = 1_000_000;
/** An absolute path of an experiment file (the host only reads it through the engine). */
const filePath = str(4096);
const fieldSource = object({ file: filePath, runId: nullable(runId) }, { pick: oneOf(RUN_PICKS) });
/** A weights picker's value: a RunPick other than 'run', or 'run:' and a run reference. */
const weightsValue: Check = (v, p) => {
  if (typeof v === 'string' && v.startsWith('run:')) return runId(v.slice(4), p);
  return oneOf(['latest', 'best', 'untrained'])(v, p);
};
/** A run's weights in a picker: runs of one experiment, each latest and best. */
const MAX_WEIGHTS_CHOICES = 2 * MAX_RUNS + 3;
const weightsMessage = object({ choices: arrayOf(object({ value: weightsValue, label: str(500) }), MAX_WEIGHTS_CHOICES), selected: weightsValue });
const pickWeightsMessage = object({ value: weightsValue });
const statusMessage = object({ busy: bool, error: nullable(str(10_000)) });
const noticeMessage = object({ level: oneOf(['info', 'warning', 'error']), text: str(10_000) });
const xySeries = object({ x: arrayOf(num, MAX_SERIES), y: arrayOf(num, MAX_SERIES) });
/** A classifier's labels are class indices below this (the engine allows 64 classes). */
const MAX_CLASSES = 64;
/** Planes are offered among the first four components: six planes at most. */
const MAX_PLANE_DIMS = 4;
const MAX_FRAMES = 64;
/** Flow output times; the engine sends 21. */
const MAX_FLOW_TIMES = 1000;
const classIndex: Check = (v, p) => finiteInt(v, p) ?? ((v as number) >= 0 && (v as number) < MAX_CLASSES ? null : `${p}: expected a class index 0 to ${MAX_CLASSES - 1}`);
const fieldFrames = object({ t: arrayOf(num, MAX_FRAMES), u: arrayOf(arrayOf(num, MAX_GRID), MAX_FRAMES), v: arrayOf(arrayOf(num, MAX_GRID), MAX_FRAMES) });
const fieldClassification = object({
  classes: arrayOf(num, MAX_CLASSES),
  labels: arrayOf(classIndex, MAX_SERIES),
  predicted: arrayOf(classIndex, MAX_SERIES),
  loss: num,
  accuracy: num,
  t: arrayOf(num, MAX_FLOW_TIMES),
  flowX: nullable(arrayOf(arrayOf(num, MAX_SERIES), MAX_FLOW_TIMES)),
  flowY: nullable(arrayOf(arrayOf(num, MAX_SERIES), MAX_FLOW_TIMES)),
}, { flows: arrayOf(arrayOf(arrayOf(num, MAX_SERIES), MAX_FLOW_TIMES), MAX_PLANE_DIMS) });
const boundsCheck = object({ xMin: num, xMax: num, yMin: num, yMax: num });
const fieldPlane = object({
  axes: arrayOf(finiteInt, 2),
  bounds: boundsCheck,
  u: arrayOf(num, MAX_GRID),
  v: arrayOf(num, MAX_GRID),
}, { frames: fieldFrames });
const fieldComponents = object({
  data: arrayOf(arrayOf(num, MAX_SERIES), MAX_PLANE_DIMS),
  predicted: nullable(arrayOf(arrayOf(num, MAX_SERIES), MAX_PLANE_DIMS)),
});

/** Frames of one plane agree with the grid. */
function framesFit(fr: FieldFrames | undefined, n: number, p: string): string | null {
  if (!fr) return null;
  if (fr.t.length < 2 || fr.u.length !== fr.t.length || fr.v.length !== fr.t.length) return `${p}.frames: needs t, u and v of one length ≥ 2`;
  if ([...fr.u, ...fr.v].some((a) => a.length !== n * n)) return `${p}.frames: every frame needs n² values`;
  return null;
}

/** Frames and a classifier's arrays agree with the grid and the data in size. */
function fieldExtras(f: FieldPreview, p: string): string | null {
  const e = framesFit(f.frames, f.n, p);
  if (e) return e;
  for (const [i, pl] of (f.planes ?? []).entries()) {
    const q = `${p}.planes[${i}]`;
    const [a, b] = pl.axes;
    if (pl.axes.length !== 2 || !(a >= 0 && a < b && b < Math.min(f.dim, MAX_PLANE_DIMS))) return `${q}.axes: two components a < b below min(dim, ${MAX_PLANE_DIMS})`;
    if (pl.u.length !== f.n * f.n || pl.v.length !== f.n * f.n) return `${q}: needs n² values in u and v`;
    if (!(pl.bounds.xMin < pl.bounds.xMax && pl.bounds.yMin < pl.bounds.yMax)) return `${q}.bounds: empty box`;
    const fe = framesFit(pl.frames, f.n, q);
    if (fe) return fe;
  }
  if (f.components) {
    if (f.components.data.some((c) => c.length !== f.data.x.length)) return `${p}.components: one data value per observation`;
    if (f.components.predicted?.some((c) => c.length !== (f.predicted?.x.length ?? -1))) return `${p}.components: one predicted value per time`;
  }
  const c = f.classification;
  if (c) {
    const m = f.data.x.length;
    if (c.labels.length !== m || c.predicted.length !== m) return `${p}.classification: one label and one prediction per data point (${m})`;
    if ([...c.labels, ...c.predicted].some((k) => k >= c.classes.length)) return `${p}.classification: a class index beyond classes`;
    if ((c.flowX === null) !== (c.flowY === null)) return `${p}.classification: flowX and flowY are both present or both null`;
    if (c.flowX && c.flowY) {
      if (c.flowX.length !== c.t.length || c.flowY.length !== c.t.length) return `${p}.classification: one flow row per time in t`;
      if ([...c.flowX, ...c.flowY].some((row) => row.length !== m)) return `${p}.classification: every flow row needs one value per data point (${m})`;
    }
    if (c.flows?.some((k) => k.length !== c.t.length || k.some((row) => row.length !== m))) {
      return `${p}.classification.flows: one row per time in t, one value per data point (${m}) in each`;
    }
  }
  return null;
}

/** Samples a CNF's preview flows (the engine sends 1000). */
const MAX_DENSITY_SAMPLES = 20_000;
const densityRows = (maxRow: number): Check => arrayOf(arrayOf(num, maxRow), MAX_FRAMES);
const fieldDensityShape = object({
  t: arrayOf(num, MAX_FRAMES),
  m: finiteInt,
  mesh: nullable(object({ x: densityRows(MAX_GRID), y: densityRows(MAX_GRID), logp: densityRows(MAX_GRID) })),
  samples: nullable(object({ x: densityRows(MAX_DENSITY_SAMPLES), y: densityRows(MAX_DENSITY_SAMPLES) })),
  nll: nullable(num),
  nllPoints: finiteInt,
  nfe: finiteInt,
  error: nullable(str(10_000)),
});

/** A CNF's frames agree with each other: one row per time, m² mesh nodes, as many samples in every row. */
const fieldDensity: Check = (v, p) => {
  const e = fieldDensityShape(v, p);
  if (e) return e;
  const d = v as FieldDensity;
  const frames = d.t.length;
  if (frames < 2) return `${p}.t: needs at least two times (t = T and t = 0)`;
  if (d.m < 2 || d.m > 200) return `${p}.m: expected 2 to 200 grid nodes per axis, got ${d.m}`;
  const mesh = d.mesh;
  if (mesh && [mesh.x, mesh.y, mesh.logp].some((rows) => rows.length !== frames || rows.some((r) => r.length !== d.m * d.m))) {
    return `${p}.mesh: one row of m² = ${d.m * d.m} values per time in t (${frames}) for x, y and logp`;
  }
  const s = d.samples;
  if (s && [s.x, s.y].some((rows) => rows.length !== frames || rows.some((r) => r.length !== s.x[0].length))) {
    return `${p}.samples: one row per time in t (${frames}), every row as long as the first, for x and y`;
  }
  return null;
};

const fieldPreview: Check = (v, p) => {
  const e = object({
    source: fieldSource,
    experiment: str(500),
    iteration: nullable(finiteInt),
    dim: finiteInt,
    slice: nullable(str(500)),
    bounds: object({ xMin: num, xMax: num, yMin: num, yMax: num }),
    n: finiteInt,
    u: arrayOf(num, MAX_GRID),
    v: arrayOf(num, MAX_GRID),
    data: xySeries,
    predicted: nullable(xySeries),
    predictedError: nullable(str(10_000)),
  }, { frames: fieldFrames, classification: fieldClassification, planes: arrayOf(fieldPlane, 6), components: fieldComponents, density: fieldDensity })(v, p);
  if (e) return e;
  const f = v as FieldPreview;
  if (f.n < 2 || f.u.length !== f.n * f.n || f.v.length !== f.n * f.n) return `${p}: the grid needs n ≥ 2 and n² values in u and v`;
  if (f.data.x.length !== f.data.y.length || (f.predicted && f.predicted.x.length !== f.predicted.y.length)) return `${p}: x and y differ in length`;
  const b = f.bounds;
  if (!(b.xMin < b.xMax && b.yMin < b.yMax)) return `${p}.bounds: empty box`;
  return fieldExtras(f, p);
};

/** Flows sampled for the trajectories panel: at most this many. */
const MAX_FLOWS = 10_000;
const trajectoryFlows = object({
  classes: arrayOf(num, MAX_CLASSES),
  labels: arrayOf(classIndex, MAX_FLOWS),
  components: arrayOf(arrayOf(arrayOf(num, MAX_FLOW_TIMES), MAX_FLOWS), 64),
  accuracy: num,
});

/** A latent ODE's series: at most this many, each of at most MAX_SERIES points. */
const MAX_LATENT_SERIES = 16;
const xyTimes: Check = (v, p) => {
  const e = object({ t: arrayOf(num, MAX_SERIES), x: arrayOf(num, MAX_SERIES), y: arrayOf(num, MAX_SERIES) })(v, p);
  if (e) return e;
  const s = v as XYSeries;
  return s.x.length === s.t.length && s.y.length === s.t.length ? null : `${p}: t, x and y differ in length`;
};
const trajectoryLatent = object({
  rmse: object({ interpolation: nullable(num), extrapolation: nullable(num) }),
  series: arrayOf(object({ index: finiteInt, observed: xyTimes, reconstruction: xyTimes, extrapolation: xyTimes, truth: xyTimes }), MAX_LATENT_SERIES),
});

/** A state's components a panel plots (the engine sends at most 16). */
const MAX_COMPONENTS = 64;
const trajectoryPreview: Check = (v, p) => {
  const series = arrayOf(arrayOf(num, MAX_SERIES), MAX_COMPONENTS);
  const e = object({
    source: fieldSource,
    experiment: str(500),
    iteration: nullable(finiteInt),
    dim: finiteInt,
    t: arrayOf(num, MAX_SERIES),
    data: series,
    predicted: nullable(series),
    predictedError: nullable(str(10_000)),
  }, { flows: trajectoryFlows, latent: trajectoryLatent })(v, p);
  if (e) return e;
  const tp = v as TrajectoryPreview;
  const n = tp.t.length;
  if ([...tp.data, ...(tp.predicted ?? [])].some((c) => c.length !== n)) return `${p}: every component needs one value per time in t (${n})`;
  const fl = tp.flows;
  if (fl) {
    if (fl.labels.some((k) => k >= fl.classes.length)) return `${p}.flows: a class index beyond classes`;
    for (const comp of fl.components) {
      if (comp.length !== fl.labels.length) return `${p}.flows: every component needs one flow per label (${fl.labels.length})`;
      if (comp.some((flow) => flow.length !== n)) return `${p}.flows: every flow needs one value per time in t (${n})`;
    }
  }
  return null;
};

/** The checks, for the panels that keep their own message maps (webview/src/inspector/protocol.ts). */
export { arrayOf, bool, describe, fieldSource, finiteInt, nullable, num, object, oneOf, runId, str, validate, type Check };

/** The messages every panel of an experiment has, for the panels that keep their own message maps. */
export type PanelHostMessages = Pick<HostToWebview, 'panel/status' | 'panel/notice' | 'panel/weights'>;
export type PanelWebviewMessages = Pick<WebviewToHost, 'panel/ready' | 'panel/refresh' | 'panel/pickWeights'>;
export const panelHostChecks: { [K in keyof PanelHostMessages]: Check } = { 'panel/status': statusMessage, 'panel/notice': noticeMessage, 'panel/weights': weightsMessage };
export const panelWebviewChecks: { [K in keyof PanelWebviewMessages]: Check } = { 'panel/ready': object({}), 'panel/refresh': object({}), 'panel/pickWeights': pickWeightsMessage };

const hostPayloads: { [K in keyof HostToWebview]: Check } = {
  'trajectories/preview': trajectoryPreview,
  'vectorField/preview': fieldPreview,
  'curves/runs': object({ runs: arrayOf(runInfo, MAX_RUNS), selected: arrayOf(runId, MAX_RUNS) }),
  'curves/metrics': object({ runId, reset: bool, points: arrayOf(curvePoint, MAX_POINTS) }),
  'curves/histograms': object({ runId, reset: bool, samples: arrayOf(histogramSample, MAX_HISTOGRAM_SAMPLES) }),
  'panel/notice': noticeMessage,
  'panel/weights': weightsMessage,
  'panel/status': statusMessage,
};

const webviewPayloads: { [K in keyof WebviewToHost]: Check } = {
  'panel/ready': object({}),
  'panel/pickWeights': pickWeightsMessage,
  'curves/select': object({ runIds: arrayOf(runId, MAX_RUNS) }),
  'curves/exportPng': object({ dataUrl: pngDataUrl, suggestedName: fileName }),
  'curves/exportCsv': object({ runIds: arrayOf(runId, MAX_RUNS) }),
  'panel/refresh': object({}),
};

function validate<M>(payloads: Record<string, Check>, data: unknown): Validation<MessageOf<M>> {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return { ok: false, error: `message: expected an object, got ${describe(data)}` };
  const { type, payload, ...rest } = data as { type?: unknown; payload?: unknown };
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(payloads, type)) {
    return { ok: false, error: `message.type: unknown message ${describe(type)}` };
  }
  const extra = Object.keys(rest);
  if (extra.length > 0) return { ok: false, error: `message.${extra[0]}: not a field of a message` };
  const error = payloads[type](payload, 'payload');
  return error ? { ok: false, error: `${type}: ${error}` } : { ok: true, value: data as MessageOf<M> };
}

/** Checks a message the webview received from the host. */
export function validateHostMessage(data: unknown): Validation<HostMessage> {
  return validate<HostToWebview>(hostPayloads, data);
}

/** Checks a message the host received from the webview. */
export function validateWebviewMessage(data: unknown): Validation<WebviewMessage> {
  return validate<WebviewToHost>(webviewPayloads, data);
}

/** The x axis of the training curves: iteration, time since the run started, or clock time. */
export type CurvesXAxis = 'iteration' | 'relative' | 'wall';
export const CURVES_X_AXES: readonly CurvesXAxis[] = ['iteration', 'relative', 'wall'];
/** The smoothing weight's range (TensorBoard's slider: 0 is off, 0.99 the heaviest). */
export const MAX_SMOOTHING = 0.99;

/** What the curves webview saves with `setState`, so that a reloaded window shows the same. */
export interface CurvesViewState {
  selected: string[];
  /** Chart id → log scale on. */
  logScale: Record<string, boolean>;
  /** The rest is absent in states saved by older versions: the panel's defaults apply. */
  smoothing?: number;
  xAxis?: CurvesXAxis;
  filter?: string;
  /** The runs table: the column it is sorted by, its direction, and whether equal columns hide. */
  sort?: { column: string; descending: boolean };
  differencesOnly?: boolean;
}

const viewState = object({ selected: arrayOf(runId, MAX_RUNS), logScale: (v, p) => {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return `${p}: expected an object, got ${describe(v)}`;
  for (const [k, b] of Object.entries(v)) {
    const e = bool(b, `${p}.${k}`);
    if (e) return e;
  }
  return null;
} }, {
  smoothing: (v, p) => num(v, p) ?? ((v as number) >= 0 && (v as number) <= MAX_SMOOTHING ? null : `${p}: expected 0 to ${MAX_SMOOTHING}`),
  xAxis: oneOf(CURVES_X_AXES),
  filter: str(500),
  sort: object({ column: str(100), descending: bool }),
  differencesOnly: bool,
});

/** Saved state comes back from VS Code's storage (maybe from an older version): check it too. */
export function validateCurvesViewState(data: unknown): Validation<CurvesViewState> {
  const error = viewState(data, 'state');
  return error ? { ok: false, error } : { ok: true, value: data as CurvesViewState };
}

/** What the vector-field webview saves, so a reloaded window shows the same experiment, run and view. */
export interface VectorFieldViewState {
  source: FieldSource | null;
  particles: boolean;
  particleCount: number;
  /** Arrows and streamlines on or off (absent in states saved before they existed: on). */
  arrows?: boolean;
  streamlines?: boolean;
  /** A classifier's points moving along their flows. */
  flows?: boolean;
  /** The time slider's position, 0 (first frame) to 1 (last). */
  time?: number;
  /** The plane shown for states of more than two components, as "a,b" (absent: "0,1"). */
  plane?: string;
}

export const MAX_PARTICLES = 20_000;

const vectorFieldState = object({
  source: nullable(fieldSource),
  particles: bool,
  particleCount: (v, p) => finiteInt(v, p) ?? ((v as number) >= 0 && (v as number) <= MAX_PARTICLES ? null : `${p}: expected 0 to ${MAX_PARTICLES}`),
}, {
  arrows: bool,
  streamlines: bool,
  flows: bool,
  time: (v, p) => num(v, p) ?? ((v as number) >= 0 && (v as number) <= 1 ? null : `${p}: expected 0 to 1`),
  plane: (v, p) => str(10)(v, p) ?? (/^\d,\d$/.test(v as string) ? null : `${p}: expected two component indices as "a,b"`),
});

export function validateVectorFieldViewState(data: unknown): Validation<VectorFieldViewState> {
  const error = vectorFieldState(data, 'state');
  return error ? { ok: false, error } : { ok: true, value: data as VectorFieldViewState };
}

/** What the trajectories webview saves, so a reloaded window shows the same experiment and run. */
export interface TrajectoriesViewState {
  source: FieldSource | null;
}

const trajectoriesState = object({ source: nullable(fieldSource) });

export function validateTrajectoriesViewState(data: unknown): Validation<TrajectoriesViewState> {
  const error = trajectoriesState(data, 'state');
  return error ? { ok: false, error } : { ok: true, value: data as TrajectoriesViewState };
}
