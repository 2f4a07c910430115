import { AdaptiveStepperBase } from './adaptiveBase';
import { hermiteWeights, quarticWeights } from './denseOutput';
import { SolverError, fmt } from './errors';
import type { StepReport, StepperContext } from './stepper';
import { nextAfter } from './stepperBase';
import type { CheckedTableau } from './tableau';

/** The last accepted step, kept for dense output. */
interface LastStep<S> {
  t0: number;
  t1: number;
  h: number;
  y0: S;
  y1: S;
  ks: S[];
  /** f(t1, y1) from the left (for FSAL tableaus, the last stage). */
  f1: S;
}

/**
 * Explicit embedded Runge–Kutta with error control: one stepper for every tableau
 * (dopri5, dopri8, tsit5, bosh3, fehlberg2, adaptive_heun). FSAL tableaus reuse their last
 * stage as the next step's first; the others evaluate f(t1, y1) once per accepted step.
 */
export class AdaptiveRKStepper<S> extends AdaptiveStepperBase<S> {
  readonly method: string;
  readonly order: number;
  protected readonly implicit = false;
  private last: LastStep<S> | null = null;
  private stiffHits = 0;
  private nonstiffHits = 0;

  constructor(
    ctx: StepperContext<S>,
    private readonly tab: CheckedTableau,
  ) {
    super(ctx, tab.order, tab.stepOntoOutputs ? ctx.times : []);
    this.method = tab.name;
    this.order = tab.order;
  }

  init(): Promise<void> {
    return this.start(this.order - 1);
  }

  async step(): Promise<StepReport> {
    const p = this.plan();
    const { ops, tab, dir } = this;
    const { t0, t1, h } = p;
    const s = tab.stages;
    const y0 = this.y;
    const n = this.stats.nAccepted + this.stats.nRejected + 1;
    const ks: S[] = [this.fCur as S];
    await this.emitStage(n, 0, t0, y0, ks[0]);
    const wantStiffness = tab.stabilityBoundary !== undefined && tab.fsal && tab.c[s - 2] === 1 &&
      (this.stiffHits > 0 || this.stats.nAccepted % 10 === 0);
    let yPenultimate: S | null = null;
    let yLast: S | null = null;
    let yi: S | null = null;
    try {
      for (let i = 1; i < s; i++) {
        const ti = this.stageTime(p, tab.c[i]);
        const row = tab.a[i];
        const coeffs = new Array<number>(i);
        for (let j = 0; j < i; j++) coeffs[j] = h * row[j];
        yi = ops.lincomb(y0, coeffs, ks);
        ks.push(this.evalF(ti, yi));
        await this.emitStage(n, i, ti, yi, ks[i]);
        if (i === s - 1) yLast = yi;
        else if (i === s - 2 && wantStiffness) yPenultimate = yi;
        else ops.dispose(yi);
        yi = null;
      }
    } catch (e) {
      // f threw (a shape error, the user's own exception): free this attempt's states.
      for (const x of new Set([yi, yPenultimate, yLast, ...ks.slice(1)])) if (x) ops.dispose(x);
      throw e;
    }
    let y1: S;
    if (tab.fsal) y1 = yLast as S;
    else {
      if (yLast) ops.dispose(yLast);
      y1 = ops.lincomb(y0, tab.b.map((b) => h * b), ks);
    }
    const err = ops.lincomb(null, (tab.bErr as readonly number[]).map((e) => h * e), ks);
    const errRatio = await ops.weightedRms(err, this.ctx.rtol, this.ctx.atol, y0, y1, this.ctx.options.errorComponents);
    ops.dispose(err);

    const size = this.controlledSize(p);
    const accepted = this.ctrl.accept(errRatio, size);
    let hNext = this.ctrl.propose(size, errRatio, accepted);
    this.pushRatio(errRatio);

    if (accepted) {
      if (yPenultimate) await this.checkStiffness(Math.abs(h), ks[s - 1], ks[s - 2], y1, yPenultimate);
      const f1 = tab.fsal ? ks[s - 1] : this.evalF(this.stageTime(p, 1), y1);
      const fNext = p.onJump ? this.evalF(nextAfter(t1, dir), y1) : f1;
      this.retire({ t0, t1, h, y0, y1, ks, f1 }, fNext);
      this.t = t1;
      this.y = y1;
      this.fCur = fNext;
      hNext = this.accepted(p, hNext);
    } else {
      if (!Number.isFinite(errRatio)) {
        // The NaN may sit in a stage that y1 gives weight 0 (the FSAL stage): look there too.
        let c = await ops.firstNonFinite(y1);
        for (let i = 1; c < 0 && i < ks.length; i++) c = await ops.firstNonFinite(ks[i]);
        this.lastNonFinite = { t: t0, component: c };
        if (size <= this.ctrl.minStep) {
          for (const x of new Set([y1, yPenultimate, ...ks.slice(1)])) if (x) ops.dispose(x);
          throw new SolverError(
            'nonFinite',
            `A step from t = ${fmt(t0)} with h = ${fmt(h)} (options.minStep) produced non-finite values ` +
              `(component ${c}), and minStep forbids a smaller step. The solution blows up here or f returns ` +
              'NaN/Infinity: lower minStep, or check f near this t.',
            { t: t0, h, component: c },
          );
        }
      }
      ops.dispose(y1);
      for (let i = 1; i < ks.length; i++) ops.dispose(ks[i]);
      this.stats.nRejected++;
    }
    if (yPenultimate) ops.dispose(yPenultimate);
    this.hAbs = hNext;
    return this.emitStep(this.report(t0, h, accepted, errRatio, dir * hNext));
  }

  interpolate(t: number): S {
    const { ops } = this;
    if (t === this.t) return ops.clone(this.y);
    const L = this.last;
    if (!L || !this.inStep(t, L.t0, L.t1)) throw this.outsideStep(t, L ?? undefined);
    if (t === L.t0) return ops.clone(L.y0);
    const theta = (t - L.t0) / L.h;
    const s = this.tab.stages;
    if (this.tab.mid) {
      const fsal = this.tab.fsal;
      const w = quarticWeights(theta, L.h, this.tab.mid, fsal ? s - 1 : -1, s);
      const xs = fsal ? L.ks : [...L.ks, L.f1];
      return ops.lincomb(null, [w.w0, w.w1, ...w.v], [L.y0, L.y1, ...xs]);
    }
    const w = hermiteWeights(theta, L.h);
    return ops.lincomb(null, [w.w0, w.w1, w.vf0, w.vf1], [L.y0, L.y1, L.ks[0], L.f1]);
  }

  dispose(): void {
    const all = new Set<S>([this.y]);
    if (this.fCur) all.add(this.fCur);
    if (this.last) for (const x of [this.last.y0, ...this.last.ks, this.last.f1]) all.add(x);
    for (const x of all) this.ops.dispose(x);
    this.last = null;
    this.fCur = null;
  }

  /** Replaces the stored step, freeing what neither the new step nor the stepper still uses. */
  private retire(next: LastStep<S>, fNext: S): void {
    const old = this.last;
    this.last = next;
    if (!old) return;
    const live = new Set<S>([next.y0, next.y1, ...next.ks, next.f1, fNext]);
    const dead = new Set<S>([old.y0, ...old.ks, old.f1]);
    for (const x of dead) if (!live.has(x)) this.ops.dispose(x);
  }

  /**
   * Hairer's stiffness test: the two last stages both sit at t1, so
   * |h|·‖k_s − k_{s−1}‖ / ‖y_s − y_{s−1}‖ estimates h·|λ| for the dominant eigenvalue.
   * Beyond the stability boundary for 15 tests the problem is stiff for this method.
   */
  private async checkStiffness(hAbs: number, kLast: S, kPrev: S, yLast: S, yPrev: S): Promise<void> {
    const dk = this.ops.lincomb(kLast, [-1], [kPrev]);
    const dy = this.ops.lincomb(yLast, [-1], [yPrev]);
    const nk = await this.ops.weightedRms(dk, 0, 1, dk);
    const ny = await this.ops.weightedRms(dy, 0, 1, dy);
    this.ops.dispose(dk);
    this.ops.dispose(dy);
    if (ny <= 0) return;
    const hLambda = (hAbs * nk) / ny;
    if (hLambda > (this.tab.stabilityBoundary as number)) {
      this.nonstiffHits = 0;
      if (++this.stiffHits >= 15) this.stats.stiff = true;
    } else if (++this.nonstiffHits >= 6) {
      this.stiffHits = 0;
    }
  }
}
