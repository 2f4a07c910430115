/**
 * Augmented neural ODEs (ANODE): the state of each sample is the data (d values) followed by
 * `extraDims` components that start at zero, so trajectories can pass each other in the extra
 * dimensions. The field itself is any native field on d + extraDims; this wrapper carries the
 * dimensions and the helpers that pad initial states and drop the extra components.
 */
import type { NativeField } from './field';
import { mlpField, type MlpField, type MlpFieldOptions } from './mlpField';

export interface AugmentedField extends NativeField {
  /** The dimension the solver sees, d + extraDims. */
  readonly dim: number;
  /** The data dimension d. */
  readonly dataDim: number;
  readonly extraDims: number;
  readonly base: NativeField;
  /** [batch·d] → [batch·(d + extraDims)] with the extra components zero. */
  augment(y0: Float64Array): Float64Array;
  /** [batch·(d + extraDims)] → [batch·d]: the data components of each sample. */
  project(y: Float64Array): Float64Array;
}

function samples(n: number, dim: number, name: string, where: string): number {
  const B = n / dim;
  if (!Number.isInteger(B)) {
    throw new Error(`${where}: ${name} has ${n} values, not a whole number of samples of dimension ${dim}. Lay a batch out sample after sample.`);
  }
  return B;
}

/** Pads every sample of a batch-major y0 ([batch·dim]) with `extraDims` zeros. */
export function augment(y0: Float64Array, dim: number, extraDims: number): Float64Array {
  const B = samples(y0.length, dim, 'y0', 'augment');
  const D = dim + extraDims;
  const out = new Float64Array(B * D);
  for (let s = 0; s < B; s++) out.set(y0.subarray(s * dim, (s + 1) * dim), s * D);
  return out;
}

/** The first `dim` components of every sample of a batch-major y ([batch·fullDim]). */
export function project(y: Float64Array, fullDim: number, dim: number): Float64Array {
  const B = samples(y.length, fullDim, 'y', 'project');
  if (dim > fullDim) throw new Error(`project: cannot keep ${dim} components of samples that have ${fullDim}.`);
  const out = new Float64Array(B * dim);
  for (let s = 0; s < B; s++) out.set(y.subarray(s * fullDim, s * fullDim + dim), s * dim);
  return out;
}

/**
 * Wraps a native field on d + extraDims (its `dim`, or `options.dim` for a field that does not
 * say) as an augmented field on data of dimension d.
 */
export function augmentedField(base: NativeField & { readonly dim?: number }, options: { extraDims: number; dim?: number }): AugmentedField {
  const { extraDims } = options;
  const full = options.dim ?? base.dim;
  if (full === undefined) {
    throw new Error('augmentedField: the base field does not say its dimension; pass { dim } (data plus extra dimensions).');
  }
  if (!Number.isInteger(extraDims) || extraDims < 1 || extraDims >= full) {
    throw new Error(
      `augmentedField: extraDims must be a whole number from 1 to ${full - 1} (the base field has dimension ${full}); got ${extraDims}.`,
    );
  }
  const dataDim = full - extraDims;
  return {
    kind: 'native',
    params: base.params,
    dim: full,
    dataDim,
    extraDims,
    base,
    f: (t, y) => {
      samples(y.length, full, 'y', 'augmentedField.f');
      return base.f(t, y);
    },
    vjp: (t, y, a) => {
      samples(y.length, full, 'y', 'augmentedField.vjp');
      return base.vjp(t, y, a);
    },
    fAndVjp: base.fAndVjp
      ? (t, y, a) => {
          samples(y.length, full, 'y', 'augmentedField.fAndVjp');
          return base.fAndVjp!(t, y, a);
        }
      : undefined,
    tape: base.tape
      ? () => {
          const inner = base.tape!();
          if (!inner) return null;
          return {
            f: (t, y) => {
              samples(y.length, full, 'y', 'augmentedField.f');
              return inner.f(t, y);
            },
            matches: (rec, t, y) => inner.matches(rec, t, y),
            vjp: (rec, t, y, a, into) => inner.vjp(rec, t, y, a, into),
            free: (rec) => inner.free(rec),
            close: () => inner.close(),
            get size() {
              return inner.size;
            },
            get bytes() {
              return inner.bytes;
            },
          };
        }
      : undefined,
    augment: (y0) => augment(y0, dataDim, extraDims),
    project: (y) => project(y, full, dataDim),
  };
}

export interface AugmentedMlpField extends AugmentedField {
  readonly base: MlpField;
}

/**
 * An MLP on the augmented state: `sizes` as for data of dimension d ([d, h…, d]); the network
 * is built on d + extraDims ([d + p, h…, d + p]).
 */
export function augmentedMlpField(options: MlpFieldOptions & { extraDims: number }): AugmentedMlpField {
  const { sizes, extraDims, ...rest } = options;
  if (!Number.isInteger(extraDims) || extraDims < 1) {
    throw new Error(`augmentedMlpField: extraDims must be a positive whole number; got ${extraDims}.`);
  }
  const full = sizes.map((n, i) => (i === 0 || i === sizes.length - 1 ? n + extraDims : n));
  const base = mlpField({ ...rest, sizes: full });
  return augmentedField(base, { extraDims }) as AugmentedMlpField;
}
