/**
 * matMul (BatchMatMul) and the fused matMul + bias + activation of tf.layers' Dense
 * (_FusedMatMul), batched over leading dimensions (a batch of one broadcast). The product's VJP
 * is two more products: dA = G·op(B)ᵀ and dB = op(A)ᵀ·G, written straight into A's and B's
 * storage order, so no transpose is ever materialised.
 */
import { broadcastIndex, fusedActivation, loopOver, type Accelerated } from './elementwise';
import { NotTraceable } from './notTraceable';
import { generated, sizeOf, type Step, type StepSpec } from './step';

type Gemm = (A: Float64Array, aOff: number, B: Float64Array, bOff: number, C: Float64Array, cOff: number) => void;
const gemms = new Map<string, Gemm>();

/**
 * C[M,N] += op(A)·op(B), where A is stored [M,K] (tA: [K,M]) from aOff and B [K,N] (tB: [N,K])
 * from bOff: a loop generated for these sizes (constant bounds, short inner sums unrolled), its
 * innermost reads contiguous.
 */
export function gemmJs(
  A: Float64Array, aOff: number, tA: boolean,
  B: Float64Array, bOff: number, tB: boolean,
  C: Float64Array, cOff: number, M: number, K: number, N: number,
): void {
  const key = `${M},${K},${N},${tA},${tB}`;
  let kernel = gemms.get(key);
  if (!kernel) gemms.set(key, (kernel = gemmKernel(M, K, N, tA, tB)));
  kernel(A, aOff, B, bOff, C, cOff);
}

function gemmKernel(M: number, K: number, N: number, tA: boolean, tB: boolean): Gemm {
  const aAt = (p: string) => (tA ? `a + (${p}) * ${M}` : `a + ${p}`); // A(i, p), with a where A(i, 0) is
  const rowA = tA ? 'aOff + i' : `aOff + i * ${K}`;
  let body: string;
  if (tB || (N === 1 && !tA)) {
    // C[i,j] += Σ_p A(i,p)·B(p,j), a dot product along B's row j (tB) or its column j
    const bAt = (p: string) => (tB ? `b + ${p}` : `b + (${p}) * ${N}`);
    const bRow = tB ? `bOff + j * ${K}` : 'bOff + j';
    const sum = K <= 8 ? [...Array(K).keys()].map((p) => `A[${aAt(String(p))}] * B[${bAt(String(p))}]`).join(' + ') : null;
    body = `for (let i = 0; i < ${M}; i++) { const a = ${rowA}, c = cOff + i * ${N};
      for (let j = 0; j < ${N}; j++) { const b = ${bRow};
        ${sum ? `C[c + j] += ${sum};` : `let s = 0; for (let p = 0; p < ${K}; p++) s += A[${aAt('p')}] * B[${bAt('p')}]; C[c + j] += s;`} } }`;
  } else if (tA && N <= 4) {
    // A stored [K,M]: for each p, its row A[p,:] read in order, B's row p held in locals
    const js = [...Array(N).keys()];
    body = `for (let p = 0; p < ${K}; p++) { const a = aOff + p * ${M}, b = bOff + p * ${N};
      ${js.map((j) => `const b${j} = B[b + ${j}];`).join(' ')}
      for (let i = 0; i < ${M}; i++) { const av = A[a + i], c = cOff + i * ${N}; ${js.map((j) => `C[c + ${j}] += av * b${j};`).join(' ')} } }`;
  } else if (tA) {
    // A stored [K,M]: for each p, its row A[p,:] and B's row p, both read in order
    body = `for (let p = 0; p < ${K}; p++) { const a = aOff + p * ${M}, b = bOff + p * ${N};
      for (let i = 0; i < ${M}; i++) { const av = A[a + i], c = cOff + i * ${N};
        for (let j = 0; j < ${N}; j++) C[c + j] += av * B[b + j]; } }`;
  } else if (K <= 4) {
    // rows of B scaled by A(i,p) and summed, all K at once
    const ps = [...Array(K).keys()];
    body = `for (let i = 0; i < ${M}; i++) { const a = ${rowA}, c = cOff + i * ${N};
      ${ps.map((p) => `const a${p} = A[${aAt(String(p))}];`).join(' ')}
      for (let j = 0; j < ${N}; j++) C[c + j] += ${ps.map((p) => `a${p} * B[bOff + ${p * N} + j]`).join(' + ')}; }`;
  } else {
    body = `for (let i = 0; i < ${M}; i++) { const a = ${rowA}, c = cOff + i * ${N};
      for (let p = 0; p < ${K}; p++) { const av = A[${aAt('p')}], b = bOff + p * ${N};
        for (let j = 0; j < ${N}; j++) C[c + j] += av * B[b + j]; } }`;
  }
  return generated(['A', 'aOff', 'B', 'bOff', 'C', 'cOff'], body) as Gemm;
}

interface MatMulShape {
  batch: number;
  aBatch: number;
  bBatch: number;
  M: number;
  K: number;
  N: number;
  tA: boolean;
  tB: boolean;
}

function matMulShape(spec: StepSpec): MatMulShape {
  const [a, b] = spec.inputs;
  const out = spec.outputs[0];
  const tA = spec.attrs.transposeA === true;
  const tB = spec.attrs.transposeB === true;
  const r = out.length;
  const batch = sizeOf(out.slice(0, -2));
  const aBatch = sizeOf(a.slice(0, -2));
  const bBatch = sizeOf(b.slice(0, -2));
  if ((aBatch !== 1 && aBatch !== batch) || (bBatch !== 1 && bBatch !== batch)) throw new NotTraceable('it multiplies batches of matrices that broadcast in part');
  return { batch, aBatch, bBatch, M: out[r - 2], N: out[r - 1], K: tA ? a[a.length - 2] : a[a.length - 1], tA, tB };
}

/** gemm on the arena's SIMD kernels where the buffers and sizes allow (see arena.ts), else in JavaScript. */
const gemmWith =
  ({ arena, scratch }: Accelerated): typeof gemmJs =>
  (A, aOff, tA, B, bOff, tB, C, cOff, M, K, N) => {
    if (!arena || !arena.holds(A) || !arena.holds(B) || !arena.holds(C)) return gemmJs(A, aOff, tA, B, bOff, tB, C, cOff, M, K, N);
    if (tB && K > 1 && K <= 4 && N % 2 === 0 && scratch && scratch.length >= K * N) {
      // B stored [N, K] with a short K: its transpose [K, N] in the scratch buffer, for whole-row SIMD
      for (let j = 0; j < N; j++) for (let p = 0; p < K; p++) scratch[p * N + j] = B[bOff + j * K + p];
      [B, bOff, tB] = [scratch, 0, false];
    }
    const [a, b, c] = [A.byteOffset + 8 * aOff, B.byteOffset + 8 * bOff, C.byteOffset + 8 * cOff];
    // B stored [N, 1] is B stored [1, N]: one row, read either way
    if ((!tB || K === 1) && N === 2) arena.pairs(c, a, b, M, K, tA ? 1 : K, tA ? M : 1);
    else if ((!tB || K === 1) && N % 2 === 0) arena.rows(c, a, b, M, K, N, tA ? 1 : K, tA ? M : 1);
    else if (!tA && (tB || N === 1) && K % 2 === 0) arena.dots(c, a, b, M, K, N);
    else if (tA && N === 1 && M % 2 === 0) arena.rows(c, b, a, 1, K, M, 0, 1); // C[i] += Σ_p B[p]·A[p,i]
    else gemmJs(A, aOff, tA, B, bOff, tB, C, cOff, M, K, N);
  };

/** C = op(A)·op(B) for every batch, into C (cleared first). */
function product(s: MatMulShape, A: Float64Array, B: Float64Array, C: Float64Array, gemm: typeof gemmJs): void {
  const { M, K, N } = s;
  C.fill(0);
  for (let k = 0; k < s.batch; k++) {
    gemm(A, (s.aBatch === 1 ? 0 : k) * M * K, s.tA, B, (s.bBatch === 1 ? 0 : k) * K * N, s.tB, C, k * M * N, M, K, N);
  }
}

/** Adds dA and dB for the cotangent G of C = op(A)·op(B). */
function productVjp(s: MatMulShape, A: Float64Array, B: Float64Array, G: Float64Array, dA: Float64Array | null, dB: Float64Array | null, gemm: typeof gemmJs): void {
  const { M, K, N, tA, tB } = s;
  for (let k = 0; k < s.batch; k++) {
    const aOff = (s.aBatch === 1 ? 0 : k) * M * K;
    const bOff = (s.bBatch === 1 ? 0 : k) * K * N;
    const g = k * M * N;
    // dA[M,K] = G·op(B)ᵀ, or stored [K,M] (tA): op(B)·Gᵀ
    if (dA && tA) gemm(B, bOff, tB, G, g, true, dA, aOff, K, N, M);
    else if (dA) gemm(G, g, false, B, bOff, !tB, dA, aOff, M, N, K);
    // dB[K,N] = op(A)ᵀ·G, or stored [N,K] (tB): Gᵀ·op(A)
    if (dB && tB) gemm(G, g, true, A, aOff, tA, dB, bOff, N, M, K);
    else if (dB) gemm(A, aOff, !tA, G, g, false, dB, bOff, K, M, N);
  }
}

export function matMulStep(spec: StepSpec, fast: Accelerated = {}): Step {
  const s = matMulShape(spec);
  const gemm = gemmWith(fast);
  return {
    forward: (ins, outs) => product(s, ins[0], ins[1], outs[0], gemm),
    backward: (ins, _outs, gOuts, grads) => productVjp(s, ins[0], ins[1], gOuts[0], grads[0], grads[1], gemm),
  };
}

/** tf.layers' Dense: act(op(A)·op(B) + bias), the activation's derivative read from the output. */
export function fusedMatMulStep(spec: StepSpec, fast: Accelerated = {}): Step {
  if (spec.names.includes('preluActivationWeights')) throw new NotTraceable("a fused matMul applies 'prelu'");
  const s = matMulShape(spec);
  const out = spec.outputs[0];
  const n = sizeOf(out);
  const biasAt = spec.names.indexOf('bias');
  const bias = biasAt >= 0 ? broadcastIndex(spec.inputs[biasAt], out) : null;
  const [value, derivative] = fusedActivation(spec.attrs.activation, spec.attrs.leakyreluAlpha);
  const at = bias?.expr.replace('m', 'mb') ?? '0';
  const finish = generated(['z', 'b', 'mb'], loopOver(n, bias?.inner, `const v = z[i]${bias ? ` + b[${at}]` : ''}; z[i] = ${value};`));
  // the cotangent through the activation, in place: the output's cotangent is not read again
  const gradZ = generated(['z', 'g'], `for (let i = 0; i < ${n}; i++) { const w = z[i]; g[i] *= ${derivative}; }`);
  const gradBias = generated(['gz', 'gb', 'mb'], loopOver(n, bias?.inner, `gb[${at}] += gz[i];`));
  const gemm = gemmWith(fast);
  // A linear Dense layer's bias on the arena's SIMD kernels (rows of even length), in place.
  const { arena } = fast;
  const simdBias = arena && bias?.inner !== undefined && bias.inner % 2 === 0 && (spec.attrs.activation ?? 'linear') === 'linear' ? bias.inner : 0;
  const p8 = (x: Float64Array) => x.byteOffset;
  return {
    forward: (ins, outs) => {
      product(s, ins[0], ins[1], outs[0], gemm);
      const [z, b] = [outs[0], ins[biasAt]];
      if (simdBias && arena!.holds(z) && arena!.holds(b)) arena!.addRows(p8(z), p8(z), p8(b), n / simdBias, simdBias);
      else finish(z, bias ? b : null, bias?.map);
    },
    backward: (ins, outs, gOuts, grads) => {
      const gz = gOuts[0];
      const gb = bias ? grads[biasAt] : null;
      if (simdBias && arena!.holds(gz) && (!gb || arena!.holds(gb))) {
        if (gb) arena!.accRows(p8(gb), p8(gz), n / simdBias, simdBias);
      } else {
        gradZ(outs[0], gz);
        if (gb) gradBias(gz, gb, bias!.map);
      }
      productVjp(s, ins[0], ins[1], gz, grads[0], grads[1], gemm);
    },
  };
}
