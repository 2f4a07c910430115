/**
 * TensorFlow.js vector fields: any `fn(t, y)` written with tfjs ops on the given tf.Variables.
 * The VJP comes from autodiff: the gradient of Σ f(t, y)·a with respect to y and every
 * variable, taken with `a` as the output cotangent in one backward pass. Everything runs in a
 * tf.tidy, so a call leaves only the tensors it returns.
 */
import { tf } from '../backend/tf';
import { callerLocation } from '../experiments/callSite';
import type { TensorField } from './field';
import { tapedEvaluation } from './tfjsTape';

type Tensor = tf.Tensor;
type Variable = tf.Variable;

const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((n, i) => n === b[i]);

export interface TensorFieldOptions {
  /** Components per sample of y (default: the experiment's data dimension). */
  dim?: number;
  /**
   * false keeps the function on TensorFlow.js. By default the engine records the tfjs operations
   * it runs and replays them on its own float64 kernels, checked against tfjs first; a function
   * that cannot be replayed (it reads tensor values, or computes something from t in JavaScript
   * that is not a + b·t) stays on tfjs, and the run's log says why.
   */
  compile?: boolean;
}

/** The variables as given, with the names checkpoints and exports use: the keys of an object, else each variable's own name. */
function namedVariables(params: readonly Variable[] | Readonly<Record<string, Variable>>): { vars: Variable[]; names: string[] } {
  const entries = Array.isArray(params)
    ? (params as readonly Variable[]).map((v, i) => [/^\d+$/.test(String(v?.name ?? '')) ? `param${i}` : String(v?.name ?? `param${i}`), v] as const)
    : Object.entries(params as Record<string, Variable>);
  entries.forEach(([name, v]) => {
    if (!(v instanceof tf.Variable)) {
      throw new TypeError(`tensorField: the parameter '${name}' is ${v === null ? 'null' : typeof v}, not a tf.Variable. Make each trainable weight with tf.variable(tf.randomNormal([…])).`);
    }
  });
  return { vars: entries.map(([, v]) => v), names: entries.map(([n]) => n) };
}

/**
 * A tensor field from a function of (t, y) that uses `params`: an array of tf.Variables, or an
 * object of them whose keys name them in checkpoints and exports.
 */
export function tensorField(
  fn: (t: number, y: Tensor) => Tensor,
  params: readonly Variable[] | Readonly<Record<string, Variable>>,
  options: TensorFieldOptions = {},
): TensorField {
  if (typeof fn !== 'function') throw new TypeError(`tensorField: the first argument must be a function (t, y) => dy/dt, got ${typeof fn}.`);
  if (!params || typeof params !== 'object') {
    throw new TypeError('tensorField: the second argument must list the trainable tf.Variables, as an array [w1, b1] or an object { w1, b1 }.');
  }
  if (options.dim !== undefined && !(Number.isInteger(options.dim) && options.dim >= 1)) {
    throw new RangeError(`tensorField: dim must be a whole number ≥ 1, got ${options.dim}.`);
  }
  const { vars, names } = namedVariables(params);
  // Mistakes found in what fn returns are reported at the tensorField call, in the user's file.
  const location = callerLocation();
  const mistake = (message: string): Error => Object.assign(new Error(message), { location });
  const evaluate = (t: number, y: Tensor, where: string): Tensor => {
    const out = fn(t, y);
    if (!(out instanceof tf.Tensor)) {
      throw mistake(`tensorField.${where}: the field function returned ${out === null ? 'null' : typeof out}, not a tf.Tensor. Return dy/dt as a tensor of y's shape.`);
    }
    if (!sameShape(out.shape, y.shape)) {
      throw mistake(
        `tensorField.${where}: the field function returned shape ${shapeText(out.shape)} for y of shape ${shapeText(y.shape)} at t = ${t}; ` +
          `dy/dt must have y's shape.`,
      );
    }
    return out;
  };
  const checkCotangent = (a: Tensor, y: Tensor): void => {
    if (!sameShape(a.shape, y.shape)) {
      throw new Error(`tensorField.vjp: the cotangent a has shape ${shapeText(a.shape)} but y has ${shapeText(y.shape)}; a must have y's shape.`);
    }
  };
  /** The gradients of y and the variables, zeros where f does not depend on y (made from shapes: y may be disposed by now). */
  const everyGradient = (grads: readonly (Tensor | null)[], xs: readonly Tensor[]): Tensor[] => {
    // A variable f never reads gets no gradient at all: training it would leave it where it
    // started without a word, so say which (a zero gradient, as from a dead ReLU, is fine).
    const unused = names.filter((_, i) => grads[i + 1] == null);
    if (unused.length > 0) {
      throw mistake(
        `tensorField: the field function does not use the variable${unused.length > 1 ? 's' : ''} ${unused.map((n) => `'${n}'`).join(', ')}, ` +
          'so training could not change them. Use each variable in the function, or leave it out of the list.',
      );
    }
    return grads.map((g, i) => g ?? tf.zeros(xs[i].shape, xs[i].dtype));
  };
  return {
    kind: 'tfjs',
    ...(options.dim !== undefined ? { dim: options.dim } : {}),
    ...(options.compile === false ? { compile: false } : {}),
    params: vars,
    paramNames: names,
    f: (t, y) => tf.tidy(() => evaluate(t, y, 'f')),
    vjp: (t, y, a) => {
      checkCotangent(a, y);
      const xs = [y, ...vars];
      const grads = tf.tidy(() => everyGradient(tf.engine().gradients(() => evaluate(t, y, 'vjp'), xs, a, true).grads, xs));
      return { y: grads[0], params: grads.slice(1) };
    },
    taped: (t, y) => {
      const xs = [y, ...vars];
      const run = tapedEvaluation(() => evaluate(t, y, 'f'), xs);
      if (!run) return null;
      return {
        f: run.value,
        bytes: run.bytes,
        vjp: (a) => {
          checkCotangent(a, y);
          const grads = tf.tidy(() => everyGradient(run.vjp(a), xs));
          return { y: grads[0], params: grads.slice(1) };
        },
        dispose: run.dispose,
      };
    },
  };
}
