import type { NativeField } from '../fields/field';
import { SolverError, fmt } from '../solvers/errors';
import { methodInfo } from '../solvers/registry';
import { OdeSolve } from '../solvers/solve';
import type { SolverOptions, StageReport, StepReport } from '../solvers/stepper';
import { nextAfter } from '../solvers/stepperBase';
import { nativeDiffOps, type DiffOps } from './diffOps';
import { placeCotangents, type Injection } from './outputs';
import { recomputeStep, reverseStep, type StepRecord } from './rkReverse';
import { rkPlan } from './rkMethods';
import type { StageTape } from './stageTape';
import { gradStats } from './report';
import { resolveCotangents, type BackwardCounts, type CotangentSource, type GradStats, type NativeGradResult, type OdeintGradOptions } from './types';

interface TapeStep extends StepRecord {
  readonly t0: number;
}

export const DEFAULT_CHECKPOINTS = 32;

/**
 * The options of the forward solve: adaptive methods also step onto every output time, so each
 * output is the end of a step and no interpolant needs differentiating (the outputs can thus
 * differ from plain odeint's, which interpolates, by the solver's local error).
 */
export function stepOntoOutputs(options: SolverOptions, times: readonly number[], adaptive: boolean): SolverOptions {
  if (!adaptive || times.length < 3) return options;
  const taken = new Set<number>([...Array.from(options.stepT ?? []), ...Array.from(options.jumpT ?? [])]);
  const extra = times.slice(1, -1).filter((t) => !taken.has(t));
  return { ...options, stepT: [...Array.from(options.stepT ?? []), ...extra] };
}

export interface DiscreteResult<S, P> {
  ys: S[];
  gradY0: S;
  gradParams: P;
  stats: GradStats;
}

/**
 * `backprop` and `checkpoint`: the exact gradient of the discretisation, i.e. the discrete
 * adjoint of the accepted RK steps, with step sizes and accept/reject decisions held constant
 * (as backpropagating through torchdiffeq's solvers treats them). `backprop` keeps every needed
 * stage input of the forward solve; `checkpoint` keeps the state at ≤ `checkpoints` evenly spaced
 * step starts (the spacing doubles whenever they would exceed the budget) and recomputes one
 * segment at a time in the reverse sweep, with the forward's own arithmetic, so both agree bit
 * for bit. A field with an activation tape also keeps what its evaluations at those stages made
 * (an MLP's hidden activations) for the vjps there, with the same results.
 */
export async function discreteSweep<S, P>(
  d: DiffOps<S, P>,
  y0: S,
  times: readonly number[],
  cotangents: CotangentSource<S>,
  opts: OdeintGradOptions,
  mode: 'backprop' | 'checkpoint',
): Promise<DiscreteResult<S, P>> {
  const { ops } = d;
  const info = methodInfo(opts.method ?? 'dopri5');
  const plan = rkPlan(info.name, mode);
  const budget = opts.checkpoints ?? DEFAULT_CHECKPOINTS;
  const bytes = d.stateBytes;
  const dir = times.length > 1 && times[times.length - 1] < times[0] ? -1 : 1;
  const options = stepOntoOutputs(opts.options ?? {}, times, info.adaptive);
  const jumps = new Set<number>(info.adaptive ? Array.from(options.jumpT ?? []) : []);

  const steps: TapeStep[] = [];
  const stages: ((S | null)[] | null)[] = [];
  /** Per step, the tape record of each kept stage (-1: none). */
  const records: (number[] | null)[] = [];
  const tape: StageTape<S, P> | null = d.tape?.() ?? null;
  const checkpoints = new Map<number, S>();
  const held = new Set<S>();
  let stride = 1;
  let peak = 0;
  const hold = (x: S): void => {
    held.add(x);
    peak = Math.max(peak, held.size * bytes + (tape ? tape.bytes : 0));
  };
  const release = (x: S | null): void => {
    if (x && held.delete(x)) ops.dispose(x);
  };

  let pendingTs: number[] = [];
  let pendingYs: (S | null)[] = [];
  let pendingRecs: number[] = [];
  const dropPending = (): void => {
    pendingYs.forEach((y) => y && ops.dispose(y));
    if (tape) for (const r of pendingRecs) if (r >= 0) tape.release(r);
  };
  const releaseRecords = (recs: readonly number[] | null): void => {
    if (tape && recs) for (const r of recs) if (r >= 0) tape.release(r);
  };
  const hooks = {
    onStage: ({ i, t, y }: StageReport<S>): void => {
      // After a jump, the first stage was evaluated just past it.
      pendingTs[i] = i === 0 && jumps.has(t) ? nextAfter(t, dir) : t;
      const keep = mode === 'backprop' ? i === 0 || plan.needed[i] : i === 0 && steps.length % stride === 0;
      if (keep) {
        pendingYs[i] = d.keep(y);
        if (tape && mode === 'backprop') pendingRecs[i] = tape.claim(pendingTs[i], y);
      }
    },
    onStep: (r: StepReport): void => {
      if (!r.accepted) dropPending();
      else {
        const m = steps.length;
        steps.push({ t0: r.t, h: r.h, ts: Float64Array.from(pendingTs) });
        if (mode === 'backprop') {
          stages.push(pendingYs);
          records.push(tape ? pendingRecs : null);
          pendingYs.forEach((y) => y && hold(y));
        } else if (pendingYs[0]) {
          checkpoints.set(m, pendingYs[0]);
          hold(pendingYs[0]);
          if (checkpoints.size > budget) {
            stride *= 2;
            for (const [k, y] of [...checkpoints]) {
              if (k % stride === 0) continue;
              checkpoints.delete(k);
              release(y);
            }
          }
        }
      }
      pendingTs = [];
      pendingYs = [];
      pendingRecs = [];
    },
  };

  const counts: BackwardCounts = { f: 0, vjp: 0 };
  let gParams = d.zeroParams();
  let lam: S | null = null;
  const forwardTape = mode === 'backprop' ? tape : null;
  let solve: OdeSolve<S> | undefined;
  let ys: S[] = [];
  try {
    solve = new OdeSolve<S>(ops, forwardTape ? (t, y) => forwardTape.f(t, y) : (t, y) => d.f(t, y), y0, times, {
      method: info.name,
      rtol: opts.rtol,
      atol: opts.atol,
      options,
      hooks,
      signal: opts.signal,
    });
    ys = await solve.run();
    const N = steps.length;
    const boundaries = [...steps.map((s) => s.t0), times[times.length - 1]];
    const injections = placeCotangents(times, boundaries, await resolveCotangents(cotangents, ys), options.interp);
    lam = ops.lincomb(null, [0], [y0]);
    const inject = (m: number, ym: S): void => {
      const r = injectAt(d, injections[m], boundaries[m], ym, lam as S, gParams, counts);
      lam = r.lam;
      gParams = r.gParams;
    };
    const back = (m: number, st: readonly (S | null)[], recs: readonly number[] | null): void => {
      if (opts.signal?.aborted) {
        throw new SolverError('cancelled', `The gradient computation was cancelled in the reverse sweep at step ${m + 1} (t = ${fmt(boundaries[m])}).`);
      }
      const r = reverseStep(d, plan, steps[m], st, lam as S, gParams, counts, tape, recs);
      ops.dispose(lam as S);
      lam = r.lam0;
      gParams = r.gParams;
      inject(m, st[0] as S);
    };

    inject(N, ys[ys.length - 1]);
    if (mode === 'backprop') {
      for (let m = N - 1; m >= 0; m--) {
        const st = stages[m] as (S | null)[];
        back(m, st, records[m]);
        st.forEach(release);
        releaseRecords(records[m]);
        stages[m] = null;
        records[m] = null;
      }
    } else {
      const starts = [...checkpoints.keys()].sort((a, b) => a - b);
      for (let k = starts.length - 1; k >= 0; k--) {
        const s0 = starts[k];
        const e0 = k + 1 < starts.length ? starts[k + 1] : N;
        const seg: { ys: (S | null)[]; recs: number[] | null }[] = [];
        let y = checkpoints.get(s0) as S;
        for (let m = s0; m < e0; m++) {
          const r = recomputeStep(d, plan, steps[m], y, counts, tape);
          seg.push(r);
          r.ys.forEach((x) => x && hold(x));
          y = r.y1;
        }
        if (e0 > s0 && !held.has(y)) ops.dispose(y);
        for (let m = e0 - 1; m >= s0; m--) {
          const { ys: st, recs } = seg[m - s0];
          back(m, st, recs);
          st.forEach(release);
          releaseRecords(recs);
          seg[m - s0].recs = null;
        }
      }
    }
  } catch (e) {
    for (const y of ys) ops.dispose(y);
    if (lam) ops.dispose(lam);
    d.disposeParams(gParams);
    throw e;
  } finally {
    dropPending();
    for (const x of held) ops.dispose(x);
    held.clear();
    tape?.close();
  }

  const s = (solve as OdeSolve<S>).stats;
  const stats = gradStats(mode, info.name, s, counts, { accepted: 0, rejected: 0 }, peak + ys.length * bytes);
  return { ys, gradY0: lam as unknown as S, gradParams: gParams, stats };
}

/** Adds the cotangents of the outputs at boundary m to λ (through f as well, for cubic output). */
function injectAt<S, P>(
  d: DiffOps<S, P>,
  list: readonly Injection<S>[],
  t: number,
  ym: S,
  lam: S,
  gParams: P,
  counts: BackwardCounts,
): { lam: S; gParams: P } {
  if (list.length === 0) return { lam, gParams };
  const { ops } = d;
  const cs = list.map((x) => x.c);
  const next = ops.lincomb(lam, list.map((x) => x.w), cs);
  ops.dispose(lam);
  lam = next;
  if (list.some((x) => x.vf !== 0)) {
    const v = ops.lincomb(null, list.map((x) => x.vf), cs);
    counts.vjp++;
    const g = d.vjp(t, ym, v);
    ops.dispose(v);
    const withF = ops.lincomb(lam, [1], [g.y]);
    ops.dispose(lam);
    ops.dispose(g.y);
    lam = withF;
    gParams = d.addParams(gParams, g.params);
  }
  return { lam, gParams };
}

/** backprop / checkpoint for a native field. */
export async function discreteGrad(
  field: NativeField,
  y0: Float64Array,
  times: readonly number[],
  cotangents: CotangentSource<Float64Array>,
  opts: OdeintGradOptions,
  mode: 'backprop' | 'checkpoint',
): Promise<NativeGradResult> {
  return discreteSweep(nativeDiffOps(field, y0.length), y0, times, cotangents, opts, mode);
}
