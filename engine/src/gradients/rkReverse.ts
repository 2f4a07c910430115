import type { DiffOps } from './diffOps';
import type { RkPlan } from './rkMethods';
import type { BackwardCounts } from './types';

/** One accepted RK step as the reverse sweep needs it. */
export interface StepRecord {
  /** Signed step size. */
  readonly h: number;
  /** The time of each stage, as the forward solve evaluated it. */
  readonly ts: Float64Array;
}

/**
 * Recomputes a step's stage inputs from its start y0, with the same arithmetic as the forward
 * stepper (same coefficients, same `lincomb`), so the result matches it bit for bit. Returns the
 * inputs of the needed stages (others null; ys[0] is y0 itself) and y1.
 */
export function recomputeStep<S, P>(
  d: DiffOps<S, P>,
  plan: RkPlan,
  step: StepRecord,
  y0: S,
  counts: BackwardCounts,
): { ys: (S | null)[]; y1: S } {
  const { tab, needed } = plan;
  const { ops } = d;
  const s = tab.stages;
  const { h, ts } = step;
  const ks: (S | null)[] = new Array<S | null>(s).fill(null);
  const ys: (S | null)[] = new Array<S | null>(s).fill(null);
  let yLast: S | null = null;
  for (let i = 0; i < s; i++) {
    const last = tab.fsal && i === s - 1;
    if (!needed[i] && !last) continue;
    let yi = y0;
    if (i > 0) {
      const row = tab.a[i];
      const coeffs = new Array<number>(i);
      for (let j = 0; j < i; j++) coeffs[j] = h * row[j];
      // Stages with no weight here are skipped by lincomb, so their missing k's are never read.
      yi = ops.lincomb(y0, coeffs, ks.slice(0, i) as S[]);
    }
    if (last) yLast = yi;
    if (!needed[i]) continue;
    ys[i] = yi;
    counts.f++;
    ks[i] = d.f(ts[i], yi);
  }
  ys[0] = y0;
  const y1 = tab.fsal ? (yLast as S) : ops.lincomb(y0, tab.b.map((b) => h * b), ks as S[]);
  for (const k of ks) if (k) ops.dispose(k);
  return { ys, y1 };
}

/**
 * The discrete adjoint of one step: given λ1 = dL/dy1 returns λ0 = dL/dy0 and the step's dL/dθ
 * added into `gParams`. With Y_i = y0 + hΣ_j a_ij k_j, k_i = f(t_i, Y_i), y1 = y0 + hΣ w_i k_i:
 * walking the stages backwards, k̄_i = h·w_i·λ1 + Σ_{j>i} h·a_ji·Ȳ_j and Ȳ_i = k̄_iᵀ∂f/∂y(t_i, Y_i),
 * then λ0 = λ1 + Σ_i Ȳ_i. λ1 is left to the caller.
 */
export function reverseStep<S, P>(
  d: DiffOps<S, P>,
  plan: RkPlan,
  step: StepRecord,
  ys: readonly (S | null)[],
  lam1: S,
  gParams: P,
  counts: BackwardCounts,
): { lam0: S; gParams: P } {
  const { tab, w, needed } = plan;
  const { ops } = d;
  const s = tab.stages;
  const { h, ts } = step;
  const kbar: (S | null)[] = new Array<S | null>(s).fill(null);
  for (let i = 0; i < s; i++) if (w[i] !== 0 && needed[i]) kbar[i] = ops.lincomb(null, [h * w[i]], [lam1]);
  let lam0 = ops.clone(lam1);
  for (let i = s - 1; i >= 0; i--) {
    const kb = kbar[i];
    if (kb === null) continue;
    counts.vjp++;
    const g = d.vjp(ts[i], ys[i] as S, kb);
    ops.dispose(kb);
    gParams = d.addParams(gParams, g.params);
    lam0 = replace(ops, lam0, ops.lincomb(lam0, [1], [g.y]));
    const row = tab.a[i];
    for (let j = 0; j < i; j++) {
      if (row[j] === 0) continue;
      const prev = kbar[j];
      kbar[j] = ops.lincomb(prev, [h * row[j]], [g.y]);
      if (prev) ops.dispose(prev);
    }
    ops.dispose(g.y);
  }
  return { lam0, gParams };
}

function replace<S>(ops: { dispose(x: S): void }, old: S, next: S): S {
  ops.dispose(old);
  return next;
}
