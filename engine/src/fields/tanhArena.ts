/**
 * Float64 work buffers that live in a WebAssembly memory, with tanh applied in place by the
 * SIMD tanh of the kernels (simdTanh.ts: within 4e-16 of Math.tanh, several times faster).
 * Tanh MLP fields keep their hidden activations here, so the plain loop and the VJP's
 * recomputation do not pay for Math.tanh per unit. Null where WebAssembly SIMD is missing.
 */
import { emitTanh, F64X2, tanhLocals } from '../kernels/simdTanh';
import { Code, compileOrNull, emitModule, I32, instantiate, OP, SIMD, type WasmMemory, type WasmModule } from '../kernels/wasmModule';

/** tanh(ptr, nVectors): in place over nVectors f64x2 vectors at ptr. */
function moduleBytes(): Uint8Array {
  const [ptr, n] = [0, 1];
  const code = new Code(2);
  const t = tanhLocals(code);
  code.op(OP.block, OP.void).get(n).op(OP.i32_eqz, OP.br_if, 0);
  code.op(OP.loop, OP.void);
  code.get(ptr).get(ptr).simd(SIMD.v128_load, ...Code.memarg(4, 0));
  emitTanh(code, F64X2, t);
  code.simd(SIMD.v128_store, ...Code.memarg(4, 0));
  code.get(ptr).i32(16).op(OP.i32_add).set(ptr);
  code.get(n).i32(-1).op(OP.i32_add).tee(n).op(OP.br_if, 0);
  code.op(OP.end, OP.end);
  return emitModule([{ name: 'tanh', params: [I32, I32], results: [], code }], 1);
}

let compiled: WasmModule | null | undefined;

export class TanhArena {
  private readonly memory: WasmMemory;
  private readonly run: (ptr: number, nVectors: number) => void;
  private offsets: number[] = [];

  private constructor(mod: WasmModule) {
    const inst = instantiate(mod);
    this.memory = inst.memory;
    this.run = inst.exports.tanh as (ptr: number, nVectors: number) => void;
  }

  static create(): TanhArena | null {
    if (compiled === undefined) compiled = compileOrNull(moduleBytes());
    return compiled ? new TanhArena(compiled) : null;
  }

  /**
   * Buffers of the given lengths (each padded to whole vectors). Views made before are
   * invalid afterwards: the memory may have grown.
   */
  allocate(lengths: readonly number[]): Float64Array[] {
    const padded = lengths.map((n) => n + (n % 2));
    const total = padded.reduce((s, n) => s + n, 0) * 8;
    const have = this.memory.buffer.byteLength;
    if (total > have) this.memory.grow(Math.ceil((total - have) / 65536));
    let at = 0;
    this.offsets = [];
    return lengths.map((n, i) => {
      const view = new Float64Array(this.memory.buffer, at, n);
      this.offsets.push(at);
      at += padded[i] * 8;
      return view;
    });
  }

  /** tanh in place on the first n values of buffer i. */
  tanh(i: number, n: number): void {
    this.run(this.offsets[i], Math.ceil(n / 2));
  }
}
