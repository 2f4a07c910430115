/**
 * An experiment's data and model as the inspector and the debugger solve them: the model
 * untrained, or with a run's latest checkpoint loaded. Errors point at the defineExperiment call.
 */
import type { ExperimentData, Experiment } from '../experiments/define';
import { ExperimentError } from '../experiments/define';
import { buildDataAndModel, loadRunWeights } from '../experiments/modelSource';
import type { NativeField } from '../fields/field';
import { hostCannotRead, notOnHost } from '../device/types';

export interface ResolvedModel {
  data: ExperimentData;
  field: NativeField;
  /** Components per state: the model's own (an augmented model has more than the data). */
  dim: number;
  /** The checkpoint's iteration; null for the untrained model. */
  iteration: number | null;
}

export async function resolveModel(exp: Experiment, opts: { runsRoot?: string; runId?: string }, view: 'solverInspector' | 'debugSolve'): Promise<ResolvedModel> {
  const { data, field } = await buildDataAndModel(exp, view);
  if (hostCannotRead(field)) throw new ExperimentError(notOnHost(field.device.backend, view === 'debugSolve' ? 'The debugger' : 'The Solver Inspector'), exp.location);
  const dim = field.dim ?? data.dim;
  if (dim < data.dim) {
    throw new ExperimentError(`the model works on ${dim} components per sample but the data '${data.name}' have ${data.dim}.`, exp.location);
  }
  const iteration = opts.runId === undefined ? null : loadRunWeights(exp, field, null, opts.runsRoot, opts.runId);
  return { data, field, dim, iteration };
}
