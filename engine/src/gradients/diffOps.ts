import type { NativeField } from '../fields/field';
import type { StateAlgebra } from '../state/algebra';
import { nativeAlgebra } from '../state/native';
import { nativeStageTape, type StageTape } from './stageTape';

/**
 * What the reverse sweeps need from a field, for one kind of state S and of parameter
 * gradient P: evaluations, vjps, and accumulating dL/dθ. Every returned value is new and owned
 * by the caller (tensors must be disposed; typed arrays are simply dropped).
 */
export interface DiffOps<S, P> {
  readonly ops: StateAlgebra<S>;
  f(t: number, y: S): S;
  vjp(t: number, y: S, a: S): { y: S; params: P };
  zeroParams(): P;
  /** acc + g; both are consumed (the result may be acc itself, updated in place). */
  addParams(acc: P, g: P): P;
  disposeParams(p: P): void;
  /** A copy of a state seen in a hook that outlives the hook. */
  keep(y: S): S;
  /** Bytes of one state, for the memory statistics. */
  readonly stateBytes: number;
  /** The field's activation tape, when it has one (see StageTape). */
  tape?(): StageTape<S, P> | null;
}

export function nativeDiffOps(field: NativeField, n: number): DiffOps<Float64Array, Float64Array> {
  const ops = nativeAlgebra(new Float64Array(0)) as unknown as StateAlgebra<Float64Array>;
  const p = field.params.length;
  return {
    ops,
    // A copy: a field may return a buffer it reuses.
    f: (t, y) => Float64Array.from(field.f(t, y)),
    // dL/dy is kept while the step's other stages are differentiated: a copy, in case the
    // field reuses the buffer it returns.
    vjp: (t, y, a) => {
      const g = field.vjp(t, y, a);
      return { y: Float64Array.from(g.y), params: g.params };
    },
    zeroParams: () => new Float64Array(p),
    addParams: (acc, g) => {
      for (let r = 0; r < p; r++) acc[r] += g[r];
      return acc;
    },
    disposeParams: () => {},
    keep: (y) => y.slice(),
    stateBytes: 8 * n,
    tape: field.tape
      ? () => {
          const t = field.tape!();
          return t ? nativeStageTape(t) : null;
        }
      : undefined,
  };
}
