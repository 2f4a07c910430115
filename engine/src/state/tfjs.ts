/**
 * The TensorFlow.js state algebra: float32 tensors on the active backend.
 *
 * Every method leaves exactly its result behind (or nothing): ops run in one `tf.tidy`, or as
 * a single kernel (the fused lincomb on cpu and wasm), so a solve of thousands of steps holds
 * only the states the solver still uses. Where the backend reads synchronously (cpu, wasm,
 * tensorflow) norms and finiteness are measured in JavaScript on the values and returned as
 * numbers; WebGPU only reads asynchronously, so there they are tensor ops and Promises.
 */
import { tf } from '../backend/tf';
import { canFuse, fusedLincomb } from '../backend/lincombKernel';
import { SolverError, fmt } from '../solvers/errors';
import type { StateAlgebra, Tolerance, VectorField } from './algebra';

type Tensor = tf.Tensor;

/** Backends whose `dataSync` throws: reads must go through `await data()`. */
const ASYNC_ONLY_BACKENDS = new Set(['webgpu']);

export function readsSynchronously(): boolean {
  return !ASYNC_ONLY_BACKENDS.has(tf.getBackend());
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Per-component tolerances as flat float32 tensors, for the backends measured with tensor ops
 * (the others read the Float64Array directly). Made once per array, kept outside any tidy,
 * released when the array is garbage-collected or by `releaseToleranceTensors`; an array's
 * values are read when first used there, so changing them afterwards is not seen.
 */
const toleranceTensors = new WeakMap<Float64Array, Tensor>();
const liveToleranceTensors = new Set<Tensor>();
const toleranceFinalizer = new FinalizationRegistry<Tensor>((t) => {
  liveToleranceTensors.delete(t);
  t.dispose();
});

function checkToleranceLength(tol: Float64Array, name: string, x: Tensor): void {
  if (tol.length === x.size) return;
  throw new SolverError(
    'input',
    `${name} has ${tol.length} components but the state has ${x.size} (shape ${shapeText(x.shape)}). ` +
      `Give ${name} as one number, or as one value per component of y (flattened in row-major order).`,
    { name, length: tol.length, size: x.size },
  );
}

function toleranceTensor(tol: Float64Array): Tensor {
  let t = toleranceTensors.get(tol);
  if (!t || t.isDisposed) {
    t = tf.keep(tf.tensor1d(Float32Array.from(tol), 'float32'));
    toleranceTensors.set(tol, t);
    liveToleranceTensors.add(t);
    toleranceFinalizer.register(tol, t, t);
  }
  return t;
}

const tolAt = (tol: Tolerance, i: number): number => (typeof tol === 'number' ? tol : tol[i]);

/** sqrt(mean((x / (atol + rtol·max(|ref0|, |ref1|)))²)) in float64, as the native algebra. */
function rmsOfValues(
  x: ArrayLike<number>,
  rtol: Tolerance,
  atol: Tolerance,
  ref0: ArrayLike<number>,
  ref1?: ArrayLike<number>,
  count?: number,
): number {
  const n = count === undefined ? x.length : Math.min(count, x.length);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const r = ref1 ? Math.max(Math.abs(ref0[i]), Math.abs(ref1[i])) : Math.abs(ref0[i]);
    const e = x[i] / (tolAt(atol, i) + tolAt(rtol, i) * r);
    sum += e * e;
  }
  return Math.sqrt(sum / n);
}

/** Disposes the cached per-component tolerance tensors (they are rebuilt on next use). */
export function releaseToleranceTensors(): void {
  for (const t of liveToleranceTensors) {
    toleranceFinalizer.unregister(t);
    t.dispose();
  }
  liveToleranceTensors.clear();
}

/** The id the next tensor will get; a result with a smaller id existed before f was called. */
function nextTensorId(): number {
  const counter = (tf.engine().constructor as unknown as { nextTensorId?: unknown }).nextTensorId;
  if (typeof counter === 'number') return counter;
  const probe = tf.scalar(0);
  const id = probe.id;
  probe.dispose();
  return id + 1;
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'number') return `the number ${fmt(v)}`;
  if (typeof (v as { then?: unknown }).then === 'function') return 'a Promise';
  if (typeof v === 'object' && 'dataId' in v && 'shape' in v) {
    return 'a tensor from another copy of TensorFlow.js (import tf from neural-ode-studio so that f and the engine share one)';
  }
  if (Array.isArray(v)) return `a plain array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of length ${(v as unknown as ArrayLike<number>).length}`;
  if (typeof v === 'object') return `an object (${(v as object).constructor?.name ?? 'Object'})`;
  return `a ${typeof v}`;
}

class TfjsAlgebra implements StateAlgebra<Tensor> {
  readonly kind = 'tfjs' as const;
  readonly dtype = 'float32' as const;

  size(y: Tensor): number {
    return y.size;
  }

  shape(y: Tensor): number[] {
    return y.shape.slice();
  }

  lincomb(base: Tensor | null, coeffs: ArrayLike<number>, xs: readonly Tensor[]): Tensor {
    if (coeffs.length !== xs.length) {
      throw new Error(`lincomb: ${coeffs.length} coefficients for ${xs.length} states`);
    }
    const cs: number[] = [];
    const terms: Tensor[] = [];
    for (let i = 0; i < xs.length; i++) {
      if (coeffs[i] === 0) continue;
      cs.push(coeffs[i]);
      terms.push(xs[i]);
    }
    // The result is always a new tensor: the caller disposes it independently of the inputs.
    if (terms.length === 0) {
      if (base) return tf.clone(base);
      if (xs.length === 0) throw new Error('lincomb: no base and no states: the result has no shape');
      return tf.zerosLike(xs[0]);
    }
    if (!base && terms.length === 1 && cs[0] === 1) return tf.clone(terms[0]);
    if (canFuse(base ? [base, ...terms] : terms)) return fusedLincomb(base, cs, terms);
    return tf.tidy(() => {
      let parts: Tensor[] = base ? [base] : [];
      for (let j = 0; j < terms.length; j++) parts.push(cs[j] === 1 ? terms[j] : tf.mul(terms[j], tf.scalar(cs[j], 'float32')));
      // WebGPU binds one storage buffer per AddN operand and devices may allow as few as 8 per
      // shader (a 7-stage error estimate would exceed it): sum in groups.
      while (parts.length > ADDN_GROUP) {
        const grouped: Tensor[] = [];
        for (let i = 0; i < parts.length; i += ADDN_GROUP) grouped.push(sum(parts.slice(i, i + ADDN_GROUP)));
        parts = grouped;
      }
      return sum(parts);
    });
  }

  weightedRms(x: Tensor, rtol: Tolerance, atol: Tolerance, ref0: Tensor, ref1?: Tensor, count?: number): number | Promise<number> {
    const n = count === undefined ? x.size : Math.min(count, x.size);
    if (typeof rtol !== 'number') checkToleranceLength(rtol, 'rtol', x);
    if (typeof atol !== 'number') checkToleranceLength(atol, 'atol', x);
    if (n === 0) return 0;
    // Where values can be read synchronously a float64 loop over them beats ~10 kernels.
    if (readsSynchronously()) return rmsOfValues(x.dataSync(), rtol, atol, ref0.dataSync(), ref1?.dataSync(), n);
    const sumSq = tf.tidy(() => {
      const ref = ref1 ? tf.maximum(tf.abs(ref0), tf.abs(ref1)) : tf.abs(ref0);
      const asTensor = (tol: Tolerance): Tensor =>
        typeof tol === 'number' ? tf.scalar(tol, 'float32') : tf.reshape(toleranceTensor(tol), x.shape);
      const scale = tf.add(asTensor(atol), tf.mul(ref, asTensor(rtol)));
      const scaled = tf.div(x, scale);
      // A seminorm keeps the first n components of the flattened state.
      const kept = n === x.size ? scaled : tf.slice(tf.reshape(scaled, [-1]), 0, n);
      return tf.sum(tf.square(kept));
    });
    return sumSq
      .data()
      .then((v) => Math.sqrt(v[0] / n))
      .finally(() => sumSq.dispose());
  }

  evaluate(f: VectorField<Tensor>, t: number, y: Tensor): Tensor {
    const firstNewId = nextTensorId();
    return tf.tidy(() => {
      const out: unknown = f(t, y);
      if (!(out instanceof tf.Tensor)) {
        throw new SolverError(
          'shape',
          `f(t, y) returned ${describeValue(out)} at t = ${fmt(t)}, but a tf.Tensor of shape ${shapeText(y.shape)} ` +
            `(the shape of y) was expected. Build dy/dt from tf ops on y and return it synchronously ` +
            '(f must not be async nor await tensor data).',
          { t, expected: y.shape.slice(), got: describeValue(out) },
        );
      }
      if (!sameShape(out.shape, y.shape)) {
        throw new SolverError(
          'shape',
          `f(t, y) returned a tensor of shape ${shapeText(out.shape)} at t = ${fmt(t)}, but y has shape ` +
            `${shapeText(y.shape)}; dy/dt must have exactly y's shape (no broadcasting). ` +
            `Check the last layer of f, or reshape its result to ${shapeText(y.shape)}.`,
          { t, expected: y.shape.slice(), got: out.shape.slice() },
        );
      }
      if (out.dtype !== 'float32') {
        if (out.dtype === 'int32' || out.dtype === 'bool') return tf.cast(out, 'float32');
        throw new SolverError(
          'shape',
          `f(t, y) returned a tensor of dtype ${out.dtype} at t = ${fmt(t)}; the state is float32. Return a float32 tensor.`,
          { t, dtype: out.dtype },
        );
      }
      // y itself, a captured constant or a variable: the solver disposes derivatives, so copy.
      return out.id < firstNewId ? tf.clone(out) : out;
    });
  }

  firstNonFinite(y: Tensor): number | Promise<number> {
    if (readsSynchronously()) return scanNonFinite(y.dataSync());
    if (y.size === 0) return -1;
    const found = tf.tidy(() => {
      const bad = tf.cast(tf.logicalNot(tf.isFinite(tf.reshape(y, [-1]))), 'int32');
      // Reshaped: webgpu's ArgMax of a vector gives shape [1] where cpu gives a scalar.
      return tf.concat([tf.reshape(tf.max(bad), [1]), tf.reshape(tf.argMax(bad), [1])]);
    });
    return found
      .data()
      .then((v) => (v[0] > 0 ? v[1] : -1))
      .finally(() => found.dispose());
  }

  read(y: Tensor): Float64Array | Promise<Float64Array> {
    if (readsSynchronously()) return Float64Array.from(y.dataSync());
    return y.data().then((v) => Float64Array.from(v as ArrayLike<number>));
  }

  clone(y: Tensor): Tensor {
    return tf.clone(y);
  }

  dispose(y: Tensor): void {
    y.dispose();
  }
}

/** Operands per AddN: with the output, within WebGPU's minimum of 8 storage buffers. */
const ADDN_GROUP = 6;

function sum(parts: Tensor[]): Tensor {
  if (parts.length === 1) return parts[0];
  return parts.length === 2 ? tf.add(parts[0], parts[1]) : tf.addN(parts);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function scanNonFinite(values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v - v !== 0) return i; // NaN and ±Infinity give NaN
  }
  return -1;
}

/** The algebra of tf.Tensor states (float32, on the active backend). */
export const tfjsAlgebra: StateAlgebra<Tensor> = new TfjsAlgebra();

export function isTensorState(y: unknown): y is Tensor {
  return y instanceof tf.Tensor;
}
