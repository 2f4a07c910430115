/**
 * Kernels the wasm backend lacks (or gets differently from cpu), run on the cpu backend.
 *
 * Training conv models needs them: conv2d's gradient calls Conv2DBackpropFilter, depthwise
 * convolutions' gradients call the DepthwiseConv2dNative backprops, gather's gradient calls
 * UnsortedSegmentSum. The wasm MaxPoolGrad sends a window's gradient to another maximum than
 * cpu when values tie (common after relu); the cpu kernel is used so both backends train alike.
 * The data makes a round trip wasm → cpu → wasm; the kernels are rare enough in a step
 * for the copy not to matter next to a missing kernel.
 */
import { tf } from './tf';
import type { KernelConfig, KernelFunc, TensorInfo } from './wasmKernelTypes';

type Backend = {
  readSync(dataId: object): unknown;
  write(values: unknown, shape: number[], dtype: tf.DataType): object;
  disposeData(dataId: object): unknown;
};

/** Absent from tfjs-backend-wasm 4.x, present on cpu. */
export const MISSING_ON_WASM = [
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'UnsortedSegmentSum',
  'Einsum',
] as const;

/** Present on wasm, replaced so that gradients agree with cpu. */
export const REPLACED_ON_WASM = ['MaxPoolGrad'] as const;

function cpuBacked(kernelName: string): KernelFunc {
  const cpuKernel = tf.getKernel(kernelName, 'cpu');
  if (!cpuKernel) throw new Error(`the cpu backend has no ${kernelName} kernel to fall back on`);
  return ({ inputs, attrs, backend }) => {
    const cpu = tf.findBackend('cpu') as unknown as Backend;
    const target = backend as unknown as Backend;
    const written: object[] = [];
    const toCpu = (info: TensorInfo): TensorInfo => {
      const dataId = cpu.write(target.readSync(info.dataId), info.shape, info.dtype);
      written.push(dataId);
      return { dataId, shape: info.shape, dtype: info.dtype };
    };
    // Einsum passes its operands as an array; the others as a name → tensor map.
    const cpuInputs = Array.isArray(inputs)
      ? (inputs as TensorInfo[]).map(toCpu)
      : Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, toCpu(v as TensorInfo)]));
    try {
      const out = cpuKernel.kernelFunc({ inputs: cpuInputs as never, attrs, backend: cpu as never }) as
        | TensorInfo
        | TensorInfo[];
      const back = (info: TensorInfo): TensorInfo => {
        const values = cpu.readSync(info.dataId);
        cpu.disposeData(info.dataId);
        return { dataId: target.write(values, info.shape, info.dtype), shape: info.shape, dtype: info.dtype };
      };
      return Array.isArray(out) ? out.map(back) : back(out);
    } finally {
      for (const dataId of written) cpu.disposeData(dataId);
    }
  };
}

/**
 * Registers the cpu-backed kernels on `backendName` (once; later calls are no-ops).
 * Returns the kernel names now served by cpu.
 */
export function registerCpuBackedKernels(backendName = 'wasm'): string[] {
  const done: string[] = [];
  for (const name of [...MISSING_ON_WASM, ...REPLACED_ON_WASM]) {
    const existing = tf.getKernel(name, backendName);
    if (existing && (existing as { cpuBacked?: boolean }).cpuBacked) {
      done.push(name);
      continue;
    }
    if (!tf.getKernel(name, 'cpu')) continue;
    if (existing) {
      if (!(REPLACED_ON_WASM as readonly string[]).includes(name)) continue; // the backend has its own now
      tf.unregisterKernel(name, backendName);
    }
    const config = { kernelName: name, backendName, kernelFunc: cpuBacked(name), cpuBacked: true };
    tf.registerKernel(config as KernelConfig);
    done.push(name);
  }
  return done;
}
