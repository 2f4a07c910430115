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
import { regularizedGrad } from '../regularize/regularizedGrad';
import { solveField } from '../device/solveField';
import { ExperimentError, type Experiment, type GradientSpec } from './define';
import { checkLabelledData, labelledSummary } from './labelledData';
import { LinearReadout, type ClassEncoding, type ClassifierLoss } from './readout';
import type { TrainTask } from './task';

/** The ODE block flows from 0 to FLOW_TIME. */
export const FLOW_TIME = 1;

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
  const { encoding, batchSize } = checkLabelledData(exp, data, {
    noun: 'points',
    labelled: 'a labelled data set (circles(), nestedSpheres(), moons(), eightGaussians())',
  });
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
    // a few points' flow: enough to see where the steps shrink, cheap beside an iteration
    probe: { field, y0: flowInputs(checked, Int32Array.from({ length: Math.min(data.n, 64) }, (_, i) => i)), t: span },
    summary: {
      ...labelledSummary(data, encoding),
      flowDim: dim,
      readout: { outputs: readout.outputs, loss },
      t0: 0,
      t1: FLOW_TIME,
    },
    async step(rng: Rng, signal?: AbortSignal) {
      const index = rng.choice(data.n, batchSize);
      const target = Int32Array.from(index, (i) => encoding.index[i]);
      let head: ReturnType<LinearReadout['lossAndGrad']> | undefined;
      const res = await regularizedGrad(
        field,
        flowInputs(checked, index),
        span,
        (ys) => {
          head = readout.lossAndGrad(ys[1], target);
          return [null, Number.isFinite(head.loss) ? head.gradY : null];
        },
        { ...exp.solver, gradient: grad.method, adjointOptions: grad.adjointOptions, checkpoints: grad.checkpoints, signal },
        exp.train.regularize,
        index.length,
        rng,
      );
      const h = head!;
      return {
        loss: h.loss,
        accuracy: h.accuracy,
        gradParams: res.gradParams,
        gradExtra: h.gradParams,
        stats: res.stats,
        ...(res.terms ? { regularizers: res.terms } : {}),
      };
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
  const sol = await solveField(field, flowInputs(checked), [0, FLOW_TIME], { ...exp.solver, signal });
  return sol.ys[1];
}
