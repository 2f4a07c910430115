/**
 * What the solver inspector shows for an experiment: its model's forward solve (untrained, or a
 * run's latest checkpoint) from the data's y0 or from a chosen observation, every step attempt,
 * the eigenvalues of ∂f/∂y where each attempt starts, and the method's stability region. Plain
 * data (typed arrays), to cross the worker's message port.
 */
import type { Experiment } from '../experiments/define';
import { nativeAlgebra, type NativeState } from '../state/native';
import { resolveModel } from './resolveModel';
import type { Complex } from './complex';
import { jacobianEigenvalues } from './jacobian';
import { defaultBounds, methodCoefficients, stabilityRegion, type PlaneBounds, type StabilityRegion } from './stability';
import { traceSolve, type TraceStep } from './trace';

export interface ExperimentTraceOptions {
  runsRoot?: string;
  /** Load this run's latest checkpoint; untrained when absent. */
  runId?: string;
  /** Start at this observation (its state and time) instead of y0; for labelled points, which point flows. Default 0. */
  sample?: number;
  /** Step attempts before the solve gives up (default 20000). */
  maxSteps?: number;
}

/** One attempt as the inspector shows it. */
export interface TracedStep extends Pick<TraceStep, 'n' | 't' | 'h' | 'accepted' | 'errRatio' | 'hNext' | 'nfe'> {
  /** The state at the step's end (first MAX_STATE components); null when rejected. */
  y: Float64Array | null;
  /** Eigenvalues of ∂f/∂y at the attempt's start, dominant first; null when not computed. */
  lambda: { re: Float64Array; im: Float64Array } | null;
}

export interface ExperimentTrace {
  experiment: string;
  runId: string | null;
  iteration: number | null;
  method: string;
  rtol: number | null;
  atol: number | null;
  /** Components per state. */
  dim: number;
  /** The observation the solve starts from. */
  sample: number;
  /** The solve's outputs at the observation times, components 0 and 1. */
  outputs: { t: Float64Array; x: Float64Array; y: Float64Array };
  /** The observations from `sample` on (a point: the point itself), components 0 and 1. */
  data: { x: Float64Array; y: Float64Array };
  steps: TracedStep[];
  nfe: number;
  /** Why the solve stopped early; null when it reached the end. */
  failure: string | null;
  region: StabilityRegion | null;
  /** Why no region or no eigenvalues are shown, when so. */
  notes: string[];
}

/** Output times of a labelled point's flow over [0, 1]. */
export const FLOW_OUTPUTS = 21;
/** States past this many components are cut in the step records. */
export const MAX_STATE = 64;
/** The Jacobian's eigenvalues cost d VJPs and O(d³): skipped beyond this. */
export const MAX_EIGEN_DIM = 64;
/** Jacobians computed per trace at most (one per accepted state). */
export const MAX_EIGEN_STATES = 5000;

const second = (s: Float64Array): number => (s.length > 1 ? s[1] : 0);

/** The stability window of the method, widened (up to 8×) to take in the h·λ points. */
function regionBounds(base: PlaneBounds, steps: readonly TracedStep[]): PlaneBounds {
  const b = { ...base };
  const w = base.reMax - base.reMin;
  for (const s of steps) {
    if (!s.lambda) continue;
    for (let k = 0; k < s.lambda.re.length; k++) {
      const re = s.h * s.lambda.re[k];
      const im = s.h * s.lambda.im[k];
      if (!Number.isFinite(re) || !Number.isFinite(im)) continue;
      b.reMin = Math.max(Math.min(b.reMin, re * 1.1), base.reMin - 8 * w);
      b.reMax = Math.min(Math.max(b.reMax, re * 1.1), base.reMax + 8 * w);
      b.imMin = Math.max(Math.min(b.imMin, im * 1.1), base.imMin - 8 * w);
      b.imMax = Math.min(Math.max(b.imMax, im * 1.1), base.imMax + 8 * w);
    }
  }
  return b;
}

export async function traceExperiment(exp: Experiment, opts: ExperimentTraceOptions = {}): Promise<ExperimentTrace> {
  const { data, field, dim, iteration } = await resolveModel(exp, opts, 'solverInspector');
  const sample = opts.sample ?? 0;
  // A trajectory: from y0 (or observation `sample`) over the observation times. Labelled points:
  // point `sample` flowing from t = 0 to 1, as the classifier's ODE block moves it.
  const trajectory = 'ys' in data;
  const count = trajectory ? data.t.length - 1 : data.n;
  if (!(Number.isInteger(sample) && sample >= 0 && sample < count)) {
    throw new RangeError(
      trajectory
        ? `sample must be an observation index from 0 to ${count - 1} (the solve needs a later time), got ${sample}.`
        : `sample must be a point index from 0 to ${count - 1}, got ${sample}.`,
    );
  }
  const start = trajectory ? (sample === 0 ? data.y0 : data.ys[sample]) : data.x.subarray(sample * data.dim, (sample + 1) * data.dim);
  // Components past the data's sit at zero, as augmentation pads them.
  const y0 = new Float64Array(dim);
  y0.set(start.subarray(0, Math.min(dim, start.length)));
  const t = trajectory ? data.t.slice(sample) : Float64Array.from({ length: FLOW_OUTPUTS }, (_, i) => i / (FLOW_OUTPUTS - 1));
  const notes: string[] = [];

  const steps: TracedStep[] = [];
  let startT = t[0];
  let startY: Float64Array = y0;
  let eigenStates = 0;
  let eigenFailed: string | null = null;
  let lambdaHere: TracedStep['lambda'] = null;
  let lambdaFresh = false;
  const eigenAt = (tt: number, y: Float64Array): TracedStep['lambda'] => {
    if (dim > MAX_EIGEN_DIM || eigenFailed !== null || eigenStates >= MAX_EIGEN_STATES) return null;
    eigenStates++;
    try {
      const ls: Complex[] = jacobianEigenvalues(field, tt, y);
      return { re: Float64Array.from(ls, (z) => z.re), im: Float64Array.from(ls, (z) => z.im) };
    } catch (err) {
      eigenFailed = `The eigenvalues of ∂f/∂y could not be computed at t = ${tt}: ${(err as Error).message}`;
      return null;
    }
  };

  const trace = await traceSolve<NativeState>(nativeAlgebra(y0), (tt, y) => field.f(tt, y as Float64Array), y0, t, {
    ...exp.solver,
    options: { ...exp.solver?.options, maxNumSteps: opts.maxSteps ?? 20_000 },
    onTraceStep: (s) => {
      // Every attempt from the same state shares its Jacobian.
      if (!lambdaFresh) {
        lambdaHere = eigenAt(startT, startY);
        lambdaFresh = true;
      }
      steps.push({
        n: s.n,
        t: s.t,
        h: s.h,
        accepted: s.accepted,
        errRatio: s.errRatio,
        hNext: s.hNext,
        nfe: s.nfe,
        y: s.y ? s.y.slice(0, MAX_STATE) : null,
        lambda: lambdaHere,
      });
      if (s.accepted && s.y) {
        startT = s.t + s.h;
        startY = s.y;
        lambdaFresh = false;
      }
    },
  });

  if (dim > MAX_EIGEN_DIM) notes.push(`The state has ${dim} components: eigenvalues of ∂f/∂y are computed up to ${MAX_EIGEN_DIM}.`);
  if (eigenFailed) notes.push(eigenFailed);
  if (eigenStates >= MAX_EIGEN_STATES) notes.push(`Eigenvalues are shown for the first ${MAX_EIGEN_STATES} states only.`);

  const m = methodCoefficients(trace.method);
  let region: StabilityRegion | null = null;
  if (m.coefficients) region = stabilityRegion(m.coefficients, regionBounds(defaultBounds(m.coefficients), steps));
  else notes.push(m.note);

  const ys = trace.ys as Float64Array[];
  const observed = trajectory ? data.ys.slice(sample) : [y0];
  return {
    experiment: exp.name,
    runId: opts.runId ?? null,
    iteration,
    method: trace.method,
    rtol: exp.solver?.rtol ?? null,
    atol: exp.solver?.atol ?? null,
    dim,
    sample,
    outputs: { t: Float64Array.from(t.subarray(0, ys.length)), x: Float64Array.from(ys, (s) => s[0]), y: Float64Array.from(ys, second) },
    data: { x: Float64Array.from(observed, (s) => s[0]), y: Float64Array.from(observed, second) },
    steps,
    nfe: trace.stats.nfe,
    failure: trace.failure?.message ?? null,
    region,
    notes,
  };
}
