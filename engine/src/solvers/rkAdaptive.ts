import { PIController } from './controller';
import { hermiteWeights, quarticWeights } from './denseOutput';
import { SolverError, fmt } from './errors';
import { selectInitialStep } from './initialStep';
import type { StepReport, StepperContext } from './stepper';
import { StepperBase, nextAfter } from './stepperBase';
import { stopTimes, type StopTime } from './stopTimes';
import type { CheckedTableau } from './tableau';
import { underflowMessage, maxStepsError, DEFAULT_MAX_STEPS } from './failures';

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
export class AdaptiveRKStepper<S> extends StepperBase<S> {
  readonly adaptive = true;
  readonly method: string;
  readonly order: number;
  private readonly ctrl: PIController;
  private readonly stops: StopTime[];
  private readonly maxSteps: number;
  private stopIndex = 0;
  private fCur: S | null = null;
  private hAbs = NaN;
  private last: LastStep<S> | null = null;
  private readonly recentRatios: number[] = [];
  private stiffHits = 0;
  private nonstiffHits = 0;
  private lastNonFinite: { t: number; component: number } | null = null;

  constructor(
    ctx: StepperContext<S>,
    private readonly tab: CheckedTableau,
  ) {
    super(ctx);
    this.method = tab.name;
    this.order = tab.order;
    this.ctrl = new PIController(tab.order, ctx.options);
    this.stops = stopTimes(ctx.options, ctx.t0, ctx.tEnd, tab.stepOntoOutputs ? ctx.times : []);
    this.maxSteps = ctx.options.maxNumSteps ?? DEFAULT_MAX_STEPS;
  }

  async init(): Promise<void> {
    await this.assertFinite(this.y, this.t, 'The initial state y0', 'Check how y0 is built (a division by zero, a log of 0?).');
    this.fCur = this.evalF(this.t, this.y);
    await this.assertFinite(
      this.fCur,
      this.t,
      'f(t0, y0)',
      'The vector field is not finite at the start: check the model parameters and y0 (a NaN weight from a diverged training run?).',
    );
    const { firstStep } = this.ctx.options;
    const h =
      firstStep !== undefined
        ? Math.abs(firstStep)
        : await selectInitialStep(this.ops, (t, y) => this.evalF(t, y), this.t, this.y, this.fCur, this.dir,
            this.order - 1, this.ctx.rtol, this.ctx.atol);
    this.hAbs = this.ctrl.clamp(h);
  }

  async step(): Promise<StepReport> {
    if (this.fCur === null) throw new SolverError('input', 'step() called before init().');
    const { ops, tab, dir } = this;
    const s = tab.stages;
    const t0 = this.t;
    const y0 = this.y;
    if (dir * (this.ctx.tEnd - t0) <= 0) throw new SolverError('input', `The solve already reached its end t = ${fmt(t0)}.`);
    if (this.stats.nAccepted + this.stats.nRejected >= this.maxSteps) {
      throw maxStepsError(this, this.maxSteps, this.ctx.t0, this.ctx.tEnd, this.dir * this.hAbs, this.recentRatios);
    }

    // Step onto the next stepT/jumpT time or the end, whichever comes first.
    const planned = this.hAbs;
    const stop = this.stops[this.stopIndex];
    const target = stop && dir * (stop.t - this.ctx.tEnd) < 0 ? stop.t : this.ctx.tEnd;
    let t1 = t0 + dir * planned;
    // A step ending a few ulps short of the target would leave a remainder t cannot resolve
    // (ten steps of 0.1 end at 0.9999999999999999): step onto the target instead.
    const slack = Number.isFinite(target) ? 16 * Number.EPSILON * Math.max(Math.abs(t0), Math.abs(target)) : 0;
    const clipped = dir * (t1 - target) >= -slack;
    if (clipped) t1 = target;
    const onStop = clipped && stop !== undefined && target === stop.t;
    const onJump = onStop && stop.jump;
    const h = t1 - t0;
    if (t0 + h === t0 || Math.abs(h) <= 4 * Number.EPSILON * Math.abs(t0)) {
      // When the trial steps were non-finite right here, say so in the kind (the debugger stops on it).
      const kind = this.lastNonFinite?.t === t0 ? 'nonFinite' : 'stepUnderflow';
      throw new SolverError(kind, underflowMessage(this.method, false, t0, h, this.recentRatios, this.lastNonFinite), {
        t: t0, h, errRatios: [...this.recentRatios], nonFinite: this.lastNonFinite,
      });
    }

    const n = this.stats.nAccepted + this.stats.nRejected + 1;
    const ks: S[] = [this.fCur];
    await this.emitStage(n, 0, t0, y0, this.fCur);
    const wantStiffness = tab.stabilityBoundary !== undefined && tab.fsal && tab.c[s - 2] === 1 &&
      (this.stiffHits > 0 || this.stats.nAccepted % 10 === 0);
    let yPenultimate: S | null = null;
    let yLast: S | null = null;
    let yi: S | null = null;
    try {
      for (let i = 1; i < s; i++) {
        const ti = tab.c[i] === 1 ? (onJump ? nextAfter(t1, -dir) : t1) : t0 + tab.c[i] * h;
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
    const errRatio = await ops.weightedRms(err, this.ctx.rtol, this.ctx.atol, y0, y1);
    ops.dispose(err);

    const hAbs = Math.abs(h);
    // The controller works on the planned magnitude: t1 − t0 differs from it by the rounding of t,
    // which would put a step at minStep just above it (and reject it for ever).
    const hCtrl = clipped ? hAbs : planned;
    const accepted = this.ctrl.accept(errRatio, hCtrl);
    let hNext = this.ctrl.propose(hCtrl, errRatio, accepted);
    this.recentRatios.push(errRatio);
    if (this.recentRatios.length > 5) this.recentRatios.shift();

    if (accepted) {
      if (yPenultimate) await this.checkStiffness(hAbs, ks[s - 1], ks[s - 2], y1, yPenultimate);
      const f1 = tab.fsal ? ks[s - 1] : this.evalF(onJump ? nextAfter(t1, -dir) : t1, y1);
      const fNext = onJump ? this.evalF(nextAfter(t1, dir), y1) : f1;
      this.retire({ t0, t1, h, y0, y1, ks, f1 }, fNext);
      this.t = t1;
      this.y = y1;
      this.fCur = fNext;
      if (onStop) this.stopIndex++;
      if (clipped) hNext = Math.max(hNext, this.ctrl.clamp(planned));
      this.countAccepted(hAbs);
    } else {
      if (!Number.isFinite(errRatio)) {
        // The NaN may sit in a stage that y1 gives weight 0 (the FSAL stage): look there too.
        let c = await ops.firstNonFinite(y1);
        for (let i = 1; c < 0 && i < ks.length; i++) c = await ops.firstNonFinite(ks[i]);
        this.lastNonFinite = { t: t0, component: c };
        if (hAbs <= this.ctrl.minStep) {
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
    if (!L || this.dir * (t - L.t0) < 0 || this.dir * (t - L.t1) > 0) {
      throw new SolverError('input', `Cannot interpolate at t = ${fmt(t)}: outside the last step.`, { t });
    }
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
