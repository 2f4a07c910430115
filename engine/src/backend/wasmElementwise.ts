/**
 * Small elementwise kernels on the wasm backend, computed in JavaScript on the backend's heap.
 *
 * - Add, Sub and Multiply of float32 tensors up to SMALL elements. tfjs-backend-wasm spends
 *   about 4.7 µs a call on its binary kernels' set-up (broadcast shapes copied onto the stack
 *   through ccall) before any arithmetic: more than the arithmetic of a [16, 32] batch. A
 *   user's field that the engine does not compile runs a dozen of them per stage, forward and
 *   backward. Larger tensors keep the backend's vectorised kernels. float32 sums, differences
 *   and products are computed in float64 and rounded once, so the results are the same bits.
 * - Sin and Cos at any size: the backend's scalar sinf takes 31 ns an element here, Math.sin a
 *   third of that; the result is Math.sin's rounded to float32, as the cpu backend gives.
 *
 * Only the broadcasts a field's algebra makes are taken: equal shapes, a scalar, or one operand
 * the trailing shape of the other (a bias); anything else goes to the backend's kernel.
 */
import { tf } from './tf';
import type { KernelArgs, KernelConfig, KernelFunc, TensorInfo, WasmBackend } from './wasmKernelTypes';

const MARK = 'jsElementwise';
/**
 * Above this many output elements the backend's kernel is faster: a JavaScript loop takes about
 * 2 ns an element here, the backend's about 0.5 (equal shapes) to 1.1 (a broadcast) after its set-up.
 */
const SMALL = 4096;

const size = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

/** Whether `small` repeats along `big`: equal, a scalar, or big's trailing dimensions. */
function tiles(small: readonly number[], big: readonly number[]): boolean {
  const first = small.findIndex((d) => d !== 1);
  const s = first < 0 ? [] : small.slice(first);
  return s.length <= big.length && s.every((d, i) => d === big[big.length - s.length + i]);
}

type Binary = 'Add' | 'Sub' | 'Multiply';

/**
 * z = x op y where y repeats every `ny` elements (or x every `nx`; n is the larger): one loop
 * per operation and shape, since a call through a shared function, or a remainder, per element
 * would cost more than the arithmetic.
 */
function apply(op: Binary, x: Float32Array, nx: number, y: Float32Array, ny: number, z: Float32Array): void {
  const n = z.length;
  if (nx === n && ny === n) {
    if (op === 'Add') for (let i = 0; i < n; i++) z[i] = x[i] + y[i];
    else if (op === 'Sub') for (let i = 0; i < n; i++) z[i] = x[i] - y[i];
    else for (let i = 0; i < n; i++) z[i] = x[i] * y[i];
  } else if (ny === 1 || nx === 1) {
    const s = nx === 1 ? x[0] : y[0];
    const v = nx === 1 ? y : x;
    if (op === 'Add') for (let i = 0; i < n; i++) z[i] = v[i] + s;
    else if (op === 'Multiply') for (let i = 0; i < n; i++) z[i] = v[i] * s;
    else if (nx === 1) for (let i = 0; i < n; i++) z[i] = s - v[i];
    else for (let i = 0; i < n; i++) z[i] = v[i] - s;
  } else if (ny < nx) {
    // rows of x, y repeated along them (a bias)
    for (let r = 0; r < n; r += ny) {
      if (op === 'Add') for (let j = 0; j < ny; j++) z[r + j] = x[r + j] + y[j];
      else if (op === 'Sub') for (let j = 0; j < ny; j++) z[r + j] = x[r + j] - y[j];
      else for (let j = 0; j < ny; j++) z[r + j] = x[r + j] * y[j];
    }
  } else {
    for (let r = 0; r < n; r += nx) {
      if (op === 'Add') for (let j = 0; j < nx; j++) z[r + j] = x[j] + y[r + j];
      else if (op === 'Sub') for (let j = 0; j < nx; j++) z[r + j] = x[j] - y[r + j];
      else for (let j = 0; j < nx; j++) z[r + j] = x[j] * y[r + j];
    }
  }
}

function binaryKernel(original: KernelFunc, op: Binary): KernelFunc {
  return (args: KernelArgs) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return original(args);
    const [na, nb] = [size(a.shape), size(b.shape)];
    const shape = na >= nb ? a.shape : b.shape;
    const n = Math.max(na, nb);
    const broadcasts = na >= nb ? tiles(b.shape, a.shape) : tiles(a.shape, b.shape);
    if (n > SMALL || n === 0 || !broadcasts || a.shape.length > shape.length || b.shape.length > shape.length) return original(args);
    const backend = args.backend as unknown as WasmBackend;
    const out = backend.makeOutput([...shape], 'float32');
    // Views taken after makeOutput, which may grow (and so move) the heap.
    apply(op, backend.typedArrayFromHeap(a), na, backend.typedArrayFromHeap(b), nb, backend.typedArrayFromHeap(out));
    return out as never;
  };
}

function unaryKernel(original: KernelFunc, op: 'Sin' | 'Cos'): KernelFunc {
  return (args: KernelArgs) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype !== 'float32') return original(args);
    const backend = args.backend as unknown as WasmBackend;
    const out = backend.makeOutput([...x.shape], 'float32');
    const [v, z] = [backend.typedArrayFromHeap(x), backend.typedArrayFromHeap(out)];
    if (op === 'Sin') for (let i = 0; i < v.length; i++) z[i] = Math.sin(v[i]);
    else for (let i = 0; i < v.length; i++) z[i] = Math.cos(v[i]);
    return out as never;
  };
}

const BINARY = ['Add', 'Sub', 'Multiply'] as const;
const UNARY = ['Sin', 'Cos'] as const;

/** Replaces the backend's kernels (once); false when it lacks one of them. */
export function registerJsElementwise(backendName = 'wasm'): boolean {
  const names = [...BINARY, ...UNARY];
  const configs = names.map((name) => tf.getKernel(name, backendName));
  if (configs.some((c) => !c)) return false;
  names.forEach((name, i) => {
    const config = configs[i]!;
    if ((config as { [MARK]?: boolean })[MARK]) return;
    const kernelFunc = name === 'Sin' || name === 'Cos' ? unaryKernel(config.kernelFunc, name) : binaryKernel(config.kernelFunc, name);
    tf.unregisterKernel(name, backendName);
    tf.registerKernel({ ...config, kernelFunc, [MARK]: true } as KernelConfig);
  });
  return true;
}
