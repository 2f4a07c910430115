/**
 * A model's field evaluated and solved from and to host arrays, wherever it runs: on the host,
 * or on the device (deviceField.ts), where the state lives as a tensor and only results are read.
 */
import type { Tensor } from '@tensorflow/tfjs';
import type { NativeField } from '../fields/field';
import { odeint } from '../odeint';
import type { OdeintOptions, SolveStats } from '../solvers/solve';
import { isDeviceField } from './types';

export async function solveField(
  field: NativeField,
  y0: Float64Array,
  t: ArrayLike<number>,
  opts: Omit<OdeintOptions<Float64Array>, 'hooks'>,
): Promise<{ ys: Float64Array[]; stats: SolveStats }> {
  if (!isDeviceField(field)) {
    const sol = await odeint((s, y: Float64Array) => field.f(s, y), y0, t, opts);
    return { ys: sol.ys as Float64Array[], stats: sol.stats };
  }
  const { tf } = await import('../backend/tf');
  const { theta, shapeOf } = field.device;
  theta.sync();
  const start = tf.tensor(Float32Array.from(y0), shapeOf(y0.length), 'float32');
  try {
    const sol = await odeint((s: number, y: Tensor) => field.tensor.f(s, y), start, t, opts as OdeintOptions<Tensor>);
    try {
      const flat = Float64Array.from(await sol.ys.data());
      const ys = Array.from({ length: sol.ys.shape[0] }, (_, i) => flat.slice(i * y0.length, (i + 1) * y0.length));
      return { ys, stats: sol.stats };
    } finally {
      sol.ys.dispose();
    }
  } finally {
    start.dispose();
  }
}

/** f(t, y) of a model's field, a new host array. */
export async function evaluateField(field: NativeField, t: number, y: Float64Array): Promise<Float64Array> {
  if (!isDeviceField(field)) return Float64Array.from(field.f(t, y));
  const { tf } = await import('../backend/tf');
  const { tfjsAlgebra } = await import('../state/tfjs');
  field.device.theta.sync();
  const x = tf.tensor(Float32Array.from(y), field.device.shapeOf(y.length), 'float32');
  try {
    const out = tfjsAlgebra.evaluate((s, z) => field.tensor.f(s, z), t, x);
    try {
      return Float64Array.from(await out.data());
    } finally {
      out.dispose();
    }
  } finally {
    x.dispose();
  }
}
