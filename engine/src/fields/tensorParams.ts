/**
 * θ of a tensor field as one live Float64Array, like every native field's: the tf.Variables in
 * order, each flattened as it is exported (a transposed kernel as [out, in]). The optimiser's
 * step or a checkpoint writes θ; `sync` carries the writes to the variables before the next
 * evaluation, found by comparing θ with what was last written (one pass over θ).
 */
import { tf } from '../backend/tf';
import type { TensorField } from './field';
import type { ParamEntry } from './mlpLayout';

export interface TensorParams {
  readonly layout: readonly ParamEntry[];
  /** Per variable: exported as its transpose. */
  readonly transposed: readonly boolean[];
  readonly params: Float64Array;
  /** Counts the writes to θ that reached the variables (a record made at one θ is good for that θ only). */
  readonly version: number;
  /** Writes θ to the variables where it changed. */
  sync(): void;
  /** Gradients in the variables' own shapes as one θ-shaped array (transposed kernels transposed). */
  flatten(grads: readonly Float32Array[] | readonly Float64Array[], into?: Float64Array): Float64Array;
}

const exportShape = (shape: readonly number[], transposed: boolean): number[] => (transposed && shape.length === 2 ? [shape[1], shape[0]] : [...shape]);

/** Each variable's values as exported (transposed kernels transposed), read synchronously. */
export function readVariables(field: TensorField): Float32Array[] {
  return field.params.map((v, i) => tf.tidy(() => (isTransposed(field, i) ? tf.transpose(v) : v).dataSync() as Float32Array));
}

/** The same, read asynchronously (the only read WebGPU allows). */
export async function readVariablesAsync(field: TensorField): Promise<Float32Array[]> {
  return Promise.all(
    field.params.map(async (v, i) => {
      const x = isTransposed(field, i) ? tf.transpose(v) : v;
      try {
        return (await x.data()) as Float32Array;
      } finally {
        if (x !== v) x.dispose();
      }
    }),
  );
}

const isTransposed = (field: TensorField, i: number): boolean => (field.transposedParams?.[i] ?? false) && field.params[i].rank === 2;

/** θ of `field`, starting from `values` (readVariables or readVariablesAsync). */
export function tensorParams(field: TensorField, values: readonly Float32Array[]): TensorParams {
  const vars = field.params;
  const transposed = vars.map((_, i) => isTransposed(field, i));
  const layout: ParamEntry[] = [];
  let size = 0;
  vars.forEach((v, i) => {
    layout.push({ name: field.paramNames?.[i] ?? `param${i}`, shape: exportShape(v.shape, transposed[i]), offset: size, size: v.size });
    size += v.size;
  });
  const params = new Float64Array(size);
  values.forEach((x, i) => params.set(x, layout[i].offset));
  /** θ as last written to the variables (or read from them). */
  const written = params.slice();
  let version = 0;
  return {
    layout,
    transposed,
    params,
    get version() {
      return version;
    },
    sync() {
      for (let j = 0; j < size; j++) {
        if (params[j] === written[j] || (Number.isNaN(params[j]) && Number.isNaN(written[j]))) continue;
        vars.forEach((v, i) => {
          const e = layout[i];
          tf.tidy(() => {
            const x = tf.tensor(Float32Array.from(params.subarray(e.offset, e.offset + e.size)), e.shape as number[], 'float32');
            v.assign(transposed[i] ? tf.transpose(x) : x);
          });
        });
        written.set(params);
        version++;
        return;
      }
    },
    flatten(grads, into = new Float64Array(size)) {
      grads.forEach((g, i) => {
        const e = layout[i];
        if (!transposed[i]) {
          for (let k = 0; k < e.size; k++) into[e.offset + k] += g[k];
          return;
        }
        // the variable's [in, out] read as the exported [out, in]
        const [rows, cols] = vars[i].shape;
        for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) into[e.offset + c * rows + r] += g[r * cols + c];
      });
      return into;
    },
  };
}
