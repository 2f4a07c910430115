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
  };
}

export const isDeviceField = (x: unknown): x is DeviceField => typeof x === 'object' && x !== null && 'device' in x && 'tensor' in x;
