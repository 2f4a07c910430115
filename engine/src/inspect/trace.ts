/**
 * A solve with every step attempt recorded: what the solver inspector plots. It runs the same
 * OdeSolve loop as odeint (the hooks only observe), so the steps and the outputs are the
 * solver's own, bit for bit.
 */
import type { StateAlgebra, VectorField } from '../state/algebra';
import { OdeSolve, type OdeintOptions, type SolveStats } from '../solvers/solve';
import type { StepReport } from '../solvers/stepper';

/** One step attempt, accepted or rejected: the stepper's report and what the trace adds. */
export interface TraceStep extends StepReport {
  /** Stages evaluated during this attempt (reported through onStage). */
  stages: number;
  /** The state at the step's end (the selected sample's components); null for a rejected step. */
  y: Float64Array | null;
}

export interface TraceOptions<S> extends OdeintOptions<S> {
  /**
   * Which part of a batched state the steps record: sample `index` of `dim` components
   * (the state is batch-major). Default: the whole state.
   */
  sample?: { index: number; dim: number };
  /** Called after each attempt is recorded (a stream of steps for a live view). */
  onTraceStep?(step: TraceStep): void | Promise<void>;
}

export interface SolveTrace<S> {
  method: string;
  steps: TraceStep[];
  /** The outputs at the requested times (as odeint returns them); partial when the solve failed. */
  ys: S[];
  stats: SolveStats;
  /** Why the solve stopped early (the steps up to there are kept: they show what went wrong). */
  failure: { message: string; kind: string } | null;
}

/** The components of sample `index` (or a copy of the whole state). */
function pick(values: Float64Array, sample: TraceOptions<unknown>['sample']): Float64Array {
  if (!sample) return Float64Array.from(values);
  const start = sample.index * sample.dim;
  return values.slice(start, start + sample.dim);
}

export async function traceSolve<S>(
  ops: StateAlgebra<S>,
  f: VectorField<S>,
  y0: S,
  t: ArrayLike<number>,
  opts: TraceOptions<S> = {},
): Promise<SolveTrace<S>> {
  const { sample, onTraceStep, ...odeOpts } = opts;
  const size = ops.size(y0);
  if (sample && !(Number.isInteger(sample.index) && sample.dim >= 1 && (sample.index + 1) * sample.dim <= size)) {
    throw new RangeError(`sample ${sample.index} of ${sample.dim} components is outside the state of ${size} components.`);
  }
  const steps: TraceStep[] = [];
  const user = odeOpts.hooks ?? {};
  let stages = 0;
  const hooks = {
    onStage: async (stage: Parameters<NonNullable<typeof user.onStage>>[0]) => {
      stages++;
      if (user.onStage) await user.onStage(stage);
    },
    onStep: async (report: StepReport) => {
      // The hooks first run in init(), after the constructor below has returned.
      const stepper = solve.stepper;
      const y = report.accepted && stepper ? pick(await ops.read(stepper.y), sample) : null;
      const step: TraceStep = { ...report, stages, y };
      stages = 0;
      steps.push(step);
      if (user.onStep) await user.onStep(report);
      if (onTraceStep) await onTraceStep(step);
    },
  };
  const solve = new OdeSolve(ops, f, y0, t, { ...odeOpts, hooks });
  let failure: SolveTrace<S>['failure'] = null;
  let ys: S[];
  try {
    await solve.init();
    while (!solve.done) await solve.advance();
    solve.stepper?.dispose();
    ys = solve.ys;
  } catch (err) {
    const e = err as { message?: unknown; kind?: unknown; name?: unknown };
    failure = { message: String(e?.message ?? err), kind: typeof e?.kind === 'string' ? e.kind : String(e?.name ?? 'Error') };
    // What was reached is kept (clones: the solve frees its own).
    ys = solve.ys.map((y) => ops.clone(y));
    solve.dispose();
  }
  return { method: solve.method, steps, ys, stats: solve.stats, failure };
}
