/**
 * The latent ODE's encoder and decoder on one series / one state. The encoder reads the
 * observations backwards in time, each as [y_i, t_i − t_{i−1}] (t_{−1} = 0, where z0 sits), so
 * its last input is the first observation and the gap from the start; a linear head of the
 * final state gives μ and log σ² of q(z0). The decoder is z → tanh layer → y (or linear).
 * Both see observations in the model's fixed scale (LatentOdeLayout.scale).
 */
import { denseBackwardSample, denseForward } from '../layers/dense';
import type { LatentOdeLayout } from './latentOde';
import { cellSequence, cellSequenceBackward } from './rnnCell';

export interface Encoded {
  mu: Float64Array;
  logvar: Float64Array;
  inputs: Float64Array[];
  states: Float64Array[];
}

/** The encoder's inputs, last observation first. */
export function encoderInputs(t: Float64Array, ys: Float64Array, lay: LatentOdeLayout): Float64Array[] {
  const n = t.length;
  const D = lay.obsDim;
  const { mean, std } = lay.scale;
  const out: Float64Array[] = [];
  for (let i = n - 1; i >= 0; i--) {
    const x = new Float64Array(D + 1);
    for (let k = 0; k < D; k++) x[k] = (ys[i * D + k] - mean[k]) / std[k];
    x[D] = t[i] - (i > 0 ? t[i - 1] : 0);
    out.push(x);
  }
  return out;
}

export function encode(extra: Float64Array, lay: LatentOdeLayout, t: Float64Array, ys: Float64Array): Encoded {
  const inputs = encoderInputs(t, ys, lay);
  const states = cellSequence(extra, lay.cell, inputs);
  const out = denseForward(extra, lay.head, states[states.length - 1], 1, new Float64Array(2 * lay.latentDim));
  return { mu: out.slice(0, lay.latentDim), logvar: out.slice(lay.latentDim), inputs, states };
}

/** Adds the encoder's parameter gradient for dL/dμ and dL/dlog σ² into `grads`. */
export function encodeBackward(extra: Float64Array, grads: Float64Array, lay: LatentOdeLayout, e: Encoded, gMu: ArrayLike<number>, gLogvar: ArrayLike<number>): void {
  const L = lay.latentDim;
  const g = new Float64Array(2 * L);
  for (let i = 0; i < L; i++) {
    g[i] = gMu[i];
    g[L + i] = gLogvar[i];
  }
  const last = e.states.length - 1;
  const gh = denseBackwardSample(extra, grads, lay.head, e.states[last], g);
  const gradStates = e.states.map((_, k) => (k === last ? gh : null));
  cellSequenceBackward(extra, grads, lay.cell, e.inputs, e.states, gradStates);
}

export interface Decoded {
  y: Float64Array;
  /** The hidden layer's output (null for a linear decoder). */
  hidden: Float64Array | null;
}

export function decode(extra: Float64Array, lay: LatentOdeLayout, z: ArrayLike<number>): Decoded {
  let hidden: Float64Array | null = null;
  if (lay.dec1) {
    hidden = denseForward(extra, lay.dec1, z, 1, new Float64Array(lay.dec1.nOut));
    for (let i = 0; i < hidden.length; i++) hidden[i] = Math.tanh(hidden[i]);
  }
  const y = denseForward(extra, lay.dec2, hidden ?? z, 1, new Float64Array(lay.obsDim));
  const { mean, std } = lay.scale;
  for (let k = 0; k < y.length; k++) y[k] = std[k] * y[k] + mean[k];
  return { y, hidden };
}

/** Adds the decoder's parameter gradient for dL/dy into `grads`; returns dL/dz. */
export function decodeBackward(extra: Float64Array, grads: Float64Array, lay: LatentOdeLayout, z: ArrayLike<number>, d: Decoded, gy: ArrayLike<number>): Float64Array {
  const gOut = Float64Array.from(gy, (g, k) => g * lay.scale.std[k]);
  if (!lay.dec1 || !d.hidden) return denseBackwardSample(extra, grads, lay.dec2, z, gOut);
  const gh = denseBackwardSample(extra, grads, lay.dec2, d.hidden, gOut);
  for (let i = 0; i < gh.length; i++) gh[i] *= 1 - d.hidden[i] * d.hidden[i];
  return denseBackwardSample(extra, grads, lay.dec1, z, gh);
}
