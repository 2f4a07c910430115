import type { DiffOps } from './diffOps';
import type { RkPlan } from './rkMethods';
import type { StageTape } from './stageTape';
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
 * inputs of the needed stages (others null; ys[0] is y0 itself), y1 and, with a tape, each
 * needed stage's claimed record.
 */
export function recomputeStep<S, P>(
  d: DiffOps<S, P>,
  plan: RkPlan,
  step: StepRecord,
  y0: S,
  counts: BackwardCounts,
  tape: StageTape<S, P> | null = null,
): { ys: (S | null)[]; y1: S; recs: number[] | null } {
  const { tab, needed } = plan;
  const { ops } = d;
  const s = tab.stages;
  const { h, ts } = step;
  const ks: (S | null)[] = new Array<S | null>(s).fill(null);
  const ys: (S | null)[] = new Array<S | null>(s).fill(null);
  const recs = tape ? new Array<number>(s).fill(-1) : null;
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
    if (tape && recs) {
      ks[i] = ops.clone(tape.f(ts[i], yi));
      recs[i] = tape.claim(ts[i], yi);
    } else {
      ks[i] = d.f(ts[i], yi);
    }
  }
  ys[0] = y0;
  const y1 = tab.fsal ? (yLast as S) : ops.lincomb(y0, tab.b.map((b) => h * b), ks as S[]);
  for (const k of ks) if (k) ops.dispose(k);
  return { ys, y1, recs };
}

/**
 * The discrete adjoint of one step: given λ1 = dL/dy1 returns λ0 = dL/dy0 and the step's dL/dθ
 * added into `gParams`. With Y_i = y0 + hΣ_j a_ij k_j, k_i = f(t_i, Y_i), y1 = y0 + hΣ w_i k_i:
 * walking the stages backwards, k̄_i = h·w_i·λ1 + Σ_{j>i} h·a_ji·Ȳ_j and Ȳ_i = k̄_iᵀ∂f/∂y(t_i, Y_i),
 * then λ0 = λ1 + Σ_i Ȳ_i. λ1 is left to the caller. Stages with a tape record (recs[i] ≥ 0)
 * take their vjp from it.
 */
export function reverseStep<S, P>(
  d: DiffOps<S, P>,
  plan: RkPlan,
  step: StepRecord,
  ys: readonly (S | null)[],
  lam1: S,
  gParams: P,
  counts: BackwardCounts,
  tape: StageTape<S, P> | null = null,
  recs: readonly number[] | null = null,
): { lam0: S; gParams: P } {
  const { tab, w, needed } = plan;
  const { ops } = d;
  const s = tab.stages;
  const { h, ts } = step;
  // Ȳ_i of the stages done so far. k̄_i is formed in one lincomb, its terms in the order the
  // sums were once built one update at a time (h·w_i·λ1 first, then Ȳ_j for j from s−1 down):
  // the same bits, with one new state per stage instead of one per term.
  const ybar: (S | null)[] = new Array<S | null>(s).fill(null);
  const done: S[] = [];
  try {
    for (let i = s - 1; i >= 0; i--) {
      const coeffs: number[] = [];
      const xs: S[] = [];
      if (w[i] !== 0 && needed[i]) {
        coeffs.push(h * w[i]);
        xs.push(lam1);
      }
      for (let j = s - 1; j > i; j--) {
        const yj = ybar[j];
        if (yj === null || tab.a[j][i] === 0) continue;
        coeffs.push(h * tab.a[j][i]);
        xs.push(yj);
      }
      if (xs.length === 0) continue;
      const kb = ops.lincomb(null, coeffs, xs);
      counts.vjp++;
      const rec = tape && recs ? recs[i] : -1;
      let gy: S;
      try {
        if (rec >= 0) {
          const g = (tape as StageTape<S, P>).vjp(rec, ts[i], ys[i] as S, kb, gParams);
          gParams = g.params;
          gy = g.y;
        } else {
          const g = d.vjp(ts[i], ys[i] as S, kb);
          gParams = d.addParams(gParams, g.params);
          gy = g.y;
        }
      } finally {
        ops.dispose(kb);
      }
      ybar[i] = gy;
      done.push(gy);
    }
    // λ0 = λ1 + Σ Ȳ_i, added from the last stage down
    const lam0 = ops.lincomb(lam1, done.map(() => 1), done);
    return { lam0, gParams };
  } finally {
    for (const x of done) ops.dispose(x);
  }
}
