/**
 * Vector-Jacobian product of the dense one-hidden-layer tanh MLP (the one mlpKernel.ts runs
 * forward), as a WebAssembly SIMD kernel emitted at run time for (d, H, precision). For a batch
 * y [batch·d] and cotangent a [batch·d] it gives dL/dy and dL/d(W1, b1, W2, b2) of
 * L = Σ a·(tanh(y W1ᵀ + b1) W2ᵀ + b2).
 *
 * Inputs and outputs are Float64Array in both precisions: a float32 kernel rounds y, a and the
 * weights to float32 as it copies them into its memory, computes everything there in f32x4
 * lanes (activations, gradient sums over the batch), and widens the results as it copies them
 * out, so callers that keep float64 states and parameters need no conversions of their own.
 *
 * Per sample, vectorised over hidden units (two per f64x2 or four per f32x4, a block per loop turn):
 *   z = b1 + Σₖ yₖ W1[:, k],  h = tanh(z),  gz = (Σₘ aₘ W2[m, :]) ⊙ (1 − h²)
 *   dW2[m, :] += aₘ h,  db1 += gz,  dW1[:, k] += gz yₖ,  dy_k = Σ_j gz_j W1[j, k]
 * The activations are recomputed here, so no forward state is needed, and each unit's
 * contributions are made while its activation is in a register. dy accumulates in d vectors
 * summed across lanes at the end of a sample; db2 = Σ a is left to JavaScript. Weights and
 * gradient sums live in the instance's memory, W1 and dW1 transposed, rows padded with zeros
 * to the block (a padded unit has z = 0, h = 0 and zero weights, so it adds exactly 0).
 *
 * A second entry point, fvjp, also gives f = W2 h + b2 from the same activations (the adjoint
 * needs both at every point), summed in the forward kernel's order so f matches it bit for bit.
 *
 * Records, for backprop: frec computes f as the forward kernel does and also stores y and the
 * activations h of every sample in a record in this memory; tvjp later reads h back instead of
 * recomputing it (the tanh is four fifths of a vjp's work), with the same instructions
 * otherwise, so a vjp from a record gives the same bits as one without.
 */
import { emitTanh, F32X4, F64X2, tanhLocals, type LaneKind, type Precision } from './simdTanh';
import { mlpShape, type MlpWeightsLike } from './mlpKernel';
import { Code, compileOrNull, emitModule, I32, instantiate, OP, SIMD, V128, type WasmMemory, type WasmModule } from './wasmModule';

/** Where the gradients go: W1 [H, d], b1 [H], W2 [d, H], b2 [d] (overwritten, unless a call says it adds). */
export interface MlpGradsOut {
  readonly W1: Float64Array;
  readonly b1: Float64Array;
  readonly W2: Float64Array;
  readonly b2: Float64Array;
}

export interface MlpVjp {
  readonly dim: number;
  readonly hidden: number;
  /** The precision of the kernel's arithmetic (its inputs and outputs are float64 either way). */
  readonly precision: Precision;
  /** Copies new weights in (same shapes); later calls of vjp use them. */
  setWeights(w: MlpWeightsLike): void;
  /** dL/dy into gy ([batch·d]) and the weight gradients into `grads`, for L = Σ a·MLP(y). */
  vjp(y: Float64Array, a: Float64Array, gy: Float64Array, grads: MlpGradsOut): void;
  /** As vjp, and MLP(y) into f ([batch·d]) from the same pass. */
  fAndVjp(y: Float64Array, a: Float64Array, f: Float64Array, gy: Float64Array, grads: MlpGradsOut): void;
  /**
   * MLP(y) into f (the forward kernel's bits), and y with its hidden activations into a new
   * record in this kernel's memory; returns the record, or -1 when the memory cannot grow for it.
   */
  record(y: Float64Array, f: Float64Array): number;
  /**
   * The y a record was made for, as given to record (float64, before any rounding to the
   * kernel's precision; a view into the kernel's memory: read it at once).
   */
  recordedInput(rec: number): Float64Array;
  /**
   * vjp at the record's y, from the activations it holds instead of recomputing them; with
   * `add`, the weight gradients are added to `grads` instead of written. Returns false,
   * computing nothing, when the record was made with other weights (setWeights since), so the
   * caller falls back to vjp.
   */
  vjpRecorded(rec: number, a: Float64Array, gy: Float64Array, grads: MlpGradsOut, add?: boolean): boolean;
  /** Frees a record (its memory is reused by later records). */
  freeRecord(rec: number): void;
  /** Bytes a record of n samples takes. */
  recordBytes(n: number): number;
  /** Records not freed yet. */
  readonly records: number;
}

/** Vectors per loop turn: 2 measured 25 % faster than 1 at H = 64 in float64 (overlapping tanh chains); in float32 1, 2 and 4 measured alike. */
const UNROLL = 2;

/** log2 of a lane's bytes: the alignment immediate of its scalar loads and stores. */
const alignOf = (L: LaneKind) => (L.bytes === 8 ? 3 : 2);

/** Byte offsets: weights (with b2, for fvjp), then the gradient sums (dW1ᵀ, db1, dW2), then room for y, a, dy and f. */
function layout(L: LaneKind, d: number, H: number) {
  const block = UNROLL * L.lanes;
  const Hp = Math.ceil(H / block) * block;
  const row = Hp * L.bytes;
  const W1T = 0;
  const B1 = W1T + d * row;
  const W2 = B1 + row;
  const B2 = W2 + d * row;
  const G = B2 + Math.ceil((d * L.bytes) / 16) * 16;
  const GW1T = G;
  const GB1 = GW1T + d * row;
  const GW2 = GB1 + row;
  const end = GW2 + d * row;
  return { Hp, row, W1T, B1, W2, B2, G, GW1T, GB1, GW2, end };
}

/**
 * Pushes the sum of v's lanes in the forward kernel's order: l0 + l1 for f64x2,
 * (l0 + l1) + (l2 + l3) for f32x4.
 */
function emitLaneSum(code: Code, L: LaneKind, v: number): void {
  code.get(v).simd(L.extractLane, 0).get(v).simd(L.extractLane, 1).op(L.scalarAdd);
  if (L.lanes === 4) code.get(v).simd(L.extractLane, 2).get(v).simd(L.extractLane, 3).op(L.scalarAdd).op(L.scalarAdd);
}

/**
 * The three VJP entry points, one emitter (the gradient arithmetic is the same instructions in
 * each, so they agree bit for bit):
 *   vjp(yPtr, aPtr, gyPtr, n): adds n samples' weight gradients to the sums, writes dy at gyPtr;
 *   fvjp(yPtr, aPtr, gyPtr, fPtr, n): also writes f at fPtr;
 *   tvjp(yPtr, aPtr, gyPtr, hPtr, n): reads the activations at hPtr (as frec stored them)
 *   instead of recomputing them.
 */
type VjpMode = 'vjp' | 'fvjp' | 'tvjp';

/**
 * Samples per turn of the outer loop: with two, each gradient sum is loaded and stored once per
 * pair, its two additions made in sample order in between, so the sums are the same bits as one
 * sample at a time (measured at d = 2, H = 64: vjp and fvjp 10–20 % faster). Wider states keep one
 * (their per-sample vectors would not fit in registers), and so does tvjp, which has no tanh
 * chains to overlap and measured 10 % slower in pairs.
 */
const pairs = (d: number, mode: VjpMode) => (d <= 4 && mode !== 'tvjp' ? 2 : 1);

function vjpCode(L: LaneKind, d: number, H: number, mode: VjpMode): Code {
  const m = layout(L, d, H);
  const e = L.bytes;
  const lg = alignOf(L);
  const [yPtr, aPtr, gyPtr, xPtr, n] = [0, 1, 2, 3, mode === 'vjp' ? 3 : 4];
  const code = new Code(mode === 'vjp' ? 4 : 5);
  const S = pairs(d, mode);
  const perSample = () => Array.from({ length: S }, () => Array.from({ length: d }, () => code.local(V128)));
  const ys = perSample();
  const as = perSample();
  const gys = perSample();
  const fs = mode === 'fvjp' ? perSample() : [];
  const j = code.local(I32);
  const h = Array.from({ length: S }, () => code.local(V128));
  const gz = Array.from({ length: S }, () => code.local(V128));
  const t = tanhLocals(code);
  const vload = (offset: number) => code.simd(SIMD.v128_load, ...Code.memarg(4, offset));
  const vstore = (offset: number) => code.simd(SIMD.v128_store, ...Code.memarg(4, offset));
  /** sum[offset + j] += each of the `count` values `push(s)` leaves on the stack, in order. */
  const accumulate = (offset: number, count: number, push: (s: number) => void) => {
    code.get(j).get(j);
    vload(offset);
    for (let s = 0; s < count; s++) {
      push(s);
      code.simd(L.add);
    }
    vstore(offset);
  };

  /** A loop over groups of `g` samples (g ≤ S) while n ≥ g. */
  const group = (g: number) => {
    code.op(OP.block, OP.void).op(OP.loop, OP.void);
    code.get(n).i32(g).op(OP.i32_lt_u, OP.br_if, 1);
    for (let s = 0; s < g; s++) {
      for (let k = 0; k < d; k++) code.get(yPtr).simd(L.loadSplat, ...Code.memarg(lg, (s * d + k) * e)).set(ys[s][k]);
      for (let k = 0; k < d; k++) code.get(aPtr).simd(L.loadSplat, ...Code.memarg(lg, (s * d + k) * e)).set(as[s][k]);
      for (let k = 0; k < d; k++) L.splat(code, 0).set(gys[s][k]);
      for (const acc of fs[s] ?? []) L.splat(code, 0).set(acc);
    }
    code.i32(0).set(j);
    code.op(OP.loop, OP.void); // hidden units, a block per turn
    for (let u = 0; u < UNROLL; u++) {
      const du = u * 16;
      for (let s = 0; s < g; s++) {
        if (mode === 'tvjp') {
          code.get(xPtr).get(j).op(OP.i32_add);
          vload(s * m.row + du);
        } else {
          emitActivation(code, L, m, d, ys[s], j, du, t);
        }
        code.set(h[s]);
        // f accumulators: fₘ += W2[m]·h, in the forward kernel's order
        for (const [k, acc] of (fs[s] ?? []).entries()) {
          code.get(acc).get(j);
          vload(m.W2 + k * m.row + du).get(h[s]).simd(L.mul).simd(L.add).set(acc);
        }
        // gz = (Σₘ aₘ W2[m]) ⊙ (1 − h²)
        for (let k = 0; k < d; k++) {
          code.get(j);
          vload(m.W2 + k * m.row + du).get(as[s][k]).simd(L.mul);
          if (k > 0) code.simd(L.add);
        }
        L.splat(code, 1).get(h[s]).get(h[s]).simd(L.mul).simd(L.sub).simd(L.mul).set(gz[s]);
      }
      for (let k = 0; k < d; k++) accumulate(m.GW2 + k * m.row + du, g, (s) => code.get(as[s][k]).get(h[s]).simd(L.mul));
      accumulate(m.GB1 + du, g, (s) => code.get(gz[s]));
      for (let k = 0; k < d; k++) {
        accumulate(m.GW1T + k * m.row + du, g, (s) => code.get(gz[s]).get(ys[s][k]).simd(L.mul));
        for (let s = 0; s < g; s++) {
          code.get(gys[s][k]).get(j);
          vload(m.W1T + k * m.row + du).get(gz[s]).simd(L.mul).simd(L.add).set(gys[s][k]);
        }
      }
    }
    code.get(j).i32(UNROLL * 16).op(OP.i32_add).tee(j).i32(m.row).op(OP.i32_ne, OP.br_if, 0);
    code.op(OP.end);
    for (let s = 0; s < g; s++) {
      // dy[k] = Σ lanes of gys[k]
      for (let k = 0; k < d; k++) {
        code.get(gyPtr);
        emitLaneSum(code, L, gys[s][k]);
        code.op(L.scalarStore, ...Code.memarg(lg, (s * d + k) * e));
      }
      // f[k] = Σ lanes of fs[k] + b2[k]
      for (const [k, acc] of (fs[s] ?? []).entries()) {
        code.get(xPtr);
        emitLaneSum(code, L, acc);
        code.i32(0).op(L.scalarLoad, ...Code.memarg(lg, m.B2 + k * e)).op(L.scalarAdd);
        code.op(L.scalarStore, ...Code.memarg(lg, (s * d + k) * e));
      }
    }
    for (const p of [yPtr, aPtr, gyPtr]) code.get(p).i32(g * d * e).op(OP.i32_add).set(p);
    if (mode === 'fvjp') code.get(xPtr).i32(g * d * e).op(OP.i32_add).set(xPtr);
    if (mode === 'tvjp') code.get(xPtr).i32(g * m.row).op(OP.i32_add).set(xPtr);
    code.get(n).i32(-g).op(OP.i32_add).set(n);
    code.op(OP.br, 0);
    code.op(OP.end, OP.end);
  };

  for (let g = S; g >= 1; g--) group(g);
  return code;
}

/** Pushes h = tanh(b1 + Σₖ yₖ W1ᵀ[k]) for the units at j + du (the forward kernel's order). */
function emitActivation(code: Code, L: LaneKind, m: ReturnType<typeof layout>, d: number, ys: number[], j: number, du: number, t: ReturnType<typeof tanhLocals>): void {
  code.get(j).simd(SIMD.v128_load, ...Code.memarg(4, m.B1 + du));
  for (let k = 0; k < d; k++) {
    code.get(j).simd(SIMD.v128_load, ...Code.memarg(4, m.W1T + k * m.row + du)).get(ys[k]).simd(L.mul).simd(L.add);
  }
  emitTanh(code, L, t);
}

/**
 * frec(yPtr, fPtr, hPtr, n): f of n samples at fPtr, as the forward kernel computes it (same
 * order, same bits), and every sample's activations at hPtr (Hp values per sample, padded units
 * 0), which tvjp reads back. Two samples per turn where d ≤ 4, sharing the weight loads
 * (measured 4 % faster at d = 2, H = 64); each sample's arithmetic is unchanged.
 */
function recordCode(L: LaneKind, d: number, H: number): Code {
  const m = layout(L, d, H);
  const e = L.bytes;
  const lg = alignOf(L);
  const [yPtr, fPtr, hPtr, n] = [0, 1, 2, 3];
  const code = new Code(4);
  const S = d <= 4 ? 2 : 1;
  const ys = Array.from({ length: S }, () => Array.from({ length: d }, () => code.local(V128)));
  const fs = Array.from({ length: S }, () => Array.from({ length: d }, () => code.local(V128)));
  const j = code.local(I32);
  const h = code.local(V128);
  const t = tanhLocals(code);
  const group = (g: number) => {
    code.op(OP.block, OP.void).op(OP.loop, OP.void);
    code.get(n).i32(g).op(OP.i32_lt_u, OP.br_if, 1);
    for (let s = 0; s < g; s++) {
      for (let k = 0; k < d; k++) code.get(yPtr).simd(L.loadSplat, ...Code.memarg(lg, (s * d + k) * e)).set(ys[s][k]);
      for (const acc of fs[s]) L.splat(code, 0).set(acc);
    }
    code.i32(0).set(j);
    code.op(OP.loop, OP.void);
    for (let u = 0; u < UNROLL; u++) {
      const du = u * 16;
      for (let s = 0; s < g; s++) {
        code.get(hPtr).get(j).op(OP.i32_add);
        emitActivation(code, L, m, d, ys[s], j, du, t);
        code.tee(h).simd(SIMD.v128_store, ...Code.memarg(4, s * m.row + du));
        for (let k = 0; k < d; k++) {
          code.get(fs[s][k]).get(j).simd(SIMD.v128_load, ...Code.memarg(4, m.W2 + k * m.row + du)).get(h).simd(L.mul).simd(L.add).set(fs[s][k]);
        }
      }
    }
    code.get(j).i32(UNROLL * 16).op(OP.i32_add).tee(j).i32(m.row).op(OP.i32_ne, OP.br_if, 0);
    code.op(OP.end);
    for (let s = 0; s < g; s++) {
      for (let k = 0; k < d; k++) {
        code.get(fPtr);
        emitLaneSum(code, L, fs[s][k]);
        code.i32(0).op(L.scalarLoad, ...Code.memarg(lg, m.B2 + k * e)).op(L.scalarAdd);
        code.op(L.scalarStore, ...Code.memarg(lg, (s * d + k) * e));
      }
    }
    code.get(yPtr).i32(g * d * e).op(OP.i32_add).set(yPtr);
    code.get(fPtr).i32(g * d * e).op(OP.i32_add).set(fPtr);
    code.get(hPtr).i32(g * m.row).op(OP.i32_add).set(hPtr);
    code.get(n).i32(-g).op(OP.i32_add).set(n);
    code.op(OP.br, 0);
    code.op(OP.end, OP.end);
  };
  for (let g = S; g >= 1; g--) group(g);
  return code;
}

function vjpModuleBytes(L: LaneKind, d: number, H: number): Uint8Array {
  const pages = Math.max(1, Math.ceil(layout(L, d, H).end / 65536));
  return emitModule(
    [
      { name: 'vjp', params: [I32, I32, I32, I32], results: [], code: vjpCode(L, d, H, 'vjp') },
      { name: 'fvjp', params: [I32, I32, I32, I32, I32], results: [], code: vjpCode(L, d, H, 'fvjp') },
      { name: 'tvjp', params: [I32, I32, I32, I32, I32], results: [], code: vjpCode(L, d, H, 'tvjp') },
      { name: 'frec', params: [I32, I32, I32, I32], results: [], code: recordCode(L, d, H) },
    ],
    pages,
  );
}

/** Compiled kernels by precision and shape, shared by every MLP of that shape (each gets its own instance). */
const modules = new Map<string, WasmModule | null>();

type Run4 = (p0: number, p1: number, p2: number, n: number) => void;
type Run5 = (p0: number, p1: number, p2: number, p3: number, n: number) => void;

/** A record: where its activations are, for how many samples, under which weights. */
interface RecordInfo {
  readonly n: number;
  readonly bytes: number;
  readonly version: number;
}

const pad16 = (bytes: number) => Math.ceil(bytes / 16) * 16;

/**
 * Memory after the weights and sums: the I/O region (y, a, dy and f of `capacity` samples, in
 * the kernel's precision) and records, handed out from `top` and reused through free lists by
 * size. The I/O region moves above the records when it must grow while records are live; with
 * none live, everything restarts from the bottom.
 *
 * A record is [key][y][h]: the float64 y it was made for (float32 kernels only; a float64
 * kernel's y is its key), y in the kernel's precision, then Hp activations per sample.
 */
class SimdMlpVjp implements MlpVjp {
  private readonly memory: WasmMemory;
  private readonly run: Run4;
  private readonly runWithF: Run5;
  private readonly runTaped: Run5;
  private readonly runRecord: Run4;
  private readonly m: ReturnType<typeof layout>;
  /** The memory in the kernel's precision, and as float64 (record keys). */
  private heap: Float64Array | Float32Array;
  private heap64: Float64Array;
  private capacity = 0;
  /** Byte offset of the I/O region, and the end of everything handed out. */
  private io: number;
  private top: number;
  private version = 0;
  private readonly live = new Map<number, RecordInfo>();
  private readonly free = new Map<number, number[]>();

  constructor(
    mod: WasmModule,
    private readonly L: LaneKind,
    readonly dim: number,
    readonly hidden: number,
  ) {
    const inst = instantiate(mod);
    this.memory = inst.memory;
    this.run = inst.exports.vjp as Run4;
    this.runWithF = inst.exports.fvjp as Run5;
    this.runTaped = inst.exports.tvjp as Run5;
    this.runRecord = inst.exports.frec as Run4;
    this.m = layout(L, dim, hidden);
    this.heap64 = new Float64Array(this.memory.buffer);
    this.heap = this.view();
    this.io = this.m.end;
    this.top = this.m.end;
  }

  get precision(): Precision {
    return this.L.precision;
  }

  get records(): number {
    return this.live.size;
  }

  private view(): Float64Array | Float32Array {
    return this.L.bytes === 8 ? this.heap64 : new Float32Array(this.memory.buffer);
  }

  setWeights(w: MlpWeightsLike): void {
    const { d, H } = mlpShape(w, 'mlpVjp');
    if (d !== this.dim || H !== this.hidden) {
      throw new Error(`mlpVjp: setWeights got d = ${d}, hidden = ${H}; this kernel is for d = ${this.dim}, hidden = ${this.hidden}. Make a new one.`);
    }
    const { Hp, W1T, B1, W2, B2, G } = this.m;
    const e = this.L.bytes;
    const hp = this.heap;
    hp.fill(0, 0, G / e);
    for (let j = 0; j < H; j++) {
      for (let k = 0; k < d; k++) hp[W1T / e + k * Hp + j] = w.W1[j * d + k];
      hp[B1 / e + j] = w.b1[j];
    }
    for (let k = 0; k < d; k++) {
      for (let j = 0; j < H; j++) hp[W2 / e + k * Hp + j] = w.W2[k * H + j];
      hp[B2 / e + k] = w.b2[k];
    }
    this.version++;
  }

  vjp(y: Float64Array, a: Float64Array, gy: Float64Array, grads: MlpGradsOut): void {
    this.pass(y, a, null, -1, gy, grads);
  }

  fAndVjp(y: Float64Array, a: Float64Array, f: Float64Array, gy: Float64Array, grads: MlpGradsOut): void {
    if (f.length !== y.length) {
      throw new Error(`mlpVjp.fAndVjp: f has ${f.length} values but y has ${y.length}; pass an array of y's length.`);
    }
    this.pass(y, a, f, -1, gy, grads);
  }

  recordBytes(n: number): number {
    return this.keyBytes(n) + this.inputBytes(n) + n * this.m.row;
  }

  /** A record's float64 key (none in float64: its y is the key). */
  private keyBytes(n: number): number {
    return this.L.bytes === 8 ? 0 : pad16(n * this.dim * 8);
  }

  /** A record's y in the kernel's precision, padded to whole vectors; its activations follow. */
  private inputBytes(n: number): number {
    return pad16(n * this.dim * this.L.bytes);
  }

  recordedInput(rec: number): Float64Array {
    const info = this.live.get(rec);
    if (!info) throw new Error(`mlpVjp.recordedInput: no record ${rec} (freed already?).`);
    return this.heap64.subarray(rec / 8, rec / 8 + info.n * this.dim);
  }

  record(y: Float64Array, f: Float64Array): number {
    const d = this.dim;
    const n = y.length / d;
    if (!Number.isInteger(n) || f.length !== y.length) {
      throw new Error(`mlpVjp.record: y and f must hold the same whole number of samples of ${d}; got ${y.length} and ${f.length} values.`);
    }
    if (n > this.capacity) this.grow(n);
    const bytes = this.recordBytes(n);
    let rec = this.free.get(bytes)?.pop();
    if (rec === undefined) {
      if (!this.reserve(this.top + bytes)) return -1;
      rec = this.top;
      this.top += bytes;
    }
    this.live.set(rec, { n, bytes, version: this.version });
    const e = this.L.bytes;
    const at = rec + this.keyBytes(n);
    const fAt = this.io / e;
    if (at !== rec) this.heap64.set(y, rec / 8);
    this.heap.set(y, at / e);
    this.runRecord(at, this.io, at + this.inputBytes(n), n);
    f.set(this.heap.subarray(fAt, fAt + y.length));
    return rec;
  }

  vjpRecorded(rec: number, a: Float64Array, gy: Float64Array, grads: MlpGradsOut, add = false): boolean {
    const info = this.live.get(rec);
    if (!info) throw new Error(`mlpVjp.vjpRecorded: no record ${rec} (freed already?).`);
    if (info.version !== this.version) return false;
    // The view stays valid: a live record's batch never exceeds the I/O capacity, so pass does not grow.
    this.pass(this.recordedInput(rec), a, null, rec, gy, grads, add);
    return true;
  }

  freeRecord(rec: number): void {
    const info = this.live.get(rec);
    if (!info) return;
    this.live.delete(rec);
    if (this.live.size === 0) {
      // Nothing recorded any more: start again from the bottom.
      this.free.clear();
      this.io = this.m.end;
      this.top = this.io + this.ioBytes(this.capacity);
      return;
    }
    const list = this.free.get(info.bytes);
    if (list) list.push(rec);
    else this.free.set(info.bytes, [rec]);
  }

  /** One kernel run over the batch: dy, the weight gradients and, when `f` is given, f; from record `rec` when ≥ 0. */
  private pass(y: Float64Array, a: Float64Array, f: Float64Array | null, rec: number, gy: Float64Array, grads: MlpGradsOut, add = false): void {
    const d = this.dim;
    const H = this.hidden;
    const n = y.length / d;
    if (!Number.isInteger(n) || a.length !== y.length || gy.length !== y.length) {
      throw new Error(`mlpVjp: y, a and gy must hold the same whole number of samples of ${d}; got ${y.length}, ${a.length} and ${gy.length} values.`);
    }
    if (n > this.capacity) this.grow(n);
    const { Hp, GW1T, GB1, GW2, G } = this.m;
    const e = this.L.bytes;
    const hp = this.heap;
    const cap = this.capacity * d;
    const io = this.io;
    const yAt = io / e;
    hp.fill(0, G / e, this.m.end / e);
    hp.set(a, yAt + cap);
    if (f) {
      hp.set(y, yAt);
      this.runWithF(io, io + cap * e, io + 2 * cap * e, io + 3 * cap * e, n);
      f.set(hp.subarray(yAt + 3 * cap, yAt + 3 * cap + y.length));
    } else if (rec >= 0) {
      // y is the record's own copy
      const at = rec + this.keyBytes(n);
      this.runTaped(at, io + cap * e, io + 2 * cap * e, at + this.inputBytes(n), n);
    } else {
      hp.set(y, yAt);
      this.run(io, io + cap * e, io + 2 * cap * e, n);
    }
    gy.set(hp.subarray(yAt + 2 * cap, yAt + 2 * cap + y.length));
    const { W1, b1, W2, b2 } = grads;
    const gw1 = GW1T / e;
    const gb1 = GB1 / e;
    const gw2 = GW2 / e;
    // Added into an accumulator: acc + g, the same bits as writing g and adding it afterwards.
    if (add) {
      for (let j = 0; j < H; j++) {
        for (let k = 0; k < d; k++) W1[j * d + k] += hp[gw1 + k * Hp + j];
        b1[j] += hp[gb1 + j];
      }
      for (let k = 0; k < d; k++) for (let j = 0; j < H; j++) W2[k * H + j] += hp[gw2 + k * Hp + j];
    } else {
      for (let j = 0; j < H; j++) {
        for (let k = 0; k < d; k++) W1[j * d + k] = hp[gw1 + k * Hp + j];
        b1[j] = hp[gb1 + j];
      }
      for (let k = 0; k < d; k++) for (let j = 0; j < H; j++) W2[k * H + j] = hp[gw2 + k * Hp + j];
    }
    // db2 = Σ a over the batch, in float64 (a is float64 here in both precisions)
    for (let k = 0; k < d; k++) {
      let s = 0;
      for (let i = k; i < a.length; i += d) s += a[i];
      if (add) b2[k] += s;
      else b2[k] = s;
    }
  }

  private ioBytes(cap: number): number {
    return 4 * cap * this.dim * this.L.bytes;
  }

  /** Room for y, a, dy and f of `n` samples (16-byte aligned): in place, or above the live records. */
  private grow(n: number): void {
    const cap = Math.ceil(n / 16) * 16;
    const inPlace = this.top === this.io + this.ioBytes(this.capacity);
    const io = inPlace ? this.io : this.top;
    const top = io + this.ioBytes(cap);
    if (!this.reserve(top)) throw new RangeError(`mlpVjp: cannot grow the kernel's memory to ${top} bytes for a batch of ${n}.`);
    this.io = io;
    this.top = top;
    this.capacity = cap;
  }

  /** Grows the memory to at least `bytes`; false when it cannot. */
  private reserve(bytes: number): boolean {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return true;
    try {
      this.memory.grow(Math.ceil((bytes - have) / 65536));
    } catch {
      return false;
    }
    this.heap64 = new Float64Array(this.memory.buffer);
    this.heap = this.view();
    return true;
  }
}

export interface MlpVjpOptions {
  /** The arithmetic's precision (default float64); inputs and outputs stay Float64Array. */
  precision?: Precision;
}

/**
 * A SIMD VJP kernel for the MLP with these weights (copied in, rounded to the precision; see
 * setWeights), or null where WebAssembly SIMD is unavailable (the caller keeps its own
 * JavaScript VJP for that case).
 */
export function mlpVjp(w: MlpWeightsLike, options: MlpVjpOptions = {}): MlpVjp | null {
  const { d, H } = mlpShape(w, 'mlpVjp');
  const precision = options.precision ?? 'float64';
  if (precision !== 'float64' && precision !== 'float32') {
    throw new Error(`mlpVjp: precision must be 'float64' or 'float32'; got ${JSON.stringify(precision)}.`);
  }
  const L = precision === 'float64' ? F64X2 : F32X4;
  const key = `${L.precision}:${d}:${H}`;
  if (!modules.has(key)) modules.set(key, compileOrNull(vjpModuleBytes(L, d, H)));
  const mod = modules.get(key)!;
  if (!mod) return null;
  const kernel = new SimdMlpVjp(mod, L, d, H);
  kernel.setWeights(w);
  return kernel;
}
