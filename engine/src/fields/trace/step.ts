/**
 * One recorded kernel, ready to replay on float64 arrays: its forward pass, and its
 * vector–Jacobian product, which adds each input's cotangent into `grads` (null where no
 * gradient is needed: a constant's). Steps are built once per recorded shape, so loop bounds,
 * broadcasts and index maps are settled before the first call.
 */
export interface Step {
  forward(ins: readonly Float64Array[], outs: readonly Float64Array[]): void;
  backward(ins: readonly Float64Array[], outs: readonly Float64Array[], gOuts: readonly Float64Array[], grads: readonly (Float64Array | null)[]): void;
}

/** What a kernel's step is built from: its input and output shapes as recorded, and its attributes. */
export interface StepSpec {
  kernel: string;
  names: readonly string[];
  inputs: readonly (readonly number[])[];
  outputs: readonly (readonly number[])[];
  attrs: Readonly<Record<string, unknown>>;
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) s[d] = s[d + 1] * shape[d + 1];
  return s;
}

/** For every element of `shape` (row-major), f(its coordinates) as an index map. */
export function indexMap(shape: readonly number[], f: (coords: readonly number[]) => number): Int32Array {
  const n = sizeOf(shape);
  const map = new Int32Array(n);
  const c = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    map[i] = f(c);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++c[d] < shape[d]) break;
      c[d] = 0;
    }
  }
  return map;
}

/** A negative axis counted from the end, as tfjs reads it. */
export const axisOf = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);

/** A function generated from source: a loop specialised to one op's sizes, which V8 compiles monomorphic. */
export const generated = (args: string[], body: string) => new Function(...args, body) as (...a: unknown[]) => void;
