/**
 * A user's TensorFlow.js field on a GPU backend (placement.ts: WebGPU, tfjs-node-gpu). The
 * solver's state lives on the device too: every solve and gradient of this field runs on the
 * TensorFlow.js state algebra (deviceGrad.ts, solveField.ts), the same solvers and
 * reverse sweeps as on the host, and only the outputs, the loss's cotangents and dL/dθ cross to
 * the host. θ is the host's Float64Array as for every field, so the optimiser, checkpoints and
 * exports are unchanged; it reaches the variables before each solve.
 *
 * What needs f(t, y) one call at a time on the host (the debugger, the Solver Inspector, the
 * diagnostics) reads each result back where the backend can (tfjs-node-gpu), and is refused
 * with the reason where it cannot (WebGPU: notOnHost).
 */
import { tf } from '../backend/tf';
import type { TensorField } from '../fields/field';
import { readVariablesAsync, tensorParams } from '../fields/tensorParams';
import { readsSynchronously } from '../state/tfjs';
import { notOnHost, type DeviceField } from './types';

/** The field on states of `dim` components per sample, or of one fixed tensor shape. */
export async function deviceTensorField(field: TensorField, dimOrShape: number | readonly number[]): Promise<DeviceField> {
  const fixed = typeof dimOrShape === 'number' ? null : [...dimOrShape];
  const dim = fixed ? fixed.slice(1).reduce((a, b) => a * b, 1) : (dimOrShape as number);
  if (!fixed && field.dim !== undefined && field.dim !== dim) {
    throw new RangeError(`The tensor field works on ${field.dim} components per sample, not ${dim}.`);
  }
  const backend = tf.getBackend();
  const theta = tensorParams(field, await readVariablesAsync(field));
  const shapeOf = (length: number): number[] => {
    if (fixed && length !== dim * fixed[0]) throw new RangeError(`The tensor field's state has ${length} values, not the ${dim * fixed[0]} of shape [${fixed.join(', ')}].`);
    if (length % dim !== 0) throw new RangeError(`The tensor field's state has ${length} values, not a whole number of samples of ${dim}.`);
    return fixed ?? [length / dim, dim];
  };
  const readsOnHost = readsSynchronously();
  const onHost = (): never => {
    throw new RangeError(notOnHost(backend, 'This view'));
  };
  /** One evaluation read back at once, where the backend allows it (the views that step the solver use it). */
  const withState = <T>(y: Float64Array, use: (x: tf.Tensor) => T): T => {
    theta.sync();
    const x = tf.tensor(Float32Array.from(y), shapeOf(y.length), 'float32');
    try {
      return use(x);
    } finally {
      x.dispose();
    }
  };
  const read = (ts: tf.Tensor[]): Float32Array[] => {
    try {
      return ts.map((t) => t.dataSync() as Float32Array);
    } finally {
      tf.dispose(ts);
    }
  };
  return {
    kind: 'native',
    dim,
    params: theta.params,
    layout: theta.layout,
    tensor: field,
    compiled: { why: `it runs on the GPU (backend '${backend}'): the solver's state and algebra live there too, in float32` },
    device: { backend, theta, shapeOf, readsOnHost },
    f: readsOnHost ? (t, y) => withState(y, (x) => Float64Array.from(read([tf.tidy(() => field.f(t, x))])[0])) : onHost,
    vjp: readsOnHost
      ? (t, y, a) =>
          withState(y, (x) =>
            withState(a, (c) => {
              const [gy, ...gp] = read(tf.tidy(() => {
                const g = field.vjp(t, x, c);
                return [g.y, ...g.params];
              }));
              return { y: Float64Array.from(gy), params: theta.flatten(gp) };
            }),
          )
      : onHost,
  };
}
