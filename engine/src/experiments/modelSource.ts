/**
 * An experiment's data and model as everything that runs them builds them (training, the
 * panels' previews, the solver inspector, the debugger): the spec's functions called, and a
 * run's latest weights loaded on request. Errors point at the defineExperiment call.
 */
import { ensureBackend } from '../backend/index';
import { isCnfField, type CnfField } from '../cnf/cnfField';
import type { NativeField } from '../fields/field';
import { loadRunCheckpoint } from '../train/runRef';
import { ExperimentError, type Experiment, type ExperimentData, type ExperimentModel, type SeriesData, type UserTensorModel } from './define';
import type { LinearReadout } from './readout';
import { frameInFile, keyLocation } from './callSite';
import { nonFiniteData } from './dataFinite';
import { layoutChange, namedLayout } from './paramNames';
import { isSeriesData } from './latentTask';
import { modelKindOf, requireView } from './modelKinds';
import type { ExperimentView } from './modelViews';

const build = async <T>(x: T | (() => T | Promise<T>)): Promise<T> => (typeof x === 'function' ? (x as () => T | Promise<T>)() : x);

/** The data and a fresh, untrained model; a throw in the user's functions is reported at the spec. */
export async function buildAnyTrainable(exp: Experiment): Promise<{ data: ExperimentData | SeriesData; model: ExperimentModel }> {
  let data: ExperimentData | SeriesData;
  let model: ExperimentModel | UserTensorModel;
  // The user's tensors (a tfjs model's variables) are made on the engine's backend from the start.
  await ensureBackend();
  try {
    data = await build(exp.data);
    model = await build<ExperimentModel | UserTensorModel>(exp.model);
  } catch (err) {
    if (err instanceof ExperimentError) throw err;
    const e = err as Error;
    const where = exp.location ? (frameInFile(e?.stack, exp.location.file) ?? exp.location) : undefined;
    throw new ExperimentError(`building the data or the model failed: ${e?.message ?? String(err)}`, where);
  }
  // NaN or Infinity in the data would show only as a diverged loss, at whichever iteration samples it.
  const nonFinite = nonFiniteData(data);
  if (nonFinite) {
    throw new ExperimentError(
      `${nonFinite}: the data must be finite numbers (a NaN or an infinite value makes the loss NaN, and training diverges). ` +
        `Fill in or drop that sample${typeof exp.data === 'function' ? ' in the data function' : ''}.`,
      keyLocation(exp.location, 'data'),
    );
  }
  const kind = modelKindOf(model);
  if (!kind) {
    throw new ExperimentError(
      `the model ${typeof exp.model === 'function' ? 'function returned' : 'is'} ${model === null ? 'null' : typeof model === 'object' ? 'an object that is no model' : typeof model}: ` +
        'give a vector field (mlpField, tensorField, a tf.LayersModel), a discrete network (discreteNetwork), an ODE-Net (odeNet), cnfField or latentOde.',
      exp.location,
    );
  }
  return { data, model: kind.prepare ? await kind.prepare(exp, model as never, data) : (model as ExperimentModel) };
}

/** The data and model for one of the views: refused, with the kind's reason, when none of `views` shows this model. */
async function buildForView(exp: Experiment, views: readonly ExperimentView[]): Promise<{ data: ExperimentData; model: ExperimentModel }> {
  const { data, model } = await buildAnyTrainable(exp);
  requireView(exp, model, views);
  if (isSeriesData(data)) {
    throw new ExperimentError(
      `the data '${data.name}' are irregularly sampled series, which only a latent ODE learns from: build the model with latentOde({ latentDim: 4 }).`,
      exp.location,
    );
  }
  return { data, model };
}

/** For the Modified-Equation Diagnostics: a vector field or a discrete network. */
export const buildTrainable = (exp: Experiment): Promise<{ data: ExperimentData; model: ExperimentModel }> => buildForView(exp, ['diagnostics']);

/** For what traces one state of a vector field (the solver inspector, the debugger). */
export async function buildDataAndModel(exp: Experiment, view: 'solverInspector' | 'debugSolve'): Promise<{ data: ExperimentData; field: NativeField }> {
  const { data, model } = await buildForView(exp, [view]);
  return { data, field: model as NativeField };
}

/** For the Vector field and Trajectories panels' preview, with a continuous normalising flow handed back as such (its density is drawn). */
export async function buildFieldOrFlow(
  exp: Experiment,
): Promise<{ data: ExperimentData; field: NativeField; cnf?: undefined } | { data: ExperimentData; cnf: CnfField; field?: undefined }> {
  const { data, model } = await buildForView(exp, ['vectorField', 'trajectories']);
  if (isCnfField(model)) return { data, cnf: model };
  return { data, field: model as NativeField };
}

const isVector = (x: unknown): x is Float64Array | Float32Array => x instanceof Float64Array || x instanceof Float32Array;

/** A run's weights (`runId` is a run reference: its latest checkpoint, or `ID@best`) into the field (and a classifier's readout); returns the checkpoint's iteration. */
export function loadRunWeights(exp: Experiment, field: Pick<NativeField, 'params'> & { layout?: unknown }, readout: LinearReadout | null, runsRoot: string | undefined, runId: string): number {
  if (!runsRoot) throw new RangeError('A run id needs the runs folder (runsRoot) it lives in.');
  const { checkpoint } = loadRunCheckpoint(runsRoot, runId);
  const params = checkpoint.params;
  if (!isVector(params) || params.length !== field.params.length) {
    throw new ExperimentError(
      `run ${runId} does not fit this experiment's model: its checkpoint holds ${isVector(params) ? `${params.length} parameters` : 'named parameter groups'}, ` +
        `the model has ${field.params.length}. The model was changed after the run: use the experiment untrained, or train it again.`,
      exp.location,
    );
  }
  const changed = layoutChange(checkpoint.layout, namedLayout(field));
  if (changed) {
    throw new ExperimentError(`run ${runId} does not fit this experiment's model: ${changed}. Use the experiment untrained, or train it again.`, exp.location);
  }
  field.params.set(params);
  if (readout) {
    const r = checkpoint.readout;
    if (!isVector(r) || r.length !== readout.params.length) {
      throw new ExperimentError(
        `run ${runId} does not fit this classifier: its checkpoint holds ${isVector(r) ? `a readout of ${r.length} parameters` : 'no readout'}, ` +
          `the readout has ${readout.params.length} (one output per class, or one for two classes with the mse loss). ` +
          'Use the experiment untrained, or train it again.',
        exp.location,
      );
    }
    readout.params.set(r);
  }
  return checkpoint.iteration;
}
