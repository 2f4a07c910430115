/**
 * Float64 work buffers in one WebAssembly memory, and f64x2 SIMD kernels that run on them in
 * place: tanh (simdTanh.ts: within 4e-16 of Math.tanh, several times faster), matrix products in
 * three loop orders, adds and sums. A compiled field keeps all its buffers here, and a tanh
 * mlpField its hidden activations. Null where WebAssembly SIMD is missing; callers then run in
 * JavaScript.
 *
 *   rows(C, A, B, M, K, N, aRow, aCol): C[i,:] += Σ_p A[i·aRow + p·aCol] · B[p,:]   (N even)
 *   dots(C, A, B, M, K, N):             C[i,j] += Σ_p A[i,p] · B[j,p]              (K even)
 *   pairs(C, A, B, M, K, aRow, aCol):   C[i,0:2] += Σ_p A[i·aRow + p·aCol] · B[p,0:2] (N = 2, the sum held in a register)
 *   add(Z, X, Y, n):  Z = X + Y          addRows(Z, X, B, rows, n): Z[r,:] = X[r,:] + B   (n even)
 *   acc(G, X, n):     G += X             accRows(G, X, rows, n):    G += Σ_r X[r,:]       (n even)
 *   tanhGrad(G, D, W, n): G += D·(1 − W²)   (the VJP of w = tanh(v))
 *
 * Pointers are byte offsets; the strides of `rows` let A be read transposed. Element counts n
 * of add, acc and tanhGrad may be odd: buffers are padded to whole vectors.
 */
import { emitTanh, F64X2, tanhLocals } from './simdTanh';
import { Code, compileOrNull, emitModule, I32, instantiate, OP, SIMD, type WasmMemory, type WasmModule } from './wasmModule';

const F64X2_SPLAT = 0x14;
const I32_SUB = 0x6b;
const I32_SHL = 0x74;

/** A counted loop: `body`, then `counter` -= 1 until it is 0 (skipped when it starts at 0). */
function repeat(code: Code, counter: number, body: () => void): void {
  code.op(OP.block, OP.void).get(counter).op(OP.i32_eqz, OP.br_if, 0);
  code.op(OP.loop, OP.void);
  body();
  code.get(counter).i32(1).op(I32_SUB).tee(counter).op(OP.br_if, 0);
  code.op(OP.end, OP.end);
}

const add = (code: Code, local: number, bytes: number | (() => void)) => {
  code.get(local);
  if (typeof bytes === 'number') code.i32(bytes);
  else bytes();
  code.op(OP.i32_add).set(local);
};

function tanhCode(): Code {
  const [ptr, n] = [0, 1];
  const code = new Code(2);
  const t = tanhLocals(code);
  repeat(code, n, () => {
    code.get(ptr).get(ptr).simd(SIMD.v128_load, ...Code.memarg(4, 0));
    emitTanh(code, F64X2, t);
    code.simd(SIMD.v128_store, ...Code.memarg(4, 0));
    add(code, ptr, 16);
  });
  return code;
}

function rowsCode(): Code {
  const [C, A, B, M, K, N, aRow, aCol] = [0, 1, 2, 3, 4, 5, 6, 7];
  const code = new Code(8);
  const [ap, bp, cp, p, j, a, rowBytes] = [I32, I32, I32, I32, I32, 0x7b, I32].map((t) => code.local(t as typeof I32));
  code.get(N).i32(3).op(I32_SHL).set(rowBytes);
  code.get(aRow).i32(3).op(I32_SHL).set(aRow);
  code.get(aCol).i32(3).op(I32_SHL).set(aCol);
  repeat(code, M, () => {
    code.get(A).set(ap);
    code.get(B).set(bp);
    code.get(K).set(p);
    repeat(code, p, () => {
      code.get(ap).op(OP.f64_load, ...Code.memarg(3, 0)).simd(F64X2_SPLAT).set(a);
      code.get(C).set(cp);
      code.get(N).i32(1).op(0x76 /* i32.shr_u */).set(j);
      repeat(code, j, () => {
        code.get(cp).get(cp).simd(SIMD.v128_load, ...Code.memarg(3, 0));
        code.get(a).get(bp).simd(SIMD.v128_load, ...Code.memarg(3, 0)).simd(SIMD.f64x2_mul).simd(SIMD.f64x2_add);
        code.simd(SIMD.v128_store, ...Code.memarg(3, 0));
        add(code, cp, 16);
        add(code, bp, 16);
      });
      add(code, ap, () => code.get(aCol));
    });
    add(code, C, () => code.get(rowBytes));
    add(code, A, () => code.get(aRow));
  });
  return code;
}

function pairsCode(): Code {
  const [C, A, B, M, K, aRow, aCol] = [0, 1, 2, 3, 4, 5, 6];
  const code = new Code(7);
  const [ap, bp, p, acc] = [I32, I32, I32, 0x7b].map((t) => code.local(t as typeof I32));
  code.get(aRow).i32(3).op(I32_SHL).set(aRow);
  code.get(aCol).i32(3).op(I32_SHL).set(aCol);
  repeat(code, M, () => {
    code.get(A).set(ap);
    code.get(B).set(bp);
    code.get(C).simd(SIMD.v128_load, ...Code.memarg(3, 0)).set(acc);
    code.get(K).set(p);
    repeat(code, p, () => {
      code.get(acc).get(ap).simd(SIMD.v128_load64_splat, ...Code.memarg(3, 0)).get(bp).simd(SIMD.v128_load, ...Code.memarg(3, 0));
      code.simd(SIMD.f64x2_mul).simd(SIMD.f64x2_add).set(acc);
      add(code, ap, () => code.get(aCol));
      add(code, bp, 16);
    });
    code.get(C).get(acc).simd(SIMD.v128_store, ...Code.memarg(3, 0));
    add(code, C, 16);
    add(code, A, () => code.get(aRow));
  });
  return code;
}

function dotsCode(): Code {
  const [C, A, B, M, K, N] = [0, 1, 2, 3, 4, 5];
  const code = new Code(6);
  const [ap, bp, bRow, j, p, acc, rowBytes] = [I32, I32, I32, I32, I32, 0x7b, I32].map((t) => code.local(t as typeof I32));
  code.get(K).i32(3).op(I32_SHL).set(rowBytes);
  repeat(code, M, () => {
    code.get(B).set(bRow);
    code.get(N).set(j);
    repeat(code, j, () => {
      code.get(A).set(ap);
      code.get(bRow).set(bp);
      code.f64(0).simd(F64X2_SPLAT).set(acc);
      code.get(K).i32(1).op(0x76).set(p);
      repeat(code, p, () => {
        code.get(acc).get(ap).simd(SIMD.v128_load, ...Code.memarg(3, 0)).get(bp).simd(SIMD.v128_load, ...Code.memarg(3, 0));
        code.simd(SIMD.f64x2_mul).simd(SIMD.f64x2_add).set(acc);
        add(code, ap, 16);
        add(code, bp, 16);
      });
      // C[i,j] += both lanes
      code.get(C).get(C).op(OP.f64_load, ...Code.memarg(3, 0));
      code.get(acc).simd(SIMD.f64x2_extract_lane, 0).get(acc).simd(SIMD.f64x2_extract_lane, 1).op(OP.f64_add).op(OP.f64_add);
      code.op(OP.f64_store, ...Code.memarg(3, 0));
      add(code, C, 8);
      add(code, bRow, () => code.get(rowBytes));
    });
    add(code, A, () => code.get(rowBytes));
  });
  return code;
}

const load = (code: Code, ptr: number) => code.get(ptr).simd(SIMD.v128_load, ...Code.memarg(3, 0));

/**
 * A loop over ceil(n/2) vectors: `body` leaves the vector to store at the first pointer, and
 * every pointer moves on 16 bytes. Params are the pointers, then n.
 */
function vectorLoop(pointers: number, body: (code: Code, ptrs: number[]) => void): Code {
  const code = new Code(pointers + 1);
  const ptrs = [...Array(pointers).keys()];
  const n = pointers;
  code.get(n).i32(1).op(OP.i32_add).i32(1).op(0x76).set(n);
  repeat(code, n, () => {
    code.get(ptrs[0]);
    body(code, ptrs);
    code.simd(SIMD.v128_store, ...Code.memarg(3, 0));
    for (const p of ptrs) add(code, p, 16);
  });
  return code;
}

/** Over rows of n (even) values: `body` per vector, with the row pointer r and the row vector pointer b, which restarts each row. */
function rowLoop(body: (code: Code, z: number, x: number, b: number) => void, accumulate: boolean): Code {
  // (Z, X, B, rows, n): Z[r,:] = X[r,:] + B (addRows), or (G, X, rows, n): G += Σ_r X[r,:] (accRows)
  const nParams = accumulate ? 4 : 5;
  const code = new Code(nParams);
  const [Z, X] = [0, 1];
  const B = accumulate ? 0 : 2;
  const rows = nParams - 2;
  const n = nParams - 1;
  const [j, bp, zp] = [code.local(I32), code.local(I32), code.local(I32)];
  repeat(code, rows, () => {
    code.get(B).set(bp);
    code.get(Z).set(zp);
    code.get(n).i32(1).op(0x76).set(j);
    repeat(code, j, () => {
      body(code, zp, X, bp);
      add(code, X, 16);
      add(code, bp, 16);
      if (!accumulate) add(code, zp, 16);
    });
    if (!accumulate) code.get(zp).set(Z);
  });
  return code;
}

let compiled: WasmModule | null | undefined;

export class Arena {
  private readonly memory: WasmMemory;
  private readonly tanhFn: (ptr: number, nVectors: number) => void;
  readonly rows: (C: number, A: number, B: number, M: number, K: number, N: number, aRow: number, aCol: number) => void;
  readonly dots: (C: number, A: number, B: number, M: number, K: number, N: number) => void;
  readonly pairs: (C: number, A: number, B: number, M: number, K: number, aRow: number, aCol: number) => void;
  readonly add: (Z: number, X: number, Y: number, n: number) => void;
  readonly addRows: (Z: number, X: number, B: number, rows: number, n: number) => void;
  readonly acc: (G: number, X: number, n: number) => void;
  readonly accRows: (G: number, X: number, rows: number, n: number) => void;
  readonly tanhGrad: (G: number, D: number, W: number, n: number) => void;

  private constructor(mod: WasmModule) {
    const inst = instantiate(mod);
    this.memory = inst.memory;
    this.tanhFn = inst.exports.tanh as Arena['tanhFn'];
    this.rows = inst.exports.rows as Arena['rows'];
    this.dots = inst.exports.dots as Arena['dots'];
    this.pairs = inst.exports.pairs as Arena['pairs'];
    this.add = inst.exports.add as Arena['add'];
    this.addRows = inst.exports.addRows as Arena['addRows'];
    this.acc = inst.exports.acc as Arena['acc'];
    this.accRows = inst.exports.accRows as Arena['accRows'];
    this.tanhGrad = inst.exports.tanhGrad as Arena['tanhGrad'];
  }

  static create(): Arena | null {
    if (compiled === undefined) {
      const i = Array<typeof I32>(8).fill(I32);
      compiled = compileOrNull(
        emitModule(
          [
            { name: 'tanh', params: [I32, I32], results: [], code: tanhCode() },
            { name: 'rows', params: i, results: [], code: rowsCode() },
            { name: 'dots', params: i.slice(0, 6), results: [], code: dotsCode() },
            { name: 'pairs', params: i.slice(0, 7), results: [], code: pairsCode() },
            { name: 'add', params: i.slice(0, 4), results: [], code: vectorLoop(3, (c, [, x, y]) => load(load(c, x), y).simd(SIMD.f64x2_add)) },
            { name: 'acc', params: i.slice(0, 3), results: [], code: vectorLoop(2, (c, [g, x]) => load(load(c, g), x).simd(SIMD.f64x2_add)) },
            {
              name: 'tanhGrad',
              params: i.slice(0, 4),
              results: [],
              // g + d·(1 − w·w)
              code: vectorLoop(3, (c, [g, d, w]) => {
                load(c, g);
                load(c, d).f64(1).simd(F64X2_SPLAT);
                load(load(c, w), w).simd(SIMD.f64x2_mul).simd(SIMD.f64x2_sub).simd(SIMD.f64x2_mul).simd(SIMD.f64x2_add);
              }),
            },
            {
              name: 'addRows',
              params: i.slice(0, 5),
              results: [],
              code: rowLoop((c, z, x, b) => {
                c.get(z);
                load(load(c, x), b).simd(SIMD.f64x2_add).simd(SIMD.v128_store, ...Code.memarg(3, 0));
              }, false),
            },
            {
              name: 'accRows',
              params: i.slice(0, 4),
              results: [],
              // the accumulator row is the "b" pointer here: G[:] += X[r,:]
              code: rowLoop((c, _z, x, b) => {
                c.get(b);
                load(load(c, b), x).simd(SIMD.f64x2_add).simd(SIMD.v128_store, ...Code.memarg(3, 0));
              }, true),
            },
          ],
          1,
        ),
      );
    }
    return compiled ? new Arena(compiled) : null;
  }

  /**
   * Buffers of the given lengths, each 16-byte aligned and padded to whole vectors. Views made
   * before are invalid afterwards: the memory may have grown, and the buffers start over at 0.
   */
  allocate(lengths: readonly number[]): Float64Array[] {
    const padded = lengths.map((n) => n + (n % 2));
    const total = padded.reduce((s, n) => s + n, 0) * 8;
    const have = this.memory.buffer.byteLength;
    if (total > have) this.memory.grow(Math.ceil((total - have) / 65536));
    let at = 0;
    return lengths.map((n, i) => {
      const view = new Float64Array(this.memory.buffer, at, n);
      at += padded[i] * 8;
      return view;
    });
  }

  /** Whether x lives in this memory. */
  holds(x: Float64Array): boolean {
    return x.buffer === this.memory.buffer;
  }

  /** tanh in place on a view from allocate() (its padding included). */
  tanh(view: Float64Array): void {
    this.tanhFn(view.byteOffset, Math.ceil(view.length / 2));
  }
}
