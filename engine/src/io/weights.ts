import type { ParamEntry } from '../fields/mlpLayout';
import { SolverError } from '../solvers/errors';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from './safetensors';

/** What weights travel with: the live parameter vector and its named, shaped entries. */
export interface NamedParams {
  readonly params: Float64Array;
  readonly layout?: readonly ParamEntry[];
}

const layoutOf = (model: NamedParams): readonly ParamEntry[] => {
  if (!model.layout) {
    throw new SolverError('input', 'This model does not name its parameters (no layout), so its weights cannot be exported by name. mlpField and the fields built on it do.');
  }
  return model.layout;
};

/**
 * The model's weights as a safetensors file keyed like PyTorch's `nn.Sequential.state_dict()`
 * (`0.weight` [out, in], `0.bias`, `2.weight`, …): `model.load_state_dict(load_file(path))`
 * loads them into the equivalent Sequential. `dtype` F32 (PyTorch's default) or F64.
 */
export function exportWeights(model: NamedParams, opts: { dtype?: 'F32' | 'F64'; metadata?: Record<string, string> } = {}): Uint8Array {
  const dtype = opts.dtype ?? 'F32';
  const tensors = new Map<string, NamedTensor>();
  for (const e of layoutOf(model)) {
    const values = model.params.subarray(e.offset, e.offset + e.size);
    tensors.set(e.name, { dtype, shape: [...e.shape], data: dtype === 'F32' ? Float32Array.from(values) : Float64Array.from(values) });
  }
  return encodeSafetensors(tensors, { format: 'pt', ...opts.metadata });
}

/** Loads weights exported by `exportWeights` or saved from PyTorch into the model, checking every name and shape. */
export function importWeights(model: NamedParams, bytes: Uint8Array): void {
  const { tensors } = decodeSafetensors(bytes);
  const layout = layoutOf(model);
  const expected = new Set(layout.map((e) => e.name));
  const extra = [...tensors.keys()].filter((k) => !expected.has(k));
  const missing = layout.filter((e) => !tensors.has(e.name)).map((e) => e.name);
  if (extra.length > 0 || missing.length > 0) {
    throw new SolverError(
      'input',
      `The weights do not match this model: ${missing.length ? `missing ${missing.join(', ')}` : ''}` +
        `${missing.length && extra.length ? '; ' : ''}${extra.length ? `unexpected ${extra.join(', ')}` : ''}. ` +
        `The model expects ${layout.map((e) => `${e.name} [${e.shape}]`).join(', ')}.`,
    );
  }
  for (const e of layout) {
    const t = tensors.get(e.name)!;
    if (t.shape.length !== e.shape.length || t.shape.some((d, i) => d !== e.shape[i])) {
      throw new SolverError('input', `Weight '${e.name}' has shape [${t.shape}] in the file but [${e.shape}] in the model: were they saved from another architecture?`);
    }
  }
  for (const e of layout) model.params.set(tensors.get(e.name)!.data, e.offset);
}
