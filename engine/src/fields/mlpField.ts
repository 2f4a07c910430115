/**
 * The native MLP vector field: float64 (float32 arithmetic on request, see below), batched, with
 * a hand-written VJP.
 *
 *   f(t, y) = L_n ∘ σ ∘ … ∘ σ ∘ L_0 (y)        (input [y, t] when time-dependent)
 *
 * y is batch-major [batch·d]; any batch size works, and the work buffers are kept for the
 * largest batch seen, so a call allocates only the arrays it returns. The VJP recomputes the
 * hidden activations from (t, y) itself (the solver's last f call may have been elsewhere),
 * then runs back through the layers with its sums as dot products of contiguous rows
 * (transposed copies of the cotangents, inputs and, for wide layers, weights).
 * Tanh layers use the WebAssembly SIMD tanh (kernels/simdTanh.ts, within 4e-16 of Math.tanh),
 * and one hidden tanh layer without time (torchdiffeq's ode_demo net) runs all of f on the SIMD
 * forward kernel and all of its VJP on the SIMD VJP kernel (kernels/mlpVjpKernel.ts); since
 * each kernel holds its own copy of the weights, f and vjp compare `params` with the copy they
 * last gave their kernel and resend on any change, so writes take effect at once. fAndVjp
 * gives both from one run of the VJP kernel there (f from the activations it makes anyway),
 * and `tape()` keeps the activations of forward evaluations in the VJP kernel's memory for
 * later vjps at the same points (backprop), which then skip the tanh: a fifth of the cost.
 *
 * `precision: 'float32'` (that one-hidden-layer tanh MLP only) runs f, the VJP and the tape on
 * the float32 (f32x4) variants of the same kernels: states, cotangents and params stay float64
 * outside, rounded to float32 as the kernels copy them in (the kernels' weight copies are the
 * float32 mirror of params, resent on any change as above) and widened on the way out.
 */
import { mlpForward, type MlpForward, type Precision } from '../kernels/mlpKernel';
import { mlpVjp, type MlpVjp } from '../kernels/mlpVjpKernel';
import { activation as activationByName, type Activation, type ActivationName } from './activations';
import type { ActivationTape, NativeField } from './field';
import { checkSizes, mlpLayout, type DenseLayer, type ParamEntry } from './mlpLayout';
import { fromRand, initLayout, seededRandom, uniformInit, type Rand } from '../layers/init';
import { Arena } from '../kernels/arena';
import { BatchThreads } from '../threads/pool';
import { sharedTape } from '../threads/sharedTape';
import { tapeRecords } from '../threads/sliceRecords';

export interface MlpFieldOptions {
  /** [d, h1, …, d]: the state dimension, the hidden widths, the state dimension again. */
  sizes: readonly number[];
  /** Default 'tanh'. */
  activation?: ActivationName;
  /** Append t to the first layer's input ([y, t]). Default false. */
  timeDependent?: boolean;
  /** Seed of the default initialisation. Default 0. */
  seed?: number;
  /**
   * Initial parameters: all of them (a vector in layout order, copied), or a function giving
   * each value in turn. Default: PyTorch's nn.Linear initialisation, U(−1/√fan_in, 1/√fan_in)
   * for weights and biases, drawn in layout order from the seeded generator.
   */
  init?: ArrayLike<number> | ((entry: ParamEntry, rand: Rand, fanIn: number) => number);
  /** false keeps everything in plain JavaScript with Math.tanh (default: SIMD kernels where they apply). */
  simd?: boolean;
  /**
   * The arithmetic of f, vjp and the tape: 'float64' (default) or 'float32' (f32x4 SIMD kernels,
   * about 3× faster f; for sizes [d, h, d] with tanh, no time input, SIMD on). States,
   * cotangents, results and params are Float64Array either way.
   */
  precision?: Precision;
}

export interface MlpField extends NativeField {
  /** The state dimension d. */
  readonly dim: number;
  readonly sizes: readonly number[];
  readonly activation: ActivationName;
  readonly timeDependent: boolean;
  /** Where every weight and bias lives in `params` (PyTorch state_dict names and order). */
  readonly layout: readonly ParamEntry[];
  /** True when f runs on the WebAssembly SIMD kernel. */
  readonly simd: boolean;
  /** The precision f and vjp compute in (their inputs and outputs are float64 either way). */
  readonly precision: Precision;
  /** f into `out` when given (it may be y itself). */
  f(t: number, y: Float64Array, out?: Float64Array): Float64Array;
  /**
   * Where the SIMD VJP kernel runs, a tape of hidden activations (see ActivationTape) keeping at
   * most `maxBytes` (default TAPE_BYTES; evaluations beyond it keep no record); else null.
   */
  tape(maxBytes?: number): ActivationTape | null;
  /** f and vjp together: one SIMD kernel run where vjp has one, else both calls. */
  fAndVjp(t: number, y: Float64Array, a: Float64Array): { f: Float64Array; y: Float64Array; params: Float64Array };
  /** A live view of one named parameter (e.g. `0.weight`), shaped as its layout entry says. */
  param(name: string): Float64Array;
}

/**
 * The most one tape keeps (records beyond it are not made, and their vjps recompute): the
 * kernel's WebAssembly memory grows to hold them and never shrinks.
 */
export const TAPE_BYTES = 64 * 2 ** 20;

export { kaimingBound } from '../layers/init';

export function initialParams(
  entries: readonly ParamEntry[],
  size: number,
  seed: number,
  init: MlpFieldOptions['init'],
  where: string,
): Float64Array {
  const params = new Float64Array(size);
  if (init !== undefined && typeof init !== 'function') {
    if (init.length !== size) {
      throw new Error(`${where}: init has ${init.length} values but this MLP has ${size} parameters. Check sizes and timeDependent.`);
    }
    params.set(init);
    return params;
  }
  const rand = seededRandom(seed);
  return initLayout(params, entries, init ? (e, fanIn) => init(e, rand, fanIn) : uniformInit(fromRand(rand)));
}

/** Σ a[ao + k]·b[bo + k] for k < n, in four independent partial sums. */
function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < n; k += 4) {
    s0 += a[ao + k] * b[bo + k];
    s1 += a[ao + k + 1] * b[bo + k + 1];
    s2 += a[ao + k + 2] * b[bo + k + 2];
    s3 += a[ao + k + 3] * b[bo + k + 3];
  }
  for (; k < n; k++) s0 += a[ao + k] * b[bo + k];
  return s0 + s1 + (s2 + s3);
}

/** Same values, bit for bit (NaN never matches; 0 and −0 differ). */
function sameValues(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    if (x !== b[i] || (x === 0 && 1 / x !== 1 / b[i])) return false;
  }
  return true;
}

/** True (and `sent` updated to P) when P differs from the copy a kernel was last given. */
function changed(P: Float64Array, sent: Float64Array): boolean {
  const n = P.length;
  for (let i = 0; i < n; i++) {
    if (P[i] !== sent[i]) {
      sent.set(P);
      return true;
    }
  }
  return false;
}

class NativeMlp implements MlpField {
  readonly kind = 'native' as const;
  readonly dim: number;
  readonly params: Float64Array;
  readonly layout: readonly ParamEntry[];
  private readonly layers: readonly DenseLayer[];
  private readonly act: Activation;
  private readonly isTanh: boolean;
  private readonly kernel: MlpForward<Float64Array> | MlpForward<Float32Array> | null = null;
  /** The params the kernel holds. */
  private readonly sent: Float64Array | null = null;
  private readonly vjpKernel: MlpVjp | null = null;
  /** The params the VJP kernel holds. */
  private readonly vjpSent: Float64Array | null = null;
  /** Where tanh hidden layers live, for the SIMD tanh; null for other activations or without SIMD. */
  private readonly arena: Arena | null = null;
  /** Large batches shared among threads (threads/pool.ts). */
  private readonly threads: BatchThreads;
  // work buffers for `capacity` samples
  private capacity = 0;
  private xin = new Float64Array(0);
  private hidden: Float64Array[] = [];
  private slope: Float64Array[] = [];
  private gA = new Float64Array(0);
  private gB = new Float64Array(0);
  private gT = new Float64Array(0);
  private xT = new Float64Array(0);
  private WT = new Float64Array(0);

  constructor(
    readonly sizes: readonly number[],
    readonly activation: ActivationName,
    readonly timeDependent: boolean,
    seed: number,
    init: MlpFieldOptions['init'],
    simd: boolean,
    readonly precision: Precision,
  ) {
    this.dim = sizes[0];
    this.threads = new BatchThreads(sizes[0], mlpLayout(sizes, timeDependent).size, () => ({
      kind: 'mlp',
      sizes: [...sizes],
      activation,
      timeDependent,
      simd,
      precision,
    }), {
      f: (t, y) => this.fHere(t, y),
      vjp: (t, y, a) => this.vjpHere(t, y, a),
      record: tapeRecords(() => this.localTape(TAPE_BYTES), () => undefined),
    });
    this.act = activationByName(activation);
    this.isTanh = activation === 'tanh';
    const { entries, layers, size } = mlpLayout(sizes, timeDependent);
    this.layout = entries;
    this.layers = layers;
    this.params = initialParams(entries, size, seed, init, 'mlpField');
    if (simd && this.isTanh) this.arena = Arena.create();
    if (simd && sizes.length === 3 && this.isTanh && !timeDependent) {
      const w = this.weights();
      const kernel = precision === 'float32' ? mlpForward(w, { precision: 'float32' }) : mlpForward(w, { precision: 'float64' });
      if (kernel.simd) {
        this.kernel = kernel;
        this.sent = this.params.slice();
      }
      this.vjpKernel = mlpVjp(this.weights(), { precision });
      if (this.vjpKernel) this.vjpSent = this.params.slice();
    }
    if (precision === 'float32' && !(this.kernel && this.vjpKernel)) {
      throw new Error(
        "mlpField: precision 'float32' needs WebAssembly SIMD, which this JavaScript runtime does not offer. " +
          "Use precision 'float64' (the default) here.",
      );
    }
  }

  get simd(): boolean {
    return this.kernel !== null;
  }

  param(name: string): Float64Array {
    const e = this.layout.find((p) => p.name === name);
    if (!e) throw new Error(`mlpField has no parameter '${name}'; it has ${this.layout.map((p) => p.name).join(', ')}.`);
    return this.params.subarray(e.offset, e.offset + e.size);
  }

  f(t: number, y: Float64Array, out?: Float64Array): Float64Array {
    this.batchOf(y, 'y', 'f');
    if (out && out.length !== y.length) {
      throw new Error(`mlpField.f: out has ${out.length} values but y has ${y.length}; pass an array of y's length.`);
    }
    const shared = this.threads.f(t, y, this.params);
    if (!shared) return this.fHere(t, y, out);
    if (!out) return shared;
    out.set(shared);
    return out;
  }

  /** f in this thread. */
  private fHere(t: number, y: Float64Array, out?: Float64Array): Float64Array {
    const B = this.batchOf(y, 'y', 'f');
    const result = out ?? new Float64Array(y.length);
    if (this.kernel) {
      this.syncKernel();
      return this.kernel.forward64(y, result);
    }
    this.ensure(B);
    this.forward(t, y, B, result, false);
    return result;
  }

  vjp(t: number, y: Float64Array, a: Float64Array): { y: Float64Array; params: Float64Array } {
    this.batchOf(y, 'y', 'vjp');
    if (a.length !== y.length) {
      throw new Error(`mlpField.vjp: the cotangent a has ${a.length} values but y has ${y.length}; a must have y's layout [batch·${this.dim}].`);
    }
    return this.threads.vjp(t, y, a, this.params) ?? this.vjpHere(t, y, a);
  }

  /** The VJP in this thread. */
  private vjpHere(t: number, y: Float64Array, a: Float64Array): { y: Float64Array; params: Float64Array } {
    const B = this.batchOf(y, 'y', 'vjp');
    if (this.vjpKernel) return this.kernelVjp(y, a, null);
    this.ensure(B);
    // hidden activations and σ' at this (t, y); the output layer itself is not needed
    this.forward(t, y, B, null, true);
    const P = this.params;
    const gP = new Float64Array(P.length);
    const gy = new Float64Array(y.length);
    const L = this.layers.length;
    if (L === 2) {
      this.vjpOneHidden(y, a, B, gy, gP);
      return { y: gy, params: gP };
    }
    let g: Float64Array = a;
    for (let l = L - 1; l >= 0; l--) {
      const { nIn, nOut, w, b } = this.layers[l];
      const x = l > 0 ? this.hidden[l - 1] : this.timeDependent ? this.xin : y;
      // gradient of the layer input: a work buffer, or dL/dy itself (without the t column)
      const gin = l > 0 ? (g === this.gA ? this.gB : this.gA) : gy;
      const cols = l > 0 ? nIn : this.dim;
      // the sums over the batch are dot products of contiguous rows of transposed copies of g and x
      const { gT, xT, WT } = this;
      for (let s = 0; s < B; s++) {
        for (let o = 0; o < nOut; o++) gT[o * B + s] = g[s * nOut + o];
        for (let i = 0; i < nIn; i++) xT[i * B + s] = x[s * nIn + i];
      }
      for (let o = 0; o < nOut; o++) {
        let sum = 0;
        for (let s = 0; s < B; s++) sum += gT[o * B + s];
        gP[b + o] = sum;
        // dL/dW[o, i] = Σ_s g[s, o] x[s, i]
        for (let i = 0; i < nIn; i++) gP[w + o * nIn + i] = dot(gT, o * B, xT, i * B, B);
      }
      // dL/dx[s, i] = Σ_o g[s, o] W[o, i] (the t column of a time-dependent input is dropped):
      // a few rows of W scaled and added when the layer has few outputs, else dot products
      if (nOut < 8) {
        gin.fill(0, 0, B * cols);
        for (let s = 0; s < B; s++) {
          for (let o = 0; o < nOut; o++) {
            const c = g[s * nOut + o];
            const wo = w + o * nIn;
            const go = s * cols;
            for (let i = 0; i < cols; i++) gin[go + i] += c * P[wo + i];
          }
        }
      } else {
        for (let i = 0; i < cols; i++) for (let o = 0; o < nOut; o++) WT[i * nOut + o] = P[w + o * nIn + i];
        for (let s = 0; s < B; s++) {
          for (let i = 0; i < cols; i++) gin[s * cols + i] = dot(g, s * nOut, WT, i * nOut, nOut);
        }
      }
      if (l > 0) {
        const sl = this.slope[l - 1];
        const n = B * nIn;
        for (let k = 0; k < n; k++) gin[k] *= sl[k];
      }
      g = gin;
    }
    return { y: gy, params: gP };
  }

  tape(maxBytes = TAPE_BYTES): ActivationTape | null {
    const local = this.localTape(maxBytes);
    const plain = { f: (t: number, y: Float64Array) => this.f(t, y), vjp: (t: number, y: Float64Array, a: Float64Array) => this.vjp(t, y, a) };
    return local && sharedTape(local, this.threads, this.dim, this.params, plain, maxBytes);
  }

  /** The tape of this thread's kernel (a batch the threads share is recorded by sharedTape instead). */
  private localTape(maxBytes: number): ActivationTape | null {
    const kernel = this.vjpKernel;
    if (!kernel) return null;
    /** This tape's records: their time and bytes. */
    const held = new Map<number, { t: number; bytes: number }>();
    let bytes = 0;
    let open = true;
    /** f of the last evaluation (the solver copies it at once). */
    let out = new Float64Array(0);
    /** The kernel's views of the last accumulator vjp added into. */
    let into: Float64Array | null = null;
    let intoViews = this.gradViews(new Float64Array(this.params.length));
    const free = (rec: number): void => {
      const r = held.get(rec);
      if (r === undefined) return;
      held.delete(rec);
      bytes -= r.bytes;
      kernel.freeRecord(rec);
    };
    return {
      f: (t, y) => {
        const n = this.batchOf(y, 'y', 'tape.f');
        const need = kernel.recordBytes(n);
        if (!open || bytes + need > maxBytes) return { f: this.fHere(t, y), record: -1 };
        if (changed(this.params, this.vjpSent!)) kernel.setWeights(this.weights());
        if (out.length !== y.length) out = new Float64Array(y.length);
        const rec = kernel.record(y, out);
        if (rec < 0) return { f: this.f(t, y), record: -1 };
        held.set(rec, { t, bytes: need });
        bytes += need;
        return { f: out, record: rec };
      },
      matches: (rec, t, y) => {
        const r = held.get(rec);
        return r !== undefined && r.t === t && sameValues(kernel.recordedInput(rec), y);
      },
      vjp: (rec, t, y, a, acc) => {
        if (!held.has(rec)) throw new Error(`mlpField tape: no record ${rec} (freed already, or from another tape).`);
        if (a.length !== y.length) {
          throw new Error(`mlpField.vjp: the cotangent a has ${a.length} values but y has ${y.length}; a must have y's layout [batch·${this.dim}].`);
        }
        if (acc && acc.length !== this.params.length) {
          throw new Error(`mlpField tape: the gradient accumulator has ${acc.length} values but params has ${this.params.length}; pass an array laid out as params.`);
        }
        // New weights since the record was made: the kernel refuses it, and vjp recomputes.
        if (changed(this.params, this.vjpSent!)) kernel.setWeights(this.weights());
        if (y.length === kernel.recordedInput(rec).length) {
          const gy = new Float64Array(y.length);
          const gP = acc ?? new Float64Array(this.params.length);
          if (gP !== into) {
            into = gP;
            intoViews = this.gradViews(gP);
          }
          if (kernel.vjpRecorded(rec, a, gy, intoViews, acc !== undefined)) return { y: gy, params: gP };
        }
        const g = this.vjpHere(t, y, a);
        if (!acc) return g;
        for (let r = 0; r < acc.length; r++) acc[r] += g.params[r];
        return { y: g.y, params: acc };
      },
      free,
      close: () => {
        open = false;
        for (const rec of [...held.keys()]) free(rec);
      },
      get size() {
        return held.size;
      },
      get bytes() {
        return bytes;
      },
    };
  }

  fAndVjp(t: number, y: Float64Array, a: Float64Array): { f: Float64Array; y: Float64Array; params: Float64Array } {
    if (!this.vjpKernel || this.threads.takes(y.length / this.dim)) return { f: this.f(t, y), ...this.vjp(t, y, a) };
    this.batchOf(y, 'y', 'fAndVjp');
    if (a.length !== y.length) {
      throw new Error(`mlpField.fAndVjp: the cotangent a has ${a.length} values but y has ${y.length}; a must have y's layout [batch·${this.dim}].`);
    }
    const f = new Float64Array(y.length);
    return { f, ...this.kernelVjp(y, a, f) };
  }

  /** The VJP (and f into `f` when given) on the SIMD VJP kernel, weights resent if params changed. */
  private kernelVjp(y: Float64Array, a: Float64Array, f: Float64Array | null): { y: Float64Array; params: Float64Array } {
    const kernel = this.vjpKernel!;
    if (changed(this.params, this.vjpSent!)) kernel.setWeights(this.weights());
    const gy = new Float64Array(y.length);
    const gP = new Float64Array(this.params.length);
    const grads = this.gradViews(gP);
    if (f) kernel.fAndVjp(y, a, f, gy, grads);
    else kernel.vjp(y, a, gy, grads);
    return { y: gy, params: gP };
  }

  /**
   * The VJP of the common one-hidden-layer MLP in one pass per sample: every hidden unit's
   * backward contributions (to dL/dy, both weight matrices and the hidden bias) are made while
   * its activation and slope are at hand, so nothing is transposed or revisited. This is the
   * training loop's hottest code.
   */
  private vjpOneHidden(y: Float64Array, a: Float64Array, B: number, gy: Float64Array, gP: Float64Array): void {
    const P = this.params;
    const d = this.dim;
    const { nIn, nOut: H, w: w1, b: b1 } = this.layers[0];
    const { w: w2, b: b2 } = this.layers[1];
    const x = this.timeDependent ? this.xin : y;
    const hid = this.hidden[0];
    const sl = this.slope[0];
    if (d === 2 && nIn === 2) {
      this.vjpOneHidden2(y, a, B, gy, gP);
      return;
    }
    for (let s = 0; s < B; s++) {
      const xo = s * nIn;
      const ao = s * d;
      const ho = s * H;
      for (let m = 0; m < d; m++) gP[b2 + m] += a[ao + m];
      for (let j = 0; j < H; j++) {
        const h = hid[ho + j];
        // gh = Σ_m a[m]·W2[m, j]; dL/dW2[m, j] += a[m]·h
        let gh = 0;
        for (let m = 0; m < d; m++) {
          const am = a[ao + m];
          gh += am * P[w2 + m * H + j];
          gP[w2 + m * H + j] += am * h;
        }
        const gz = gh * sl[ho + j];
        gP[b1 + j] += gz;
        const wj = w1 + j * nIn;
        // dL/dW1[j, k] += gz·x[k]; dL/dy[k] += gz·W1[j, k] (not the t column)
        for (let k = 0; k < nIn; k++) gP[wj + k] += gz * x[xo + k];
        for (let k = 0; k < d; k++) gy[ao + k] += gz * P[wj + k];
      }
    }
  }

  /** vjpOneHidden for planar states (d = 2, no time input): every index fixed, nothing looped over d. */
  private vjpOneHidden2(y: Float64Array, a: Float64Array, B: number, gy: Float64Array, gP: Float64Array): void {
    const P = this.params;
    const { nOut: H, w: w1, b: b1 } = this.layers[0];
    const { w: w2, b: b2 } = this.layers[1];
    const hid = this.hidden[0];
    const sl = this.slope[0];
    let gb20 = 0;
    let gb21 = 0;
    for (let s = 0; s < B; s++) {
      const a0 = a[2 * s];
      const a1 = a[2 * s + 1];
      const x0 = y[2 * s];
      const x1 = y[2 * s + 1];
      gb20 += a0;
      gb21 += a1;
      let gy0 = 0;
      let gy1 = 0;
      const ho = s * H;
      for (let j = 0; j < H; j++) {
        const h = hid[ho + j];
        const r0 = w2 + j;
        const r1 = w2 + H + j;
        const gz = (a0 * P[r0] + a1 * P[r1]) * sl[ho + j];
        gP[r0] += a0 * h;
        gP[r1] += a1 * h;
        gP[b1 + j] += gz;
        const wj = w1 + 2 * j;
        gP[wj] += gz * x0;
        gP[wj + 1] += gz * x1;
        gy0 += gz * P[wj];
        gy1 += gz * P[wj + 1];
      }
      gy[2 * s] = gy0;
      gy[2 * s + 1] = gy1;
    }
    gP[b2] += gb20;
    gP[b2 + 1] += gb21;
  }

  /**
   * Runs the layers on B samples: into `out` (the output layer) when given; with `slopes`,
   * also stores σ'(z) of every hidden unit for the VJP.
   */
  private forward(t: number, y: Float64Array, B: number, out: Float64Array | null, slopes: boolean): void {
    const P = this.params;
    const d = this.dim;
    let x = y;
    if (this.timeDependent) {
      const xin = this.xin;
      for (let s = 0; s < B; s++) {
        for (let k = 0; k < d; k++) xin[s * (d + 1) + k] = y[s * d + k];
        xin[s * (d + 1) + d] = t;
      }
      x = xin;
    }
    const L = this.layers.length;
    const act = this.act;
    const isTanh = this.isTanh;
    const arena = this.arena;
    for (let l = 0; l < L; l++) {
      const { nIn, nOut, w, b } = this.layers[l];
      const last = l === L - 1;
      if (last && !out) return;
      const h = last ? out! : this.hidden[l];
      const sl = this.slope[l];
      if (nIn === 2 && arena && !last) {
        // Planar input into a SIMD-tanh layer: just the affine map here (the common first layer).
        for (let s = 0; s < B; s++) {
          const x0 = x[2 * s];
          const x1 = x[2 * s + 1];
          const ho = s * nOut;
          for (let o = 0; o < nOut; o++) h[ho + o] = P[b + o] + P[w + 2 * o] * x0 + P[w + 2 * o + 1] * x1;
        }
      } else for (let s = 0; s < B; s++) {
        const xo = s * nIn;
        const ho = s * nOut;
        for (let o = 0; o < nOut; o++) {
          const wo = w + o * nIn;
          // four partial sums: independent chains the CPU can overlap
          let z0 = P[b + o];
          let z1 = 0;
          let z2 = 0;
          let z3 = 0;
          let i = 0;
          for (; i + 3 < nIn; i += 4) {
            z0 += P[wo + i] * x[xo + i];
            z1 += P[wo + i + 1] * x[xo + i + 1];
            z2 += P[wo + i + 2] * x[xo + i + 2];
            z3 += P[wo + i + 3] * x[xo + i + 3];
          }
          for (; i < nIn; i++) z0 += P[wo + i] * x[xo + i];
          const z = z0 + z1 + (z2 + z3);
          if (last || arena) {
            h[ho + o] = z; // the arena's tanh runs on the whole layer below
          } else if (isTanh) {
            const v = Math.tanh(z);
            h[ho + o] = v;
            if (slopes) sl[ho + o] = 1 - v * v;
          } else {
            const v = act.value(z);
            h[ho + o] = v;
            if (slopes) sl[ho + o] = act.derivative(z, v);
          }
        }
      }
      if (arena && !last) {
        const n = B * nOut;
        arena.tanh(h);
        if (slopes) for (let k = 0; k < n; k++) sl[k] = 1 - h[k] * h[k];
      }
      x = h;
    }
  }

  private batchOf(y: Float64Array, name: string, where: string): number {
    const B = y.length / this.dim;
    if (!Number.isInteger(B) || B < 1) {
      throw new Error(
        `mlpField.${where}: ${name} has ${y.length} values, not a whole number of samples of dimension ${this.dim}. ` +
          `Lay a batch out sample after sample ([batch·${this.dim}]).`,
      );
    }
    return B;
  }

  /** Work buffers for B samples (grown, never shrunk). */
  private ensure(B: number): void {
    if (B <= this.capacity) return;
    const hiddenSizes = this.layers.slice(0, -1).map((l) => l.nOut);
    const widest = Math.max(...hiddenSizes);
    this.hidden = this.arena ? this.arena.allocate(hiddenSizes.map((n) => B * n)) : hiddenSizes.map((n) => new Float64Array(B * n));
    this.slope = hiddenSizes.map((n) => new Float64Array(B * n));
    this.gA = new Float64Array(B * widest);
    this.gB = new Float64Array(B * widest);
    if (this.timeDependent) this.xin = new Float64Array(B * (this.dim + 1));
    const widestIn = Math.max(...this.layers.map((l) => l.nIn));
    const widestOut = Math.max(...this.layers.map((l) => l.nOut));
    this.gT = new Float64Array(B * widestOut);
    this.xT = new Float64Array(B * widestIn);
    if (this.WT.length === 0) this.WT = new Float64Array(Math.max(...this.layers.map((l) => l.nIn * l.nOut)));
    this.capacity = B;
  }

  /** Resends the weights to the kernel if params changed since it last got them. */
  private syncKernel(): void {
    if (changed(this.params, this.sent!)) this.kernel!.setWeights(this.weights());
  }

  /** Views of a params-shaped gradient vector, as the VJP kernel writes them. */
  private gradViews(gP: Float64Array) {
    const [l0, l1] = this.layers;
    return {
      W1: gP.subarray(l0.w, l0.w + l0.nOut * l0.nIn),
      b1: gP.subarray(l0.b, l0.b + l0.nOut),
      W2: gP.subarray(l1.w, l1.w + l1.nOut * l1.nIn),
      b2: gP.subarray(l1.b, l1.b + l1.nOut),
    };
  }

  /** The one-hidden-layer weights as the kernel takes them (views of params). */
  private weights() {
    const [l0, l1] = this.layers;
    const P = this.params;
    return {
      W1: P.subarray(l0.w, l0.w + l0.nOut * l0.nIn),
      b1: P.subarray(l0.b, l0.b + l0.nOut),
      W2: P.subarray(l1.w, l1.w + l1.nOut * l1.nIn),
      b2: P.subarray(l1.b, l1.b + l1.nOut),
    };
  }
}

/** A native MLP vector field (float64, or float32 arithmetic on request); see MlpFieldOptions and the layout of `params`. */
export function mlpField(options: MlpFieldOptions): MlpField {
  const { sizes, activation = 'tanh', timeDependent = false, seed = 0, init, simd = true, precision = 'float64' } = options;
  checkSizes(sizes, 'mlpField');
  activationByName(activation); // fails early with the list of names
  checkPrecision(precision, sizes, activation, timeDependent, simd);
  return new NativeMlp([...sizes], activation, timeDependent, seed, init, simd, precision);
}

/** float32 exists only on the SIMD kernels: one hidden tanh layer, no time input. */
function checkPrecision(precision: unknown, sizes: readonly number[], activation: ActivationName, timeDependent: boolean, simd: boolean): void {
  if (precision !== 'float64' && precision !== 'float32') {
    throw new Error(`mlpField: precision must be 'float64' or 'float32'; got ${JSON.stringify(precision)}.`);
  }
  if (precision === 'float64') return;
  const why =
    sizes.length !== 3
      ? `sizes [${sizes.join(', ')}] has ${sizes.length - 2} hidden layers`
      : activation !== 'tanh'
        ? `the activation is '${activation}'`
        : timeDependent
          ? 'timeDependent is true'
          : !simd
            ? 'simd is false'
            : null;
  if (why) {
    throw new Error(
      `mlpField: precision 'float32' runs only on the SIMD kernels of an MLP with one hidden tanh layer and no time input ` +
        `(sizes [d, h, d], activation 'tanh', timeDependent false, simd true), but ${why}. Use precision 'float64' for this model.`,
    );
  }
}
