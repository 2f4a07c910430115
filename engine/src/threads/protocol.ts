/**
 * The calls between the engine's thread and the threads that share a batch: each thread has a
 * small Int32Array of control words in shared memory, and the numbers travel in one shared
 * Float64Array per field. A call is synchronous on both sides (Atomics.wait), as a solver's
 * call of f is; what does not fit in shared memory (a field's recipe) goes by message, read at
 * once with receiveMessageOnPort.
 */
import type { ActivationName } from '../fields/activations';
import type { Program } from '../fields/trace/program';
import type { VariableSlot } from '../fields/trace/variableParams';
import type { Precision } from '../kernels/simdTanh';

export const CTRL = {
  /** Bumped by the caller for each call. */
  seq: 0,
  /** Set to seq by the thread when the call is done. */
  done: 1,
  op: 2,
  field: 3,
  /** The samples [lo, hi) of this thread's share. */
  lo: 4,
  hi: 5,
  /** 1 when the call failed (the message says why). */
  error: 6,
  /** A tape record's id (record, vjpRecord, free; -1 frees all). */
  record: 7,
  words: 8,
} as const;

export const OP = { setup: 1, f: 2, vjp: 3, record: 4, vjpRecord: 5, free: 6 } as const;

/** The shared numbers of one field, for a batch of n values (samples × dim) and θ of size p, shared by `threads` threads. */
export function dataLayout(n: number, p: number, threads: number) {
  const t = 0;
  const theta = 1;
  const y = theta + p;
  const a = y + n;
  const f = a + n;
  const gy = f + n;
  const gp = gy + n;
  return { t, theta, y, a, f, gy, gp, length: gp + p * threads };
}

/**
 * How a thread rebuilds a field to evaluate its share of a batch: plain data. An mlpField from
 * its sizes and activation; a compiled tensor field from its recorded programs (one per slice
 * size) and θ's variable layout. θ itself crosses at each call.
 */
export type FieldRecipe =
  | { kind: 'mlp'; sizes: number[]; activation: ActivationName; timeDependent: boolean; simd: boolean; precision: Precision }
  | { kind: 'program'; programs: Record<number, Program>; slots: VariableSlot[] };

/** f and the VJP of one share of the batch, θ given at each call. */
export interface SliceField {
  f(t: number, y: Float64Array, theta: Float64Array): Float64Array;
  vjp(t: number, y: Float64Array, a: Float64Array, theta: Float64Array): { y: Float64Array; params: Float64Array };
  /** Records: f, keeping what a VJP at this point needs under `id` (backprop's tape, per share). */
  record: SliceRecords;
}

/** A share's tape records, by the ids the engine's thread gives them. */
export interface SliceRecords {
  /** f, and the bytes kept for the record (0: none kept). */
  record(id: number, t: number, y: Float64Array, theta: Float64Array): { f: Float64Array; bytes: number };
  /** The VJP from the record, or null where there is none (then the caller recomputes). */
  vjp(id: number, t: number, y: Float64Array, a: Float64Array, theta: Float64Array): { y: Float64Array; params: Float64Array } | null;
  /** Frees a record; -1 frees them all. */
  free(id: number): void;
}

export interface SetupMessage {
  field: number;
  recipe: FieldRecipe;
  dim: number;
  thetaSize: number;
  n: number;
  threads: number;
  /** This thread's index among those that share (its θ-gradient row). */
  index: number;
  data: SharedArrayBuffer;
}
