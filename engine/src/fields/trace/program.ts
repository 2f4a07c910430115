/**
 * A recorded field function as a program the engine runs itself: the recordings of one
 * function at three times, checked to run the same kernels on the same shapes, with every
 * constant either fixed or affine in t (tf.scalar(t), tf.fill([n, 1], t), 2·t + 1 written in
 * JavaScript). Anything else in t (Math.sin(t) computed in JavaScript, a random tensor, a branch
 * on t) would replay wrong, so it is refused with the reason.
 */
import { NotTraceable } from './notTraceable';
import type { Recording } from './record';
import { sizeOf, type StepSpec } from './step';

export interface ProgramValue {
  shape: number[];
  size: number;
  from: 'y' | 'const' | 'op' | { param: number };
  /** A constant's values at t = 0, and for those that move with t their slope: value = base + slope·t. */
  base?: Float64Array;
  slope?: Float64Array;
}

export interface ProgramOp extends StepSpec {
  inputIds: number[];
  outputIds: number[];
}

export interface Program {
  values: ProgramValue[];
  ops: ProgramOp[];
  output: number;
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The program the recordings at times ts share, or NotTraceable saying why there is none. */
export function programOf(recs: readonly Recording[], ts: readonly number[]): Program {
  const [r0] = recs;
  const changes = () => new NotTraceable('the operations it runs change with t (a branch on t in JavaScript?)');
  for (const r of recs.slice(1)) {
    if (r.values.length !== r0.values.length || r.ops.length !== r0.ops.length || r.output !== r0.output) throw changes();
    r.ops.forEach((op, i) => {
      const o = r0.ops[i];
      if (op.kernel !== o.kernel || !sameJson(op.inputs, o.inputs) || !sameJson(op.outputs, o.outputs) || !sameJson(op.attrs, o.attrs)) throw changes();
    });
    r.values.forEach((v, i) => {
      if (!sameJson(v.shape, r0.values[i].shape) || !sameJson(v.from, r0.values[i].from)) throw changes();
    });
  }
  const values: ProgramValue[] = r0.values.map((v, i) => {
    const from = typeof v.from === 'object' && 'op' in v.from ? 'op' : v.from;
    const value: ProgramValue = { shape: v.shape, size: sizeOf(v.shape), from };
    if (v.from === 'const') Object.assign(value, constantInT(recs.map((r) => r.values[i].values!), ts));
    return value;
  });
  const ops = r0.ops.map((op) => ({
    kernel: op.kernel,
    names: op.names,
    attrs: op.attrs,
    inputIds: op.inputs,
    outputIds: op.outputs,
    inputs: op.inputs.map((i) => values[i].shape),
    outputs: op.outputs.map((i) => values[i].shape),
  }));
  return { values, ops, output: r0.output };
}

/** A constant's values as base + slope·t, from its values at the recorded times (the third checks the line). */
function constantInT(vs: readonly Float64Array[], ts: readonly number[]): { base: Float64Array; slope?: Float64Array } {
  const [v0, v1, v2] = vs;
  if (vs.every((v) => v.every((x, k) => Object.is(x, v0[k])))) return { base: v0 };
  const base = new Float64Array(v0.length);
  const slope = new Float64Array(v0.length);
  for (let k = 0; k < v0.length; k++) {
    if (vs.every((v, j) => v[k] === Math.fround(ts[j]))) {
      slope[k] = 1; // t itself, exactly
      continue;
    }
    slope[k] = (v1[k] - v0[k]) / (ts[1] - ts[0]);
    base[k] = v0[k] - slope[k] * ts[0];
    const predicted = base[k] + slope[k] * ts[2];
    if (!(Math.abs(predicted - v2[k]) <= 1e-5 * Math.max(1, Math.abs(v2[k])))) {
      throw new NotTraceable(
        `it computes a constant from t in JavaScript that is not a + b·t (${v0[k]} at t = ${ts[0]}, ${v1[k]} at t = ${ts[1]}), ` +
          'or one that changes from call to call (a random tensor); compute it with tensor ops, as tf.sin(tf.scalar(t))',
      );
    }
  }
  return { base, slope };
}
