/**
 * A user's TensorFlow.js field on a backend that only reads tensors asynchronously (WebGPU).
 * The solver's state then lives on the device too: every solve and gradient of this field runs
 * on the TensorFlow.js state algebra (deviceGrad.ts, deviceSolve.ts), the same solvers and
 * reverse sweeps as on the host, and only the outputs, the loss's cotangents and dL/dθ cross to
 * the host. θ is the host's Float64Array as for every field, so the optimiser, checkpoints and
 * exports are unchanged; it reaches the variables before each solve.
 *
 * What needs f(t, y) synchronously on the host (the debugger, the Solver Inspector, the
 * diagnostics) is refused with the reason (notOnHost).
 */
import { tf } from '../backend/tf';
import type { TensorField } from '../fields/field';
import { readVariablesAsync, tensorParams } from '../fields/tensorParams';
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
  const onHost = (): never => {
    throw new RangeError(notOnHost(backend, 'This view'));
  };
  return {
    kind: 'native',
    dim,
    params: theta.params,
    layout: theta.layout,
    tensor: field,
    compiled: { why: `it runs on the GPU (backend '${backend}'): the solver's state and algebra live there too, in float32` },
    device: { backend, theta, shapeOf },
    f: onHost,
    vjp: onHost,
  };
}
