/**
 * The experiment's solver, gradient and training settings in train.py's terms: torchdiffeq's
 * option names, every default the engine would use written out, and each key that has no
 * PyTorch counterpart refused by name. The tables are typed by the spec's own types, so a key
 * added to the spec and not decided here fails to compile.
 */
import type { Experiment, GradientSpec, SolverSpec, TrainSpec } from '../experiments/define';
import type { SolverOptions } from '../solvers/stepper';
import type { OptimizerSpec } from '../train/optimizers';
import type { ScheduleSpec } from '../train/schedules';
import { DEFAULT_MAX_STEPS } from '../solvers/failures';
import { exportRefused } from './exportError';

/** torchdiffeq's name for each method both engines have with the same scheme. */
const ADAPTIVE: Record<string, string> = { dopri5: 'dopri5', dopri8: 'dopri8', tsit5: 'tsit5', bosh3: 'bosh3', fehlberg2: 'fehlberg2', adaptive_heun: 'adaptive_heun' };
const FIXED: Record<string, string> = { euler: 'euler', midpoint: 'midpoint', heun: 'heun2', heun2: 'heun2', heun3: 'heun3', rk4: 'rk4' };
const NOT_IN_TORCHDIFFEQ: Record<string, string> = {
  rk4_classic: "torchdiffeq's rk4 is Kutta's 3/8 rule (the engine's 'rk4'), it has no classic RK4",
  explicit_adams: "torchdiffeq's explicit_adams starts and varies its order differently",
  lm: 'torchdiffeq has no linear multistep LM scheme',
  implicit_euler: "the engine's Newton iteration and Jacobian differ from torchdiffeq's fixed-point solve",
  kvaerno3: 'torchdiffeq has no kvaerno3',
};

/** The engine's controller defaults (solvers/controller.ts), written out because torchdiffeq's max_num_steps differs. */
const CONTROLLER = { safety: 0.9, ifactor: 10, dfactor: 0.2, minStep: 0, maxStep: Infinity, pcoeff: 0, icoeff: 1 };

export interface SolverSettings {
  method: string;
  rtol: number;
  atol: number;
  /** torchdiffeq's options dict. */
  options: Record<string, unknown>;
}

export interface TorchSettings {
  solver: SolverSettings;
  gradient: 'backprop' | 'adjoint' | 'checkpoint';
  /** odeint_adjoint's adjoint_* arguments (adjoint only). */
  adjoint?: SolverSettings;
  /** The optimiser with every hyper-parameter, in the engine's names. */
  optimizer: Required<OptimizerSpec> & Record<string, unknown>;
  schedule: ScheduleSpec & { warmup: { iterations: number; startFactor: number } };
  clipNorm: number | null;
  /** What an iteration fits: windows of the trajectory, or a batch of labelled points. */
  task: TaskSettings;
  seed: number;
  evalEvery: number;
  checkpointEvery: number;
  iterations: number;
  /** What carries over with a remark (the README lists them). */
  notes: string[];
}

export type TaskSettings =
  | { kind: 'trajectory'; batchTime: number; batchSize: number; loss: 'l1' | 'mse' }
  | {
      kind: 'classification';
      batchSize: number;
      loss: 'mse' | 'crossEntropy';
      /** The label values, ascending: class k is classes[k]. */
      classes: number[];
      /** The readout's outputs: 1 for two classes under 'mse' (±1 targets), else one per class. */
      outputs: number;
      /** The ODE block flows from 0 to flowTime. */
      flowTime: number;
    };

/** A classifier's settings, as the engine's checks of its data worked them out (experiments/pointTask.ts). */
export type ClassifierSettings = Omit<Extract<TaskSettings, { kind: 'classification' }>, 'kind'>;

type Decide<T> = { readonly [K in keyof Required<T>]: true };

// Every key of each spec object, decided below: a new key fails to compile until it is.
const SOLVER_KEYS: Decide<SolverSpec> = { method: true, rtol: true, atol: true, options: true };
const OPTION_KEYS: Decide<SolverOptions> = {
  stepSize: true, firstStep: true, minStep: true, maxStep: true, maxNumSteps: true, stepT: true, jumpT: true, safety: true, ifactor: true,
  dfactor: true, pcoeff: true, icoeff: true, errorComponents: true, interp: true, order: true, k: true, maxNewtonIters: true, jacobian: true,
};
const GRADIENT_KEYS: Decide<GradientSpec> = { method: true, adjointOptions: true, checkpoints: true };
const TRAIN_KEYS: Decide<TrainSpec> = {
  iterations: true, optimizer: true, schedule: true, clipNorm: true, batchTime: true, batchSize: true, loss: true, seed: true, evalEvery: true,
  checkpointEvery: true, histograms: true, regularize: true,
};
void SOLVER_KEYS;
void OPTION_KEYS;
void GRADIENT_KEYS;
void TRAIN_KEYS;

function tolerance(where: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number') throw exportRefused(`${where} is a tolerance per component; train.py passes one number to torchdiffeq. Give a single number to export.`);
  return v;
}

/** The solver's settings in torchdiffeq's names, refusing options it has no counterpart for. */
function solverSettings(where: string, s: SolverSpec | undefined): SolverSettings {
  const name = s?.method ?? 'dopri5';
  const adaptive = ADAPTIVE[name];
  const fixed = FIXED[name];
  if (!adaptive && !fixed) {
    const why = NOT_IN_TORCHDIFFEQ[name] ?? 'torchdiffeq has no method of that name';
    throw exportRefused(`${where}.method '${name}' cannot be carried over: ${why}. Methods train.py can use: ${[...Object.keys(ADAPTIVE), ...Object.keys(FIXED)].join(', ')}.`);
  }
  const o: SolverOptions = s?.options ?? {};
  const refuse = (key: string, why: string): never => {
    throw exportRefused(`${where}.options.${key} cannot be carried over: ${why}. Remove it to export.`);
  };
  const options: Record<string, unknown> = {};
  if (adaptive) {
    if (o.stepSize !== undefined) refuse('stepSize', `${name} is adaptive; torchdiffeq ignores step_size there`);
    if (o.interp !== undefined) refuse('interp', `${name} is adaptive; interp is a fixed-grid option`);
    if ((o.pcoeff ?? CONTROLLER.pcoeff) !== CONTROLLER.pcoeff || (o.icoeff ?? CONTROLLER.icoeff) !== CONTROLLER.icoeff) {
      refuse(o.pcoeff !== undefined ? 'pcoeff' : 'icoeff', "torchdiffeq's step-size controller is the I-controller (pcoeff 0, icoeff 1)");
    }
    Object.assign(options, {
      first_step: o.firstStep ?? null, // None: the same initial-step heuristic (Hairer's) in both
      min_step: o.minStep ?? CONTROLLER.minStep,
      max_step: o.maxStep ?? CONTROLLER.maxStep,
      safety: o.safety ?? CONTROLLER.safety,
      ifactor: o.ifactor ?? CONTROLLER.ifactor,
      dfactor: o.dfactor ?? CONTROLLER.dfactor,
      max_num_steps: o.maxNumSteps ?? DEFAULT_MAX_STEPS,
      ...(o.stepT !== undefined ? { step_t: Array.from(o.stepT) } : {}),
      ...(o.jumpT !== undefined ? { jump_t: Array.from(o.jumpT) } : {}),
    });
  } else {
    for (const key of ['firstStep', 'minStep', 'maxStep', 'safety', 'ifactor', 'dfactor', 'pcoeff', 'icoeff', 'stepT', 'jumpT'] as const) {
      if (o[key] !== undefined) refuse(key, `${name} steps on a fixed grid; torchdiffeq's fixed-grid solvers take no ${key}`);
    }
    if (o.maxNumSteps !== undefined) refuse('maxNumSteps', "torchdiffeq's fixed-grid solvers have no step limit");
    Object.assign(options, { step_size: o.stepSize ?? null, interp: o.interp ?? 'linear' });
  }
  if (o.errorComponents !== undefined) refuse('errorComponents', "torchdiffeq's error norm covers the whole state (its only partial norm is the adjoint's seminorm)");
  if (o.order !== undefined) refuse('order', 'it is an explicit_adams option');
  if (o.k !== undefined) refuse('k', "it is the lm scheme's coefficient");
  if (o.maxNewtonIters !== undefined) refuse('maxNewtonIters', 'it is an implicit-method option');
  if (o.jacobian !== undefined) refuse('jacobian', 'it is an implicit-method option (a JavaScript function)');
  return { method: adaptive ?? fixed, rtol: tolerance(`${where}.rtol`, s?.rtol, 1e-7), atol: tolerance(`${where}.atol`, s?.atol, 1e-9), options };
}

/** The optimiser with the engine's defaults filled in (train/optimizers.ts). */
function optimizer(spec: OptimizerSpec): TorchSettings['optimizer'] {
  switch (spec.name) {
    case 'adam':
      return { name: 'adam', lr: spec.lr ?? 1e-3, beta1: spec.beta1 ?? 0.9, beta2: spec.beta2 ?? 0.999, eps: spec.eps ?? 1e-8, weightDecay: spec.weightDecay ?? 0, decoupled: spec.decoupled ?? false } as TorchSettings['optimizer'];
    case 'rmsprop':
      return { name: 'rmsprop', lr: spec.lr ?? 1e-2, alpha: spec.alpha ?? 0.99, eps: spec.eps ?? 1e-8, weightDecay: spec.weightDecay ?? 0, momentum: spec.momentum ?? 0, centered: spec.centered ?? false } as TorchSettings['optimizer'];
    case 'sgd':
      return { name: 'sgd', lr: spec.lr, momentum: spec.momentum ?? 0, dampening: spec.dampening ?? 0, nesterov: spec.nesterov ?? false, weightDecay: spec.weightDecay ?? 0 } as TorchSettings['optimizer'];
    default:
      throw exportRefused(`train.optimizer.name '${(spec as { name: string }).name}' is not one of adam, rmsprop, sgd.`);
  }
}

/** The schedule with its defaults filled in (train/schedules.ts). */
function schedule(spec: ScheduleSpec | undefined): TorchSettings['schedule'] {
  const s = spec ?? { kind: 'constant' as const };
  const warmup = { iterations: s.warmup?.iterations ?? 0, startFactor: s.warmup?.startFactor ?? 1 / 3 };
  switch (s.kind) {
    case 'step':
      return { ...s, gamma: s.gamma ?? 0.1, warmup };
    case 'cosine':
      return { ...s, etaMin: s.etaMin ?? 0, warmup };
    default:
      return { ...s, warmup };
  }
}

/** The settings of `exp`; a classifier's come checked from its task (the default is a trajectory fit). */
export function torchSettings(exp: Experiment, classifier?: ClassifierSettings, iterations = exp.train.iterations): TorchSettings {
  const notes: string[] = [];
  const g: GradientSpec = typeof exp.gradient === 'object' ? exp.gradient : { method: exp.gradient ?? 'backprop' };
  const solver = solverSettings('solver', exp.solver);
  let adjoint: SolverSettings | undefined;
  if (g.method === 'adjoint') {
    const a = g.adjointOptions ?? {};
    // The backward solve takes the forward's method, tolerances and options unless adjointOptions says otherwise, as in the engine.
    const backward = solverSettings('gradient.adjointOptions', {
      method: a.method ?? exp.solver?.method,
      rtol: a.rtol ?? exp.solver?.rtol,
      atol: a.atol ?? exp.solver?.atol,
      options: a.options ?? exp.solver?.options,
    });
    if (a.seminorm === true) backward.options.norm = 'seminorm';
    adjoint = backward;
  } else if (g.adjointOptions !== undefined) {
    throw exportRefused(`gradient.adjointOptions is set but gradient.method is '${g.method}': it applies to 'adjoint' only. Remove it to export.`);
  }
  if (g.checkpoints !== undefined) {
    if (g.method !== 'checkpoint') throw exportRefused(`gradient.checkpoints is set but gradient.method is '${g.method}'. Remove it to export.`);
    notes.push(`gradient.checkpoints ${g.checkpoints}: a memory budget only; the gradient is backprop's, which odeint gives (PyTorch keeps the whole graph).`);
  }
  const t = exp.train;
  if ((t.regularize?.kinetic ?? 0) > 0 || (t.regularize?.jacobian ?? 0) > 0) {
    throw exportRefused('train.regularize cannot be carried over: train.py does not carry the kinetic and Jacobian regularisers. Remove it to export.');
  }
  if (t.histograms !== undefined && t.histograms !== false) {
    throw exportRefused('train.histograms cannot be carried over: train.py records no weight histograms. Remove it (or set it to false) to export.');
  }
  if (!classifier && t.loss === 'crossEntropy') throw exportRefused("train.loss 'crossEntropy' is a classifier's loss; a trajectory trains with 'l1' or 'mse'.");
  const task: TaskSettings = classifier
    ? { kind: 'classification', ...classifier }
    : { kind: 'trajectory', batchTime: t.batchTime ?? 10, batchSize: t.batchSize ?? 20, loss: t.loss === 'mse' ? 'mse' : 'l1' };
  return {
    solver,
    gradient: g.method,
    adjoint,
    optimizer: optimizer(t.optimizer),
    schedule: schedule(t.schedule),
    clipNorm: t.clipNorm ?? null,
    task,
    seed: t.seed ?? 0,
    evalEvery: t.evalEvery ?? 20,
    checkpointEvery: t.checkpointEvery ?? 20,
    iterations,
    notes,
  };
}
