/**
 * The attributes of a `neural-ode` launch configuration (launch.json). This interface and
 * package.json's `debuggers[0].configurationAttributes.launch` describe the same thing; a unit
 * test keeps their property names equal.
 */

/** Conditions that stop a solve like an exception (the Breakpoints view lists them as filters). */
export type StopOnCondition = 'rejectedStep' | 'nonFinite' | 'stepSizeBelow' | 'stiffness' | 'nfeAbove';

export const STOP_ON_CONDITIONS: readonly StopOnCondition[] = ['rejectedStep', 'nonFinite', 'stepSizeBelow', 'stiffness', 'nfeAbove'];

/** `stopOn` in its object form: `true` turns a condition on, a number also sets its threshold. */
export interface StopOnSettings {
  rejectedStep?: boolean;
  nonFinite?: boolean;
  /** Stop when an attempted |h| falls below this (true: 1e-6). */
  stepSizeBelow?: boolean | number;
  /** Stop at an accepted step where some h·λ of the Jacobian lies outside the method's stability region. */
  stiffness?: boolean;
  /** Stop once the number of evaluations of f exceeds this (true: 10000). */
  nfeAbove?: boolean | number;
}

export interface SolveLaunchOptions {
  /** The experiment file (`*.ode.ts`). */
  experiment: string;
  /** A run reference under runsRoot (ID, or ID@best) whose checkpoint supplies the weights (default: the untrained model; VS Code passes the latest run's). */
  run?: string;
  /** The runs folder (default: `.neural-ode/runs` beside the experiment's workspace). */
  runsRoot?: string;
  /** Which sample to solve: a trajectory's start index, or a point's index for a classifier (default 0). */
  input?: number;
  /** Solver method (default: the experiment's, else dopri5). */
  method?: string;
  rtol?: number;
  atol?: number;
  /** Stop before the first step. */
  stopOnEntry?: boolean;
  /** Conditions to stop on: names (`["rejectedStep", "nonFinite"]`) or an object with thresholds. */
  stopOn?: readonly StopOnCondition[] | StopOnSettings;
  /** Step attempts before the solve gives up (the solver's options.maxNumSteps). */
  maxSteps?: number;
  /**
   * 'forward' (default): the model's solve of the sample. 'adjoint': the gradient's backward
   * solves, as training with the continuous adjoint runs them (after an unstopped forward solve).
   */
  solve?: 'forward' | 'adjoint';
}

/** The property names of SolveLaunchOptions: what package.json's schema must declare. */
export const LAUNCH_ATTRIBUTES: readonly (keyof SolveLaunchOptions)[] = [
  'experiment', 'run', 'runsRoot', 'input', 'method', 'rtol', 'atol', 'stopOnEntry', 'stopOn', 'maxSteps', 'solve',
];

export const DEFAULT_STEP_SIZE_BELOW = 1e-6;
export const DEFAULT_NFE_ABOVE = 10_000;

/** The stop conditions that are on, with their thresholds. */
export interface StopOnState {
  rejectedStep: boolean;
  nonFinite: boolean;
  stiffness: boolean;
  /** null: off. */
  stepSizeBelow: number | null;
  nfeAbove: number | null;
}

/** A launch configuration that is wrong, with what to write instead. */
export class LaunchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LaunchError';
  }
}

const threshold = (name: string, v: boolean | number | undefined, fallback: number): number | null => {
  if (v === undefined || v === false) return null;
  if (v === true) return fallback;
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) {
    throw new LaunchError(`stopOn.${name} is ${JSON.stringify(v)}: give true or a positive number (default ${fallback}).`);
  }
  return v;
};

/** Normalises `stopOn` (names or object) into the state the runtime checks. */
export function stopOnState(stopOn: SolveLaunchOptions['stopOn']): StopOnState {
  if (stopOn === undefined) return { rejectedStep: false, nonFinite: true, stiffness: false, stepSizeBelow: null, nfeAbove: null };
  let settings: StopOnSettings;
  if (Array.isArray(stopOn)) {
    const unknown = stopOn.filter((n) => !STOP_ON_CONDITIONS.includes(n as StopOnCondition));
    if (unknown.length > 0) {
      throw new LaunchError(`stopOn has unknown condition(s) ${unknown.map((u) => `'${String(u)}'`).join(', ')}. Known: ${STOP_ON_CONDITIONS.join(', ')}.`);
    }
    settings = Object.fromEntries(stopOn.map((n) => [n, true]));
  } else if (typeof stopOn === 'object' && stopOn !== null) {
    settings = stopOn as StopOnSettings;
    const unknown = Object.keys(settings).filter((n) => !STOP_ON_CONDITIONS.includes(n as StopOnCondition));
    if (unknown.length > 0) throw new LaunchError(`stopOn has unknown key(s) ${unknown.join(', ')}. Known: ${STOP_ON_CONDITIONS.join(', ')}.`);
  } else {
    throw new LaunchError(`stopOn must be a list of conditions (${STOP_ON_CONDITIONS.join(', ')}) or an object such as { "stepSizeBelow": 1e-5 }.`);
  }
  return {
    rejectedStep: settings.rejectedStep === true,
    nonFinite: settings.nonFinite === true,
    stiffness: settings.stiffness === true,
    stepSizeBelow: threshold('stepSizeBelow', settings.stepSizeBelow, DEFAULT_STEP_SIZE_BELOW),
    nfeAbove: threshold('nfeAbove', settings.nfeAbove, DEFAULT_NFE_ABOVE),
  };
}

/** Checks a launch configuration's values; each message names the attribute and what it should be. */
export function checkLaunchOptions(o: Partial<SolveLaunchOptions>): SolveLaunchOptions {
  if (!o || typeof o.experiment !== 'string' || o.experiment.trim() === '') {
    throw new LaunchError('The launch configuration needs "experiment": the path of an experiment file, e.g. "${file}" or "${workspaceFolder}/examples/spiral.ode.ts".');
  }
  const positive = (name: 'rtol' | 'atol'): void => {
    const v = o[name];
    if (v !== undefined && !(typeof v === 'number' && v >= 0 && Number.isFinite(v))) throw new LaunchError(`"${name}" is ${JSON.stringify(v)}: it must be a number ≥ 0.`);
  };
  positive('rtol');
  positive('atol');
  if (o.input !== undefined && !(Number.isInteger(o.input) && o.input >= 0)) {
    throw new LaunchError(`"input" is ${JSON.stringify(o.input)}: it must be a whole number ≥ 0 (the sample to solve).`);
  }
  if (o.maxSteps !== undefined && !(Number.isInteger(o.maxSteps) && o.maxSteps >= 1)) {
    throw new LaunchError(`"maxSteps" is ${JSON.stringify(o.maxSteps)}: it must be a whole number ≥ 1.`);
  }
  if (o.method !== undefined && typeof o.method !== 'string') throw new LaunchError(`"method" must be a method name such as "dopri5".`);
  if (o.run !== undefined && typeof o.run !== 'string') throw new LaunchError(`"run" must be a run id (a folder under .neural-ode/runs).`);
  if (o.solve !== undefined && o.solve !== 'forward' && o.solve !== 'adjoint') {
    throw new LaunchError(`"solve" is ${JSON.stringify(o.solve)}: write "forward" (the model's solve) or "adjoint" (the gradient's backward solves).`);
  }
  stopOnState(o.stopOn);
  return o as SolveLaunchOptions;
}
