/**
 * A tf.LayersModel that is a plain MLP runs on the engine's native kernels: Dense layers only,
 * with biases, one hidden activation that mlpField has, and a linear last layer (t as the last
 * input column or not). It becomes an mlpField holding the model's weights: a Dense kernel is
 * [in, out] and an mlpField weight PyTorch's [out, in], so kernels are transposed. The names and
 * shapes are those the tfjs path gives the same model (layersField.ts), so runs, checkpoints and
 * exports are the same either way. Anything else stays on the tfjs path, and `why` says what
 * kept it there, so a user knows what to change.
 */
import type { tf } from '../backend/tf';
import { ACTIVATION_NAMES, type ActivationName } from './activations';
import { layersModelShapes } from './layersField';
import { mlpField, type MlpField } from './mlpField';

export type Compiled = { field: MlpField; note: string; why?: undefined } | { field?: undefined; why: string };

interface DenseConfig {
  units?: number;
  activation?: string;
  useBias?: boolean;
}

export function compileLayersModel(model: tf.LayersModel): Compiled {
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  const other = layers.find((l) => l.getClassName() !== 'Dense');
  if (other) return { why: `its layer '${other.name}' is a ${other.getClassName()}, and only Dense layers are compiled` };
  if (layers.length < 2) return { why: 'it has one Dense layer; the native kernels take at least one hidden layer' };
  const configs = layers.map((l) => l.getConfig() as DenseConfig);
  const noBias = layers.find((_, i) => configs[i].useBias === false);
  if (noBias) return { why: `its layer '${noBias.name}' has no bias (useBias: false)` };
  const last = configs[configs.length - 1].activation ?? 'linear';
  if (last !== 'linear') return { why: `its last layer has the activation '${last}'; a vector field's last layer is linear` };
  const hidden = [...new Set(configs.slice(0, -1).map((c) => c.activation ?? 'linear'))];
  if (hidden.length > 1) return { why: `its hidden layers mix the activations ${hidden.join(', ')}; the native kernels take one` };
  const activation = hidden[0] as ActivationName;
  if (!(ACTIVATION_NAMES as readonly string[]).includes(activation)) {
    return { why: `its hidden activation '${hidden[0]}' is not one of ${ACTIVATION_NAMES.join(', ')}` };
  }
  let shapes: ReturnType<typeof layersModelShapes>;
  try {
    shapes = layersModelShapes(model);
  } catch (err) {
    return { why: (err as Error).message };
  }
  const sizes = [shapes.dim, ...configs.slice(0, -1).map((c) => c.units ?? 0), shapes.dim];
  // The weights in mlpField's order: each layer's weight [out, in] (the kernel transposed), then its bias.
  const params: number[] = [];
  for (const layer of layers) {
    const [kernel, bias] = layer.getWeights().map((w) => ({ shape: w.shape, values: w.dataSync() }));
    const [nIn, nOut] = kernel.shape;
    for (let o = 0; o < nOut; o++) for (let i = 0; i < nIn; i++) params.push(kernel.values[i * nOut + o]);
    params.push(...bias.values);
  }
  const field = mlpField({ sizes, activation, timeDependent: shapes.timeInput, init: params });
  return { field, note: `compiled to the native kernels as mlpField [${sizes.join(', ')}] ${activation}${shapes.timeInput ? ' with t as an input' : ''}` };
}
