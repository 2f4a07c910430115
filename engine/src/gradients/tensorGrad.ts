import type { Tensor } from '@tensorflow/tfjs';
import { ensureBackend, tf } from '../backend/index';
import type { TensorField } from '../fields/field';
import { tensorNativeField, type TensorNativeField } from '../fields/tensorNative';
import { SolverError } from '../solvers/errors';
import { isTensorState } from '../state/tfjs';
import { modelsOnDevice } from '../device/placement';
import { deviceTensorField } from '../device/deviceField';
import type { NativeGradResult, TensorGradResult } from './types';

/**
 * odeintGrad on the TensorFlow.js path, in and out: the field runs as a native field
 * (tensorNativeField: the solver and every gradient method on float64 arrays, f and its
 * autodiff VJP in tfjs), so a tensor field has the one continuous adjoint and the one discrete
 * sweep that native fields have, which the debugger steps through too. odeintGrad runs the
 * native problem between these two.
 */
export interface TensorProblem {
  readonly field: TensorField;
  readonly native: TensorNativeField;
  readonly shape: readonly number[];
  readonly y0: Float64Array;
  readonly cotangents: (Float64Array | null)[];
}

/** The native problem of a tensor field, y0 and cotangents (read asynchronously). */
export async function tensorProblem(field: TensorField, y0: Tensor, times: readonly number[], cotangents: readonly (Tensor | null | undefined)[]): Promise<TensorProblem> {
  if (!isTensorState(y0)) {
    throw new SolverError('input', 'A TensorFlow.js field needs y0 as a tf.Tensor (for typed arrays, use a native field such as mlpField).');
  }
  const cots = checkTensorCotangents(cotangents, times.length, y0);
  await ensureBackend();
  const read = async (x: Tensor): Promise<Float64Array> => Float64Array.from(await x.data());
  return {
    field,
    // on a GPU backend the solve stays on the device (placement.ts)
    native: modelsOnDevice() ? await deviceTensorField(field, y0.shape) : tensorNativeField(field, y0.shape),
    shape: y0.shape,
    y0: await read(y0),
    cotangents: await Promise.all(cots.map((c) => (c ? read(c) : null))),
  };
}

/** The native result as float32 tensors the caller owns: ys stacked, dL/dy0 in y0's shape, dL/dθ in each variable's. */
export function tensorResult(problem: TensorProblem, r: NativeGradResult): TensorGradResult {
  const { field, native, shape, y0 } = problem;
  const all = new Float32Array(r.ys.length * y0.length);
  r.ys.forEach((y, i) => all.set(y, i * y0.length));
  const gradParams = field.params.map((v, i) =>
    tf.tidy(() => {
      const e = native.layout[i];
      const g = tf.tensor(Float32Array.from(r.gradParams.subarray(e.offset, e.offset + e.size)), [...e.shape], 'float32');
      // an exported-transposed kernel's gradient goes back to the variable's own layout
      return field.transposedParams?.[i] && v.rank === 2 ? tf.transpose(g) : g;
    }),
  );
  return {
    ys: tf.tensor(all, [r.ys.length, ...shape], 'float32'),
    gradY0: tf.tensor(Float32Array.from(r.gradY0), [...shape], 'float32'),
    gradParams,
    stats: r.stats,
  };
}

function checkTensorCotangents(cotangents: readonly (Tensor | null | undefined)[], count: number, y0: Tensor): (Tensor | null)[] {
  if (!Array.isArray(cotangents) || cotangents.length !== count) {
    throw new SolverError(
      'input',
      `cotangents must hold one entry per output time (${count}), but got ${Array.isArray(cotangents) ? cotangents.length : typeof cotangents}. ` +
        'Pass dL/dy(t[i]) for every t[i], with null where the loss does not use that output.',
    );
  }
  return cotangents.map((c, i) => {
    if (c === null || c === undefined) return null;
    if (!isTensorState(c) || c.size !== y0.size) {
      throw new SolverError(
        'input',
        `cotangents[${i}] must be a tensor of y0's shape [${y0.shape.join(', ')}], but got ${isTensorState(c) ? `shape [${c.shape.join(', ')}]` : typeof c}.`,
        { index: i },
      );
    }
    return c;
  });
}
