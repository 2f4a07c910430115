/**
 * What a debug session solves: one sample of an experiment (a trajectory's start state, or
 * one point of a classifier) under the experiment's model, with a run's weights when asked,
 * and the experiment's solver settings unless the launch configuration overrides them.
 */
import type { PointData, TrajectoryData } from '../data/types';
import type { NativeField } from '../fields/field';
import { resolveModel } from '../inspect/resolveModel';
import type { SourceLocation } from '../experiments/callSite';
import type { Experiment } from '../experiments/define';
import { checkPointData, flowInputs, FLOW_TIME } from '../experiments/pointTask';
import type { SolverOptions } from '../solvers/stepper';
import type { AdjointOptions } from '../gradients/types';
import { LaunchError, type SolveLaunchOptions } from './launchOptions';
import { adjointPlan, forwardPlan, type SolvePlan } from './plan';

export interface DebugTarget {
  experiment: string;
  /** Where defineExperiment was called (the frames of the call stack point there). */
  location?: SourceLocation;
  field: NativeField;
  /** The chosen sample's start state, padded to the field's dimension. */
  y0: Float64Array;
  /** Output times: the solve's output intervals lie between them. */
  times: Float64Array;
  /** Components of the state. */
  dim: number;
  input: number;
  /** The sample in words, for the call stack and messages. */
  inputLabel: string;
  runId: string | null;
  iteration: number | null;
  method: string;
  rtol?: number;
  atol?: number;
  options: SolverOptions;
  /** Trajectories: the observations at `times` and the training loss (what the adjoint differentiates). */
  observed?: Float64Array[];
  loss?: 'l1' | 'mse';
  /** The experiment's adjoint settings (gradient.adjointOptions). */
  adjointOptions?: AdjointOptions;
}

const isPoints = (d: TrajectoryData | PointData): d is PointData => 'x' in d && !('ys' in d);

export async function debugTarget(exp: Experiment, opts: Omit<SolveLaunchOptions, 'experiment'>): Promise<DebugTarget> {
  if (opts.run !== undefined && !opts.runsRoot) {
    throw new LaunchError(`"run" is ${opts.run}, but no runs folder is known: set "runsRoot" to the folder holding it.`);
  }
  const { data, field, dim: modelDim, iteration } = await resolveModel(exp, { runsRoot: opts.runsRoot, runId: opts.run }, 'debugSolve');
  const input = opts.input ?? 0;
  let y0: Float64Array;
  let times: Float64Array;
  let inputLabel: string;
  let dim: number;
  let observed: Float64Array[] | undefined;
  if (isPoints(data)) {
    const checked = checkPointData(exp, data, field);
    if (input >= data.n) throw new LaunchError(`"input" is ${input}, but the data '${data.name}' have ${data.n} points (0 to ${data.n - 1}).`);
    dim = checked.dim;
    y0 = flowInputs(checked, Int32Array.of(input));
    times = Float64Array.of(0, FLOW_TIME);
    inputLabel = `point ${input} of ${data.name}${data.labels ? ` (label ${data.labels[input]})` : ''}`;
  } else {
    dim = modelDim;
    const n = data.t.length;
    if (input > n - 2) {
      throw new LaunchError(`"input" is ${input}, but the trajectory '${data.name}' has ${n} samples: start at 0 to ${n - 2} so that one interval is left.`);
    }
    // The solve starts at sample `input` and runs to the end of the data, as the evaluation does from 0.
    const start = input === 0 ? data.y0 : data.ys[input];
    y0 = new Float64Array(dim);
    y0.set(start.subarray(0, Math.min(dim, start.length)));
    times = data.t.slice(input);
    observed = data.ys.slice(input);
    inputLabel = `sample ${input} of ${data.name} (t = ${data.t[input]})`;
  }
  const s = exp.solver ?? {};
  const options: SolverOptions = { ...s.options };
  if (opts.maxSteps !== undefined) options.maxNumSteps = opts.maxSteps;
  return {
    experiment: exp.name,
    location: exp.location,
    field,
    y0,
    times,
    dim,
    input,
    inputLabel,
    runId: opts.run ?? null,
    iteration,
    method: opts.method ?? s.method ?? 'dopri5',
    rtol: opts.rtol ?? s.rtol,
    atol: opts.atol ?? s.atol,
    options,
    observed,
    loss: exp.train.loss === 'mse' ? 'mse' : 'l1',
    adjointOptions: typeof exp.gradient === 'object' ? exp.gradient.adjointOptions : undefined,
  };
}

/** The legs a launch solves: the forward solve, or the adjoint's forward and backward solves. */
export function solvePlan(target: DebugTarget, solve: SolveLaunchOptions['solve']): SolvePlan {
  if (solve !== 'adjoint') return forwardPlan(target);
  if (!target.observed) {
    throw new LaunchError(`"solve": "adjoint" needs a trajectory experiment (a loss on the states at the output times); '${target.experiment}' classifies points.`);
  }
  if (target.dim !== target.observed[0]?.length) {
    throw new LaunchError(`"solve": "adjoint": the model works on ${target.dim} components but the data have ${target.observed[0]?.length}, so the trajectory loss is not defined.`);
  }
  return adjointPlan(target, { observed: target.observed, loss: target.loss ?? 'l1', adjointOptions: target.adjointOptions });
}
