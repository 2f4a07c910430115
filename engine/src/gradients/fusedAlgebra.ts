import { OdeSolve, type OdeintOptions, type SolveStats } from '../solvers/solve';
import type { StateAlgebra, VectorField } from '../state/algebra';
import { nativeAlgebra } from '../state/native';

/**
 * The float64 typed-array algebra with a faster `lincomb`: per component, the terms are added
 * in registers, four at a time, instead of one pass over the whole array per term. Each
 * component still sees base + c₀x₀ + c₁x₁ + … added left to right, zero coefficients skipped,
 * so the results are the same bits as nativeAlgebra's. The gradient methods' own solves (the
 * forward solve and reverse sweep of backprop, the adjoint's solves) build their states with it.
 */
export function fusedFloat64Algebra(): StateAlgebra<Float64Array> {
  return fused;
}

/** odeint on a Float64Array state, with the fused algebra: the same results, bit for bit. */
export async function odeintFused(
  f: VectorField<Float64Array>,
  y0: Float64Array,
  t: ArrayLike<number>,
  opts: OdeintOptions<Float64Array>,
): Promise<{ ys: Float64Array[]; stats: SolveStats }> {
  const solve = new OdeSolve<Float64Array>(fused, f, y0, t, opts);
  const ys = await solve.run();
  return { ys, stats: solve.stats };
}

function lincomb(base: Float64Array | null, coeffs: ArrayLike<number>, xs: readonly Float64Array[]): Float64Array {
  const n = base ? base.length : xs[0].length;
  const cs: number[] = [];
  const vs: Float64Array[] = [];
  for (let j = 0; j < xs.length; j++) {
    if (coeffs[j] === 0) continue;
    cs.push(coeffs[j]);
    vs.push(xs[j]);
  }
  // Zeroed, as the plain version's: with no base the first group starts from these zeros.
  const out = new Float64Array(n);
  if (cs.length === 0 && base) out.set(base);
  let s = base ?? out;
  for (let g = 0; g < cs.length; g += 4) {
    const k = Math.min(4, cs.length - g);
    const c0 = cs[g];
    const x0 = vs[g];
    if (k === 1) {
      for (let i = 0; i < n; i++) out[i] = s[i] + c0 * x0[i];
    } else if (k === 2) {
      const [c1, x1] = [cs[g + 1], vs[g + 1]];
      for (let i = 0; i < n; i++) out[i] = s[i] + c0 * x0[i] + c1 * x1[i];
    } else if (k === 3) {
      const [c1, x1, c2, x2] = [cs[g + 1], vs[g + 1], cs[g + 2], vs[g + 2]];
      for (let i = 0; i < n; i++) out[i] = s[i] + c0 * x0[i] + c1 * x1[i] + c2 * x2[i];
    } else {
      const [c1, x1, c2, x2, c3, x3] = [cs[g + 1], vs[g + 1], cs[g + 2], vs[g + 2], cs[g + 3], vs[g + 3]];
      for (let i = 0; i < n; i++) out[i] = s[i] + c0 * x0[i] + c1 * x1[i] + c2 * x2[i] + c3 * x3[i];
    }
    s = out;
  }
  return out;
}

const fused: StateAlgebra<Float64Array> = Object.create(nativeAlgebra(new Float64Array(0)) as object);
fused.lincomb = lincomb;
