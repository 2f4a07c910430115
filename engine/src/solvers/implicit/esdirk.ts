import type { NativeState } from '../../state/native';
import { AdaptiveStepperBase } from '../adaptiveBase';
import { hermiteWeights } from '../denseOutput';
import { SolverError, fmt } from '../errors';
import type { SolverStats, StepReport, StepperContext } from '../stepper';
import { nextAfter } from '../stepperBase';
import type { CheckedEsdirk } from './esdirkTableau';
import { JACOBIAN_RATE_LIMIT, StageNewton, implicitStats, newtonIterations, type ImplicitStats, type NewtonResult } from './newton';

/** The last accepted step, for dense output (cubic Hermite). */
interface LastStep {
  t0: number;
  t1: number;
  h: number;
  y0: NativeState;
  y1: NativeState;
  f0: NativeState;
  f1: NativeState;
}

/** Above this growth the step changes; below it h is kept so the LU of I − hγJ can be reused. */
const KEEP_H_GROWTH = 1.2;

/**
 * Adaptive ESDIRK (kvaerno3): an explicit first stage, then implicit stages that all share
 * the iteration matrix I − hγJ. Per attempt, `onStage` sees stage 0 (t0, y0, f0) and each
 * implicit stage once Newton has converged (an attempt whose Newton iteration fails reports
 * the stages before the failure), and `onStep` sees the attempt. A Newton failure rejects the
 * step (errRatio Infinity) and retries with h·dfactor; it is an error only when h can no longer
 * shrink. J is evaluated at the start of a step only when needed: at the first step, after a
 * Newton iteration that contracted slowly, and after a rejected step with an older J.
 */
export class EsdirkStepper extends AdaptiveStepperBase<NativeState> {
  readonly method: string;
  readonly order: number;
  protected readonly implicit = true;
  declare readonly stats: SolverStats & ImplicitStats;
  private readonly maxIters: number;
  private readonly newton: StageNewton;
  private last: LastStep | null = null;
  /** The latest Newton failure, for the message if h then underflows. */
  private lastNewtonFailure: { t: number; h: number; result: NewtonResult } | null = null;
  /** J was evaluated at the current (t, y). */
  private jacobianCurrent = false;
  /** Evaluate J before the next attempt. */
  private jacobianStale = true;

  constructor(
    ctx: StepperContext<NativeState>,
    private readonly tab: CheckedEsdirk,
  ) {
    // The error estimate is O(h^(p̂+1)), so the controller's exponent is 1/(p̂+1).
    super(ctx, tab.embeddedOrder + 1);
    this.method = tab.name;
    this.order = tab.order;
    this.maxIters = newtonIterations(ctx.options.maxNewtonIters);
    Object.assign(this.stats, implicitStats());
    this.newton = new StageNewton(ctx.ops.size(ctx.y0), (t, y) => this.evalF(t, y), ctx.rtol, ctx.atol, this.maxIters,
      ctx.options.jacobian, this.stats);
  }

  init(): Promise<void> {
    return this.start(this.tab.embeddedOrder);
  }

  async step(): Promise<StepReport> {
    const p = this.plan();
    const { ops, tab, dir, newton } = this;
    const { t0, t1, h } = p;
    const s = tab.stages;
    const y0 = this.y;
    const f0 = this.fCur as NativeState;
    const size = this.controlledSize(p);
    const n = this.stats.nAccepted + this.stats.nRejected + 1;

    if (this.jacobianStale || !newton.hasJacobian) {
      newton.updateJacobian(t0, y0); // not f0: after a step it is the last stage's slope, not f(t0, y0)
      this.jacobianCurrent = true;
      this.jacobianStale = false;
    }
    newton.setScale(y0);
    await this.emitStage(n, 0, t0, y0, f0);
    const hg = h * tab.gamma;
    const ks: NativeState[] = [f0];
    let z: NativeState = y0;
    let failure: NewtonResult | null = newton.prepare(hg) ? null : newton.singular(y0);
    let maxRate = 0;
    for (let i = 1; i < s && !failure; i++) {
      const ti = this.stageTime(p, tab.c[i]);
      const row = tab.a[i];
      const coeffs = new Array<number>(i);
      for (let j = 0; j < i; j++) coeffs[j] = h * row[j];
      const base = ops.lincomb(y0, coeffs, ks);
      // Predictor: the new stage's slope equals the previous stage's.
      const guess = ops.lincomb(base, [hg], [ks[i - 1]]);
      const r = newton.solve(ti, base, hg, guess);
      if (!r.converged) {
        failure = r;
        break;
      }
      if (r.rate > maxRate) maxRate = r.rate;
      z = r.z;
      // The stage slope from the stage equation itself: no extra f evaluation, and exact for it.
      const ki = ops.lincomb(null, [1 / hg, -1 / hg], [z, base]);
      ks.push(ki);
      await this.emitStage(n, i, ti, z, ki);
    }

    if (failure) {
      this.lastNewtonFailure = { t: t0, h, result: failure };
      if (failure.failure === 'nonFinite') this.lastNonFinite = { t: t0, component: failure.component ?? -1 };
      if (this.ctrl.minStep > 0 && size <= this.ctrl.minStep) throw this.newtonAtMinStep(t0, h, failure);
      this.stats.nRejected++;
      if (!this.jacobianCurrent) this.jacobianStale = true;
      this.pushRatio(Infinity);
      this.hAbs = this.ctrl.propose(size, Infinity, false);
      return this.emitStep(this.report(t0, h, false, Infinity, dir * this.hAbs));
    }

    const y1 = tab.stifflyAccurate ? z : ops.lincomb(y0, tab.b.map((b) => h * b), ks);
    const err = ops.lincomb(null, tab.bErr.map((e) => h * e), ks);
    const errRatio = await ops.weightedRms(err, this.ctx.rtol, this.ctx.atol, y0, y1, this.ctx.options.errorComponents);
    const accepted = this.ctrl.accept(errRatio, size);
    let hNext = this.ctrl.propose(size, errRatio, accepted);
    this.pushRatio(errRatio);

    if (accepted) {
      this.lastNewtonFailure = null;
      const f1 = tab.stifflyAccurate ? ks[s - 1] : this.evalF(this.stageTime(p, 1), y1);
      const fNext = p.onJump ? this.evalF(nextAfter(t1, dir), y1) : f1;
      this.last = { t0, t1, h, y0, y1, f0, f1 };
      this.t = t1;
      this.y = y1;
      this.fCur = fNext;
      this.jacobianCurrent = false;
      if (maxRate > JACOBIAN_RATE_LIMIT) this.jacobianStale = true;
      else if (hNext >= size && hNext <= KEEP_H_GROWTH * size) hNext = size;
      hNext = this.accepted(p, hNext);
    } else {
      if (!Number.isFinite(errRatio)) this.lastNonFinite = { t: t0, component: await ops.firstNonFinite(y1) };
      if (!this.jacobianCurrent) this.jacobianStale = true;
      this.stats.nRejected++;
    }
    this.hAbs = hNext;
    return this.emitStep(this.report(t0, h, accepted, errRatio, dir * hNext));
  }

  interpolate(t: number): NativeState {
    const { ops } = this;
    if (t === this.t) return ops.clone(this.y);
    const L = this.last;
    if (!L || !this.inStep(t, L.t0, L.t1)) throw this.outsideStep(t, L ?? undefined);
    if (t === L.t0) return ops.clone(L.y0);
    const w = hermiteWeights((t - L.t0) / L.h, L.h);
    return ops.lincomb(null, [w.w0, w.w1, w.vf0, w.vf1], [L.y0, L.y1, L.f0, L.f1]);
  }

  dispose(): void {
    // Typed arrays need no release; drop the references so a finished solve holds nothing.
    this.last = null;
    this.fCur = null;
  }

  protected override underflowError(t0: number, h: number): SolverError {
    const nf = this.lastNewtonFailure;
    // A non-finite f is not Newton's fault: the generic message names the component.
    if (nf && nf.t === t0 && nf.result.failure !== 'nonFinite') {
      return new SolverError(
        'stepUnderflow',
        `Step size underflow at t = ${fmt(t0)}: ${this.method} shrank h to ${fmt(h)}, below what t can resolve, because ` +
          `Newton's iteration for the stage equations did not converge at any step size (last attempt, h = ${fmt(nf.h)}: ` +
          `${StageNewton.explain(nf.result, this.maxIters)}). The stage equations have no nearby solution: f is likely ` +
          'discontinuous or not finite here, or options.jacobian is wrong. Try: options.jumpT: ' +
          `[${fmt(t0)}] if f jumps there; check options.jacobian against finite differences (leave it out to compare); ` +
          'a larger options.maxNewtonIters.',
        { t: t0, h, errRatios: [...this.recentRatios], newton: { ...nf.result, z: undefined } },
      );
    }
    return super.underflowError(t0, h);
  }

  private newtonAtMinStep(t0: number, h: number, r: NewtonResult): SolverError {
    return new SolverError(
      'newton',
      `${this.method} could not solve its stage equations at t = ${fmt(t0)} with h = ${fmt(h)}, the options.minStep it ` +
        `may not go below: ${StageNewton.explain(r, this.maxIters)}. Try: a smaller options.minStep (or none); ` +
        'options.jumpT if f jumps near here; check options.jacobian against finite differences.',
      { t: t0, h, residual: r.residual, iterations: r.iters, rate: r.rate, failure: r.failure },
    );
  }
}
