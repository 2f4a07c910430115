/**
 * An experiment's data and model as the inspector solves them: the model untrained, or with a
 * run's latest checkpoint loaded. Errors point at the experiment's defineExperiment call.
 */
import * as path from 'node:path';
import type { PointData, TrajectoryData } from '../data/types';
import { ExperimentError, type Experiment } from '../experiments/define';
import type { NativeField } from '../fields/field';
import { loadLatestCheckpoint } from '../train/runStore';

export interface ResolvedModel {
  data: TrajectoryData | PointData;
  field: NativeField;
  /** Components per state: the model's own (an augmented model has more than the data). */
  dim: number;
  /** The checkpoint's iteration; null for the untrained model. */
  iteration: number | null;
}

const build = async <T>(x: unknown): Promise<T> => (typeof x === 'function' ? (x as () => T | Promise<T>)() : (x as T));

export async function resolveModel(exp: Experiment, opts: { runsRoot?: string; runId?: string }): Promise<ResolvedModel> {
  let data: TrajectoryData | PointData;
  let field: NativeField;
  try {
    data = await build<TrajectoryData | PointData>(exp.data);
    field = await build<NativeField>(exp.model);
  } catch (err) {
    if (err instanceof ExperimentError) throw err;
    throw new ExperimentError(`building the data or the model failed: ${(err as Error)?.message ?? String(err)}`, exp.location);
  }
  const dim = field.dim ?? data.dim;
  if (dim < data.dim) {
    throw new ExperimentError(`the model works on ${dim} components per sample but the data '${data.name}' have ${data.dim}.`, exp.location);
  }
  let iteration: number | null = null;
  if (opts.runId !== undefined) {
    if (!opts.runsRoot) throw new RangeError('A run id needs the runs folder (runsRoot) it lives in.');
    const { checkpoint } = loadLatestCheckpoint(path.join(opts.runsRoot, opts.runId));
    const params = checkpoint.params;
    if (!(params instanceof Float64Array || params instanceof Float32Array) || params.length !== field.params.length) {
      const got = params instanceof Float64Array || params instanceof Float32Array ? `${params.length} parameters` : 'named parameter groups';
      throw new ExperimentError(
        `run ${opts.runId} does not fit this experiment's model: its checkpoint holds ${got}, the model has ${field.params.length}. ` +
          'The model was changed after the run: inspect the experiment untrained, or train it again.',
        exp.location,
      );
    }
    field.params.set(params);
    iteration = checkpoint.iteration;
  }
  return { data, field, dim, iteration };
}
