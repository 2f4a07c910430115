/**
 * BatchMatMul and Sum on the wasm backend, routed around tfjs-backend-wasm's slow paths, which
 * every gradient of a dense layer takes:
 *
 * - A product with transposeA or transposeB runs a naive loop, 10–25× slower than the plain
 *   product (XNNPACK); a layer's VJP asks for dY·Wᵀ and Xᵀ·dY. The transposed operand is
 *   materialised with the Transpose kernel and the plain product taken, when the product is
 *   large beside that operand (M·K·N ≥ 8 × its size; below, the naive loop costs less than the
 *   copy, as for Xᵀ·dy with one output column).
 * - Sum over leading axes (a bias's gradient: the batch axis) transposes the whole tensor
 *   first, 2.7 ms for 1024×256 here. It is taken as the plain product ones[1×R]·X[R×C],
 *   accumulated in float32 as the backend's Sum is.
 *
 * Results are those of the plain kernels, equal to the originals' within float32 rounding.
 */
import { tf } from './tf';
import type { KernelArgs, KernelConfig, KernelFunc, TensorInfo, WasmBackend } from './wasmKernelTypes';

const MARK = 'avoidsTransposedPaths';
/** A plain product pays for materialising an operand once its work is this many times the operand's size. */
const WORK_PER_COPIED_ELEMENT = 8;
/** Below this many elements a Sum's transpose costs less than the product's set-up. */
const SUM_MIN_SIZE = 4096;

const size = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

function kernelOf(name: string, backendName: string): KernelFunc | null {
  const k = tf.getKernel(name, backendName);
  return k ? k.kernelFunc : null;
}

function matMulKernel(plain: KernelFunc, transpose: KernelFunc): KernelFunc {
  return (args: KernelArgs) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    if ((!transposeA && !transposeB) || a.dtype !== 'float32' || b.dtype !== 'float32') return plain(args);
    const backend = args.backend as unknown as WasmBackend;
    const [ra, rb] = [a.shape.length, b.shape.length];
    const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
    const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
    const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
    const work = Math.max(size(a.shape.slice(0, -2)), size(b.shape.slice(0, -2))) * m * k * n;
    const swapLast = (x: TensorInfo): TensorInfo => {
      const perm = x.shape.map((_, i) => i);
      [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
      return transpose({ inputs: { x } as never, backend: args.backend, attrs: { perm } as never }) as unknown as TensorInfo;
    };
    const copyA = transposeA && work >= WORK_PER_COPIED_ELEMENT * size(a.shape);
    const copyB = transposeB && work >= WORK_PER_COPIED_ELEMENT * size(b.shape);
    if (!copyA && !copyB) return plain(args);
    const A = copyA ? swapLast(a) : a;
    const B = copyB ? swapLast(b) : b;
    try {
      return plain({ ...args, inputs: { a: A, b: B } as never, attrs: { ...args.attrs, transposeA: transposeA && !copyA, transposeB: transposeB && !copyB } });
    } finally {
      if (copyA) backend.disposeData(A.dataId);
      if (copyB) backend.disposeData(B.dataId);
    }
  };
}

function sumKernel(original: KernelFunc, plainMatMul: KernelFunc): KernelFunc {
  return (args: KernelArgs) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
    const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
    if (!leading || x.dtype !== 'float32' || size(x.shape) < SUM_MIN_SIZE) return original(args);
    const backend = args.backend as unknown as WasmBackend;
    const rows = size(x.shape.slice(0, axes.length));
    const cols = size(x.shape.slice(axes.length));
    const ones = backend.makeOutput([1, rows], 'float32');
    backend.typedArrayFromHeap(ones).fill(1);
    try {
      const out = plainMatMul({
        ...args,
        inputs: { a: ones, b: { dataId: x.dataId, shape: [rows, cols], dtype: 'float32' } } as never,
        attrs: { transposeA: false, transposeB: false } as never,
      }) as unknown as TensorInfo;
      out.shape = keepDims ? x.shape.map((d, i) => (i < axes.length ? 1 : d)) : x.shape.slice(axes.length);
      return out as never;
    } finally {
      backend.disposeData(ones.dataId);
    }
  };
}

/** Replaces the backend's BatchMatMul and Sum (once); false when it lacks the kernels they build on. */
export function registerPlainProducts(backendName = 'wasm'): boolean {
  const current = tf.getKernel('BatchMatMul', backendName);
  if (current && (current as { [MARK]?: boolean })[MARK]) return true;
  const plain = kernelOf('BatchMatMul', backendName);
  const transpose = kernelOf('Transpose', backendName);
  const sum = kernelOf('Sum', backendName);
  if (!current || !plain || !transpose || !sum) return false;
  const sumConfig = tf.getKernel('Sum', backendName)!;
  tf.unregisterKernel('BatchMatMul', backendName);
  tf.registerKernel({ ...current, kernelFunc: matMulKernel(plain, transpose), [MARK]: true } as KernelConfig);
  tf.unregisterKernel('Sum', backendName);
  tf.registerKernel({ ...sumConfig, kernelFunc: sumKernel(sum, plain), [MARK]: true } as KernelConfig);
  return true;
}
