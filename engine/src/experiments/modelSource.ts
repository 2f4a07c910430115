/**
 * An experiment's data and model as everything that runs them builds them (training, the
 * panels' previews, the solver inspector, the debugger): the spec's functions called, and a
 * run's latest weights loaded on request. Errors point at the defineExperiment call.
 */
import * as path from 'node:path';
import { isCnfField, type CnfField } from '../cnf/cnfField';
import type { NativeField } from '../fields/field';
import { loadLatestCheckpoint } from '../train/runStore';
import { isLatentOde } from '../latent/latentOde';
import { ExperimentError, type Experiment, type ExperimentData, type ExperimentModel, type SeriesData } from './define';
import type { LinearReadout } from './readout';
import { frameInFile } from './callSite';
import { layoutChange, namedLayout } from './paramNames';
import { isSeriesData } from './latentTask';
import { isTensorModel, tensorModelField } from './tensorModel';
import type { UserTensorModel } from './define';

const build = async <T>(x: T | (() => T | Promise<T>)): Promise<T> => (typeof x === 'function' ? (x as () => T | Promise<T>)() : x);

/** The data and a fresh, untrained model; a throw in the user's functions is reported at the spec. */
export async function buildAnyTrainable(exp: Experiment): Promise<{ data: ExperimentData | SeriesData; model: ExperimentModel }> {
  let data: ExperimentData | SeriesData;
  let model: ExperimentModel | UserTensorModel;
  try {
    data = await build(exp.data);
    model = await build<ExperimentModel | UserTensorModel>(exp.model);
  } catch (err) {
    if (err instanceof ExperimentError) throw err;
    const e = err as Error;
    const where = exp.location ? (frameInFile(e?.stack, exp.location.file) ?? exp.location) : undefined;
    throw new ExperimentError(`building the data or the model failed: ${e?.message ?? String(err)}`, where);
  }
  if (isTensorModel(model)) {
    if (isSeriesData(data)) {
      throw new ExperimentError(
        `the data '${data.name}' are irregularly sampled series, which only latentOde() learns from; a tfjs vector field fits a trajectory or classifies points.`,
        exp.location,
      );
    }
    return { data, model: await tensorModelField(exp, model, data) };
  }
  if (!model || typeof model !== 'object' || !['native', 'discrete-network', 'ode-net'].includes(model.kind)) {
    throw new ExperimentError(
      `the model function returned ${model === null ? 'null' : typeof model === 'object' ? 'an object that is no model' : typeof model}: return a vector field ` +
        '(mlpField, tensorField, a tf.LayersModel), a discrete network (discreteNetwork) or an ODE-Net (odeNet).',
      exp.location,
    );
  }
  return { data, model };
}

/** As buildAnyTrainable, for the views of a trajectory or a classifier: a latent ODE's series are refused, saying where they are shown. */
export async function buildTrainable(exp: Experiment): Promise<{ data: ExperimentData; model: ExperimentModel }> {
  const { data, model } = await buildAnyTrainable(exp);
  if ('spirals' in data || isLatentOde(model)) {
    throw new ExperimentError(
      'the model is a latent ODE (irregularly sampled series): the inspector, diagnostics and debugger trace one state of a vector field and do not show it. ' +
        'Open the Trajectories panel for its reconstructions and extrapolations (the Vector field panel shows its latent field), and train it with Train Experiment.',
      exp.location,
    );
  }
  return { data, model };
}

/** As buildTrainable, for what needs a vector field (previews, the inspector, the debugger). */
export async function buildDataAndModel(exp: Experiment): Promise<{ data: ExperimentData; field: NativeField }> {
  const built = await buildFieldOrFlow(exp);
  if (built.cnf) {
    throw new ExperimentError(
      'the model is a continuous normalising flow: the inspector, diagnostics and debugger views trace a solve from one state, not a density. ' +
        'Open the Vector field panel for its density and the flow of its samples, and follow its negative log-likelihood in the Training curves.',
      exp.location,
    );
  }
  return built;
}

/** As buildDataAndModel, with a continuous normalising flow handed back as such (the vector-field panel draws its density). */
export async function buildFieldOrFlow(
  exp: Experiment,
): Promise<{ data: ExperimentData; field: NativeField; cnf?: undefined } | { data: ExperimentData; cnf: CnfField; field?: undefined }> {
  const { data, model } = await buildTrainable(exp);
  if (model.kind === 'discrete-network') {
    const scheme = model.architecture === 'lm' ? 'lm' : model.architecture === 'resnet' ? 'euler' : (model.options.tableau?.name ?? 'midpoint');
    throw new ExperimentError(
      `the model is a discrete network (${model.architecture}, ${model.depth} layers): it has no vector field to draw, trace or debug. ` +
        `Train it with Train Experiment; the ODE its layers discretise is analysed by neural-ode modeq --scheme ${scheme}.`,
      exp.location,
    );
  }
  if (model.kind === 'ode-net') {
    throw new ExperimentError(
      `the model is an image classifier (odeNet, architecture '${model.architecture}'): its states are ${model.options.channels}-channel feature maps, ` +
        'which the vector-field, trajectories, inspector and debugger views do not draw. Train it with Train Experiment and follow loss, accuracy and NFE in the Training curves.',
      exp.location,
    );
  }
  if (isCnfField(model)) return { data, cnf: model };
  return { data, field: model };
}

const isVector = (x: unknown): x is Float64Array | Float32Array => x instanceof Float64Array || x instanceof Float32Array;

/** Run `runId`'s latest weights into the field (and a classifier's readout); returns the checkpoint's iteration. */
export function loadRunWeights(exp: Experiment, field: Pick<NativeField, 'params'> & { layout?: unknown }, readout: LinearReadout | null, runsRoot: string | undefined, runId: string): number {
  if (!runsRoot) throw new RangeError('A run id needs the runs folder (runsRoot) it lives in.');
  const { checkpoint } = loadLatestCheckpoint(path.join(runsRoot, runId));
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
