/**
 * The modified field Σ c(τ) Δt^{|τ|−1} F(τ)(u) of a vector-valued field, for trees of up to 3
 * nodes (modified equations to O(Δt³)): F(τ) = f^{(m)}(u)[F(τ₁), …, F(τ_m)] with the first and
 * second derivatives taken as directional central differences of f itself, so any batched map
 * (a network block, a learned field) will do.
 */
import { SolverError } from '../solvers/errors';
import type { Coef } from './coefficient';
import type { ModifiedEquation } from './modifiedEquation';
import type { Tree } from './trees';

/** Largest modified-equation order this evaluator handles (trees of ≤ 3 nodes: f″ at most). */
export const MAX_VECTOR_ORDER = 3;

const maxAbs = (v: Float64Array): number => {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  return m;
};

const combo = (u: Float64Array, terms: [number, Float64Array][]): Float64Array => {
  const out = Float64Array.from(u);
  for (const [a, v] of terms) for (let i = 0; i < out.length; i++) out[i] += a * v[i];
  return out;
};

/** f′(u)[v] */
export function directional(f: (u: Float64Array) => Float64Array, u: Float64Array, v: Float64Array): Float64Array {
  const vm = maxAbs(v);
  if (vm === 0) return new Float64Array(u.length);
  const eps = (1e-6 * Math.max(1, maxAbs(u))) / vm;
  const a = f(combo(u, [[eps, v]]));
  const b = f(combo(u, [[-eps, v]]));
  for (let i = 0; i < a.length; i++) a[i] = (a[i] - b[i]) / (2 * eps);
  return a;
}

/** f″(u)[v, w], by polarisation of second differences. */
export function secondDirectional(f: (u: Float64Array) => Float64Array, u: Float64Array, v: Float64Array, w: Float64Array): Float64Array {
  const m = Math.max(maxAbs(v), maxAbs(w));
  if (m === 0) return new Float64Array(u.length);
  const eps = (1e-4 * Math.max(1, maxAbs(u))) / m;
  const pp = f(combo(u, [[eps, v], [eps, w]]));
  const pm = f(combo(u, [[eps, v], [-eps, w]]));
  const mp = f(combo(u, [[-eps, v], [eps, w]]));
  const mm = f(combo(u, [[-eps, v], [-eps, w]]));
  for (let i = 0; i < pp.length; i++) pp[i] = (pp[i] - pm[i] - mp[i] + mm[i]) / (4 * eps * eps);
  return pp;
}

/** F(τ)(u) for trees of ≤ 3 nodes. */
export function elementaryDifferential(t: Tree, f: (u: Float64Array) => Float64Array, u: Float64Array, memo = new Map<Tree, Float64Array>()): Float64Array {
  const hit = memo.get(t);
  if (hit) return hit;
  const kids = t.children.map((c) => elementaryDifferential(c, f, u, memo));
  let out: Float64Array;
  if (kids.length === 0) out = f(u);
  else if (kids.length === 1) out = directional(f, u, kids[0]);
  else if (kids.length === 2) out = secondDirectional(f, u, kids[0], kids[1]);
  else throw new SolverError('input', `The vector modified field handles trees of up to ${MAX_VECTOR_ORDER} nodes.`);
  memo.set(t, out);
  return out;
}

/** A coefficient's value at a float k (num(k)/den(k) in floating point: a trained k is no small fraction). */
export function coefAt(c: Coef, k: number): number {
  const horner = (p: Coef['num']): number => p.coeffs.reduceRight((acc, r) => acc * k + r.toNumber(), 0);
  return horner(c.num) / horner(c.den);
}

/** Coefficients as numbers: a symbolic-k equation needs `k`. */
export function termWeights(eq: ModifiedEquation, dt: number, kValue?: (c: Coef) => number): { tree: Tree; w: number }[] {
  if (eq.order > MAX_VECTOR_ORDER) throw new SolverError('input', `The vector modified field is evaluated to O(Δt^${MAX_VECTOR_ORDER}) at most; order ${eq.order} was asked.`);
  return eq.terms.map((t) => ({ tree: t.tree, w: (kValue ? kValue(t.coefficient) : t.coefficient.toNumber()) * dt ** t.power }));
}

/** u ↦ Σ w_τ F(τ)(u): the modified field as a map on (batched) states. */
export function vectorModifiedField(weights: readonly { tree: Tree; w: number }[], f: (u: Float64Array) => Float64Array): (u: Float64Array) => Float64Array {
  return (u) => {
    const memo = new Map<Tree, Float64Array>();
    const out = new Float64Array(u.length);
    for (const { tree, w } of weights) {
      if (w === 0) continue;
      const v = elementaryDifferential(tree, f, u, memo);
      for (let i = 0; i < out.length; i++) out[i] += w * v[i];
    }
    return out;
  };
}
