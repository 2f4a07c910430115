import { SolverError, fmt } from '../solvers/errors';
import type { StateAlgebra, Tolerance, VectorField } from './algebra';
import { lincombFloat64 } from './lincomb64';

/** A state on the native path: a flat typed array (batch-major for batched states). */
export type NativeState = Float64Array | Float32Array;

type Ctor = Float64ArrayConstructor | Float32ArrayConstructor;

const tolAt = (tol: Tolerance, i: number): number => (typeof tol === 'number' ? tol : tol[i]);

/**
 * The typed-array algebra: plain loops, no allocation beyond each result, float64 when the
 * state is a Float64Array (the default) and float32 for a Float32Array (its lincomb rounds
 * after every term, as float32 arithmetic does).
 */
class NativeAlgebra implements StateAlgebra<NativeState> {
  readonly kind = 'native' as const;
  readonly dtype: 'float64' | 'float32';

  constructor(private readonly ctor: Ctor) {
    this.dtype = ctor === Float64Array ? 'float64' : 'float32';
  }

  size(y: NativeState): number {
    return y.length;
  }

  shape(y: NativeState): number[] {
    return [y.length];
  }

  lincomb(base: NativeState | null, coeffs: ArrayLike<number>, xs: readonly NativeState[]): NativeState {
    if (this.dtype === 'float64') return lincombFloat64(base as Float64Array | null, coeffs, xs as readonly Float64Array[]);
    const n = base ? base.length : xs[0].length;
    const out = base ? this.ctor.from(base) : new this.ctor(n);
    for (let j = 0; j < xs.length; j++) {
      const c = coeffs[j];
      if (c === 0) continue;
      const x = xs[j];
      for (let i = 0; i < n; i++) out[i] += c * x[i];
    }
    return out;
  }

  weightedRms(x: NativeState, rtol: Tolerance, atol: Tolerance, ref0: NativeState, ref1?: NativeState, count?: number): number {
    const n = count === undefined ? x.length : Math.min(count, x.length);
    if (n === 0) return 0;
    let sum = 0;
    const scalar = typeof rtol === 'number' && typeof atol === 'number';
    for (let i = 0; i < n; i++) {
      const r = ref1 ? Math.max(Math.abs(ref0[i]), Math.abs(ref1[i])) : Math.abs(ref0[i]);
      const scale = scalar ? (atol as number) + (rtol as number) * r : tolAt(atol, i) + tolAt(rtol, i) * r;
      const e = x[i] / scale;
      sum += e * e;
    }
    return Math.sqrt(sum / n);
  }

  evaluate(f: VectorField<NativeState>, t: number, y: NativeState): NativeState {
    const dy: unknown = f(t, y);
    // A copy: f may return one buffer it overwrites on every call, and the stepper keeps several k's.
    if (dy instanceof this.ctor && dy.length === y.length) return dy === y ? dy : dy.slice();
    const len = (dy as ArrayLike<number> | null)?.length;
    if (typeof len === 'number' && len === y.length && (ArrayBuffer.isView(dy) || Array.isArray(dy))) {
      return this.ctor.from(dy as ArrayLike<number>);
    }
    const got = typeof len === 'number' ? `${len} values` : dy === undefined ? 'undefined' : `a ${typeof dy}`;
    throw new SolverError(
      'shape',
      `f(t, y) returned ${got} at t = ${fmt(t)}, but the state y has ${y.length} components. ` +
        `f must return dy/dt as an array of the same length as y (a ${this.ctor.name}).`,
      { t, expected: y.length, got: len ?? null },
    );
  }

  firstNonFinite(y: NativeState): number {
    for (let i = 0; i < y.length; i++) if (!Number.isFinite(y[i])) return i;
    return -1;
  }

  read(y: NativeState): Float64Array {
    return Float64Array.from(y);
  }

  clone(y: NativeState): NativeState {
    return y.slice();
  }

  dispose(): void {}
}

const f64 = new NativeAlgebra(Float64Array);
const f32 = new NativeAlgebra(Float32Array);

/** The algebra for a typed-array state (Float64Array → float64, Float32Array → float32). */
export function nativeAlgebra(y: NativeState): StateAlgebra<NativeState> {
  return y instanceof Float32Array ? f32 : f64;
}

export function isNativeState(y: unknown): y is NativeState {
  return y instanceof Float64Array || y instanceof Float32Array;
}
