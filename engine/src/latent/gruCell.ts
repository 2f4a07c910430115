/**
 * A gated recurrent unit (Cho et al. 2014) for the latent ODE's encoder, with its forward pass
 * and back-propagation through time by hand:
 *
 *   r = σ(W_r [x; h] + b_r),  u = σ(W_u [x; h] + b_u),  c = tanh(W_c [x; r ⊙ h] + b_c),
 *   h' = u ⊙ h + (1 − u) ⊙ c.
 *
 * The update gate lets the state carry information across many steps unchanged, where the
 * Elman cell's repeated tanh forgets it within a few: with 100 densely sampled observations an
 * Elman encoder effectively reads only the last few it sees. The gates' layers run on the
 * shared dense layer into buffers made once per sequence (no per-step allocations): the
 * encoder's steps dominate a training iteration.
 */
import { sigmoid } from '../layers/activations';
import { denseAt, denseBackward, denseForward, denseSize, type DenseLayer } from '../layers/dense';

export interface GruSpec {
  nIn: number;
  hidden: number;
  /** Where W_r, b_r, then W_u, b_u, then W_c, b_c start in the parameter vector. */
  offset: number;
}

export const gruSize = (nIn: number, hidden: number): number => 3 * denseSize(nIn + hidden, hidden);

/** The three blocks: reset gate, update gate, candidate; each [hidden × (nIn + hidden)] and bias. */
export function gruBlocks(c: GruSpec): [DenseLayer, DenseLayer, DenseLayer] {
  const n = denseSize(c.nIn + c.hidden, c.hidden);
  const block = (k: number): DenseLayer => denseAt(c.nIn + c.hidden, c.hidden, c.offset + k * n);
  return [block(0), block(1), block(2)];
}

/** The gates of one step and the inputs of their layers: [x; h] and [x; r ⊙ h]. */
interface Gates {
  r: Float64Array;
  u: Float64Array;
  c: Float64Array;
  xh: Float64Array;
  xrh: Float64Array;
  /** The reset gate's, update gate's and candidate's layers. */
  blocks: [DenseLayer, DenseLayer, DenseLayer];
}

const newGates = (spec: GruSpec): Gates => {
  const H = spec.hidden;
  const n = spec.nIn + H;
  return { r: new Float64Array(H), u: new Float64Array(H), c: new Float64Array(H), xh: new Float64Array(n), xrh: new Float64Array(n), blocks: gruBlocks(spec) };
};

function gates(params: Float64Array, spec: GruSpec, x: ArrayLike<number>, h: ArrayLike<number>, g: Gates): Gates {
  const { nIn, hidden: H } = spec;
  const { r, u, c, xh, xrh, blocks } = g;
  for (let i = 0; i < nIn; i++) xh[i] = xrh[i] = x[i];
  for (let i = 0; i < H; i++) xh[nIn + i] = h[i];
  denseForward(params, blocks[0], xh, 1, r);
  denseForward(params, blocks[1], xh, 1, u);
  for (let o = 0; o < H; o++) {
    r[o] = sigmoid(r[o]);
    u[o] = sigmoid(u[o]);
  }
  for (let i = 0; i < H; i++) xrh[nIn + i] = r[i] * h[i];
  denseForward(params, blocks[2], xrh, 1, c);
  for (let o = 0; o < H; o++) c[o] = Math.tanh(c[o]);
  return g;
}

/** One step: the new hidden state from input x and state h. */
export function gruStep(params: Float64Array, spec: GruSpec, x: ArrayLike<number>, h: ArrayLike<number>, scratch: Gates = newGates(spec)): Float64Array {
  const { u, c } = gates(params, spec, x, h, scratch);
  const out = new Float64Array(spec.hidden);
  for (let i = 0; i < out.length; i++) out[i] = u[i] * h[i] + (1 - u[i]) * c[i];
  return out;
}

/** The states after each input, from h = 0. */
export function gruSequence(params: Float64Array, spec: GruSpec, inputs: readonly ArrayLike<number>[]): Float64Array[] {
  const scratch = newGates(spec);
  const states: Float64Array[] = [];
  let h: Float64Array = new Float64Array(spec.hidden);
  for (const x of inputs) {
    h = gruStep(params, spec, x, h, scratch);
    states.push(h);
  }
  return states;
}

/**
 * Back-propagation through time: `gradStates[k]` is dL/dstates[k] from outside the recurrence
 * (null for none); the parameter gradient is added into `grads`. Each step's gates are
 * recomputed from its input and the previous state.
 */
export function gruSequenceBackward(
  params: Float64Array,
  grads: Float64Array,
  spec: GruSpec,
  inputs: readonly ArrayLike<number>[],
  states: readonly Float64Array[],
  gradStates: readonly (ArrayLike<number> | null)[],
): void {
  const { nIn, hidden: H } = spec;
  const n = nIn + H;
  const g = newGates(spec);
  const [blockR, blockU, blockC] = g.blocks;
  const zero = new Float64Array(H);
  const carry = new Float64Array(H);
  const gh = new Float64Array(H);
  const gaR = new Float64Array(H);
  const gaU = new Float64Array(H);
  const gaC = new Float64Array(H);
  const dxC = new Float64Array(n);
  const dxU = new Float64Array(n);
  const dxR = new Float64Array(n);
  for (let k = states.length - 1; k >= 0; k--) {
    const gOut = gradStates[k];
    if (gOut) for (let i = 0; i < H; i++) carry[i] += gOut[i];
    const h = k > 0 ? states[k - 1] : zero;
    const { r, u, c, xh, xrh } = gates(params, spec, inputs[k], h, g);
    for (let i = 0; i < H; i++) {
      gh[i] = carry[i] * u[i];
      gaU[i] = carry[i] * (h[i] - c[i]) * u[i] * (1 - u[i]);
      gaC[i] = carry[i] * (1 - u[i]) * (1 - c[i] * c[i]);
    }
    denseBackward(params, grads, blockC, xrh, 1, gaC, dxC);
    for (let i = 0; i < H; i++) {
      const gRh = dxC[nIn + i];
      gh[i] += gRh * r[i];
      gaR[i] = gRh * h[i] * r[i] * (1 - r[i]);
    }
    denseBackward(params, grads, blockU, xh, 1, gaU, dxU);
    denseBackward(params, grads, blockR, xh, 1, gaR, dxR);
    for (let i = 0; i < H; i++) carry[i] = gh[i] + (dxU[nIn + i] + dxR[nIn + i]);
  }
}
