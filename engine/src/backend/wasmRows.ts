/**
 * Slice, SplitV and Concat on the wasm backend for narrow rows. tfjs-backend-wasm copies a 2-D slice or
 * a concatenation row by row through `subarray` + `set`: for a column of a [256, 2] state (a
 * physics model's `tf.slice(y, [0, 1], [-1, 1])`) that is 256 array views per call, about
 * 35 µs, more than the matrix product beside it. Rows narrower than WIDE are copied element
 * by element here; wider ones, other ranks and strings keep the backend's kernels.
 */
import { tf } from './tf';
import type { KernelArgs, KernelConfig, KernelFunc, TensorInfo, WasmBackend } from './wasmKernelTypes';

const MARK = 'narrowRows';
/** The dtypes whose heap view is one element per value. */
const NUMERIC = new Set<tf.DataType>(['float32', 'int32', 'bool']);
/** Rows at least this wide are copied with `set` (one call beats the loop). */
const WIDE = 32;

function sliceKernel(original: KernelFunc): KernelFunc {
  return (args: KernelArgs) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.shape.length !== 2 || !NUMERIC.has(x.dtype)) return original(args);
    const { begin, size } = args.attrs as { begin: number | number[]; size: number | number[] };
    const [b, s] = tf.slice_util.parseSliceParams(x as never, begin, size);
    const cols = x.shape[1];
    const width = s[1];
    if (width >= WIDE || width === cols) return original(args); // wide rows, or one contiguous block
    const backend = args.backend as unknown as WasmBackend;
    const out = backend.makeOutput(s, x.dtype);
    const from = backend.typedArrayFromHeap(x);
    const to = backend.typedArrayFromHeap(out);
    for (let i = 0, o = 0; i < s[0]; i++) {
      const row = (b[0] + i) * cols + b[1];
      for (let j = 0; j < width; j++) to[o++] = from[row + j];
    }
    return out as never;
  };
}

function concatKernel(original: KernelFunc): KernelFunc {
  return (args: KernelArgs) => {
    const inputs = (args.inputs as unknown as TensorInfo[]).filter((t) => tf.util.sizeFromShape(t.shape) > 0);
    if (inputs.length < 2 || !NUMERIC.has(inputs[0].dtype)) return original(args);
    const axis = tf.util.parseAxisParam((args.attrs as { axis: number | number[] }).axis, inputs[0].shape)[0];
    const inner = inputs.map((t) => tf.util.sizeFromShape(t.shape.slice(axis)));
    if (inner.some((w) => w >= WIDE)) return original(args);
    const backend = args.backend as unknown as WasmBackend;
    const outShape = tf.backend_util.computeOutShape(
      inputs.map((t) => t.shape),
      axis,
    );
    const out = backend.makeOutput(outShape, inputs[0].dtype);
    const from = inputs.map((t) => backend.typedArrayFromHeap(t));
    const to = backend.typedArrayFromHeap(out);
    const rows = tf.util.sizeFromShape(inputs[0].shape.slice(0, axis));
    for (let r = 0, o = 0; r < rows; r++) {
      for (let k = 0; k < from.length; k++) {
        const w = inner[k];
        const src = from[k];
        for (let j = 0, at = r * w; j < w; j++) to[o++] = src[at + j];
      }
    }
    return out as never;
  };
}

/** SplitV (concat's gradient) as the slices it is, through `slice`. */
function splitKernel(slice: KernelFunc): KernelFunc {
  return (args: KernelArgs) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { numOrSizeSplits, axis } = args.attrs as { numOrSizeSplits: number | number[]; axis: number };
    const at = tf.util.parseAxisParam(axis, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as never, numOrSizeSplits, at);
    const begin = x.shape.map(() => 0);
    return sizes.map((s) => {
      const size = [...x.shape];
      size[at] = s;
      const piece = slice({ ...args, attrs: { begin: [...begin], size } as never });
      begin[at] += s;
      return piece;
    }) as never;
  };
}

/** Replaces the backend's Slice, SplitV and Concat (once); false when it has none. */
export function registerNarrowRows(backendName = 'wasm'): boolean {
  const slice = tf.getKernel('Slice', backendName);
  const concat = tf.getKernel('Concat', backendName);
  const split = tf.getKernel('SplitV', backendName);
  if (!slice || !concat || !split) return false;
  if ((slice as { [MARK]?: boolean })[MARK]) return true;
  const narrowSlice = sliceKernel(slice.kernelFunc);
  tf.unregisterKernel('Slice', backendName);
  tf.registerKernel({ ...slice, kernelFunc: narrowSlice, [MARK]: true } as KernelConfig);
  tf.unregisterKernel('SplitV', backendName);
  tf.registerKernel({ ...split, kernelFunc: splitKernel(narrowSlice), [MARK]: true } as KernelConfig);
  tf.unregisterKernel('Concat', backendName);
  tf.registerKernel({ ...concat, kernelFunc: concatKernel(concat.kernelFunc), [MARK]: true } as KernelConfig);
  return true;
}
