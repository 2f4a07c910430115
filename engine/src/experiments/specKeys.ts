/**
 * The keys each object of an experiment spec may hold, so that a misspelt or invented key
 * (`batchsize`, `regularise`) is refused instead of silently ignored. Each table is a
 * Record<keyof T, true> of its spec type: a field added to a type and not listed here (or
 * listed and not in the type) fails to compile. What the user builds (data, model, a solver
 * option's function or arrays) is theirs and not looked into.
 */
import type { SolverOptions } from '../solvers/stepper';
import type { RegularizeSpec } from '../regularize/regularizedGrad';
import type { HistogramSpec } from '../train/histograms';
import type { OptimizerSpec } from '../train/optimizers';
import type { ScheduleSpec, Warmup } from '../train/schedules';
import type { ExperimentSpec, GradientSpec, SolverSpec, TrainSpec } from './spec';

type Keys<T> = Readonly<Record<keyof T, true>>;

const SPEC: Keys<ExperimentSpec> = { name: true, data: true, model: true, solver: true, gradient: true, train: true };
/** A spec spread from a defined experiment (`{ ...exp, model }`) also carries these. */
const DEFINED = { ...SPEC, location: true, kind: true };

const SOLVER: Keys<SolverSpec> = { method: true, rtol: true, atol: true, options: true };

const SOLVER_OPTIONS: Keys<SolverOptions> = {
  stepSize: true, firstStep: true, minStep: true, maxStep: true, maxNumSteps: true, stepT: true, jumpT: true,
  safety: true, ifactor: true, dfactor: true, pcoeff: true, icoeff: true, errorComponents: true, interp: true,
  order: true, k: true, maxNewtonIters: true, jacobian: true,
};

const GRADIENT: Keys<GradientSpec> = { method: true, adjointOptions: true, checkpoints: true };
const ADJOINT: Keys<NonNullable<GradientSpec['adjointOptions']>> = { ...SOLVER, seminorm: true };

const TRAIN: Keys<TrainSpec> = {
  iterations: true, optimizer: true, schedule: true, clipNorm: true, batchTime: true, batchSize: true, loss: true,
  seed: true, evalEvery: true, checkpointEvery: true, histograms: true, regularize: true,
};

const REGULARIZE: Keys<RegularizeSpec> = { kinetic: true, jacobian: true };

const HISTOGRAMS: Keys<HistogramSpec> = { every: true, bins: true };

/** Each optimiser's keys, by name; the names are the closed set `train.optimizer.name` takes. */
export const OPTIMIZER_KEYS: { readonly [N in OptimizerSpec['name']]: Keys<Extract<OptimizerSpec, { name: N }>> } = {
  adam: { name: true, lr: true, beta1: true, beta2: true, eps: true, weightDecay: true, decoupled: true },
  rmsprop: { name: true, lr: true, alpha: true, eps: true, weightDecay: true, momentum: true, centered: true },
  sgd: { name: true, lr: true, momentum: true, dampening: true, nesterov: true, weightDecay: true },
};

/** Each schedule's keys, by kind; the kinds are the closed set `train.schedule.kind` takes. */
export const SCHEDULE_KEYS: { readonly [K in ScheduleSpec['kind']]: Keys<Extract<ScheduleSpec, { kind: K }>> } = {
  constant: { kind: true, warmup: true },
  step: { kind: true, stepSize: true, gamma: true, warmup: true },
  exponential: { kind: true, gamma: true, warmup: true },
  cosine: { kind: true, tMax: true, etaMin: true, warmup: true },
};

const WARMUP: Keys<Warmup> = { iterations: true, startFactor: true };

/** A key its object does not take: where (`train`, '' for the spec itself), which, and what it takes. */
export interface UnknownKey {
  path: string;
  key: string;
  known: readonly string[];
  /** Who takes `known`, for the message: the path, or e.g. "a 'step' schedule". */
  owner: string;
}

type Obj = Record<string, unknown>;
const isObject = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const has = <T extends object>(table: T, key: unknown): key is keyof T & string => typeof key === 'string' && Object.hasOwn(table, key);

/** Every object level of the spec that has a closed set of keys, outermost first. */
function* levels(spec: Obj): Generator<{ path: string; value: Obj; keys: Readonly<Record<string, true>>; owner?: string }> {
  yield { path: '', value: spec, keys: spec.kind === 'neural-ode-experiment' ? DEFINED : SPEC, owner: 'an experiment' };
  const { solver, gradient, train } = spec;
  if (isObject(solver)) {
    yield { path: 'solver', value: solver, keys: SOLVER };
    if (isObject(solver.options)) yield { path: 'solver.options', value: solver.options, keys: SOLVER_OPTIONS };
  }
  if (isObject(gradient)) {
    yield { path: 'gradient', value: gradient, keys: GRADIENT };
    const adjoint = gradient.adjointOptions;
    if (isObject(adjoint)) {
      yield { path: 'gradient.adjointOptions', value: adjoint, keys: ADJOINT };
      if (isObject(adjoint.options)) yield { path: 'gradient.adjointOptions.options', value: adjoint.options, keys: SOLVER_OPTIONS };
    }
  }
  if (isObject(train)) {
    yield { path: 'train', value: train, keys: TRAIN };
    const { optimizer, schedule, histograms } = train;
    // An unknown name or kind is reported by the value checks, with the names there are.
    if (isObject(optimizer) && has(OPTIMIZER_KEYS, optimizer.name)) {
      yield { path: 'train.optimizer', value: optimizer, keys: OPTIMIZER_KEYS[optimizer.name], owner: `the '${optimizer.name}' optimizer` };
    }
    if (isObject(schedule) && has(SCHEDULE_KEYS, schedule.kind)) {
      yield { path: 'train.schedule', value: schedule, keys: SCHEDULE_KEYS[schedule.kind], owner: `a '${schedule.kind}' schedule` };
      if (isObject(schedule.warmup)) yield { path: 'train.schedule.warmup', value: schedule.warmup, keys: WARMUP };
    }
    if (isObject(histograms)) yield { path: 'train.histograms', value: histograms, keys: HISTOGRAMS };
    if (isObject(train.regularize)) yield { path: 'train.regularize', value: train.regularize, keys: REGULARIZE };
  }
}

/** The first key of the spec that its object does not take, outermost level first. */
export function unknownKey(spec: object): UnknownKey | undefined {
  for (const { path, value, keys, owner } of levels(spec as Obj)) {
    const key = Object.keys(value).find((k) => !Object.hasOwn(keys, k));
    if (key !== undefined) {
      // A spread experiment's own two keys are accepted, not offered.
      return { path, key, known: Object.keys(path === '' ? SPEC : keys), owner: owner ?? path };
    }
  }
  return undefined;
}
