/**
 * Records what a TensorFlow.js function computes: every kernel it runs (the engine's
 * `runKernel`, the one door all tfjs ops go through), with its inputs, attributes and output
 * shapes, while it runs as usual. Tensors it did not compute are the state y, a variable, or a
 * constant it made in JavaScript (tf.scalar(t), a literal 2), whose values are kept. A function
 * that reads tensor values back (dataSync, data, array) branches on them, so it cannot be
 * recorded: that is refused by name.
 */
import { tf } from '../../backend/tf';
import { NotTraceable } from './notTraceable';

export interface RecordedValue {
  shape: number[];
  /** A constant's values, as made (tf.fill and onesLike are recorded as constants). */
  values?: Float64Array;
  /** 'y', a variable's index in params, or the op that computed it. */
  from: 'y' | 'const' | { param: number } | { op: number };
}

export interface RecordedOp {
  kernel: string;
  /** Input names (a, b, x, bias, or 0, 1, … for a list) and the values they read. */
  names: string[];
  inputs: number[];
  attrs: Record<string, unknown>;
  outputs: number[];
}

export interface Recording {
  values: RecordedValue[];
  ops: RecordedOp[];
  output: number;
  /** What fn returned, computed by tfjs (the caller disposes it). */
  result: tf.Tensor;
}

export { NotTraceable };

/** Kernels whose output depends on the input's shape only: recorded as the constant they made. */
const SHAPE_ONLY = new Set(['Fill', 'OnesLike', 'ZerosLike']);
const READS = ['dataSync', 'data', 'array', 'arraySync', 'buffer', 'bufferSync'] as const;

type RunKernel = (name: string, inputs: Record<string, tf.Tensor | null | undefined>, attrs?: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

/** Runs fn(t, y) once under tfjs and records it. Call inside a tf.tidy that keeps `result`. */
export function record(fn: (t: number, y: tf.Tensor) => tf.Tensor, t: number, y: tf.Tensor, params: readonly tf.Variable[]): Recording {
  const values: RecordedValue[] = [];
  const ops: RecordedOp[] = [];
  const byId = new Map<number, number>();
  const add = (tensor: tf.Tensor, from: RecordedValue['from']): number => {
    values.push({ shape: [...tensor.shape], from });
    byId.set(tensor.id, values.length - 1);
    return values.length - 1;
  };
  add(y, 'y');
  params.forEach((p, i) => add(p, { param: i }));

  let reading = false;
  const readValues = (tensor: tf.Tensor): Float64Array => {
    reading = true;
    try {
      return Float64Array.from(tensor.dataSync() as ArrayLike<number>);
    } finally {
      reading = false;
    }
  };
  const constant = (tensor: tf.Tensor): number => {
    const i = add(tensor, 'const');
    values[i].values = readValues(tensor);
    return i;
  };
  const engine = tf.engine() as unknown as { runKernel: RunKernel };
  const original = engine.runKernel;
  let depth = 0;
  const runKernel: RunKernel = function (this: unknown, name, inputs, attrs) {
    if (depth > 0) return original.call(this, name, inputs, attrs);
    depth++;
    let out: tf.Tensor | tf.Tensor[];
    try {
      out = original.call(this, name, inputs, attrs);
    } finally {
      depth--;
    }
    const outs = Array.isArray(out) ? out : [out];
    if (SHAPE_ONLY.has(name)) {
      outs.forEach(constant);
      return out;
    }
    const names: string[] = [];
    const ins: number[] = [];
    for (const [key, tensor] of Object.entries(inputs)) {
      if (tensor == null) continue;
      names.push(key);
      ins.push(byId.get(tensor.id) ?? constant(tensor));
    }
    const op = ops.length;
    ops.push({ kernel: name, names, inputs: ins, attrs: JSON.parse(JSON.stringify(attrs ?? {})) as Record<string, unknown>, outputs: outs.map((o) => add(o, { op })) });
    return out;
  };

  const proto = tf.Tensor.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const saved = READS.map((k) => proto[k]);
  engine.runKernel = runKernel;
  READS.forEach((k, i) => {
    proto[k] = function (this: unknown, ...args: unknown[]) {
      if (!reading) throw new NotTraceable(`it reads a tensor's values in JavaScript (${k}), so what it computes can change from call to call`);
      return saved[i].apply(this, args);
    };
  });
  let result: tf.Tensor;
  try {
    result = fn(t, y);
  } finally {
    delete (engine as Partial<{ runKernel: RunKernel }>).runKernel;
    READS.forEach((k, i) => (proto[k] = saved[i]));
  }
  if (!(result instanceof tf.Tensor)) throw new NotTraceable('it does not return a tensor');
  const output = byId.get(result.id) ?? constant(result);
  return { values, ops, output, result };
}
