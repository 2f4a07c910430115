/**
 * A discrete network with a linear softmax head, trained on labelled points: the loss and its
 * exact gradient for one mini-batch, evaluation in chunks, and a plain epoch loop (shuffled
 * mini-batches, one optimiser for the network and one for the head, per-element rules so this
 * equals one optimiser on both).
 */
import { Rng } from '../data/rng';
import type { PointData } from '../data/types';
import { encodeLabels, LinearReadout, type ClassifierLoss } from '../experiments/readout';
import { createOptimizer, type OptimizerSpec } from '../train/optimizers';
import { lrSchedule, type ScheduleSpec } from '../train/schedules';
import type { DiscreteNetwork } from './network';

export interface BatchResult {
  loss: number;
  accuracy: number;
  /** dL/dθ of the network and of the head. */
  gradNetwork: Float64Array;
  gradHead: Float64Array;
  /** Block evaluations of the forward pass (the backward pass makes as many block VJPs). */
  evaluations: number;
}

/** Rows `index` of an [n × dim] array. */
export function gatherRows(x: Float64Array, dim: number, index: ArrayLike<number>): Float64Array {
  const out = new Float64Array(index.length * dim);
  for (let s = 0; s < index.length; s++) out.set(x.subarray(index[s] * dim, (index[s] + 1) * dim), s * dim);
  return out;
}

/** Loss, accuracy and gradients of one mini-batch; training mode (stochastic depth, noise) draws from rng. */
export function batchLossAndGrad(net: DiscreteNetwork, head: LinearReadout, x: Float64Array, target: Int32Array, rng: Rng): BatchResult {
  const tape = net.forward(x, { training: true, rng });
  const out = tape.states[net.depth];
  const h = head.lossAndGrad(out, target);
  const g = net.backward(tape, h.gradY);
  return { loss: h.loss, accuracy: h.accuracy, gradNetwork: g.params, gradHead: h.gradParams, evaluations: tape.evaluations };
}

/** Mean loss and accuracy over all of x in test mode, `chunk` samples at a time. */
export function evaluateClassifier(net: DiscreteNetwork, head: LinearReadout, x: Float64Array, target: Int32Array, chunk = 1000): { loss: number; accuracy: number } {
  let loss = 0;
  let right = 0;
  const n = target.length;
  for (let s = 0; s < n; s += chunk) {
    const e = Math.min(n, s + chunk);
    const r = head.evaluate(net.predict(x.subarray(s * net.dim, e * net.dim)), target.subarray(s, e));
    loss += r.loss * (e - s);
    right += r.accuracy * (e - s);
  }
  return { loss: loss / n, accuracy: right / n };
}

/** Class indices 0 … K−1 of labelled points, and K. */
export function classIndices(data: PointData, where: string): { target: Int32Array; classes: number[] } {
  if (!data.labels || data.labels.length !== data.n) {
    throw new RangeError(`${where}: the data '${data.name}' need one label per point (${data.n}), found ${data.labels?.length ?? 'none'}; use labelled data (circles(), moons(), fashionMnistPoints()).`);
  }
  const enc = encodeLabels(data.labels);
  return { target: enc.index, classes: enc.classes };
}

export interface TrainClassifierOptions {
  optimizer: OptimizerSpec;
  /** The learning rate per optimiser step (iteration 0 first), e.g. { kind: 'cosine', tMax: steps }. Default constant. */
  schedule?: ScheduleSpec;
  epochs: number;
  batchSize: number;
  /** Seeds the shuffling, stochastic depth and noise (default 0). */
  seed?: number;
  /** Seeds the head's initial weights (default seed + 1). */
  headSeed?: number;
  loss?: ClassifierLoss;
  /** Held-out points, evaluated after every epoch. */
  test?: PointData;
  onEpoch?: (r: EpochReport) => void;
}

export interface EpochReport {
  epoch: number;
  /** Mean training-mode loss over the epoch's batches. */
  trainLoss: number;
  testAccuracy?: number;
  testLoss?: number;
}

export interface TrainClassifierResult {
  head: LinearReadout;
  epochs: EpochReport[];
  /** Test-mode accuracy on the training points and on the test points after the last epoch. */
  trainAccuracy: number;
  testAccuracy?: number;
  seconds: number;
}

/** Trains net (in place) and a new linear head on `data`; see TrainClassifierOptions. */
export function trainClassifier(net: DiscreteNetwork, data: PointData, opts: TrainClassifierOptions): TrainClassifierResult {
  const where = 'trainClassifier';
  if (data.dim !== net.dim) {
    throw new RangeError(`${where}: the data '${data.name}' have dim ${data.dim} but the network takes inputDim ${net.dim}; build the network with inputDim: ${data.dim}.`);
  }
  if (!Number.isInteger(opts.epochs) || opts.epochs < 1) throw new RangeError(`${where}: epochs must be a whole number ≥ 1, got ${opts.epochs}.`);
  if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1 || opts.batchSize > data.n) {
    throw new RangeError(`${where}: batchSize must be a whole number in 1 … ${data.n} (the number of points), got ${opts.batchSize}.`);
  }
  const { target, classes } = classIndices(data, where);
  let testTarget: Int32Array | null = null;
  if (opts.test) {
    if (opts.test.dim !== data.dim) throw new RangeError(`${where}: the test data have dim ${opts.test.dim}, the training data ${data.dim}; both must match the network's inputDim.`);
    const known = new Map(classes.map((c, k) => [c, k]));
    const { labels } = opts.test;
    if (!labels || labels.length !== opts.test.n) throw new RangeError(`${where}: the test data need one label per point.`);
    testTarget = Int32Array.from(labels, (l) => known.get(l) ?? -1);
  }
  const seed = opts.seed ?? 0;
  const rng = new Rng(seed);
  const head = new LinearReadout(net.width, classes.length, opts.loss ?? 'crossEntropy', opts.headSeed ?? seed + 1);
  const optNet = createOptimizer(opts.optimizer);
  const optHead = createOptimizer(opts.optimizer);
  const schedule = lrSchedule(optNet.lr, opts.schedule);
  let iteration = 0;
  const started = performance.now();
  const epochs: EpochReport[] = [];
  const B = opts.batchSize;
  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    const order = rng.permutation(data.n);
    let sum = 0;
    let batches = 0;
    // the last partial batch is dropped, so every step averages over B points
    for (let s = 0; s + B <= data.n; s += B) {
      const idx = order.subarray(s, s + B);
      const r = batchLossAndGrad(net, head, gatherRows(data.x, data.dim, idx), Int32Array.from(idx, (i) => target[i]), rng);
      if (!Number.isFinite(r.loss)) {
        throw new RangeError(`${where}: the loss became ${r.loss} in epoch ${epoch}, batch ${batches + 1}; lower the learning rate (${optNet.lr}) or the depth.`);
      }
      optNet.lr = optHead.lr = schedule(iteration++);
      optNet.step(net.params, r.gradNetwork);
      optHead.step(head.params, r.gradHead);
      sum += r.loss;
      batches++;
    }
    const report: EpochReport = { epoch, trainLoss: sum / batches };
    if (opts.test && testTarget) {
      const e = evaluateClassifier(net, head, opts.test.x, testTarget);
      report.testAccuracy = e.accuracy;
      report.testLoss = e.loss;
    }
    epochs.push(report);
    opts.onEpoch?.(report);
  }
  const trainAccuracy = evaluateClassifier(net, head, data.x, target).accuracy;
  return { head, epochs, trainAccuracy, testAccuracy: epochs.at(-1)?.testAccuracy, seconds: (performance.now() - started) / 1000 };
}
