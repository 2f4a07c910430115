/**
 * Classifying labelled points with an ODE block (ANODE's and the seed paper's classifiers):
 * every input x, padded with zeros to the field's dimension when the model is augmented, flows
 * from t = 0 to t = 1 under the field, and a linear readout of y(1) predicts the class. The
 * gradient comes from odeintGrad with a cotangent at t = 1 only (dL/dy(1) from the readout),
 * plus the readout's own gradient.
 */
import type { Rng } from '../data/rng';
import type { PointData, TrajectoryData } from '../data/types';
import { augment } from '../fields/augmentedField';
import type { NativeField } from '../fields/field';
import { odeintGrad } from '../gradients/odeintGrad';
import { odeint } from '../odeint';
import { ExperimentError, type Experiment, type GradientSpec } from './define';
import { encodeLabels, LinearReadout, type ClassEncoding, type ClassifierLoss } from './readout';
import type { TrainTask } from './task';

/** The ODE block flows from 0 to FLOW_TIME. */
export const FLOW_TIME = 1;

/** Mini-batch size when train.batchSize is unset (capped at the number of points). */
export const DEFAULT_POINT_BATCH = 128;

export const isPointData = (d: TrajectoryData | PointData): d is PointData => 'x' in d && !('ys' in d);

export interface CheckedPoints {
  data: PointData;
  /** The state dimension the field flows (≥ data.dim: extra components start at zero). */
  dim: number;
  encoding: ClassEncoding;
  loss: ClassifierLoss;
  batchSize: number;
}

/**
 * Checks labelled points against the model and the training settings; each message says what
 * is wrong with which part of the experiment, at the defineExperiment call.
 */
export function checkPointData(exp: Experiment, data: PointData, field: NativeField): CheckedPoints {
  const fail = (what: string): never => {
    throw new ExperimentError(what, exp.location);
  };
  const name = `the data '${data.name}'`;
  if (!Number.isInteger(data.dim) || data.dim < 1) fail(`${name} have dim ${data.dim}: point data need a whole number of components ≥ 1.`);
  if (!Number.isInteger(data.n) || data.n < 2) fail(`${name} have ${data.n} points: a classifier needs at least 2.`);
  if (!(data.x instanceof Float64Array) || data.x.length !== data.n * data.dim) {
    fail(`${name} say n = ${data.n} points of dim ${data.dim}, so x needs ${data.n * data.dim} values (n × dim, row-major), but it has ${data.x?.length}.`);
  }
  if (!data.labels) {
    fail(
      `${name} have no labels: a classification experiment needs one label per point. ` +
        "Use a labelled data set (circles(), nestedSpheres(), moons(), eightGaussians()) or set data.labels.",
    );
  }
  const labels = data.labels as Float64Array;
  if (labels.length !== data.n) fail(`${name} have ${data.n} points but ${labels.length} labels: give exactly one label per point.`);
  const bad = labels.findIndex((l) => !Number.isFinite(l));
  if (bad >= 0) fail(`${name}: label ${bad} is ${labels[bad]}; labels must be finite numbers (class indices, or ±1).`);
  const encoding = encodeLabels(labels);
  if (encoding.classes.length < 2) fail(`${name} have a single class (${encoding.classes[0]}): a classifier needs at least two.`);
  if (encoding.classes.length > 64) fail(`${name} have ${encoding.classes.length} distinct labels: labels should be classes (at most 64), not continuous values.`);
  const dim = field.dim ?? data.dim;
  if (dim < data.dim) {
    fail(
      `the model works on ${dim} components per sample but ${name} have ${data.dim}: make the model's first and last size ` +
        `${data.dim} (or larger, augmentedMlpField({ sizes: [${data.dim}, …, ${data.dim}], extraDims }), to add zero components).`,
    );
  }
  const t = exp.train;
  const loss = t.loss ?? 'mse';
  if (loss !== 'mse' && loss !== 'crossEntropy') {
    fail(`train.loss '${loss}' compares trajectories; a classifier trains with 'mse' (ANODE: ±1 targets through a linear readout) or 'crossEntropy'.`);
  }
  if (t.batchTime !== undefined) fail('train.batchTime sets the length of sub-trajectories; point data have none. Remove it (train.batchSize sets the points per batch).');
  const batchSize = t.batchSize ?? Math.min(DEFAULT_POINT_BATCH, data.n);
  if (batchSize > data.n) fail(`train.batchSize is ${batchSize} but ${name} have only ${data.n} points: lower batchSize.`);
  return { data, dim, encoding, loss: loss as ClassifierLoss, batchSize };
}

/** Points i of `index` (all points when absent), padded to the field's dimension. */
export function flowInputs(p: CheckedPoints, index?: Int32Array): Float64Array {
  const { data, dim } = p;
  let x = data.x;
  if (index) {
    x = new Float64Array(index.length * data.dim);
    index.forEach((i, s) => x.set(data.x.subarray(i * data.dim, (i + 1) * data.dim), s * data.dim));
  }
  return dim > data.dim ? augment(x, data.dim, dim - data.dim) : Float64Array.from(x);
}

export function pointTask(exp: Experiment, checked: CheckedPoints, field: NativeField, grad: GradientSpec): TrainTask & { readout: LinearReadout } {
  const { data, dim, encoding, loss, batchSize } = checked;
  const readout = new LinearReadout(dim, encoding.classes.length, loss, (exp.train.seed ?? 0) + 1);
  const span = [0, FLOW_TIME];
  return {
    kind: 'classification',
    readout,
    extra: readout.params,
    summary: {
      name: data.name,
      dim: data.dim,
      points: data.n,
      classes: encoding.classes,
      task: 'classification',
      flowDim: dim,
      readout: { outputs: readout.outputs, loss },
      t0: 0,
      t1: FLOW_TIME,
    },
    async step(rng: Rng, signal?: AbortSignal) {
      const index = rng.choice(data.n, batchSize);
      const target = Int32Array.from(index, (i) => encoding.index[i]);
      let head: ReturnType<LinearReadout['lossAndGrad']> | undefined;
      const res = await odeintGrad(
        field,
        flowInputs(checked, index),
        span,
        (ys) => {
          head = readout.lossAndGrad(ys[1], target);
          return [null, Number.isFinite(head.loss) ? head.gradY : null];
        },
        { ...exp.solver, gradient: grad.method, adjointOptions: grad.adjointOptions, checkpoints: grad.checkpoints, signal },
      );
      const h = head!;
      return { loss: h.loss, accuracy: h.accuracy, gradParams: res.gradParams, gradExtra: h.gradParams, stats: res.stats };
    },
    async evaluate(signal?: AbortSignal) {
      const y1 = await flowAll(exp, field, checked, signal);
      const r = readout.evaluate(y1, encoding.index);
      return { loss: r.loss, accuracy: r.accuracy };
    },
  };
}

/** Every point flowed to t = 1: one batched solve. */
export async function flowAll(exp: Experiment, field: NativeField, checked: CheckedPoints, signal?: AbortSignal): Promise<Float64Array> {
  const sol = await odeint((t, y: Float64Array) => field.f(t, y), flowInputs(checked), [0, FLOW_TIME], { ...exp.solver, signal });
  return sol.ys[1] as Float64Array;
}
