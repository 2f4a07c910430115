/**
 * Classifying images with an ODE-Net (or the ResNet / RK-Net it is compared with): each step
 * draws a mini-batch of images, embeds them, solves the ODE block with the experiment's solver
 * (or runs the residual blocks), and a linear readout of the head's features gives softmax
 * cross-entropy; the gradient method of the experiment ('adjoint' for the ODE-Net, 'backprop'
 * through the solver's steps for an RK-Net) differentiates the block. Evaluation runs on every
 * image (test mode); `evaluateOn` scores a held-out split.
 */
import type { Rng } from '../data/rng';
import type { PointData } from '../data/types';
import { gatherRows } from '../resnet/classifier';
import { DEFAULT_ODENET_SOLVER, evaluateOdeNet, odeNetLossAndGrad } from '../odenet/classify';
import type { OdeNet } from '../odenet/network';
import { ExperimentError, type Experiment, type GradientSpec } from './define';
import { checkLabelledData, labelledSummary } from './labelledData';
import { LinearReadout } from './readout';
import { isRegularized } from '../regularize/regularizedGrad';
import type { TaskEvaluation, TrainTask } from './task';

export interface OdeNetTask extends TrainTask {
  readout: LinearReadout;
  network: OdeNet;
  /** Test-mode loss and accuracy on other images (a held-out split) of the same classes. */
  evaluateOn(data: PointData, signal?: AbortSignal): Promise<TaskEvaluation>;
}

/** The image size the network takes, in words, for messages. */
const imageWords = (net: OdeNet): string => {
  const o = net.options;
  return `inChannels × height × width = ${o.inChannels} × ${o.height} × ${o.width} = ${net.dim}`;
};

export function odeNetTask(exp: Pick<Experiment, 'train' | 'solver' | 'location'>, data: PointData, net: OdeNet, grad: GradientSpec): OdeNetTask {
  const fail = (what: string): never => {
    throw new ExperimentError(what, exp.location);
  };
  const name = `the data '${data.name}'`;
  if (data.dim !== net.dim) {
    const side = Math.sqrt(data.dim);
    const hint = Number.isInteger(side)
      ? `images of ${side} × ${side}? Build odeNet({ height: ${side}, width: ${side}, … })` + (data.dim === 196 ? ', or load them unpooled (fashionMnistPoints({ pool: 1 }))' : '')
      : `give images flattened to ${net.dim} values`;
    fail(`the ODE-Net takes images of ${imageWords(net)} values, but ${name} have ${data.dim} per point: ${hint}.`);
  }
  const { encoding, batchSize } = checkLabelledData(exp, data, { noun: 'images', labelled: 'labelled images (fashionMnistPoints({ pool: 1 }))' });
  const t = exp.train;
  if (t.loss !== undefined && t.loss !== 'crossEntropy') fail(`train.loss '${t.loss}' does not apply: an ODE-Net classifies with softmax cross-entropy. Remove train.loss.`);
  if (!net.field && isRegularized(t.regularize)) fail("train.regularize acts on the ODE block, and a ResNet (architecture 'resnet') has none: remove train.regularize.");
  // A ResNet has no ODE to solve: solver and gradient (which an editor's settings may fill in) do not apply.
  const readout = new LinearReadout(net.features, encoding.classes.length, 'crossEntropy', (t.seed ?? 0) + 1);
  const solver = { ...DEFAULT_ODENET_SOLVER, ...exp.solver };
  const o = net.options;
  return {
    kind: 'classification',
    readout,
    network: net,
    extra: readout.params,
    summary: {
      ...labelledSummary(data, encoding),
      model: {
        kind: 'ode-net',
        architecture: net.architecture,
        channels: o.channels,
        groups: o.groups,
        image: [o.inChannels, o.height, o.width],
        pool: o.pool,
        poolAfter: o.poolAfter,
        headPool: o.headPool,
        ...(net.architecture === 'resnet' ? { depth: o.depth } : { time: o.time, solver }),
      },
      readout: { outputs: readout.outputs, loss: 'crossEntropy' },
    },
    async step(rng: Rng, signal?: AbortSignal) {
      const index = rng.choice(data.n, batchSize);
      const target = Int32Array.from(index, (i) => encoding.index[i]);
      const regularize = exp.train.regularize ? { spec: exp.train.regularize, rng } : undefined;
      const r = await odeNetLossAndGrad(net, readout, gatherRows(data.x, data.dim, index), target, { solver, gradient: grad, signal, regularize });
      return { loss: r.loss, accuracy: r.accuracy, gradParams: r.gradParams, gradExtra: r.gradReadout, stats: r.stats, ...(r.regularizers ? { regularizers: r.regularizers } : {}) };
    },
    evaluate(signal?: AbortSignal) {
      return evaluateOdeNet(net, readout, data.x, encoding.index, solver, signal);
    },
    evaluateOn(other: PointData, signal?: AbortSignal) {
      if (other.dim !== net.dim || !other.labels || other.labels.length !== other.n) {
        fail(`evaluateOn: '${other.name}' must be labelled images of ${imageWords(net)} values (one label per image).`);
      }
      const of = new Map(encoding.classes.map((c, k) => [c, k]));
      const target = Int32Array.from(other.labels!, (l) => of.get(l) ?? -1);
      const unknown = target.indexOf(-1);
      if (unknown >= 0) fail(`evaluateOn: '${other.name}' has label ${other.labels![unknown]} at image ${unknown}, not one of the training classes ${encoding.classes.join(', ')}.`);
      return evaluateOdeNet(net, readout, other.x, target, solver, signal);
    },
  };
}
