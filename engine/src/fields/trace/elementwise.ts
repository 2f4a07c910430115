/**
 * Elementwise kernels, unary and binary with broadcasting, generated as JavaScript loops for each
 * recorded op: one monomorphic function per op, which V8 compiles as tight as hand-written code
 * (a shared loop calling a per-op closure would not inline). The expressions are tfjs's
 * definitions; each derivative is written in the input v and the output w.
 */
import type { Arena } from '../../kernels/arena';
import { NotTraceable } from './notTraceable';
import { generated, indexMap, sizeOf, stridesOf, type Step, type StepSpec } from './step';

/** [value, derivative] in v (input) and w (output). */
const UNARY: Record<string, (attrs: Readonly<Record<string, unknown>>) => [string, string]> = {
  // 1.5× faster than Math.tanh in V8, within 4e-16 of it; replays with a SIMD kernel use that instead
  Tanh: () => ['1 - 2 / (Math.exp(2 * v) + 1)', '1 - w * w'],
  Sigmoid: () => ['1 / (1 + Math.exp(-v))', 'w * (1 - w)'],
  Relu: () => ['v > 0 ? v : 0', 'v > 0 ? 1 : 0'],
  Relu6: () => ['v < 0 ? 0 : v > 6 ? 6 : v', 'v > 0 && v < 6 ? 1 : 0'],
  Elu: () => ['v > 0 ? v : Math.expm1(v)', 'v > 0 ? 1 : w + 1'],
  Selu: () => ['v > 0 ? 1.0507009873554805 * v : 1.7580993408473768 * Math.expm1(v)', 'v > 0 ? 1.0507009873554805 : w + 1.7580993408473768'],
  LeakyRelu: (a) => [`v > 0 ? v : ${num(a.alpha)} * v`, `v > 0 ? 1 : ${num(a.alpha)}`],
  Softplus: () => ['v > 20 ? v : Math.log1p(Math.exp(v))', '1 / (1 + Math.exp(-v))'],
  Sin: () => ['Math.sin(v)', 'Math.cos(v)'],
  Cos: () => ['Math.cos(v)', '-Math.sin(v)'],
  Atan: () => ['Math.atan(v)', '1 / (1 + v * v)'],
  Exp: () => ['Math.exp(v)', 'w'],
  Expm1: () => ['Math.expm1(v)', 'w + 1'],
  Log: () => ['Math.log(v)', '1 / v'],
  Log1p: () => ['Math.log1p(v)', '1 / (1 + v)'],
  Neg: () => ['-v', '-1'],
  Square: () => ['v * v', '2 * v'],
  Sqrt: () => ['Math.sqrt(v)', '0.5 / w'],
  Rsqrt: () => ['1 / Math.sqrt(v)', '-0.5 * w / v'],
  Reciprocal: () => ['1 / v', '-w * w'],
  Abs: () => ['Math.abs(v)', 'v > 0 ? 1 : v < 0 ? -1 : 0'],
  Identity: () => ['v', '1'],
  Cast: (a) => {
    if (a.dtype !== 'float32') throw new NotTraceable(`it casts to ${String(a.dtype)}`);
    return ['v', '1'];
  },
};

/** [value, ∂/∂p, ∂/∂q] in p, q (inputs) and w (output). */
const BINARY: Record<string, [string, string, string]> = {
  Add: ['p + q', '1', '1'],
  Sub: ['p - q', '1', '-1'],
  Multiply: ['p * q', 'q', 'p'],
  RealDiv: ['p / q', '1 / q', '-w / q'],
  Maximum: ['p >= q ? p : q', 'p >= q ? 1 : 0', 'p < q ? 1 : 0'],
  Minimum: ['p <= q ? p : q', 'p <= q ? 1 : 0', 'p > q ? 1 : 0'],
  SquaredDifference: ['(p - q) * (p - q)', '2 * (p - q)', '-2 * (p - q)'],
  Pow: ['Math.pow(p, q)', 'q * Math.pow(p, q - 1)', 'p > 0 ? w * Math.log(p) : 0'],
};

function num(x: unknown): string {
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new NotTraceable(`an attribute is ${String(x)}, not a number`);
  return String(x);
}

export const isElementwise = (kernel: string): boolean => kernel in UNARY || kernel in BINARY;

/**
 * How output element i reads an input of `shape` broadcast to `out`: an expression in i, in c
 * (i's position within the innermost `inner` elements, for a bias-like input), or in m (an index map).
 */
export function broadcastIndex(shape: readonly number[], out: readonly number[]): { expr: string; inner?: number; map?: Int32Array } {
  const n = sizeOf(shape);
  if (n === sizeOf(out)) return { expr: 'i' };
  if (n === 1) return { expr: '0' };
  const trailing = shape.slice(shape.findIndex((d) => d !== 1));
  if (trailing.every((d, k) => d === out[out.length - trailing.length + k])) return { expr: 'c', inner: n };
  const padded = [...new Array<number>(out.length - shape.length).fill(1), ...shape];
  const strides = stridesOf(padded);
  return { expr: 'm[i]', map: indexMap(out, (c) => c.reduce((s, x, d) => s + (padded[d] === 1 ? 0 : x * strides[d]), 0)) };
}

/** A loop over the n output elements running `body` on i, and on c when inputs broadcast along the innermost `inner` elements. */
export function loopOver(n: number, inner: number | undefined, body: string): string {
  if (!inner) return `for (let i = 0; i < ${n}; i++) { ${body} }`;
  return `for (let r = 0; r < ${n}; r += ${inner}) for (let c = 0; c < ${inner}; c++) { const i = r + c; ${body} }`;
}

/** Index expressions of inputs broadcast to one output, sharing one loop (a second bias length reads i % n). */
function indexes(shapes: readonly (readonly number[])[], out: readonly number[]) {
  const all = shapes.map((s) => broadcastIndex(s, out));
  const inner = all.find((b) => b.inner)?.inner;
  return { inner, all: all.map((b, k) => ({ ...b, expr: b.inner && b.inner !== inner ? `i % ${b.inner}` : b.expr.replace('m', `m${k}`) })) };
}

/** The unary step computing `value`, with its derivative, both in v (input) and w (output). */
function unaryStep(value: string, derivative: string, n: number): Step {
  const fwd = generated(['x', 'y'], `for (let i = 0; i < ${n}; i++) { const v = x[i]; y[i] = ${value}; }`);
  const read = [/\bv\b/.test(derivative) ? 'const v = x[i];' : '', /\bw\b/.test(derivative) ? 'const w = y[i];' : ''].join(' ');
  const bwd = generated(['x', 'y', 'g', 'gx'], `for (let i = 0; i < ${n}; i++) { ${read} gx[i] += g[i] * (${derivative}); }`);
  return {
    forward: (ins, outs) => fwd(ins[0], outs[0]),
    backward: (ins, outs, gOuts, grads) => grads[0] && bwd(ins[0], outs[0], gOuts[0], grads[0]),
  };
}

/** tanh as the arena's SIMD kernel, in place on the output, and its VJP; JavaScript for buffers outside it. */
function tanhStep(n: number, arena: Arena, js: Step): Step {
  return {
    forward: (ins, outs) => {
      if (!arena.holds(outs[0])) return js.forward(ins, outs);
      outs[0].set(ins[0]);
      arena.tanh(outs[0]);
    },
    backward: (ins, outs, gOuts, grads) => {
      const [g, gx, w] = [gOuts[0], grads[0], outs[0]];
      if (gx && arena.holds(g) && arena.holds(gx) && arena.holds(w)) arena.tanhGrad(p8(gx), p8(g), p8(w), n);
      else js.backward(ins, outs, gOuts, grads);
    },
  };
}

/** The declarations of p, q and w that an expression reads (reading the others would only cost time). */
function reads(expr: string, a: string, b: string): string {
  const uses = (name: string) => new RegExp(`\\b${name}\\b`).test(expr);
  return [uses('p') || uses('w') ? `const p = x[${a}];` : '', uses('q') || uses('w') ? `const q = y[${b}];` : '', uses('w') ? 'const w = z[i];' : ''].join(' ');
}

function binaryStep([value, dp, dq]: [string, string, string], spec: StepSpec): Step {
  const out = spec.outputs[0];
  const n = sizeOf(out);
  const { inner, all: [a, b] } = indexes(spec.inputs, out);
  const fwd = generated(['x', 'y', 'z', 'm0', 'm1'], loopOver(n, inner, `const p = x[${a.expr}], q = y[${b.expr}]; z[i] = ${value};`));
  const bwd = (index: string, d: string) =>
    generated(['x', 'y', 'z', 'g', 'gx', 'm0', 'm1'], loopOver(n, inner, `${reads(d, a.expr, b.expr)} gx[${index}] += ${d === '1' ? 'g[i]' : d === '-1' ? '-g[i]' : `g[i] * (${d})`};`));
  const bwdA = bwd(a.expr, dp);
  const bwdB = bwd(b.expr, dq);
  return {
    forward: (ins, outs) => fwd(ins[0], ins[1], outs[0], a.map, b.map),
    backward: (ins, outs, gOuts, grads) => {
      if (grads[0]) bwdA(ins[0], ins[1], outs[0], gOuts[0], grads[0], a.map, b.map);
      if (grads[1]) bwdB(ins[0], ins[1], outs[0], gOuts[0], grads[1], a.map, b.map);
    },
  };
}

/** Where the replay's buffers live, when they live in an arena: its SIMD kernels then take the common cases. */
export interface Accelerated {
  arena?: Arena;
  /** A buffer in the arena as large as any product's right-hand matrix. */
  scratch?: Float64Array;
}

const p8 = (x: Float64Array) => x.byteOffset;

export function elementwiseStep(spec: StepSpec, { arena }: Accelerated = {}): Step {
  const unary = UNARY[spec.kernel];
  if (unary) {
    const [value, derivative] = unary(spec.attrs);
    const n = sizeOf(spec.outputs[0]);
    const js = unaryStep(value, derivative, n);
    return arena && spec.kernel === 'Tanh' ? tanhStep(n, arena, js) : js;
  }
  const js = binaryStep(BINARY[spec.kernel], spec);
  return arena && spec.kernel === 'Add' ? addStep(spec, arena, js) : js;
}

/**
 * Add as the arena's SIMD kernels where both inputs have the output's shape or one is a bias
 * (broadcast along whole rows of even length); anything else, and buffers outside the arena,
 * as JavaScript.
 */
function addStep(spec: StepSpec, arena: Arena, js: Step): Step {
  const out = spec.outputs[0];
  const n = sizeOf(out);
  const { all } = indexes(spec.inputs, out);
  const kind = all.map((b) => (b.expr === 'i' ? 'full' : b.expr === 'c' && b.inner! % 2 === 0 ? 'row' : null));
  const rowLength = all.find((b) => b.expr === 'c')?.inner ?? 0;
  const inArena = (xs: readonly (Float64Array | null)[]) => xs.every((x) => x === null || arena.holds(x));
  return {
    forward: (ins, outs) => {
      const [x, y, z] = [ins[0], ins[1], outs[0]];
      if (!inArena([x, y, z])) return js.forward(ins, outs);
      if (kind[0] === 'full' && kind[1] === 'full') arena.add(p8(z), p8(x), p8(y), n);
      else if (kind[0] === 'full' && kind[1] === 'row') arena.addRows(p8(z), p8(x), p8(y), n / rowLength, rowLength);
      else if (kind[0] === 'row' && kind[1] === 'full') arena.addRows(p8(z), p8(y), p8(x), n / rowLength, rowLength);
      else js.forward(ins, outs);
    },
    backward: (ins, outs, gOuts, grads) => {
      const g = gOuts[0];
      if (!inArena([g, ...grads]) || kind.includes(null)) return js.backward(ins, outs, gOuts, grads);
      grads.forEach((gx, j) => {
        if (gx && kind[j] === 'full') arena.acc(p8(gx), p8(g), n);
        else if (gx) arena.accRows(p8(gx), p8(g), n / rowLength, rowLength);
      });
    },
  };
}

/** The activation a fused matMul applies, as [value, derivative in w] (the output alone). */
export function fusedActivation(name: unknown, alpha: unknown): [string, string] {
  switch (name ?? 'linear') {
    case 'linear':
      return ['v', '1'];
    case 'relu':
      return ['v > 0 ? v : 0', 'w > 0 ? 1 : 0'];
    case 'relu6':
      return ['v < 0 ? 0 : v > 6 ? 6 : v', 'w > 0 && w < 6 ? 1 : 0'];
    case 'elu':
      return ['v > 0 ? v : Math.expm1(v)', 'w > 0 ? 1 : w + 1'];
    case 'sigmoid':
      return ['1 / (1 + Math.exp(-v))', 'w * (1 - w)'];
    case 'leakyrelu':
      return [`v > 0 ? v : ${num(alpha)} * v`, `w > 0 ? 1 : ${num(alpha)}`];
    default:
      throw new NotTraceable(`a fused matMul applies the activation '${String(name)}'`);
  }
}
