import type { Tensor } from '@tensorflow/tfjs';
import { isDeviceField } from '../device/types';
import type { Field, NativeField, TensorField } from '../fields/field';
import { SolverError } from '../solvers/errors';
import { checkTimes } from '../solvers/solve';
import { adjointGrad } from './adjoint';
import { discreteGrad } from './discrete';
import { GRADIENT_METHODS, type CotangentSource, type GradientMethod, type NativeGradResult, type OdeintGradOptions, type TensorGradResult } from './types';

/** A cotangent dL/dy(t_i): a state-sized array, or null for an output the loss ignores. */
export type NativeCotangent = ArrayLike<number> | null | undefined;

/**
 * Solves dy/dt = field.f(t, y) like odeint and returns, with the outputs, the gradient of a loss
 * L whose cotangents dL/dy(t_i) are given: dL/dy0 and dL/dθ for the field's parameters θ.
 *
 *   const { ys, gradY0, gradParams, stats } = await odeintGrad(field, y0, [0, 1, 2], [null, c1, c2],
 *     { method: 'dopri5', gradient: 'adjoint', adjointOptions: { seminorm: true } });
 *
 * `backprop` (default) and `checkpoint` give the exact gradient of the steps taken (explicit RK
 * methods; adaptive ones step onto every output time); `adjoint` solves the continuous adjoint
 * backwards with any method, in memory that does not grow with the number of steps.
 */
export async function odeintGrad(
  field: NativeField,
  y0: Float64Array,
  t: ArrayLike<number>,
  cotangents: readonly NativeCotangent[] | ((ys: readonly Float64Array[]) => readonly NativeCotangent[]),
  opts?: OdeintGradOptions,
): Promise<NativeGradResult>;
export async function odeintGrad(
  field: TensorField,
  y0: Tensor,
  t: ArrayLike<number>,
  cotangents: readonly (Tensor | null | undefined)[],
  opts?: OdeintGradOptions,
): Promise<TensorGradResult>;
export async function odeintGrad(
  field: Field,
  y0: Float64Array | Tensor,
  t: ArrayLike<number>,
  cotangents: readonly unknown[] | ((ys: readonly Float64Array[]) => readonly NativeCotangent[]),
  opts: OdeintGradOptions = {},
): Promise<NativeGradResult | TensorGradResult> {
  const kind = checkField(field);
  const gradient = checkGradient(opts.gradient);
  if (opts.checkpoints !== undefined && !(Number.isInteger(opts.checkpoints) && opts.checkpoints >= 1)) {
    throw new SolverError('input', `checkpoints is ${opts.checkpoints}: it must be a positive integer (the number of stored states).`);
  }
  const times = checkTimes(t);
  if (kind === 'tfjs') {
    if (typeof cotangents === 'function') {
      throw new SolverError('input', 'Cotangents as a function of the outputs work with native fields; give tensor fields an array.');
    }
    // A tensor field is solved and differentiated as a native one; only its inputs and results are tensors.
    const { tensorProblem, tensorResult } = await import('./tensorGrad');
    const problem = await tensorProblem(field as TensorField, y0 as Tensor, times, cotangents as (Tensor | null | undefined)[]);
    return tensorResult(problem, await odeintGrad(problem.native, problem.y0, times, problem.cotangents, { ...opts, gradient }));
  }
  if (!(y0 instanceof Float64Array)) {
    throw new SolverError(
      'input',
      'A native field needs y0 as a Float64Array (its parameters and vjp are float64). Wrap plain arrays: Float64Array.from([1, 0]).',
    );
  }
  const native = field as NativeField;
  const cots: CotangentSource<Float64Array> =
    typeof cotangents === 'function'
      ? (ys) => checkCotangents(cotangents(ys), times.length, y0.length)
      : checkCotangents(cotangents as NativeCotangent[], times.length, y0.length);
  const run = { ...opts, gradient };
  if (isDeviceField(native)) {
    // the field lives on the GPU: so do the solve and the sweep, between these host arrays
    const { deviceGrad } = await import('../device/deviceGrad');
    return deviceGrad(native, y0, times, cots, run);
  }
  return gradient === 'adjoint'
    ? adjointGrad(native, y0, times, cots, run)
    : discreteGrad(native, y0, times, cots, run, gradient);
}

function checkField(field: unknown): 'native' | 'tfjs' {
  const f = field as Partial<Field> | null;
  const ok =
    f !== null &&
    typeof f === 'object' &&
    typeof f.f === 'function' &&
    typeof f.vjp === 'function' &&
    ((f.kind === 'native' && f.params instanceof Float64Array) || (f.kind === 'tfjs' && Array.isArray(f.params)));
  if (!ok) {
    const what = typeof field === 'function' ? 'a plain function' : field === null ? 'null' : `a ${typeof field}`;
    throw new SolverError(
      'input',
      `odeintGrad needs a vector field with parameters and a vjp (a NativeField such as mlpField(…), or a TensorField), ` +
        `but got ${what}${typeof field === 'object' && field !== null ? ' without kind/params/f/vjp' : ''}. ` +
        'A plain f(t, y) can be solved with odeint, but not differentiated.',
    );
  }
  return (f as Field).kind;
}

function checkGradient(g: unknown): GradientMethod {
  if (g === undefined) return 'backprop';
  if (!GRADIENT_METHODS.includes(g as GradientMethod)) {
    throw new SolverError('input', `Unknown gradient method '${String(g)}'. Use one of ${GRADIENT_METHODS.map((x) => `'${x}'`).join(', ')}.`, {
      gradient: g,
    });
  }
  return g as GradientMethod;
}

/** One cotangent per output time, each null or state-sized and finite, as float64. */
export function checkCotangents(cotangents: readonly NativeCotangent[], count: number, n: number): (Float64Array | null)[] {
  if (!Array.isArray(cotangents) || cotangents.length !== count) {
    const got = Array.isArray(cotangents) ? `${cotangents.length}` : `a ${typeof cotangents}`;
    throw new SolverError(
      'input',
      `cotangents must hold one entry per output time (${count}), but got ${got}. ` +
        'Pass dL/dy(t[i]) for every t[i], with null where the loss does not use that output.',
      { expected: count },
    );
  }
  return cotangents.map((c, i) => {
    if (c === null || c === undefined) return null;
    if (typeof (c as ArrayLike<number>).length !== 'number' || (c as ArrayLike<number>).length !== n) {
      throw new SolverError(
        'input',
        `cotangents[${i}] has ${typeof c === 'object' ? (c as ArrayLike<number>).length : typeof c} values, but the state has ${n} components: ` +
          'each cotangent is dL/dy(t[i]), the same size as y0.',
        { index: i, expected: n },
      );
    }
    const out = Float64Array.from(c);
    const bad = out.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      throw new SolverError('input', `cotangents[${i}][${bad}] is ${out[bad]}: cotangents must be finite (is the loss NaN?).`, { index: i, component: bad });
    }
    return out;
  });
}
