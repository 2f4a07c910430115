/**
 * The activations of the MLP fields, by the names users type: each as a scalar function, its
 * derivative (from the pre-activation z and the value, which the VJP recomputes together),
 * and the same function in tfjs ops for tensor fields.
 */
import { tf } from '../backend/tf';

export type ActivationName = 'tanh' | 'softplus' | 'relu' | 'swish' | 'silu' | 'sigmoid';

export interface Activation {
  readonly name: ActivationName;
  /** σ(z). */
  value(z: number): number;
  /** σ'(z), given also a = σ(z) (tanh and sigmoid need nothing else). */
  derivative(z: number, a: number): number;
  /** σ on a tensor, for tensor fields. */
  tensor(z: tf.Tensor): tf.Tensor;
}

/** 1 / (1 + e^−z) without overflow on either side. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

const swish: Activation = {
  name: 'swish',
  value: (z) => z * sigmoid(z),
  derivative: (z) => {
    const s = sigmoid(z);
    return s + z * s * (1 - s);
  },
  tensor: (z) => tf.mul(z, tf.sigmoid(z)),
};

const ACTIVATIONS: Record<ActivationName, Activation> = {
  tanh: {
    name: 'tanh',
    value: Math.tanh,
    derivative: (_z, a) => 1 - a * a,
    tensor: (z) => tf.tanh(z),
  },
  // log(1 + e^z) = max(z, 0) + log1p(e^−|z|): exact for large |z| of either sign, smooth everywhere
  softplus: {
    name: 'softplus',
    value: (z) => Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))),
    derivative: sigmoid,
    tensor: (z) => tf.softplus(z),
  },
  relu: {
    name: 'relu',
    value: (z) => (z > 0 ? z : 0),
    derivative: (z) => (z > 0 ? 1 : 0),
    tensor: (z) => tf.relu(z),
  },
  swish,
  silu: { ...swish, name: 'silu' }, // PyTorch's name for swish
  sigmoid: {
    name: 'sigmoid',
    value: sigmoid,
    derivative: (_z, a) => a * (1 - a),
    tensor: (z) => tf.sigmoid(z),
  },
};

export const ACTIVATION_NAMES = Object.keys(ACTIVATIONS) as ActivationName[];

export function activation(name: string): Activation {
  const act = (ACTIVATIONS as Record<string, Activation | undefined>)[name];
  if (!act) {
    throw new Error(`Unknown activation '${name}'. Use one of: ${ACTIVATION_NAMES.join(', ')}.`);
  }
  return act;
}
