import { GRADIENT_METHODS } from '../gradients/types';
import type { SolverOptions } from '../solvers/stepper';
import { MAX_HISTOGRAM_BINS, MIN_HISTOGRAM_BINS } from '../train/histograms';
import { isLayersModel, layersModelShapes } from '../fields/layersField';
import { methods } from '../solvers/registry';
import { callerLocation, formatLocation, keyLocation, type SourceLocation } from './callSite';
import { nearestName } from './nearestName';
import { OPTIMIZER_KEYS, SCHEDULE_KEYS, unknownKey } from './specKeys';
import type { ExperimentModel, ExperimentSpec, SolverSpec, TrainSpec } from './spec';

export type { SolverMethod } from './solverMethodNames';

export type { ExperimentData, ExperimentModel, ExperimentSpec, GradientSpec, SeriesData, SolverSpec, TrainSpec, UserTensorModel } from './spec';

export interface Experiment extends ExperimentSpec {
  /** Where `defineExperiment` was called: errors in the spec point there. */
  readonly location?: SourceLocation;
  readonly kind: 'neural-ode-experiment';
}

/** An experiment whose definition is wrong, with the place in the user's file. */
export class ExperimentError extends Error {
  constructor(
    message: string,
    readonly location?: SourceLocation,
  ) {
    super(`${formatLocation(location)}${message}`);
    this.name = 'ExperimentError';
  }
}

const isInt = (x: unknown, min: number): boolean => typeof x === 'number' && Number.isInteger(x) && x >= min;
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
/** " (did you mean 'x'?)" when `value` looks like a typo of one of `names`, else nothing. */
const didYouMean = (value: unknown, names: readonly string[]): string => {
  const near = nearestName(value, names);
  return near ? ` (did you mean '${near}'?)` : '';
};
const LOSSES: readonly string[] = ['l1', 'mse', 'crossEntropy'] satisfies readonly NonNullable<TrainSpec['loss']>[];
const INTERPOLATIONS: readonly string[] = ['linear', 'cubic'] satisfies readonly NonNullable<SolverOptions['interp']>[];

/** Checks the spec's shape and values; each message names the field and what it should be. */
export function validateExperiment(spec: ExperimentSpec, location?: SourceLocation): void {
  // A message about one key points at the line where that key is written.
  const fail = (what: string, key?: string): never => {
    throw new ExperimentError(what, key ? keyLocation(location, key) : location);
  };
  if (!spec || typeof spec !== 'object') fail('defineExperiment needs an object: { name, data, model, solver?, gradient?, train }.');
  // Keys first: a misspelt `iterations` is better reported as such than as a missing one.
  const unknown = unknownKey(spec);
  if (unknown) {
    const { path, key, known, owner } = unknown;
    const near = nearestName(key, known);
    fail(
      `unknown key '${key}' in ${path || 'the experiment'}${near ? ` — did you mean '${near}'?` : `: ${owner} takes ${known.join(', ')}.`}`,
      path ? `${path}.${key}` : key,
    );
  }
  if (typeof spec.name !== 'string' || spec.name.trim() === '') fail("name must be a non-empty string, e.g. name: 'spiral'.", 'name');
  if (!spec.data || (typeof spec.data !== 'function' && typeof spec.data !== 'object')) {
    fail('data must be a trajectory (e.g. spiral()), labelled points (e.g. circles()), or a function returning one.', 'data');
  }
  if (!spec.model || (typeof spec.model !== 'function' && typeof spec.model !== 'object')) {
    fail("model must be a vector field (e.g. mlpField({ sizes: [2, 50, 2] })), a discrete network (discreteNetwork({ … })) or a function returning one.", 'model');
  }
  if (typeof spec.model === 'object' && !['native', 'discrete-network', 'ode-net', 'tfjs'].includes((spec.model as ExperimentModel).kind)) {
    if (isLayersModel(spec.model)) {
      try {
        layersModelShapes(spec.model);
      } catch (err) {
        fail((err as Error).message, 'model');
      }
    } else {
      fail('model must be a vector field (mlpField, tensorField, a tf.LayersModel), a discrete network (discreteNetwork) or an ODE-Net (odeNet), or a function returning one.', 'model');
    }
  }
  if (spec.solver !== undefined && !isObject(spec.solver)) fail("solver must be an object, e.g. solver: { method: 'dopri5', rtol: 1e-6, atol: 1e-8 }.", 'solver');
  const s: SolverSpec = spec.solver ?? {};
  checkSolver(s, 'solver', fail);
  const g = typeof spec.gradient === 'string' ? spec.gradient : spec.gradient?.method;
  if (g !== undefined && !GRADIENT_METHODS.includes(g)) {
    const key = typeof spec.gradient === 'string' ? 'gradient' : 'gradient.method';
    fail(`gradient must be 'backprop', 'adjoint' or 'checkpoint', got '${String(g)}'${didYouMean(g, GRADIENT_METHODS)}.`, key);
  }
  if (isObject(spec.gradient) && isObject(spec.gradient.adjointOptions)) checkSolver(spec.gradient.adjointOptions, 'gradient.adjointOptions', fail);
  const t = spec.train;
  if (!isObject(t)) fail('train is required: { iterations, optimizer, … }.');
  if (!isInt(t.iterations, 1)) fail(`train.iterations must be a whole number ≥ 1, got ${t.iterations}.`, 'train.iterations');
  const optimizers = Object.keys(OPTIMIZER_KEYS);
  const name: unknown = isObject(t.optimizer) ? t.optimizer.name : undefined;
  if (name === undefined) fail("train.optimizer must name 'adam', 'rmsprop' or 'sgd', e.g. { name: 'rmsprop', lr: 1e-3 }.", 'train.optimizer');
  if (!optimizers.includes(name as string)) {
    fail(`train.optimizer must name 'adam', 'rmsprop' or 'sgd', got '${String(name)}'${didYouMean(name, optimizers)}.`, 'train.optimizer.name');
  }
  if (t.schedule !== undefined) {
    const kinds = Object.keys(SCHEDULE_KEYS);
    const kind: unknown = isObject(t.schedule) ? t.schedule.kind : undefined;
    if (kind === undefined) fail(`train.schedule needs a kind (${kinds.join(', ')}), e.g. { kind: 'cosine', tMax: 1000 }.`, 'train.schedule');
    if (!kinds.includes(kind as string)) {
      fail(`train.schedule.kind must be one of ${kinds.join(', ')}, got '${String(kind)}'${didYouMean(kind, kinds)}.`, 'train.schedule.kind');
    }
  }
  if (t.batchTime !== undefined && !isInt(t.batchTime, 2)) fail(`train.batchTime must be a whole number ≥ 2, got ${t.batchTime}.`, 'train.batchTime');
  if (t.batchSize !== undefined && !isInt(t.batchSize, 1)) fail(`train.batchSize must be a whole number ≥ 1, got ${t.batchSize}.`, 'train.batchSize');
  if (t.loss !== undefined && !LOSSES.includes(t.loss)) {
    fail(`train.loss must be 'l1' or 'mse' (trajectories), 'mse' or 'crossEntropy' (classifiers), got '${String(t.loss)}'${didYouMean(t.loss, LOSSES)}.`, 'train.loss');
  }
  if (t.evalEvery !== undefined && !isInt(t.evalEvery, 0)) fail(`train.evalEvery must be a whole number ≥ 0, got ${t.evalEvery}.`, 'train.evalEvery');
  if (t.checkpointEvery !== undefined && !isInt(t.checkpointEvery, 1)) {
    fail(`train.checkpointEvery must be a whole number ≥ 1, got ${t.checkpointEvery}.`, 'train.checkpointEvery');
  }
  if (t.clipNorm !== undefined && !(t.clipNorm > 0)) fail(`train.clipNorm must be > 0, got ${t.clipNorm}.`, 'train.clipNorm');
  checkHistograms(t.histograms, fail);
  checkRegularize(t.regularize, fail);
}

/** train.regularize: { kinetic?, jacobian? }, each a λ ≥ 0. */
function checkRegularize(r: TrainSpec['regularize'], fail: (what: string, key?: string) => never): void {
  if (r === undefined) return;
  if (!isObject(r)) fail(`train.regularize must be { kinetic?: λ, jacobian?: λ }, e.g. regularize: { kinetic: 0.01, jacobian: 0.01 }; got ${String(r)}.`, 'train.regularize');
  for (const key of ['kinetic', 'jacobian'] as const) {
    const v = r[key];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
      fail(`train.regularize.${key} must be a number λ ≥ 0 (RNODE used 0.01), got ${String(v)}.`, `train.regularize.${key}`);
    }
  }
}

/** train.histograms: true, false, or { every?: whole number ≥ 1, bins?: 5 to 200 }. */
function checkHistograms(h: TrainSpec['histograms'], fail: (what: string, key?: string) => never): void {
  if (h === undefined || typeof h === 'boolean') return;
  if (!isObject(h)) fail(`train.histograms must be true, false or { every, bins }, e.g. histograms: { every: 50, bins: 30 }; got ${String(h)}.`, 'train.histograms');
  if (h.every !== undefined && !isInt(h.every, 1)) fail(`train.histograms.every must be a whole number ≥ 1, got ${h.every}.`, 'train.histograms.every');
  if (h.bins !== undefined && !(isInt(h.bins, MIN_HISTOGRAM_BINS) && (h.bins as number) <= MAX_HISTOGRAM_BINS)) {
    fail(`train.histograms.bins must be a whole number from ${MIN_HISTOGRAM_BINS} to ${MAX_HISTOGRAM_BINS}, got ${h.bins}.`, 'train.histograms.bins');
  }
}

/** The names in a solve's spec (the forward solver's, or the adjoint's backward solve). */
function checkSolver(s: SolverSpec, path: string, fail: (what: string, key?: string) => never): void {
  const names = methods().map((m) => m.name);
  if (s.method !== undefined && !names.includes(s.method)) {
    // The suggestion first: a Problems row is cut off at the panel's edge, and the list is long.
    fail(`${path}.method '${String(s.method)}' is not a solver${didYouMean(s.method, names)}: use one of ${names.join(', ')}.`, `${path}.method`);
  }
  // Tolerances: finite and ≥ 0; an infinite one would make the first solve of a run fail.
  for (const key of ['rtol', 'atol'] as const) {
    const v: unknown = s[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !(v >= 0)) fail(`${path}.${key} must be a number ≥ 0, got ${typeof v === 'string' ? `'${v}'` : String(v)}.`, `${path}.${key}`);
    if (!Number.isFinite(v)) {
      fail(`${path}.${key} must be finite, got ${v}: an infinite tolerance accepts any step. Use a number such as ${key === 'rtol' ? '1e-6' : '1e-8'}.`, `${path}.${key}`);
    }
  }
  const interp = s.options?.interp;
  if (interp !== undefined && !INTERPOLATIONS.includes(interp)) {
    fail(`${path}.options.interp must be 'linear' or 'cubic', got '${String(interp)}'${didYouMean(interp, INTERPOLATIONS)}.`, `${path}.options.interp`);
  }
}

/** Solver fields given beside the experiment (an editor's settings), checked as the spec's are before they are used. */
export function validateSolverDefaults(s: SolverSpec): void {
  checkSolver(s, 'default solver', (what) => {
    throw new ExperimentError(what);
  });
}

/**
 * Declares an experiment (the default export of a `*.ode.ts` file). Mistakes in the spec are
 * reported at once, with the file, line and column of this call.
 */
export function defineExperiment(spec: ExperimentSpec): Experiment {
  const location = callerLocation();
  validateExperiment(spec, location);
  return Object.freeze({ ...spec, location, kind: 'neural-ode-experiment' as const });
}

export function isExperiment(x: unknown): x is Experiment {
  return typeof x === 'object' && x !== null && (x as Experiment).kind === 'neural-ode-experiment';
}
