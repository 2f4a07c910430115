/** A field on the device (deviceField.ts), known by type alone, so that checking costs no TensorFlow.js load. */
import type { TensorNativeField } from '../fields/tensorNative';
import type { TensorParams } from '../fields/tensorParams';

export interface DeviceField extends TensorNativeField {
  readonly device: {
    /** The backend the field and its solves run on. */
    readonly backend: string;
    readonly theta: TensorParams;
    /** The tensor shape of a flat host state of `length` values. */
    shapeOf(length: number): number[];
    /** Whether f and vjp can be read back one call at a time (not on WebGPU). */
    readonly readsOnHost: boolean;
  };
}

export const isDeviceField = (x: unknown): x is DeviceField => typeof x === 'object' && x !== null && 'device' in x && 'tensor' in x;

/** Why `who` cannot evaluate a field on the device one call at a time on the host, and what to do. */
export const notOnHost = (backend: string, who: string): string =>
  `${who} evaluates the model one call at a time on the host, but it runs on the GPU (backend '${backend}'), which reads tensors only asynchronously: ` +
  "select the 'wasm' backend for it (setting neuralOde.engine.backend, or NEURAL_ODE_BACKEND); training and the vector field and trajectories views run on the GPU.";

/** A device field that the views stepping the solver on the host cannot evaluate. */
export const hostCannotRead = (x: unknown): x is DeviceField => isDeviceField(x) && !x.device.readsOnHost;
