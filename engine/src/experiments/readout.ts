/**
 * The classifier head of an ODE block: a linear readout of the flowed state y(T), with the
 * losses a classifier trains on and their gradients in the readout's weights and in y(T).
 *
 *   'mse' (ANODE's setup): two classes regress g(x) = −1 / +1 with one output; K > 2 classes
 *         regress one-hot targets with K outputs. The prediction is the sign, or the argmax.
 *   'crossEntropy': K logits, softmax cross-entropy, the argmax as prediction.
 *
 * Parameters are one Float64Array, W (outputs × dim, row-major) then b (outputs), PyTorch's
 * nn.Linear layout, so the trainer's optimiser steps them with the field's.
 */
import { Rng } from '../data/rng';

export type ClassifierLoss = 'mse' | 'crossEntropy';

/** Label values and their class indices: classes sorted ascending, labels[i] ↦ index. */
export interface ClassEncoding {
  /** The distinct label values, ascending (class k is classes[k]). */
  classes: number[];
  /** The class index of every point. */
  index: Int32Array;
}

export function encodeLabels(labels: ArrayLike<number>): ClassEncoding {
  const classes = [...new Set(Array.from(labels))].sort((a, b) => a - b);
  const of = new Map(classes.map((c, k) => [c, k]));
  return { classes, index: Int32Array.from(labels, (l) => of.get(l) ?? -1) };
}

export class LinearReadout {
  /** W then b. */
  readonly params: Float64Array;
  readonly outputs: number;

  constructor(
    /** Components of the state it reads (the augmented dimension). */
    readonly dim: number,
    readonly classes: number,
    readonly loss: ClassifierLoss,
    seed: number,
  ) {
    this.outputs = loss === 'mse' && classes === 2 ? 1 : classes;
    this.params = new Float64Array(this.outputs * (dim + 1));
    // nn.Linear's default: U(−1/√fan_in, 1/√fan_in) for weights and biases.
    const rng = new Rng(seed);
    const bound = 1 / Math.sqrt(dim);
    for (let i = 0; i < this.params.length; i++) this.params[i] = rng.uniform(-bound, bound);
  }

  /** Outputs for a batch of states (batch × dim) → batch × outputs. */
  forward(y: Float64Array): Float64Array {
    const { dim, outputs, params: P } = this;
    const B = y.length / dim;
    const out = new Float64Array(B * outputs);
    const bias = outputs * dim;
    for (let s = 0; s < B; s++) {
      for (let o = 0; o < outputs; o++) {
        let acc = P[bias + o];
        for (let d = 0; d < dim; d++) acc += P[o * dim + d] * y[s * dim + d];
        out[s * outputs + o] = acc;
      }
    }
    return out;
  }

  /** The predicted class index of each sample from its outputs. */
  predict(out: Float64Array): Int32Array {
    const K = this.outputs;
    const B = out.length / K;
    const pred = new Int32Array(B);
    for (let s = 0; s < B; s++) {
      if (K === 1) {
        pred[s] = out[s] > 0 ? 1 : 0;
        continue;
      }
      let best = 0;
      for (let o = 1; o < K; o++) if (out[s * K + o] > out[s * K + best]) best = o;
      pred[s] = best;
    }
    return pred;
  }

  /**
   * Mean loss of a batch against class indices, its accuracy, and the gradients in the
   * readout's parameters and in y (dL/dy(T), the cotangent the ODE block's gradient starts from).
   */
  lossAndGrad(y: Float64Array, target: Int32Array): { loss: number; accuracy: number; gradParams: Float64Array; gradY: Float64Array } {
    const { dim, outputs: K, params: P } = this;
    const B = target.length;
    const out = this.forward(y);
    const g = new Float64Array(B * K); // dL/dout
    let loss = 0;
    if (this.loss === 'mse') {
      const scale = 2 / (B * K);
      for (let s = 0; s < B; s++) {
        for (let o = 0; o < K; o++) {
          // One output: the ±1 target of ANODE; K outputs: one-hot.
          const want = K === 1 ? (target[s] === 1 ? 1 : -1) : target[s] === o ? 1 : 0;
          const d = out[s * K + o] - want;
          loss += d * d;
          g[s * K + o] = scale * d;
        }
      }
      loss /= B * K;
    } else {
      for (let s = 0; s < B; s++) {
        let max = -Infinity;
        for (let o = 0; o < K; o++) max = Math.max(max, out[s * K + o]);
        let z = 0;
        for (let o = 0; o < K; o++) z += Math.exp(out[s * K + o] - max);
        const logZ = max + Math.log(z);
        loss += logZ - out[s * K + target[s]];
        for (let o = 0; o < K; o++) g[s * K + o] = (Math.exp(out[s * K + o] - logZ) - (target[s] === o ? 1 : 0)) / B;
      }
      loss /= B;
    }
    const gradParams = new Float64Array(P.length);
    const gradY = new Float64Array(B * dim);
    const bias = K * dim;
    for (let s = 0; s < B; s++) {
      for (let o = 0; o < K; o++) {
        const go = g[s * K + o];
        if (go === 0) continue;
        gradParams[bias + o] += go;
        for (let d = 0; d < dim; d++) {
          gradParams[o * dim + d] += go * y[s * dim + d];
          gradY[s * dim + d] += go * P[o * dim + d];
        }
      }
    }
    return { loss, accuracy: accuracyOf(this.predict(out), target), gradParams, gradY };
  }

  /** Mean loss and accuracy of a batch, without gradients. */
  evaluate(y: Float64Array, target: Int32Array): { loss: number; accuracy: number; predicted: Int32Array } {
    const r = this.lossAndGrad(y, target);
    return { loss: r.loss, accuracy: r.accuracy, predicted: this.predict(this.forward(y)) };
  }
}

export function accuracyOf(pred: Int32Array, target: Int32Array): number {
  let right = 0;
  for (let s = 0; s < target.length; s++) if (pred[s] === target[s]) right++;
  return target.length > 0 ? right / target.length : NaN;
}
