/**
 * Runs a Program on float64 arrays: forward, and the reverse sweep for the VJP. Every value and
 * every cotangent has one buffer, allocated once in the arena's WebAssembly memory (where the
 * SIMD kernels reach it); y and θ are copied in at each call (a few kilobytes). A cotangent
 * buffer exists only for values that depend on y or a parameter.
 */
import { Arena } from '../../kernels/arena';
import { elementwiseStep, isElementwise, type Accelerated } from './elementwise';
import { layoutStep, LAYOUT_KERNELS } from './layout';
import { fusedMatMulStep, matMulStep } from './matmul';
import type { Program } from './program';
import { NotTraceable } from './notTraceable';
import type { Step, StepSpec } from './step';

function stepOf(spec: StepSpec, fast: Accelerated): Step {
  if (isElementwise(spec.kernel)) return elementwiseStep(spec, fast);
  if (LAYOUT_KERNELS.has(spec.kernel)) return layoutStep(spec);
  if (spec.kernel === 'BatchMatMul') return matMulStep(spec, fast);
  if (spec.kernel === '_FusedMatMul') return fusedMatMulStep(spec, fast);
  if (spec.kernel === 'AddN') return addN;
  throw new NotTraceable(`it uses the operation '${spec.kernel}', which the engine does not compile yet`);
}

const RESHAPES = new Set(['Reshape', 'ExpandDims', 'Squeeze']);

const addN: Step = {
  forward: (ins, outs) => {
    const y = outs[0];
    y.set(ins[0]);
    for (const x of ins.slice(1)) for (let i = 0; i < y.length; i++) y[i] += x[i];
  },
  backward: (_ins, _outs, gOuts, grads) => {
    for (const gx of grads) if (gx) for (let i = 0; i < gx.length; i++) gx[i] += gOuts[0][i];
  },
};

/**
 * The most a tape record of one evaluation is worth keeping: copying the values out and back in
 * costs about what recomputing them does beyond this (measured at 1024×256 on 2 cores).
 */
export const KEEP_LIMIT_BYTES = 2 ** 21;

export class Replay {
  private readonly steps: Step[];
  /** Each value's buffer: y's and θ's are copies, the computed ones are written by their op. */
  private readonly buffers: Float64Array[];
  /** Cotangent buffers, null for values that depend on neither y nor θ. */
  private readonly grads: (Float64Array | null)[];
  private readonly timed: number[];
  /** The values computed by ops (what a tape record keeps). */
  private readonly computed: number[];
  /** Ops with nothing to do: reshapes, whose output shares its input's buffers. */
  private readonly skipped: Set<number>;

  /** `simd: false` runs every kernel in JavaScript (as where WebAssembly SIMD is missing). */
  constructor(
    readonly program: Program,
    { simd = true } = {},
  ) {
    const { values } = program;
    const live = values.map((v) => v.from === 'y' || typeof v.from === 'object');
    for (const op of program.ops) if (op.inputIds.some((i) => live[i])) op.outputIds.forEach((o) => (live[o] = true));
    // A reshape's output is its input seen with another shape: the same buffers, and no step.
    const root = values.map((_, i) => i);
    const views = new Set<number>();
    program.ops.forEach((op, k) => {
      if (!RESHAPES.has(op.kernel)) return;
      root[op.outputIds[0]] = root[op.inputIds[0]];
      views.add(k);
    });
    const arena = simd ? Arena.create() : null;
    const own = (i: number) => root[i] === i;
    const sizes = [...values.map((v, i) => (own(i) ? v.size : 0)), ...values.map((v, i) => (live[i] && own(i) ? v.size : 0))];
    // and room for the largest right-hand matrix of a product, which a product may transpose there
    const products = program.ops.filter((op) => op.kernel === 'BatchMatMul' || op.kernel === '_FusedMatMul');
    const scratch = Math.max(0, ...products.map((op) => values[op.inputIds[1]].size));
    const all = arena?.allocate([...sizes, scratch]) ?? sizes.map((n) => new Float64Array(n));
    this.buffers = values.map((_, i) => all[root[i]]);
    this.grads = values.map((_, i) => (live[i] ? all[values.length + root[i]] : null));
    values.forEach((v, i) => v.base && this.buffers[i].set(v.base));
    this.computed = values.flatMap((v, i) => (v.from === 'op' && own(i) ? [i] : []));
    this.skipped = views;
    this.timed = values.flatMap((v, i) => (v.slope ? [i] : []));
    const fast: Accelerated = arena ? { arena, scratch: all[all.length - 1] } : {};
    this.steps = program.ops.map((op) => stepOf(op, fast));
  }

  get size(): number {
    return this.program.ops.length;
  }

  /** Bytes of the values one forward pass computes (what keep() copies). */
  get keptBytes(): number {
    return this.computed.reduce((s, i) => s + this.buffers[i].byteLength, 0);
  }

  /** y, θ and the constants that move with t, where the steps read them. */
  private bind(t: number, y: Float64Array, params: readonly Float64Array[]): void {
    const { values } = this.program;
    const b = this.buffers;
    values.forEach((v, i) => {
      if (v.from === 'y') b[i].set(y);
      else if (typeof v.from === 'object') b[i].set(params[v.from.param]);
    });
    for (const i of this.timed) {
      const { base, slope } = values[i];
      for (let k = 0; k < base!.length; k++) b[i][k] = base![k] + slope![k] * t;
    }
  }

  /** f(t, y) into the output's buffer (read it before the next call), the parameters as given. */
  forward(t: number, y: Float64Array, params: readonly Float64Array[]): Float64Array {
    this.bind(t, y, params);
    const b = this.buffers;
    this.program.ops.forEach((op, k) => this.skipped.has(k) || this.steps[k].forward(op.inputIds.map((i) => b[i]), op.outputIds.map((i) => b[i])));
    return b[this.program.output];
  }

  /** Copies of what the last forward pass computed: given to vjp at the same (t, y, θ), it skips that pass. */
  keep(): Float64Array[] {
    return this.computed.map((i) => Float64Array.from(this.buffers[i]));
  }

  /**
   * aᵀ∂f/∂y and aᵀ∂f/∂θ (one array per parameter, in the variables' own layout), in buffers the
   * next call reuses; from `kept` (keep() after a forward pass at this t, y and θ) if given.
   */
  vjp(t: number, y: Float64Array, a: Float64Array, params: readonly Float64Array[], kept?: readonly Float64Array[]): { y: Float64Array; params: Float64Array[] } {
    if (kept) {
      this.bind(t, y, params);
      this.computed.forEach((i, k) => this.buffers[i].set(kept[k]));
    } else {
      this.forward(t, y, params);
    }
    return this.backward(a, params.length);
  }

  private backward(a: Float64Array, nParams: number): { y: Float64Array; params: Float64Array[] } {
    const { values, ops, output } = this.program;
    const g = this.grads;
    g.forEach((x) => x?.fill(0));
    g[output]?.set(a);
    for (let k = ops.length - 1; k >= 0; k--) {
      const op = ops[k];
      if (this.skipped.has(k) || op.outputIds.every((i) => g[i] === null)) continue;
      const b = this.buffers;
      this.steps[k].backward(op.inputIds.map((i) => b[i]), op.outputIds.map((i) => b[i]), op.outputIds.map((i) => g[i]!), op.inputIds.map((i) => g[i]));
    }
    const gy = values.findIndex((v) => v.from === 'y');
    const gParams = new Array<Float64Array>(nParams);
    values.forEach((v, i) => {
      if (typeof v.from === 'object') gParams[v.from.param] = g[i]!;
    });
    return { y: g[gy]!, params: gParams };
  }
}

