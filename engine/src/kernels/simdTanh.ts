/**
 * tanh for WebAssembly SIMD lanes (f64x2, f32x4), branch-free:
 *
 *   tanh(x) = sign(x) · (e − 1) / (e + 1),  e = exp(2a),  a = min(|x|, clamp)
 *
 * exp by range reduction 2a = k·ln2 + r (|r| ≤ ln2/2), a Taylor polynomial for eʳ evaluated by
 * Estrin's scheme (degree 12 in float64, relative error < 2e-16; degree 7 in float32, < 6e-9)
 * and 2ᵏ built from the exponent bits. One rounded ln2 is enough for the reduction: an error
 * δ in r changes e by a factor 1 + δ, and tanh by 2e/(e + 1)² · δ ≤ 2^(1−k) · δ, while δ itself
 * grows only like k·ulp(ln2). The clamp sits where tanh already rounds to 1 (19.1 in float64,
 * 9.5 in float32), so there is no jump there, and it keeps k small for the exponent trick.
 * The sign is copied from x bit for bit, so tanh(−x) = −tanh(x) exactly and tanh(−0) = −0.
 * NaN propagates: pmin keeps a NaN first operand, and arithmetic on NaN stays NaN.
 *
 * Absolute error against Math.tanh: ≤ 4e-16 in float64 (3 ulp of values near 1), ≤ 1.5e-7 in
 * float32; the formula has no branches, so finite differences see only rounding noise.
 */
import { Code, compileOrNull, emitModule, F32, F64, I32, instantiate, SIMD, V128, type ValType, type WasmModule } from './wasmModule';

export type Precision = 'float64' | 'float32';

/** Everything that differs between f64x2 and f32x4 code. */
export interface LaneKind {
  readonly precision: Precision;
  readonly bytes: 8 | 4;
  readonly lanes: 2 | 4;
  readonly add: number;
  readonly sub: number;
  readonly mul: number;
  readonly div: number;
  readonly abs: number;
  readonly pmin: number;
  readonly iadd: number;
  readonly ishl: number;
  readonly loadSplat: number;
  readonly extractLane: number;
  readonly scalarLoad: number;
  readonly scalarStore: number;
  readonly scalarAdd: number;
  readonly scalarType: ValType;
  /** Splatted float constant. */
  splat(code: Code, x: number): Code;
  /** Splatted integer constant of the lane width. */
  isplat(code: Code, n: number): Code;
  /** The sign bit of every lane. */
  signMask(code: Code): Code;
  readonly tanh: {
    clamp: number;
    /** Added to a value in [0, 2⁵²) (resp. 2²³) to round it to an integer held in the low mantissa bits. */
    shift: number;
    exponentBias: number;
    mantissaBits: number;
    /** Taylor coefficients of eʳ, highest degree first. */
    coeffs: number[];
  };
}

const taylor = (degree: number, round: (x: number) => number) => {
  const c: number[] = [];
  let f = 1;
  for (let n = 0; n <= degree; n++) {
    if (n > 0) f *= n;
    c.push(round(1 / f));
  }
  return c.reverse();
};

export const F64X2: LaneKind = {
  precision: 'float64',
  bytes: 8,
  lanes: 2,
  add: SIMD.f64x2_add,
  sub: SIMD.f64x2_sub,
  mul: SIMD.f64x2_mul,
  div: SIMD.f64x2_div,
  abs: SIMD.f64x2_abs,
  pmin: SIMD.f64x2_pmin,
  iadd: SIMD.i64x2_add,
  ishl: SIMD.i64x2_shl,
  loadSplat: SIMD.v128_load64_splat,
  extractLane: SIMD.f64x2_extract_lane,
  scalarLoad: 0x2b,
  scalarStore: 0x39,
  scalarAdd: 0xa0,
  scalarType: F64,
  splat: (code, x) => code.f64x2Const(x),
  isplat: (code, n) => code.i64x2Const(BigInt(n)),
  signMask: (code) => code.i64x2Const(-(1n << 63n)),
  tanh: {
    clamp: 19.1,
    shift: 1.5 * 2 ** 52,
    exponentBias: 1023,
    mantissaBits: 52,
    coeffs: taylor(12, (x) => x),
  },
};

export const F32X4: LaneKind = {
  precision: 'float32',
  bytes: 4,
  lanes: 4,
  add: SIMD.f32x4_add,
  sub: SIMD.f32x4_sub,
  mul: SIMD.f32x4_mul,
  div: SIMD.f32x4_div,
  abs: SIMD.f32x4_abs,
  pmin: SIMD.f32x4_pmin,
  iadd: SIMD.i32x4_add,
  ishl: SIMD.i32x4_shl,
  loadSplat: SIMD.v128_load32_splat,
  extractLane: SIMD.f32x4_extract_lane,
  scalarLoad: 0x2a,
  scalarStore: 0x38,
  scalarAdd: 0x92,
  scalarType: F32,
  splat: (code, x) => code.f32x4Const(x),
  isplat: (code, n) => code.i32x4Const(n),
  signMask: (code) => code.i32x4Const(-0x80000000),
  tanh: {
    clamp: 9.5,
    shift: 1.5 * 2 ** 23,
    exponentBias: 127,
    mantissaBits: 23,
    coeffs: taylor(7, Math.fround),
  },
};

/** Scratch locals for one inlined tanh (reused by every copy in a function). */
export interface TanhLocals {
  x: number;
  w: number;
  kd: number;
  k: number;
  r: number;
  r2: number;
  r4: number;
  r8: number;
}

export function tanhLocals(code: Code): TanhLocals {
  return { x: code.local(V128), w: code.local(V128), kd: code.local(V128), k: code.local(V128), r: code.local(V128), r2: code.local(V128), r4: code.local(V128), r8: code.local(V128) };
}

/** Emits tanh of the vector on top of the stack, leaving the result there. */
export function emitTanh(code: Code, L: LaneKind, t: TanhLocals): void {
  const c = L.tanh;
  // w = 2·min(|x|, clamp) (doubling is exact)
  code.tee(t.x).simd(L.abs);
  L.splat(code, c.clamp).simd(L.pmin);
  L.splat(code, 2).simd(L.mul).tee(t.w);
  // kd = w·log2(e) + shift: k in the low mantissa bits; k = kd − shift as a float
  L.splat(code, Math.LOG2E).simd(L.mul);
  L.splat(code, c.shift).simd(L.add).tee(t.kd);
  L.splat(code, c.shift).simd(L.sub).set(t.k);
  // r = w − k·ln2 (see the header on why one constant is enough)
  code.get(t.w).get(t.k);
  L.splat(code, Math.LN2).simd(L.mul).simd(L.sub).set(t.r);
  // powers of r for Estrin's scheme: a short dependency chain, where Horner's would be 12 deep
  code.get(t.r).get(t.r).simd(L.mul).tee(t.r2).get(t.r2).simd(L.mul).set(t.r4);
  if (c.coeffs.length > 8) code.get(t.r4).get(t.r4).simd(L.mul).set(t.r8);
  const pow = new Map([[1, t.r], [2, t.r2], [4, t.r4], [8, t.r8]]);
  const poly = (cs: number[]): void => {
    if (cs.length === 1) {
      L.splat(code, cs[0]);
      return;
    }
    let m = 1;
    while (m * 2 < cs.length) m *= 2;
    poly(cs.slice(0, m));
    poly(cs.slice(m));
    code.get(pow.get(m)!).simd(L.mul).simd(L.add);
  };
  poly([...c.coeffs].reverse());
  // e = p(r)·2ᵏ, 2ᵏ = (k + bias) << mantissaBits; the shift drops the high bits that `shift` put in kd
  code.get(t.kd);
  L.isplat(code, c.exponentBias).simd(L.iadd).i32(c.mantissaBits).simd(L.ishl);
  code.simd(L.mul).tee(t.r);
  // (e − 1) / (e + 1)
  L.splat(code, 1).simd(L.sub).get(t.r);
  L.splat(code, 1).simd(L.add).simd(L.div);
  // copy the sign of x
  code.get(t.x);
  L.signMask(code).simd(SIMD.v128_and).simd(SIMD.v128_or);
}

/** Scalar tanh with the semantics of the SIMD one (clamp, exact oddness, NaN in → NaN out). */
export function scalarTanh(x: number, precision: Precision = 'float64'): number {
  const clamp = precision === 'float64' ? F64X2.tanh.clamp : F32X4.tanh.clamp;
  const a = Math.min(Math.abs(x), clamp);
  const e = Math.exp(2 * a);
  const t = (e - 1) / (e + 1);
  // NaN fails both tests and stays NaN.
  const y = x < 0 || Object.is(x, -0) ? -t : t;
  return precision === 'float64' ? y : Math.fround(y);
}

/** Module: tanh(ptr, nVectors) in place over nVectors 16-byte vectors at ptr. */
function tanhModuleBytes(L: LaneKind): Uint8Array {
  const code = new Code(2);
  const t = tanhLocals(code);
  // block { if n == 0 break; loop { v = tanh(load ptr); store; ptr += 16; n -= 1; while n } }
  code.op(0x02, 0x40).get(1).op(0x45, 0x0d, 0x00);
  code.op(0x03, 0x40);
  code.get(0).get(0).simd(SIMD.v128_load, ...Code.memarg(4, 0));
  emitTanh(code, L, t);
  code.simd(SIMD.v128_store, ...Code.memarg(4, 0));
  code.get(0).i32(16).op(0x6a).set(0);
  code.get(1).i32(-1).op(0x6a).tee(1).op(0x0d, 0x00);
  code.op(0x0b, 0x0b);
  return emitModule([{ name: 'tanh', params: [I32, I32], results: [], code }], 1);
}

const tanhModules = new Map<Precision, WasmModule | null>();

/** An instance of the SIMD tanh with its own memory, grown on demand; null without WebAssembly SIMD. */
export interface TanhInstance {
  /** y = tanh(x) elementwise, through the instance's memory (x and y may be the same array). */
  apply<S extends Float64Array | Float32Array>(x: S, y: S): void;
}

export function tanhInstance(precision: Precision): TanhInstance | null {
  const L = precision === 'float64' ? F64X2 : F32X4;
  if (!tanhModules.has(precision)) tanhModules.set(precision, compileOrNull(tanhModuleBytes(L)));
  const mod = tanhModules.get(precision);
  if (!mod) return null;
  const { memory, exports } = instantiate(mod);
  const tanh = exports.tanh as (p: number, n: number) => void;
  return {
    apply(x, y) {
      const need = Math.ceil((x.length * L.bytes) / 16) * 16;
      const have = memory.buffer.byteLength;
      if (need > have) memory.grow(Math.ceil((need - have) / 65536));
      const view = new (x.constructor as { new (b: ArrayBuffer, o: number, n: number): typeof x })(memory.buffer, 0, need / L.bytes);
      view.set(x);
      tanh(0, need / 16);
      y.set(view.subarray(0, x.length));
    },
  };
}

/**
 * Elementwise tanh of an array with the SIMD kernel (a new array), or with scalarTanh where
 * SIMD is unavailable or `simd` is false. For tests and one-off use: it instantiates anew.
 */
export function tanhArray<S extends Float64Array | Float32Array>(xs: S, simd = true): { y: S; simd: boolean } {
  const precision: Precision = xs instanceof Float32Array ? 'float32' : 'float64';
  const out = new (xs.constructor as { new (n: number): S })(xs.length);
  const inst = simd ? tanhInstance(precision) : null;
  if (!inst) {
    for (let i = 0; i < xs.length; i++) out[i] = scalarTanh(xs[i], precision);
    return { y: out, simd: false };
  }
  inst.apply(xs, out);
  return { y: out, simd: true };
}
