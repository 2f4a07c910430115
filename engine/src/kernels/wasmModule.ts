/**
 * A minimal WebAssembly binary emitter: enough of the format (types, functions, one memory,
 * exports, code with the SIMD opcodes the kernels use) to generate kernels at run time, so
 * no compiler is needed at build time and no opaque binary is shipped. Kernels are emitted
 * specialised to their shapes (loop bounds and weight offsets become constants).
 */

export const I32 = 0x7f;
export const I64 = 0x7e;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof I64 | typeof F32 | typeof F64 | typeof V128;

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  let v = BigInt(n);
  for (;;) {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    const done = (v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

const utf8 = (s: string) => [...new TextEncoder().encode(s)];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const name = (s: string) => [...uleb(utf8(s).length), ...utf8(s)];

/** A function body under construction: instructions appended in order, with named locals. */
export class Code {
  readonly bytes: number[] = [];
  private readonly extraLocals: ValType[] = [];
  /** v128 constants by value → the local that holds them, set once at function entry. */
  private readonly pooled = new Map<string, number>();
  private readonly prologue: number[] = [];

  constructor(private readonly nParams: number) {}

  /** Declares a local and returns its index. */
  local(type: ValType): number {
    this.extraLocals.push(type);
    return this.nParams + this.extraLocals.length - 1;
  }

  op(...bytes: number[]): this {
    this.bytes.push(...bytes);
    return this;
  }

  /** A SIMD instruction: the 0xFD prefix, then the opcode as LEB128. */
  simd(opcode: number, ...immediates: number[]): this {
    return this.op(0xfd, ...uleb(opcode), ...immediates);
  }

  get(i: number): this {
    return this.op(0x20, ...uleb(i));
  }
  set(i: number): this {
    return this.op(0x21, ...uleb(i));
  }
  tee(i: number): this {
    return this.op(0x22, ...uleb(i));
  }
  i32(n: number): this {
    return this.op(0x41, ...sleb(n | 0));
  }
  f64(x: number): this {
    const b = new Uint8Array(new Float64Array([x]).buffer);
    return this.op(0x44, ...b);
  }
  f32(x: number): this {
    const b = new Uint8Array(new Float32Array([x]).buffer);
    return this.op(0x43, ...b);
  }
  /**
   * A v128 constant from 16 raw bytes (little-endian lanes), read from a local that the
   * function sets once at entry: V8 builds a v128.const from immediates with three
   * instructions at every use, loops included; a local costs at most a load.
   */
  v128(bytes: Uint8Array): this {
    const key = bytes.join(',');
    let i = this.pooled.get(key);
    if (i === undefined) {
      i = this.local(V128);
      this.pooled.set(key, i);
      this.prologue.push(0xfd, ...uleb(0x0c), ...bytes, 0x21, ...uleb(i));
    }
    return this.get(i);
  }
  f64x2Const(x: number): this {
    return this.v128(new Uint8Array(new Float64Array([x, x]).buffer));
  }
  f32x4Const(x: number): this {
    return this.v128(new Uint8Array(new Float32Array([x, x, x, x]).buffer));
  }
  i64x2Const(x: bigint): this {
    return this.v128(new Uint8Array(new BigInt64Array([x, x]).buffer));
  }
  i32x4Const(x: number): this {
    return this.v128(new Uint8Array(new Int32Array([x, x, x, x]).buffer));
  }
  /** Memory access immediates: log2 of the alignment, then the constant offset. */
  static memarg(alignLog2: number, offset: number): number[] {
    return [...uleb(alignLog2), ...uleb(offset)];
  }

  /** The body as the code section wants it: size, local declarations, instructions, end. */
  encode(): number[] {
    const groups: number[][] = [];
    for (const t of this.extraLocals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    const body = [...uleb(groups.length), ...groups.flatMap(([n, t]) => [...uleb(n), t]), ...this.prologue, ...this.bytes, 0x0b];
    return [...uleb(body.length), ...body];
  }
}

export interface FuncDef {
  name: string;
  params: ValType[];
  results: ValType[];
  code: Code;
}

const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];

/** A module with one exported memory ("memory", `pages` × 64 KiB to start) and the given exported functions. */
export function emitModule(funcs: FuncDef[], pages: number): Uint8Array {
  const types = funcs.map((f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec(f.results.map((t) => [t]))]);
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(types)),
    ...section(3, vec(funcs.map((_, i) => uleb(i)))),
    ...section(5, vec([[0x00, ...uleb(pages)]])),
    ...section(7, vec([[...name('memory'), 0x02, 0x00], ...funcs.map((f, i) => [...name(f.name), 0x00, ...uleb(i)])])),
    ...section(10, vec(funcs.map((f) => f.code.encode()))),
  ];
  return new Uint8Array(bytes);
}

/** Opcodes used by the kernels (scalar ones as bytes, SIMD ones after the 0xFD prefix). */
export const OP = {
  block: 0x02,
  loop: 0x03,
  end: 0x0b,
  br: 0x0c,
  br_if: 0x0d,
  void: 0x40,
  f32_load: 0x2a,
  f64_load: 0x2b,
  f32_store: 0x38,
  f64_store: 0x39,
  i32_eqz: 0x45,
  i32_ne: 0x47,
  i32_lt_u: 0x49,
  i32_add: 0x6a,
  i32_mul: 0x6c,
  f32_add: 0x92,
  f64_add: 0xa0,
} as const;

export const SIMD = {
  v128_load: 0x00,
  v128_load32_splat: 0x09,
  v128_load64_splat: 0x0a,
  v128_store: 0x0b,
  f32x4_extract_lane: 0x1f,
  f64x2_extract_lane: 0x21,
  v128_and: 0x4e,
  v128_or: 0x50,
  i32x4_shl: 0xab,
  i32x4_add: 0xae,
  i64x2_shl: 0xcb,
  i64x2_add: 0xce,
  f32x4_abs: 0xe0,
  f32x4_add: 0xe4,
  f32x4_sub: 0xe5,
  f32x4_mul: 0xe6,
  f32x4_div: 0xe7,
  f32x4_pmin: 0xea,
  f64x2_abs: 0xec,
  f64x2_add: 0xf0,
  f64x2_sub: 0xf1,
  f64x2_mul: 0xf2,
  f64x2_div: 0xf3,
  f64x2_pmin: 0xf6,
} as const;

/** The part of the WebAssembly JavaScript API the kernels use (the project's typings have no DOM lib). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
export type WasmModule = { readonly __wasmModule: unique symbol };
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule) => WasmInstance;
}

/** Compiles a module synchronously, or returns null where WebAssembly or the features it uses (SIMD) are missing. */
export function compileOrNull(bytes: Uint8Array): WasmModule | null {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  try {
    if (!api || !api.validate(bytes)) return null;
    return new api.Module(bytes);
  } catch {
    return null;
  }
}

export function instantiate(mod: WasmModule): { memory: WasmMemory; exports: Record<string, unknown> } {
  const api = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  const inst = new api.Instance(mod);
  return { memory: inst.exports.memory as WasmMemory, exports: inst.exports };
}
