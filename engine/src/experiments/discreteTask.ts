/**
 * Classifying labelled points with a discrete network (ResNet, LM-ResNet, RK-Net): each step
 * draws a mini-batch, runs the network in training mode (stochastic depth and noise drawn from
 * the trainer's Rng, so a checkpointed Rng resumes the same draws), a linear readout of u_L
 * gives the loss, and the hand-written backward pass gives dL/dθ of the network (k_n included)
 * beside the readout's gradient. Evaluation runs in test mode on every point.
 */
import type { Rng } from '../data/rng';
import type { PointData } from '../data/types';
import type { GradStats } from '../gradients/types';
import { batchLossAndGrad, evaluateClassifier, gatherRows } from '../resnet/classifier';
import type { DiscreteNetwork } from '../resnet/network';
import { ExperimentError, type Experiment } from './define';
import { checkLabelledData, labelledSummary } from './labelledData';
import { LinearReadout, type ClassifierLoss } from './readout';
import type { TaskEvaluation, TrainTask } from './task';

/** Classifiers of a discrete network train on softmax cross-entropy unless train.loss says 'mse'. */
export const DEFAULT_DISCRETE_LOSS: ClassifierLoss = 'crossEntropy';

export interface DiscreteTask extends TrainTask {
  readout: LinearReadout;
  network: DiscreteNetwork;
  /** Test-mode loss and accuracy on other labelled points (a held-out split) of the same classes. */
  evaluateOn(data: PointData): TaskEvaluation;
}

export function discreteTask(exp: Pick<Experiment, 'train' | 'location'>, data: PointData, net: DiscreteNetwork): DiscreteTask {
  const fail = (what: string): never => {
    throw new ExperimentError(what, exp.location);
  };
  const name = `the data '${data.name}'`;
  if (data.dim !== net.dim) {
    fail(`the network takes inputs of ${net.dim} components (inputDim) but ${name} have ${data.dim}: build it with inputDim: ${data.dim}.`);
  }
  const { encoding, batchSize } = checkLabelledData(exp, data, { noun: 'points', labelled: 'labelled data (circles(), moons(), fashionMnistPoints())' });
  const t = exp.train;
  const loss = t.loss ?? DEFAULT_DISCRETE_LOSS;
  if (loss !== 'mse' && loss !== 'crossEntropy') fail(`train.loss '${loss}' compares trajectories; a discrete network classifies with 'crossEntropy' (default) or 'mse'.`);
  const readout = new LinearReadout(net.width, encoding.classes.length, loss as ClassifierLoss, (t.seed ?? 0) + 1);
  const o = net.options;
  const method = o.tableau ? `rk:${o.tableau.name}` : net.architecture;
  const stats = (evaluations: number, batch: number): GradStats => ({
    gradient: 'backprop',
    method,
    nfeForward: evaluations,
    nfeBackward: evaluations,
    nfBackward: 0,
    nVjpBackward: evaluations,
    nAccepted: net.depth,
    nRejected: 0,
    nAcceptedBackward: 0,
    nRejectedBackward: 0,
    // the states u_0 … u_L and, per block evaluation, its hidden pre-activation and activation
    peakStoredBytes: 8 * batch * ((net.depth + 1) * net.width + evaluations * 2 * o.hidden),
  });
  const targetOf = (d: PointData): Int32Array => {
    const of = new Map(encoding.classes.map((c, k) => [c, k]));
    return Int32Array.from(d.labels ?? [], (l) => of.get(l) ?? -1);
  };
  return {
    kind: 'classification',
    readout,
    network: net,
    extra: readout.params,
    summary: {
      ...labelledSummary(data, encoding),
      model: {
        kind: 'discrete-network',
        architecture: net.architecture,
        ...(o.tableau ? { method: o.tableau.name } : {}),
        width: net.width,
        hidden: o.hidden,
        depth: net.depth,
        activation: o.activation,
        ...(o.finalSurvival !== null ? { stochasticDepth: { finalSurvival: o.finalSurvival } } : {}),
        ...(o.noise > 0 ? { noise: o.noise } : {}),
      },
      readout: { outputs: readout.outputs, loss },
    },
    async step(rng: Rng) {
      const index = rng.choice(data.n, batchSize);
      const target = Int32Array.from(index, (i) => encoding.index[i]);
      const r = batchLossAndGrad(net, readout, gatherRows(data.x, data.dim, index), target, rng);
      return { loss: r.loss, accuracy: r.accuracy, gradParams: r.gradNetwork, gradExtra: r.gradHead, stats: stats(r.evaluations, batchSize) };
    },
    async evaluate() {
      return evaluateClassifier(net, readout, data.x, encoding.index);
    },
    evaluateOn(other: PointData) {
      if (other.dim !== data.dim || !other.labels || other.labels.length !== other.n) {
        fail(`evaluateOn: '${other.name}' must be labelled points of dim ${data.dim} (one label per point).`);
      }
      const target = targetOf(other);
      const unknown = target.indexOf(-1);
      if (unknown >= 0) fail(`evaluateOn: '${other.name}' has label ${other.labels![unknown]} at point ${unknown}, not one of the training classes ${encoding.classes.join(', ')}.`);
      return evaluateClassifier(net, readout, other.x, target);
    },
  };
}
