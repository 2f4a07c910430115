/**
 * TensorFlow.js vector fields: any `fn(t, y)` written with tfjs ops on the given tf.Variables.
 * The VJP comes from autodiff: the gradient of Σ f(t, y)·a with respect to y and every
 * variable, taken with `a` as the output cotangent in one backward pass. Everything runs in a
 * tf.tidy, so a call leaves only the tensors it returns.
 */
import { tf } from '../backend/tf';
import type { TensorField } from './field';

type Tensor = tf.Tensor;
type Variable = tf.Variable;

const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((n, i) => n === b[i]);

/** A tensor field from a function of (t, y) that uses `params`. */
export function tensorField(fn: (t: number, y: Tensor) => Tensor, params: readonly Variable[]): TensorField {
  const vars = [...params];
  const evaluate = (t: number, y: Tensor, where: string): Tensor => {
    const out = fn(t, y);
    if (!(out instanceof tf.Tensor)) {
      throw new Error(`tensorField.${where}: the field function returned ${typeof out}, not a tf.Tensor. Return dy/dt as a tensor of y's shape.`);
    }
    if (!sameShape(out.shape, y.shape)) {
      throw new Error(
        `tensorField.${where}: the field function returned shape ${shapeText(out.shape)} for y of shape ${shapeText(y.shape)} at t = ${t}; ` +
          `dy/dt must have y's shape.`,
      );
    }
    return out;
  };
  return {
    kind: 'tfjs',
    params: vars,
    f: (t, y) => tf.tidy(() => evaluate(t, y, 'f')),
    vjp: (t, y, a) => {
      if (!sameShape(a.shape, y.shape)) {
        throw new Error(`tensorField.vjp: the cotangent a has shape ${shapeText(a.shape)} but y has ${shapeText(y.shape)}; a must have y's shape.`);
      }
      const grads = tf.tidy(() => {
        const xs: Tensor[] = [y, ...vars];
        const { grads } = tf.engine().gradients(() => evaluate(t, y, 'vjp'), xs, a, true);
        // a variable f does not use has no gradient: its cotangent is zero
        return grads.map((g, i) => g ?? tf.zerosLike(xs[i]));
      });
      return { y: grads[0], params: grads.slice(1) };
    },
  };
}
