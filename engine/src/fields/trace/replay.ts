/**
 * Runs a Program on float64 arrays: forward, and the reverse sweep for the VJP. Every value has
 * one buffer, allocated once; y and the parameters are read where they are (no copies), and a
 * cotangent buffer exists only for values that depend on y or a parameter.
 */
import { TanhArena } from '../tanhArena';
import { elementwiseStep, isElementwise, type Accelerated } from './elementwise';
import { layoutStep, LAYOUT_KERNELS } from './layout';
import { fusedMatMulStep, matMulStep } from './matmul';
import type { Program } from './program';
import { NotTraceable } from './record';
import type { Step, StepSpec } from './step';

function stepOf(spec: StepSpec, fast: Accelerated): Step {
  if (isElementwise(spec.kernel)) return elementwiseStep(spec, fast);
  if (LAYOUT_KERNELS.has(spec.kernel)) return layoutStep(spec);
  if (spec.kernel === 'BatchMatMul') return matMulStep(spec);
  if (spec.kernel === '_FusedMatMul') return fusedMatMulStep(spec);
  if (spec.kernel === 'AddN') return addN;
  throw new NotTraceable(`it uses the operation '${spec.kernel}', which the engine does not compile yet`);
}

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

export class Replay {
  private readonly steps: Step[];
  private readonly buffers: Float64Array[];
  /** Cotangent buffers, null for values that depend on neither y nor θ. */
  private readonly grads: (Float64Array | null)[];
  private readonly timed: number[];

  constructor(readonly program: Program) {
    const { values } = program;
    // Computed values live in a WebAssembly memory where tanh runs as SIMD in place (if there is one).
    const arena = TanhArena.create();
    const computed = values.flatMap((v, i) => (v.from === 'op' ? [i] : []));
    const views = arena?.allocate(computed.map((i) => values[i].size));
    this.buffers = values.map((v) => (v.from === 'const' ? Float64Array.from(v.base!) : new Float64Array(v.from === 'op' && !arena ? v.size : 0)));
    views?.forEach((view, k) => (this.buffers[computed[k]] = view));
    this.steps = program.ops.map((op) => stepOf(op, arena ? { tanh: (y) => arena.tanhView(y) } : {}));
    this.timed = values.flatMap((v, i) => (v.slope ? [i] : []));
    const live = values.map((v) => v.from === 'y' || typeof v.from === 'object');
    for (const op of program.ops) if (op.inputIds.some((i) => live[i])) op.outputIds.forEach((o) => (live[o] = true));
    this.grads = values.map((v, i) => (live[i] ? new Float64Array(v.size) : null));
  }

  get size(): number {
    return this.program.ops.length;
  }

  /** f(t, y) into the output's buffer (read it before the next call), the parameters as given. */
  forward(t: number, y: Float64Array, params: readonly Float64Array[]): Float64Array {
    const { values, ops, output } = this.program;
    const b = this.buffers;
    values.forEach((v, i) => {
      if (v.from === 'y') b[i] = y;
      else if (typeof v.from === 'object') b[i] = params[v.from.param];
    });
    for (const i of this.timed) {
      const { base, slope } = values[i];
      for (let k = 0; k < base!.length; k++) b[i][k] = base![k] + slope![k] * t;
    }
    ops.forEach((op, k) => this.steps[k].forward(op.inputIds.map((i) => b[i]), op.outputIds.map((i) => b[i])));
    return b[output];
  }

  /** aᵀ∂f/∂y and aᵀ∂f/∂θ (one array per parameter, in the variables' own layout), in buffers the next call reuses. */
  vjp(t: number, y: Float64Array, a: Float64Array, params: readonly Float64Array[]): { y: Float64Array; params: Float64Array[] } {
    this.forward(t, y, params);
    const { values, ops, output } = this.program;
    const g = this.grads;
    g.forEach((x) => x?.fill(0));
    g[output]?.set(a);
    for (let k = ops.length - 1; k >= 0; k--) {
      const op = ops[k];
      if (op.outputIds.every((i) => g[i] === null)) continue;
      const b = this.buffers;
      this.steps[k].backward(op.inputIds.map((i) => b[i]), op.outputIds.map((i) => b[i]), op.outputIds.map((i) => g[i]!), op.inputIds.map((i) => g[i]));
    }
    const gy = values.findIndex((v) => v.from === 'y');
    const gParams = new Array<Float64Array>(params.length);
    values.forEach((v, i) => {
      if (typeof v.from === 'object') gParams[v.from.param] = g[i]!;
    });
    return { y: g[gy]!, params: gParams };
  }
}
