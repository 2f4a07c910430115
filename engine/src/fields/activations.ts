/**
 * The activations of the MLP fields, by the names users type: the scalar σ and σ' of the layer
 * library's table (layers/activations.ts), and the same function in tfjs ops for tensor fields.
 */
import { tf } from '../backend/tf';
import { ACTIVATION_TABLE, pickActivations, type ScalarActivation } from '../layers/activations';

export { sigmoid } from '../layers/activations';

/** The σ an MLP field offers (every one of the table but the identity). */
export const ACTIVATION_NAMES = pickActivations(['tanh', 'softplus', 'relu', 'swish', 'silu', 'sigmoid']);

export type ActivationName = (typeof ACTIVATION_NAMES)[number];

export interface Activation extends ScalarActivation {
  readonly name: ActivationName;
  /** σ on a tensor, for tensor fields. */
  tensor(z: tf.Tensor): tf.Tensor;
}

const TENSOR_OPS: Record<ActivationName, (z: tf.Tensor) => tf.Tensor> = {
  tanh: (z) => tf.tanh(z),
  softplus: (z) => tf.softplus(z),
  relu: (z) => tf.relu(z),
  swish: (z) => tf.mul(z, tf.sigmoid(z)),
  silu: (z) => tf.mul(z, tf.sigmoid(z)),
  sigmoid: (z) => tf.sigmoid(z),
};

const ACTIVATIONS = Object.fromEntries(
  ACTIVATION_NAMES.map((name) => [name, { ...ACTIVATION_TABLE[name], name, tensor: TENSOR_OPS[name] }]),
) as Record<ActivationName, Activation>;

export function activation(name: string): Activation {
  const act = (ACTIVATIONS as Record<string, Activation | undefined>)[name];
  if (!act) {
    throw new Error(`Unknown activation '${name}'. Use one of: ${ACTIVATION_NAMES.join(', ')}.`);
  }
  return act;
}
