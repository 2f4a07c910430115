/**
 * The MLP of mlpField as a tensor field (float32, on the engine's backend): the same layout,
 * names and, for the same seed, the same initial weights (rounded to float32), so the two paths
 * can be compared and weights moved between them. y is [batch, d] (or [d] for one sample).
 */
import { tf } from '../backend/tf';
import { activation as activationByName, type ActivationName } from './activations';
import type { TensorField } from './field';
import { initialParams, type MlpFieldOptions } from './mlpField';
import { checkSizes, mlpLayout, type ParamEntry } from './mlpLayout';
import { tensorField } from './tensorField';

type Tensor = tf.Tensor;

export interface TensorMlpField extends TensorField {
  readonly dim: number;
  readonly sizes: readonly number[];
  readonly activation: ActivationName;
  readonly timeDependent: boolean;
  /** One entry per variable, in the order of `params` (PyTorch state_dict names). */
  readonly layout: readonly ParamEntry[];
  /** All parameters as one float64 vector in layout order (what a native field's params hold). */
  readParams(): Float64Array;
  /** Sets all parameters from one vector in layout order. */
  writeParams(values: ArrayLike<number>): void;
  /** Releases the variables. */
  dispose(): void;
}

export function tensorMlpField(options: Omit<MlpFieldOptions, 'simd'>): TensorMlpField {
  const { sizes, activation = 'tanh', timeDependent = false, seed = 0, init } = options;
  checkSizes(sizes, 'tensorMlpField');
  const act = activationByName(activation);
  const d = sizes[0];
  const { entries, size } = mlpLayout(sizes, timeDependent);
  const values = initialParams(entries, size, seed, init, 'tensorMlpField');
  const vars = entries.map((e) =>
    tf.tidy(() => tf.variable(tf.tensor(Float32Array.from(values.subarray(e.offset, e.offset + e.size)), [...e.shape], 'float32'), true)),
  );
  const nLayers = entries.length / 2;

  const fn = (t: number, y: Tensor): Tensor => {
    if (y.rank < 1 || y.rank > 2 || y.shape[y.rank - 1] !== d) {
      throw new Error(`tensorMlpField: y has shape [${y.shape.join(', ')}]; this field takes [batch, ${d}] or [${d}].`);
    }
    const y2 = y.rank === 1 ? tf.reshape(y, [1, d]) : y;
    let x: Tensor = timeDependent ? tf.concat([y2, tf.fill([y2.shape[0], 1], t)], 1) : y2;
    for (let l = 0; l < nLayers; l++) {
      x = tf.add(tf.matMul(x, vars[2 * l], false, true), vars[2 * l + 1]);
      if (l < nLayers - 1) x = act.tensor(x);
    }
    return y.rank === 1 ? tf.reshape(x, [d]) : x;
  };

  return {
    ...tensorField(fn, vars),
    paramNames: entries.map((e) => e.name),
    dim: d,
    sizes: [...sizes],
    activation,
    timeDependent,
    layout: entries,
    readParams() {
      const out = new Float64Array(size);
      entries.forEach((e, i) => out.set(vars[i].dataSync(), e.offset));
      return out;
    },
    writeParams(v) {
      if (v.length !== size) throw new Error(`tensorMlpField.writeParams: got ${v.length} values; this MLP has ${size} parameters.`);
      const all = Float64Array.from(v);
      entries.forEach((e, i) => tf.tidy(() => vars[i].assign(tf.tensor(Float32Array.from(all.subarray(e.offset, e.offset + e.size)), [...e.shape], 'float32'))));
    },
    dispose() {
      vars.forEach((v) => v.dispose());
    },
  };
}
