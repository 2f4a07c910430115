/**
 * The recurrent cell shared by the latent ODE's encoder and the RNN baseline: an Elman cell
 * h' = tanh(W [x; h] + b), or a GRU (gruCell.ts), with its forward pass over a sequence and
 * back-propagation through time. Inputs carry the time gap to the neighbouring observation, so
 * irregular sampling is seen by the cell.
 */
import { denseAt, denseBackward, denseForward, denseSize, type DenseLayer } from '../layers/dense';
import { fromRand, initDense, type Rand } from '../layers/init';
import { gruBlocks, gruSequence, gruSequenceBackward, gruSize, gruStep } from './gruCell';

export type CellKind = 'tanh' | 'gru';

export interface CellSpec {
  /** Input and hidden sizes. */
  nIn: number;
  hidden: number;
  /** Where the cell's W [hidden × (nIn + hidden)] and b (for a GRU, three such blocks) start in the parameter vector. */
  offset: number;
  /** The Elman cell (default) or a GRU. */
  kind?: CellKind;
}

export const cellSize = (nIn: number, hidden: number, kind: CellKind = 'tanh'): number => (kind === 'gru' ? gruSize(nIn, hidden) : denseSize(nIn + hidden, hidden));

const asDense = (c: CellSpec): DenseLayer => denseAt(c.nIn + c.hidden, c.hidden, c.offset);

/** PyTorch's initialisation of each of the cell's layers. */
export function initCell(params: Float64Array, c: CellSpec, rand: Rand): void {
  const blocks = c.kind === 'gru' ? gruBlocks(c) : [asDense(c)];
  const draw = fromRand(rand);
  for (const d of blocks) initDense(params, d, draw);
}

/** One step: the new hidden state from input x and state h. */
export function cellStep(params: Float64Array, c: CellSpec, x: ArrayLike<number>, h: Float64Array): Float64Array {
  if (c.kind === 'gru') return gruStep(params, c, x, h);
  const xh = new Float64Array(c.nIn + c.hidden);
  for (let i = 0; i < c.nIn; i++) xh[i] = x[i];
  xh.set(h, c.nIn);
  const out = denseForward(params, asDense(c), xh, 1, new Float64Array(c.hidden));
  for (let i = 0; i < out.length; i++) out[i] = Math.tanh(out[i]);
  return out;
}

/** The states after each input, from h = 0: states[k] follows inputs[k]. */
export function cellSequence(params: Float64Array, c: CellSpec, inputs: readonly ArrayLike<number>[]): Float64Array[] {
  if (c.kind === 'gru') return gruSequence(params, c, inputs);
  const states: Float64Array[] = [];
  let h: Float64Array = new Float64Array(c.hidden);
  for (const x of inputs) {
    h = cellStep(params, c, x, h);
    states.push(h);
  }
  return states;
}

/**
 * Back-propagation through time: `gradStates[k]` is dL/dstates[k] from outside the recurrence
 * (null for none); the cell's parameter gradient is added into `grads`.
 */
export function cellSequenceBackward(
  params: Float64Array,
  grads: Float64Array,
  c: CellSpec,
  inputs: readonly ArrayLike<number>[],
  states: readonly Float64Array[],
  gradStates: readonly (ArrayLike<number> | null)[],
): void {
  const H = c.hidden;
  if (c.kind === 'gru') {
    gruSequenceBackward(params, grads, c, inputs, states, gradStates);
    return;
  }
  const d = asDense(c);
  const xh = new Float64Array(c.nIn + H);
  const ga = new Float64Array(H);
  const gxh = new Float64Array(c.nIn + H);
  // dL/dh carried back from the later steps
  let carry = new Float64Array(H);
  for (let k = states.length - 1; k >= 0; k--) {
    const h = states[k];
    const gOut = gradStates[k];
    for (let i = 0; i < H; i++) ga[i] = (carry[i] + (gOut ? gOut[i] : 0)) * (1 - h[i] * h[i]);
    const x = inputs[k];
    for (let i = 0; i < c.nIn; i++) xh[i] = x[i];
    if (k > 0) xh.set(states[k - 1], c.nIn);
    else xh.fill(0, c.nIn);
    denseBackward(params, grads, d, xh, 1, ga, gxh);
    carry = gxh.slice(c.nIn);
  }
}
