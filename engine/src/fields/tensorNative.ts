/**
 * A tensor field (the user's tfjs function, or a tf.LayersModel) as a native field, so that it
 * goes wherever the built-in fields go: every solver and gradient method, training, the panels,
 * the solver inspector and the debugger. The solver's state and algebra stay float64 typed
 * arrays. f and the VJP are compiled where they can be: the function's tfjs operations are
 * recorded once per state shape and replayed on the engine's own float64 kernels (trace/), which
 * spares tfjs's cost per operation. Otherwise they run in TensorFlow.js (float32), one batched
 * call each, with the state copied in and the result copied out (a memcpy on cpu and wasm).
 *
 * θ is one live Float64Array like every native field's (tensorParams.ts); its writes reach the
 * tf.Variables before each evaluation. On a backend that only reads asynchronously (WebGPU) the
 * field lives on the device instead (device/deviceField.ts).
 */
import { tf } from '../backend/tf';
import type { ActivationTape, NativeField, TapedField, TensorField } from './field';
import { TAPE_BYTES } from './mlpField';
import type { ParamEntry } from './mlpLayout';
import { readVariables, tensorParams } from './tensorParams';
import { traceTensorField, type Traced } from './trace/compile';
import type { Program } from './trace/program';
import { KEEP_LIMIT_BYTES } from './trace/replay';
import { VariableParams } from './trace/variableParams';
import { BatchThreads } from '../threads/pool';
import { sharedTape } from '../threads/sharedTape';
import { replayRecords } from '../threads/sliceRecords';

export interface TensorNativeField extends NativeField {
  readonly dim: number;
  /** The parameters by name and shape, in θ's order (checkpoints, export). */
  readonly layout: readonly ParamEntry[];
  /** The tensor field evaluated. */
  readonly tensor: TensorField;
  /**
   * How the field ran at its latest state shape: compiled (traced and replayed on the engine's
   * float64 kernels, see trace/compile.ts), or on TensorFlow.js and why; null before a first call.
   */
  readonly compiled: { ops: number; why?: undefined } | { ops?: undefined; why: string } | null;
}

/**
 * The tensor field on float64 states of `dim` components per sample (batch-major, [batch·dim],
 * seen by the field as [batch, dim]), or of one fixed tensor shape (an image batch, say).
 */
export function tensorNativeField(field: TensorField, dimOrShape: number | readonly number[]): TensorNativeField {
  const shape = typeof dimOrShape === 'number' ? null : [...dimOrShape];
  const dim = shape ? shape.slice(1).reduce((a, b) => a * b, 1) : (dimOrShape as number);
  if (!shape && field.dim !== undefined && field.dim !== dim) {
    throw new RangeError(`The tensor field works on ${field.dim} components per sample, not ${dim}.`);
  }
  if (tf.getBackend() === 'webgpu') {
    throw new RangeError(
      "A TensorFlow.js field runs beside the solver on a backend that reads tensors synchronously (wasm, cpu, tensorflow), not on webgpu: select 'wasm'.",
    );
  }
  const theta = tensorParams(field, readVariables(field));
  const { layout, transposed, params } = theta;
  const offset = params.length;
  const syncVariables = (): void => theta.sync();
  const batchOf = (y: Float64Array, what: string): number => {
    if (shape && y.length !== dim * shape[0]) throw new RangeError(`The tensor field's ${what} has ${y.length} values, not the ${dim * shape[0]} of shape [${shape.join(', ')}].`);
    if (y.length % dim !== 0) throw new RangeError(`The tensor field's ${what} has ${y.length} values, not a whole number of samples of ${dim}.`);
    return y.length / dim;
  };
  const toTensor = (x: Float64Array, batch: number): tf.Tensor => tf.tensor(Float32Array.from(x), shape ?? [batch, dim], 'float32');
  const read = (t: tf.Tensor): Float64Array => Float64Array.from(t.dataSync());

  // θ as the variables see it (transposed kernels transposed back), for the compiled replay
  const variables = new VariableParams(layout.map((e, i) => ({ offset: e.offset, size: e.size, shape: e.shape, transposed: transposed[i] })));
  const readParams = (): Float64Array[] => variables.read(params);
  /** The compiled field per batch size (or why not), traced at the first state of that size. */
  const traces = new Map<number, Traced>();
  let compiled: TensorNativeField['compiled'] = null;
  const replayFor = (t: number, y: Float64Array, batch: number) => {
    if (field.compile === false) {
      compiled = { why: 'the tensorField says compile: false' };
      return undefined;
    }
    let traced = traces.get(batch);
    if (!traced) {
      traced = traceTensorField(field, shape ?? [batch, dim], t, y, readParams());
      traces.set(batch, traced);
    }
    compiled = traced.replay ? { ops: traced.replay.size } : { why: traced.why };
    return traced.replay;
  };

  const paramGrads = (grads: readonly Float64Array[], into?: Float64Array): Float64Array => variables.addGrads(grads, into);

  // Large batches shared among threads, each replaying the program recorded for its share's size.
  const shareReplay = (y: Float64Array) => traces.get(y.length / dim)!.replay!;
  const threads = new BatchThreads(
    dim,
    offset,
    (sizes, t, y) => {
      if (shape) return null;
      const programs: Record<number, Program> = {};
      for (const b of sizes) {
        const replay = replayFor(t, y.subarray(0, b * dim), b);
        if (!replay) return null;
        programs[b] = replay.program;
      }
      return { kind: 'program', programs, slots: [...variables.slots] };
    },
    {
      f: (t, y) => Float64Array.from(shareReplay(y).forward(t, y, readParams())),
      vjp: (t, y, a) => {
        const g = shareReplay(y).vjp(t, y, a, readParams());
        return { y: Float64Array.from(g.y), params: paramGrads(g.params) };
      },
      record: replayRecords(shareReplay, () => readParams(), (g) => paramGrads(g)),
    },
  );

  /**
   * Backprop's tape in this thread: what f computed at each stage, so the reverse sweep's vjp
   * skips the forward pass. A compiled f keeps its replay's values; one on TensorFlow.js keeps
   * tfjs's own gradient tape (a batch the threads share is recorded by sharedTape).
   */
  const localTape = (maxBytes = TAPE_BYTES): ActivationTape => {
    type Held = { t: number; y: Float64Array; version: number; bytes: number } & ({ kept: Float64Array[]; taped?: undefined } | { taped: TapedField; kept?: undefined });
    const held = new Map<number, Held>();
    let next = 0;
    let bytes = 0;
    let open = true;
    const free = (rec: number) => {
      const r = held.get(rec);
      if (!r) return;
      bytes -= r.bytes;
      r.taped?.dispose();
      held.delete(rec);
    };
    const keep = (t: number, y: Float64Array, record: Pick<Held, 'bytes'> & Partial<Held>): number => {
      held.set(next, { t, y: Float64Array.from(y), version: theta.version, ...record } as Held);
      bytes += record.bytes;
      return next++;
    };
    /** f on TensorFlow.js with its gradient tape kept, where there is room. */
    const tapedF = (t: number, y: Float64Array, batch: number): { f: Float64Array; record: number } => {
      const yt = toTensor(y, batch);
      let taped: TapedField | null;
      let f: Float64Array;
      try {
        taped = field.taped?.(t, yt) ?? null;
        if (!taped) return { f: native.f(t, y), record: -1 };
        f = read(taped.f);
        if (taped.f !== yt) taped.f.dispose();
      } finally {
        yt.dispose();
      }
      if (bytes + taped.bytes > maxBytes) {
        taped.dispose();
        return { f, record: -1 };
      }
      return { f, record: keep(t, y, { taped, bytes: taped.bytes }) };
    };
    return {
      f: (t, y) => {
        const batch = batchOf(y, 'state');
        syncVariables();
        if (!open) return { f: native.f(t, y), record: -1 };
        const replay = replayFor(t, y, batch);
        if (!replay) return tapedF(t, y, batch);
        if (bytes + replay.keptBytes > maxBytes || replay.keptBytes > KEEP_LIMIT_BYTES) return { f: native.f(t, y), record: -1 };
        const f = replay.forward(t, y, readParams());
        return { f, record: keep(t, y, { kept: replay.keep(), bytes: replay.keptBytes }) };
      },
      matches: (rec, t, y) => {
        const r = held.get(rec);
        return r !== undefined && r.t === t && r.y.length === y.length && r.y.every((v, i) => Object.is(v, y[i]));
      },
      vjp: (rec, t, y, a, into) => {
        const r = held.get(rec);
        if (!r) throw new Error(`tensor field tape: no record ${rec} (freed already, or from another tape).`);
        syncVariables();
        const replay = traces.get(batchOf(y, 'state'))?.replay;
        let g: { y: Float64Array; params: Float64Array };
        if (r.version !== theta.version || (!r.taped && !replay)) {
          // θ changed since the record (or the field no longer compiles): recompute
          g = native.vjp(t, y, a);
        } else if (r.taped) {
          g = tensorGrads(() => r.taped.vjp(toTensor(a, r.y.length / dim)));
        } else {
          const gr = replay!.vjp(t, y, a, readParams(), r.kept);
          return { y: Float64Array.from(gr.y), params: paramGrads(gr.params, into) };
        }
        if (!into) return g;
        g.params.forEach((v, i) => (into[i] += v));
        return { y: g.y, params: into };
      },
      free,
      close: () => {
        open = false;
        [...held.keys()].forEach(free);
        bytes = 0;
      },
      get size() {
        return held.size;
      },
      get bytes() {
        return bytes;
      },
    };
  };

  /** A tfjs VJP's tensors read into θ's layout (transposed kernels transposed back), and disposed. */
  const tensorGrads = (vjp: () => { y: tf.Tensor; params: tf.Tensor[] }): { y: Float64Array; params: Float64Array } => {
    const g = tf.tidy(() => {
      const r = vjp();
      return [r.y, ...r.params.map((p, i) => (transposed[i] ? tf.transpose(p) : p))];
    });
    try {
      const gradParams = new Float64Array(offset);
      g.slice(1).forEach((p, i) => gradParams.set(p.dataSync(), layout[i].offset));
      return { y: read(g[0]), params: gradParams };
    } finally {
      g.forEach((x) => x.dispose());
    }
  };

  const native: TensorNativeField = {
    kind: 'native',
    dim,
    params,
    layout,
    tensor: field,
    get compiled() {
      return compiled;
    },
    f(t, y) {
      const batch = batchOf(y, 'state');
      // the variables follow θ either way: the user's own code may read them
      syncVariables();
      const shared = threads.f(t, y, params);
      if (shared) return shared;
      const replay = replayFor(t, y, batch);
      if (replay) return Float64Array.from(replay.forward(t, y, readParams()));
      const out = tf.tidy(() => field.f(t, toTensor(y, batch)));
      try {
        return read(out);
      } finally {
        out.dispose();
      }
    },
    vjp(t, y, a) {
      const batch = batchOf(y, 'state');
      syncVariables();
      const shared = threads.vjp(t, y, a, params);
      if (shared) return shared;
      const replay = replayFor(t, y, batch);
      if (replay) {
        const g = replay.vjp(t, y, a, readParams());
        return { y: Float64Array.from(g.y), params: paramGrads(g.params) };
      }
      return tensorGrads(() => field.vjp(t, toTensor(y, batch), toTensor(a, batch)));
    },
    tape: () => sharedTape(localTape(), threads, dim, params, native, TAPE_BYTES),
  };
  return native;
}

export const isTensorNativeField = (x: unknown): x is TensorNativeField => typeof x === 'object' && x !== null && (x as NativeField).kind === 'native' && 'tensor' in x;
