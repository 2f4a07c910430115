/**
 * The registry of model kinds, shaped like the solver registry: each kind says how a model of it
 * is recognised, how what the user wrote becomes what the engine trains (`prepare`), the task it
 * trains on, and why the views it does not support refuse it (which views those are is plain data
 * in modelViews.ts, shared with the extension's CodeLens). Adding a model kind is one entry here
 * and one in MODEL_KIND_VIEWS (docs/models.md).
 */
import { isCnfField, type CnfField } from '../cnf/cnfField';
import type { PointData, TrajectoryData } from '../data/types';
import type { NativeField, TensorField } from '../fields/field';
import { isLayersModel } from '../fields/layersField';
import { isLatentOde, type LatentOdeModel } from '../latent/latentOde';
import { isOdeNet, type OdeNet } from '../odenet/network';
import { isDiscreteNetwork, type DiscreteNetwork } from '../resnet/network';
import { cnfTask } from './cnfTask';
import { ExperimentError, type Experiment, type ExperimentData, type ExperimentModel, type GradientSpec, type SeriesData } from './define';
import { discreteTask } from './discreteTask';
import { isSeriesData, latentTask } from './latentTask';
import { kindViews, VIEW_TITLES, type ExperimentView } from './modelViews';
import { odeNetTask } from './odeNetTask';
import { checkPointData, isPointData, pointTask } from './pointTask';
import type { TrainTask } from './task';
import { isTensorField, tensorModelField } from './tensorModel';
import { isRegularized } from '../regularize/regularizedGrad';
import { hostCannotRead } from '../device/types';
import { trajectoryTask } from './trajectoryTask';

export interface ModelKind<M = never> {
  /** Its entry in MODEL_KIND_VIEWS. */
  readonly name: string;
  is(model: unknown): model is M;
  /** What the user wrote, as the engine trains and shows it (the user's tfjs model as a native field), checked against the data. */
  prepare?(exp: Experiment, model: M, data: ExperimentData | SeriesData): Promise<ExperimentModel>;
  /** The task it trains on with these data, after checking them against the model. */
  task?(exp: Experiment, data: ExperimentData | SeriesData, model: M, grad: GradientSpec): TrainTask;
  /** What the model is and where it is shown: the refusal of every view it does not support. */
  describe?(model: M): string;
}

const fail = (exp: Experiment, what: string): never => {
  throw new ExperimentError(what, exp.location);
};

/** train.regularize acts on an ODE: a model without one (a discrete network) says so. */
function noRegularizers(exp: Experiment, what: string): void {
  if (isRegularized(exp.train.regularize)) {
    fail(exp, `train.regularize does not apply to ${what}: it acts on ODE models (vector fields, continuous normalising flows, ODE-Nets, latent ODEs). Remove it to train.`);
  }
}

const latentOdeKind: ModelKind<LatentOdeModel> = {
  name: 'latentOde',
  is: isLatentOde,
  task: (exp, data, model, grad) => latentTask(exp, data, model, grad),
  describe: () =>
    'a latent ODE (irregularly sampled series): it has no single state to trace. Open the Trajectories panel for its reconstructions and ' +
    'extrapolations (the Vector field panel shows its latent field), and train it with Train Experiment.',
};

const cnfKind: ModelKind<CnfField> = {
  name: 'cnf',
  is: isCnfField,
  task: (exp, data, model, grad) => cnfTask(exp, data as ExperimentData, model, grad),
  describe: () =>
    'a continuous normalising flow: it carries a density, not one state. Open the Vector field panel for its density and the flow of its samples, ' +
    'and follow its negative log-likelihood in the Training curves.',
};

const discreteNetworkKind: ModelKind<DiscreteNetwork> = {
  name: 'discreteNetwork',
  is: isDiscreteNetwork,
  task(exp, data, model) {
    if (!isPointData(data as ExperimentData)) {
      fail(
        exp,
        `a discrete network (${model.architecture}) classifies labelled points, but the data '${data.name}' are a trajectory: ` +
          'use labelled data (circles(), moons(), fashionMnistPoints()), or an ODE model (mlpField) to fit a trajectory.',
      );
    }
    noRegularizers(exp, 'a discrete network (it has no vector field)');
    return discreteTask(exp, data as PointData, model);
  },
  describe(model) {
    const scheme = model.architecture === 'lm' ? 'lm' : model.architecture === 'resnet' ? 'euler' : (model.options.tableau?.name ?? 'midpoint');
    return (
      `a discrete network (${model.architecture}, ${model.depth} layers): it has no vector field to draw, trace or debug. ` +
      `Train it with Train Experiment; the ODE its layers discretise is analysed by neural-ode modeq --scheme ${scheme}.`
    );
  },
};

const odeNetKind: ModelKind<OdeNet> = {
  name: 'odeNet',
  is: isOdeNet,
  task(exp, data, model, grad) {
    if (!isPointData(data as ExperimentData)) fail(exp, `an ODE-Net classifies labelled images, but the data '${data.name}' are not labelled points: use fashionMnistPoints({ pool: 1 }).`);
    return odeNetTask(exp, data as PointData, model, grad);
  },
  describe: (model) =>
    `an image classifier (odeNet, architecture '${model.architecture}'): its states are ${model.options.channels}-channel feature maps, ` +
    'which no panel draws. Train it with Train Experiment and follow loss, accuracy and NFE in the Training curves.',
};

/** The user's tfjs models become native fields; series data are only for latent ODEs. */
async function prepareTensorModel(exp: Experiment, model: TensorField | import('@tensorflow/tfjs').LayersModel, data: ExperimentData | SeriesData): Promise<ExperimentModel> {
  if (isSeriesData(data)) {
    fail(exp, `the data '${data.name}' are irregularly sampled series, which only latentOde() learns from; a tfjs vector field fits a trajectory or classifies points.`);
  }
  return tensorModelField(exp, model, data as TrajectoryData | PointData);
}

const tensorFieldKind: ModelKind<TensorField> = { name: 'tensorField', is: isTensorField, prepare: prepareTensorModel };
const layersModelKind: ModelKind<import('@tensorflow/tfjs').LayersModel> = { name: 'layersModel', is: isLayersModel, prepare: prepareTensorModel };

const isNativeField = (x: unknown): x is NativeField => typeof x === 'object' && x !== null && (x as NativeField).kind === 'native';

/** Any native field (mlpField and its wrappers, a prepared tfjs model): fits a trajectory or classifies points. */
const vectorFieldKind: ModelKind<NativeField> = {
  name: 'vectorField',
  is: isNativeField,
  task(exp, data, field, grad) {
    if (isPointData(data as ExperimentData)) return pointTask(exp, checkPointData(exp, data as PointData, field), field, grad);
    const trajectory = data as TrajectoryData;
    if (field.dim !== undefined && field.dim !== trajectory.dim) {
      fail(exp, `the model works on ${field.dim} components per sample but the data '${data.name}' have ${trajectory.dim}: make the model's first and last size ${trajectory.dim}.`);
    }
    if (exp.train.loss === 'crossEntropy') fail(exp, `train.loss 'crossEntropy' is for classifiers; the trajectory '${data.name}' trains with 'l1' or 'mse'.`);
    return trajectoryTask(exp, trajectory, field, grad);
  },
};

/** Every kind, in the order MODEL_KIND_VIEWS gives (the first that recognises a model is its kind). */
export const MODEL_KINDS: readonly ModelKind<unknown>[] = [latentOdeKind, cnfKind, discreteNetworkKind, odeNetKind, tensorFieldKind, layersModelKind, vectorFieldKind] as ModelKind<unknown>[];

/** The kind of a model, or null when no kind recognises it. */
export const modelKindOf = (model: unknown): ModelKind<unknown> | null => MODEL_KINDS.find((k) => k.is(model)) ?? null;

/** Throws the kind's refusal when `view` does not show this model. */
export function requireView(exp: Experiment, model: unknown, views: readonly ExperimentView[]): void {
  const kind = modelKindOf(model);
  if (!kind) return;
  const shown = kindViews(kind.name).views;
  if (views.some((v) => shown.includes(v))) return;
  const what = kind.describe?.(model as never) ?? `a ${kind.name} model.`;
  fail(exp, `${VIEW_TITLES[views[0]]} does not show this model: it is ${what}`);
}

/** The task for this model and these data, from its kind. */
export function kindTask(exp: Experiment, data: ExperimentData | SeriesData, model: ExperimentModel, grad: GradientSpec): TrainTask {
  const kind = modelKindOf(model);
  // Irregularly sampled series are a latent ODE's: latentTask's check says so for any other model.
  if (isSeriesData(data) && kind !== latentOdeKind) return latentTask(exp, data, model, grad);
  if (!kind?.task) return fail(exp, 'the model is no model the engine trains: return mlpField(…), tensorField(…), a tf.LayersModel, discreteNetwork(…), odeNet(…), cnfField(…) or latentOde(…).');
  if (isRegularized(exp.train.regularize) && hostCannotRead(model)) {
    fail(exp, `train.regularize evaluates the model's VJP one call at a time on the host, which the GPU backend '${model.device.backend}' cannot read back: select the 'wasm' backend (setting neuralOde.engine.backend, or NEURAL_ODE_BACKEND) to regularise this model.`);
  }
  return kind.task(exp, data, model as never, grad);
}
