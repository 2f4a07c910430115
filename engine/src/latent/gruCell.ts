/**
 * A gated recurrent unit (Cho et al. 2014) for the latent ODE's encoder, with its forward pass
 * and back-propagation through time by hand:
 *
 *   r = σ(W_r [x; h] + b_r),  u = σ(W_u [x; h] + b_u),  c = tanh(W_c [x; r ⊙ h] + b_c),
 *   h' = u ⊙ h + (1 − u) ⊙ c.
 *
 * The update gate lets the state carry information across many steps unchanged, where the
 * Elman cell's repeated tanh forgets it within a few: with 100 densely sampled observations an
 * Elman encoder effectively reads only the last few it sees. The loops are written out (no
 * per-layer allocations): the encoder's steps dominate a training iteration.
 */
import { denseSize, type DenseSpec } from './dense';

export interface GruSpec {
  nIn: number;
  hidden: number;
  /** Where W_r, b_r, then W_u, b_u, then W_c, b_c start in the parameter vector. */
  offset: number;
}

export const gruSize = (nIn: number, hidden: number): number => 3 * denseSize(nIn + hidden, hidden);

/** The three blocks: reset gate, update gate, candidate; each [hidden × (nIn + hidden)] and bias. */
export function gruBlocks(c: GruSpec): [DenseSpec, DenseSpec, DenseSpec] {
  const n = denseSize(c.nIn + c.hidden, c.hidden);
  const block = (k: number): DenseSpec => ({ nIn: c.nIn + c.hidden, nOut: c.hidden, offset: c.offset + k * n });
  return [block(0), block(1), block(2)];
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/** The gates of one step and the inputs of their layers: [x; h] and [x; r ⊙ h]. */
interface Gates {
  r: Float64Array;
  u: Float64Array;
  c: Float64Array;
  xh: Float64Array;
  xrh: Float64Array;
}

const newGates = (spec: GruSpec): Gates => {
  const H = spec.hidden;
  const n = spec.nIn + H;
  return { r: new Float64Array(H), u: new Float64Array(H), c: new Float64Array(H), xh: new Float64Array(n), xrh: new Float64Array(n) };
};

/** W x + b of the block at `w` (rows of length n) for row o. */
function row(params: Float64Array, w: number, n: number, H: number, o: number, x: Float64Array): number {
  let s = params[w + H * n + o];
  const at = w + o * n;
  for (let i = 0; i < n; i++) s += params[at + i] * x[i];
  return s;
}

function gates(params: Float64Array, spec: GruSpec, x: ArrayLike<number>, h: ArrayLike<number>, g: Gates): Gates {
  const { nIn, hidden: H, offset } = spec;
  const n = nIn + H;
  const size = n * H + H;
  const { r, u, c, xh, xrh } = g;
  for (let i = 0; i < nIn; i++) xh[i] = xrh[i] = x[i];
  for (let i = 0; i < H; i++) xh[nIn + i] = h[i];
  for (let o = 0; o < H; o++) {
    r[o] = sigmoid(row(params, offset, n, H, o, xh));
    u[o] = sigmoid(row(params, offset + size, n, H, o, xh));
  }
  for (let i = 0; i < H; i++) xrh[nIn + i] = r[i] * h[i];
  for (let o = 0; o < H; o++) c[o] = Math.tanh(row(params, offset + 2 * size, n, H, o, xrh));
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

/** Adds g xᵀ and g into the block at `w`, and Wᵀ g into `dx` (which it overwrites). */
function rowsBackward(params: Float64Array, grads: Float64Array, w: number, n: number, H: number, x: Float64Array, g: Float64Array, dx: Float64Array): void {
  dx.fill(0);
  for (let o = 0; o < H; o++) {
    const go = g[o];
    if (go === 0) continue;
    grads[w + H * n + o] += go;
    const at = w + o * n;
    for (let i = 0; i < n; i++) {
      grads[at + i] += go * x[i];
      dx[i] += go * params[at + i];
    }
  }
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
  const { nIn, hidden: H, offset } = spec;
  const n = nIn + H;
  const size = n * H + H;
  const g = newGates(spec);
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
    rowsBackward(params, grads, offset + 2 * size, n, H, xrh, gaC, dxC);
    for (let i = 0; i < H; i++) {
      const gRh = dxC[nIn + i];
      gh[i] += gRh * r[i];
      gaR[i] = gRh * h[i] * r[i] * (1 - r[i]);
    }
    rowsBackward(params, grads, offset + size, n, H, xh, gaU, dxU);
    rowsBackward(params, grads, offset, n, H, xh, gaR, dxR);
    for (let i = 0; i < H; i++) carry[i] = gh[i] + (dxU[nIn + i] + dxR[nIn + i]);
  }
}
