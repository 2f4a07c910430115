/** What the engine's replacement kernels for tfjs-backend-wasm (wasm*.ts) share: tfjs's kernel types, and the backend's heap. */
import { tf } from './tf';

export type KernelConfig = Parameters<typeof tf.registerKernel>[0];
export type KernelFunc = KernelConfig['kernelFunc'];
export type KernelArgs = Parameters<KernelFunc>[0];
export type TensorInfo = { dataId: object; shape: number[]; dtype: tf.DataType };

/** The part of tfjs-backend-wasm's backend the kernels use: tensors on its heap. */
export interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  /** The tensor's values on the heap (taken after makeOutput, which may grow and so move the heap); an Int32Array or Uint8Array for int32 and bool. */
  typedArrayFromHeap(info: TensorInfo): Float32Array;
  disposeData(dataId: object): unknown;
}
