/**
 * Tanh on the wasm backend through the engine's own f32x4 SIMD tanh (kernels/simdTanh.ts).
 * tfjs-backend-wasm evaluates it with scalar std::tanh, 22 ns an element here: 361 µs for one
 * 256×64 hidden layer, more than every other operation of a user's tanh network together,
 * where the SIMD kernel takes a few tens of µs. Float32 tensors only (the others keep the
 * backend's kernel); the result is within 1.5e-7 of tanh, as float32 rounding allows.
 */
import { tanhInstance } from '../kernels/simdTanh';
import { tf } from './tf';
import type { KernelConfig, TensorInfo, WasmBackend } from './wasmKernelTypes';

const MARK = 'simdTanh';

/** Replaces the backend's Tanh kernel (once); false where WebAssembly SIMD is unavailable. */
export function registerSimdTanh(backendName = 'wasm'): boolean {
  const original = tf.getKernel('Tanh', backendName);
  if (original && (original as { [MARK]?: boolean })[MARK]) return true;
  const simd = tanhInstance('float32');
  if (!simd || !original) return false;
  const kernelFunc: KernelConfig['kernelFunc'] = (args) => {
    const x = (args.inputs as { x: TensorInfo }).x;
    if (x.dtype !== 'float32') return original.kernelFunc(args);
    const backend = args.backend as unknown as WasmBackend;
    const out = backend.makeOutput(x.shape, 'float32');
    // Both views are taken after makeOutput, which may grow (and so move) the heap.
    simd.apply(backend.typedArrayFromHeap(x), backend.typedArrayFromHeap(out));
    return out as never;
  };
  tf.unregisterKernel('Tanh', backendName);
  tf.registerKernel({ ...original, kernelFunc, [MARK]: true } as KernelConfig);
  return true;
}
