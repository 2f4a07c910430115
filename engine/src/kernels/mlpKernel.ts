/**
 * Forward pass of a dense one-hidden-layer tanh MLP over a batch, out = tanh(y W1ᵀ + b1) W2ᵀ + b2
 * (input and output dimension d, hidden width H, y batch-major [batch·d]), as a WebAssembly
 * SIMD kernel emitted at run time and specialised to (d, H, precision).
 *
 * The kernel vectorises over hidden units (2 per f64x2, 4 per f32x4, several vectors per loop
 * turn): per sample, z = b1 + Σₖ yₖ·W1[:, k] for a block of units, a = tanh(z) (simdTanh.ts),
 * and d vector accumulators take W2[m, block]·a; a unit's activation is used as soon as it is
 * made, so there is no hidden buffer. Weights live in the instance's memory, W1 transposed and
 * every row padded to the loop's block with zeros (padded units contribute exactly 0).
 * Where WebAssembly SIMD is unavailable, a scalar JavaScript loop with the same tanh runs instead.
 */
import { emitTanh, F32X4, F64X2, scalarTanh, tanhLocals, type LaneKind, type Precision } from './simdTanh';
import { Code, compileOrNull, emitModule, I32, instantiate, OP, SIMD, V128, type WasmMemory, type WasmModule } from './wasmModule';

export type { Precision } from './simdTanh';

/** W1 [hidden, d] and W2 [d, hidden], row-major; b1 [hidden]; b2 [d]. */
export interface MlpWeightsLike {
  readonly W1: ArrayLike<number>;
  readonly b1: ArrayLike<number>;
  readonly W2: ArrayLike<number>;
  readonly b2: ArrayLike<number>;
}

export interface MlpForward<S extends Float64Array | Float32Array> {
  readonly dim: number;
  readonly hidden: number;
  readonly precision: Precision;
  /** True when the SIMD kernel runs; false for the scalar JavaScript fallback. */
  readonly simd: boolean;
  /** Copies new weights in (same shapes); later calls of forward use them. */
  setWeights(w: MlpWeightsLike): void;
  /** out = tanh(y W1ᵀ + b1) W2ᵀ + b2 for every sample of y ([batch·d]); a new array unless `out` is given. */
  forward(y: S, out?: S): S;
  /**
   * forward for float64 callers: y is rounded to the kernel's precision on the way in, and the
   * result widened on the way out (for float64 the same as forward).
   */
  forward64(y: Float64Array, out: Float64Array): Float64Array;
}

export interface MlpForwardOptions {
  precision?: Precision;
  /** false forces the scalar fallback (default: SIMD where available). */
  simd?: boolean;
}

/**
 * Vectors per loop turn (independent tanh chains the CPU can overlap): measured best at 2 for
 * f64x2 (more spills registers) and 4 for f32x4 (15 % faster than 2).
 */
const unroll = (L: LaneKind) => (L.lanes === 4 ? 4 : 2);

/** (d, H) of a one-hidden-layer MLP's weights, checked; `who` names the caller in the message. */
export function mlpShape(w: MlpWeightsLike, who = 'mlpForward'): { d: number; H: number } {
  const H = w.b1.length;
  const d = H > 0 ? w.W1.length / H : 0;
  if (H === 0 || !Number.isInteger(d) || d === 0 || w.b2.length !== d || w.W2.length !== d * H) {
    throw new Error(
      `${who}: weights do not form a dense MLP: b1 has ${H} values, so W1 must be [${H}, d] and W2 [d, ${H}] ` +
        `with b2 [d]; got W1 ${w.W1.length}, W2 ${w.W2.length}, b2 ${w.b2.length} values. Check the weight shapes.`,
    );
  }
  return { d, H };
}

/** Byte offsets of the weights in memory; everything 16-byte aligned. */
function layout(L: LaneKind, d: number, H: number) {
  const block = unroll(L) * L.lanes;
  const Hp = Math.ceil(H / block) * block;
  const row = Hp * L.bytes;
  const W1T = 0;
  const B1 = W1T + d * row;
  const W2 = B1 + row;
  const B2 = W2 + d * row;
  const end = Math.ceil((B2 + d * L.bytes) / 16) * 16;
  return { Hp, row, W1T, B1, W2, B2, end };
}

/** forward(yPtr, outPtr, n): n samples of d values at yPtr, results at outPtr. */
function forwardModuleBytes(L: LaneKind, d: number, H: number): Uint8Array {
  const m = layout(L, d, H);
  const [yPtr, outPtr, n] = [0, 1, 2];
  const code = new Code(3);
  const ys = Array.from({ length: d }, () => code.local(V128));
  const acc = Array.from({ length: d }, () => code.local(V128));
  const j = code.local(I32);
  const a = code.local(V128);
  const t = tanhLocals(code);
  const vload = (offset: number) => code.simd(SIMD.v128_load, ...Code.memarg(4, offset));
  const lg = L.bytes === 8 ? 3 : 2;

  code.op(OP.block, OP.void).get(n).op(OP.i32_eqz, OP.br_if, 0);
  code.op(OP.loop, OP.void); // samples
  for (let k = 0; k < d; k++) code.get(yPtr).simd(L.loadSplat, ...Code.memarg(lg, k * L.bytes)).set(ys[k]);
  for (let k = 0; k < d; k++) L.splat(code, 0).set(acc[k]);
  code.i32(0).set(j);
  code.op(OP.loop, OP.void); // hidden units, a block per turn
  for (let u = 0; u < unroll(L); u++) {
    const du = u * 16;
    code.get(j);
    vload(m.B1 + du);
    for (let k = 0; k < d; k++) {
      code.get(j);
      vload(m.W1T + k * m.row + du).get(ys[k]).simd(L.mul).simd(L.add);
    }
    emitTanh(code, L, t);
    code.set(a);
    for (let k = 0; k < d; k++) {
      code.get(acc[k]).get(j);
      vload(m.W2 + k * m.row + du).get(a).simd(L.mul).simd(L.add).set(acc[k]);
    }
  }
  code.get(j).i32(unroll(L) * 16).op(OP.i32_add).tee(j).i32(m.row).op(OP.i32_ne, OP.br_if, 0);
  code.op(OP.end);
  // out[k] = Σ lanes of acc[k] + b2[k]
  for (let k = 0; k < d; k++) {
    code.get(outPtr);
    code.get(acc[k]).simd(L.extractLane, 0).get(acc[k]).simd(L.extractLane, 1).op(L.scalarAdd);
    if (L.lanes === 4) {
      code.get(acc[k]).simd(L.extractLane, 2).get(acc[k]).simd(L.extractLane, 3).op(L.scalarAdd).op(L.scalarAdd);
    }
    code.i32(0).op(L.scalarLoad, ...Code.memarg(lg, m.B2 + k * L.bytes)).op(L.scalarAdd);
    code.op(L.scalarStore, ...Code.memarg(lg, k * L.bytes));
  }
  code.get(yPtr).i32(d * L.bytes).op(OP.i32_add).set(yPtr);
  code.get(outPtr).i32(d * L.bytes).op(OP.i32_add).set(outPtr);
  code.get(n).i32(-1).op(OP.i32_add).tee(n).op(OP.br_if, 0);
  code.op(OP.end, OP.end);
  return emitModule([{ name: 'forward', params: [I32, I32, I32], results: [], code }], Math.max(1, Math.ceil(m.end / 65536)));
}

/** Compiled kernels by shape, shared by every MLP of that shape (each gets its own instance). */
const modules = new Map<string, WasmModule | null>();

function moduleFor(L: LaneKind, d: number, H: number): WasmModule | null {
  const key = `${L.precision}:${d}:${H}`;
  if (!modules.has(key)) modules.set(key, compileOrNull(forwardModuleBytes(L, d, H)));
  return modules.get(key)!;
}

type Ctor<S> = { new (n: number): S; new (b: ArrayBuffer, offset: number, n: number): S };

class SimdMlp<S extends Float64Array | Float32Array> implements MlpForward<S> {
  readonly simd = true;
  private readonly memory: WasmMemory;
  private readonly run: (yPtr: number, outPtr: number, n: number) => void;
  private readonly m: ReturnType<typeof layout>;
  private heap: S;
  private capacity = 0;

  constructor(
    mod: WasmModule,
    private readonly L: LaneKind,
    private readonly ctor: Ctor<S>,
    readonly dim: number,
    readonly hidden: number,
  ) {
    const inst = instantiate(mod);
    this.memory = inst.memory;
    this.run = inst.exports.forward as (yPtr: number, outPtr: number, n: number) => void;
    this.m = layout(L, dim, hidden);
    this.heap = new ctor(this.memory.buffer, 0, this.memory.buffer.byteLength / L.bytes);
  }

  get precision(): Precision {
    return this.L.precision;
  }

  setWeights(w: MlpWeightsLike): void {
    const { d, H } = mlpShape(w);
    if (d !== this.dim || H !== this.hidden) {
      throw new Error(`mlpForward: setWeights got d = ${d}, hidden = ${H}; this kernel is for d = ${this.dim}, hidden = ${this.hidden}. Make a new one.`);
    }
    const { Hp, W1T, B1, W2, B2 } = this.m;
    const h = this.heap;
    const e = this.L.bytes;
    h.fill(0, 0, B2 / e + d);
    for (let j = 0; j < H; j++) {
      for (let k = 0; k < d; k++) h[W1T / e + k * Hp + j] = w.W1[j * d + k];
      h[B1 / e + j] = w.b1[j];
    }
    for (let k = 0; k < d; k++) {
      for (let j = 0; j < H; j++) h[W2 / e + k * Hp + j] = w.W2[k * H + j];
      h[B2 / e + k] = w.b2[k];
    }
  }

  forward(y: S, out?: S): S {
    return this.runOn(y, out ?? new this.ctor(y.length));
  }

  forward64(y: Float64Array, out: Float64Array): Float64Array {
    return this.runOn(y, out);
  }

  /** Copies y in (converting to the heap's type), runs, copies the result out (converting to out's). */
  private runOn<T extends Float64Array | Float32Array>(y: Float64Array | Float32Array, out: T): T {
    const n = y.length / this.dim;
    if (!Number.isInteger(n)) throw new Error(`mlpForward: y has ${y.length} values, not a whole number of samples of ${this.dim}.`);
    if (out.length !== y.length) throw new Error(`mlpForward: out has ${out.length} values but y has ${y.length}; pass an array of y's length.`);
    if (n > this.capacity) this.grow(n);
    const base = this.m.end / this.L.bytes;
    this.heap.set(y, base);
    const outAt = base + this.capacity * this.dim;
    this.run(this.m.end, outAt * this.L.bytes, n);
    out.set(this.heap.subarray(outAt, outAt + y.length));
    return out;
  }

  /** Room for y and out of `n` samples after the weights (16-byte aligned). */
  private grow(n: number): void {
    const cap = Math.ceil(n / 16) * 16;
    const need = this.m.end + 2 * cap * this.dim * this.L.bytes;
    const have = this.memory.buffer.byteLength;
    if (need > have) {
      this.memory.grow(Math.ceil((need - have) / 65536));
      this.heap = new this.ctor(this.memory.buffer, 0, this.memory.buffer.byteLength / this.L.bytes);
    }
    this.capacity = cap;
  }
}

/** The same function in scalar JavaScript (weights rounded to the precision, sums in float64). */
class ScalarMlp<S extends Float64Array | Float32Array> implements MlpForward<S> {
  readonly simd = false;
  private W1: S;
  private b1: S;
  private W2: S;
  private b2: S;
  private readonly acc: Float64Array;

  constructor(
    readonly precision: Precision,
    private readonly ctor: Ctor<S>,
    readonly dim: number,
    readonly hidden: number,
  ) {
    this.W1 = new ctor(dim * hidden);
    this.b1 = new ctor(hidden);
    this.W2 = new ctor(dim * hidden);
    this.b2 = new ctor(dim);
    this.acc = new Float64Array(dim);
  }

  setWeights(w: MlpWeightsLike): void {
    const { d, H } = mlpShape(w);
    if (d !== this.dim || H !== this.hidden) {
      throw new Error(`mlpForward: setWeights got d = ${d}, hidden = ${H}; this kernel is for d = ${this.dim}, hidden = ${this.hidden}. Make a new one.`);
    }
    this.W1.set(w.W1);
    this.b1.set(w.b1);
    this.W2.set(w.W2);
    this.b2.set(w.b2);
  }

  forward64(y: Float64Array, out: Float64Array): Float64Array {
    const yS = new this.ctor(y.length);
    yS.set(y);
    out.set(this.forward(yS));
    return out;
  }

  forward(y: S, out?: S): S {
    const { dim: d, hidden: H, W1, b1, W2, b2, acc, precision } = this;
    if (!Number.isInteger(y.length / d)) throw new Error(`mlpForward: y has ${y.length} values, not a whole number of samples of ${d}.`);
    const result = out ?? new this.ctor(y.length);
    for (let s = 0; s < y.length; s += d) {
      acc.fill(0);
      for (let j = 0; j < H; j++) {
        let z = b1[j];
        for (let k = 0; k < d; k++) z += W1[j * d + k] * y[s + k];
        const a = scalarTanh(z, precision);
        for (let k = 0; k < d; k++) acc[k] += W2[k * H + j] * a;
      }
      for (let k = 0; k < d; k++) result[s + k] = acc[k] + b2[k];
    }
    return result;
  }
}

/**
 * A forward kernel for the MLP with these weights (copied in; see setWeights). float64 takes
 * and returns Float64Array, float32 Float32Array.
 */
export function mlpForward(w: MlpWeightsLike, options?: MlpForwardOptions & { precision?: 'float64' }): MlpForward<Float64Array>;
export function mlpForward(w: MlpWeightsLike, options: MlpForwardOptions & { precision: 'float32' }): MlpForward<Float32Array>;
export function mlpForward(w: MlpWeightsLike, options: MlpForwardOptions = {}): MlpForward<Float64Array> | MlpForward<Float32Array> {
  const precision = options.precision ?? 'float64';
  const { d, H } = mlpShape(w);
  const L = precision === 'float64' ? F64X2 : F32X4;
  const mod = options.simd === false ? null : moduleFor(L, d, H);
  const make = <S extends Float64Array | Float32Array>(ctor: Ctor<S>): MlpForward<S> =>
    mod ? new SimdMlp(mod, L, ctor, d, H) : new ScalarMlp(precision, ctor, d, H);
  const kernel = precision === 'float64' ? make(Float64Array as Ctor<Float64Array>) : make(Float32Array as Ctor<Float32Array>);
  kernel.setWeights(w);
  return kernel;
}
