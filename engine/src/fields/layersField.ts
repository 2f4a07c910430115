/**
 * A tf.LayersModel (tf.sequential or tf.model) as a vector field: input [batch, dim] (or
 * [batch, dim + 1] with t as the last column) to output [batch, dim]. Its trainable weights are
 * the field's variables, named as the equivalent PyTorch nn.Sequential names them: a Dense
 * layer is `k.weight` [out, in] and `k.bias`, and its activation, when it has one, takes the next
 * index, as nn.Sequential(Linear, Tanh, Linear) does.
 */
import { tf } from '../backend/tf';
import type { TensorField } from './field';
import { tensorField } from './tensorField';

type Tensor = tf.Tensor;

/** Whether x is a TensorFlow.js layers model (of the engine's tfjs, or duck-typed as one). */
export function isLayersModel(x: unknown): x is tf.LayersModel {
  if (x instanceof tf.LayersModel) return true;
  const m = x as Partial<tf.LayersModel> | null;
  return typeof m === 'object' && m !== null && typeof m.apply === 'function' && Array.isArray(m.layers) && Array.isArray(m.inputs);
}

const shapeText = (s: readonly (number | null)[]) => `[${s.map((d) => d ?? 'batch').join(', ')}]`;

/** The refusal for a model whose shapes cannot be a vector field, naming them. */
function shapeError(what: string): Error {
  return new Error(
    `The tf.LayersModel ${what}. A vector field takes [batch, dim] and returns [batch, dim] (or takes [batch, dim + 1] with t as the last column): ` +
      'give the first layer inputShape: [dim] (or [dim + 1]) and the last layer dim units.',
  );
}

/** Checks the model's input and output shapes; returns the state dimension and whether t is an input. */
export function layersModelShapes(model: tf.LayersModel): { dim: number; timeInput: boolean } {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw shapeError(`has ${model.inputs.length} inputs and ${model.outputs.length} outputs, not one of each`);
  }
  const inShape = model.inputs[0].shape;
  const outShape = model.outputs[0].shape;
  if (inShape.length !== 2 || outShape.length !== 2 || inShape[1] === null || outShape[1] === null) {
    throw shapeError(`maps ${shapeText(inShape)} to ${shapeText(outShape)}`);
  }
  const dim = outShape[1];
  const nIn = inShape[1];
  if (nIn !== dim && nIn !== dim + 1) {
    throw shapeError(`maps ${shapeText(inShape)} to ${shapeText(outShape)}: its input must have ${dim} columns (y) or ${dim + 1} (y and t)`);
  }
  return { dim, timeInput: nIn === dim + 1 };
}

/** The model's trainable weights in layer order, with PyTorch-like names; kernels are exported transposed. */
function namedWeights(model: tf.LayersModel): { vars: tf.Variable[]; names: string[]; transposed: boolean[] } {
  const vars: tf.Variable[] = [];
  const names: string[] = [];
  const transposed: boolean[] = [];
  let index = 0;
  for (const layer of model.layers) {
    const weights = layer.trainableWeights;
    if (weights.length === 0 && layer.getClassName() === 'InputLayer') continue;
    const dense = layer.getClassName() === 'Dense';
    for (const w of weights) {
      const short = w.originalName.split('/').pop() ?? w.name;
      const kernel = dense && short === 'kernel';
      vars.push(w.read() as tf.Variable);
      names.push(dense ? `${index}.${kernel ? 'weight' : short}` : `${index}.${short}`);
      transposed.push(kernel);
    }
    const activation = dense ? (layer.getConfig().activation as string | undefined) : undefined;
    index += dense && activation && activation !== 'linear' ? 2 : 1;
  }
  return { vars, names, transposed };
}

/** A tf.LayersModel as a tensor field (see the module comment); shapes that do not fit are refused, naming them. */
export function layersModelField(model: tf.LayersModel): TensorField {
  const { dim, timeInput } = layersModelShapes(model);
  const { vars, names, transposed } = namedWeights(model);
  const fn = (t: number, y: Tensor): Tensor => {
    const input = timeInput ? tf.concat([y, tf.fill([y.shape[0], 1], t)], 1) : y;
    return model.apply(input) as Tensor;
  };
  const base = tensorField(fn, Object.fromEntries(names.map((n, i) => [n, vars[i]])), { dim });
  return { ...base, transposedParams: transposed };
}
