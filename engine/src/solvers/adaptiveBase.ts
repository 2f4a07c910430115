import { PIController } from './controller';
import { SolverError, fmt } from './errors';
import { DEFAULT_MAX_STEPS, maxStepsError, underflowMessage } from './failures';
import { selectInitialStep } from './initialStep';
import type { StepperContext } from './stepper';
import { StepperBase, nextAfter } from './stepperBase';
import { stopTimes, type StopTime } from './stopTimes';

/** Where the next attempt goes. */
export interface StepPlan {
  t0: number;
  t1: number;
  /** Signed step; exactly ±planned when not clipped. */
  h: number;
  /** The magnitude the controller asked for. */
  planned: number;
  /** The step was shortened to land on a stop time or the end. */
  clipped: boolean;
  /** It lands on a stepT/jumpT time. */
  onStop: boolean;
  /** It lands on a jumpT time: f is evaluated just before it, and afresh just after. */
  onJump: boolean;
}

/**
 * What every adaptive stepper (explicit RK, ESDIRK) shares: the controller, the first step,
 * stepping onto stepT/jumpT times and the end, the step budget and the underflow check.
 */
export abstract class AdaptiveStepperBase<S> extends StepperBase<S> {
  readonly adaptive = true;
  protected readonly ctrl: PIController;
  private readonly stops: StopTime[];
  private readonly maxSteps: number;
  private stopIndex = 0;
  /** f at the current point: the next attempt's first stage. */
  protected fCur: S | null = null;
  /** Magnitude of the next attempt. */
  protected hAbs = NaN;
  protected readonly recentRatios: number[] = [];
  protected lastNonFinite: { t: number; component: number } | null = null;

  /**
   * @param controllerOrder the exponent's order q (the error estimate is O(h^q))
   * @param stepOnto extra times to step onto (outputs, for methods without a good interpolant)
   */
  constructor(ctx: StepperContext<S>, controllerOrder: number, stepOnto: readonly number[] = []) {
    super(ctx);
    this.ctrl = new PIController(controllerOrder, ctx.options);
    this.stops = stopTimes(ctx.options, ctx.t0, ctx.tEnd, stepOnto);
    this.maxSteps = ctx.options.maxNumSteps ?? DEFAULT_MAX_STEPS;
  }

  /** Checks y0 and f(t0, y0), then picks the first step (Hairer's heuristic for `startOrder`). */
  protected async start(startOrder: number): Promise<void> {
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
            startOrder, this.ctx.rtol, this.ctx.atol, this.ctx.options.errorComponents);
    this.hAbs = this.ctrl.clamp(h);
  }

  /** Plans the next attempt; throws when the budget is spent or h no longer moves t. */
  protected plan(): StepPlan {
    const { dir } = this;
    const t0 = this.t;
    if (this.fCur === null) throw new SolverError('input', 'step() called before init().');
    if (dir * (this.ctx.tEnd - t0) <= 0) throw new SolverError('input', `The solve already reached its end t = ${fmt(t0)}.`);
    if (this.stats.nAccepted + this.stats.nRejected >= this.maxSteps) {
      throw maxStepsError(this, this.maxSteps, this.ctx.t0, this.ctx.tEnd, dir * this.hAbs, this.recentRatios);
    }
    const planned = this.hAbs;
    const stop = this.stops[this.stopIndex];
    const target = stop && dir * (stop.t - this.ctx.tEnd) < 0 ? stop.t : this.ctx.tEnd;
    // A step ending a few ulps short of the target would leave a remainder t cannot resolve
    // (ten steps of 0.1 end at 0.9999999999999999): step onto the target instead.
    const slack = Number.isFinite(target) ? 16 * Number.EPSILON * Math.max(Math.abs(t0), Math.abs(target)) : 0;
    const clipped = dir * (t0 + dir * planned - target) >= -slack;
    // Unclipped, h is exactly ±planned (an implicit method then reuses its factorisation bit for bit).
    const h = clipped ? target - t0 : dir * planned;
    const t1 = clipped ? target : t0 + h;
    const onStop = clipped && stop !== undefined && target === stop.t;
    if (t0 + h === t0 || Math.abs(h) <= 4 * Number.EPSILON * Math.abs(t0)) throw this.underflowError(t0, h);
    return { t0, t1, h, planned, clipped, onStop, onJump: onStop && stop.jump };
  }

  /** The time of a stage at node c: one just before a jump is evaluated on the jump's near side. */
  protected stageTime(p: StepPlan, c: number): number {
    return c === 1 ? (p.onJump ? nextAfter(p.t1, -this.dir) : p.t1) : p.t0 + c * p.h;
  }

  /** The controller's view of the attempt's size: the planned one unless it was clipped. */
  protected controlledSize(p: StepPlan): number {
    return p.clipped ? Math.abs(p.h) : p.planned;
  }

  /** Bookkeeping after an accepted attempt; returns the next step (a clip never shrinks it). */
  protected accepted(p: StepPlan, hNext: number): number {
    if (p.onStop) this.stopIndex++;
    this.countAccepted(Math.abs(p.h));
    return p.clipped ? Math.max(hNext, this.ctrl.clamp(p.planned)) : hNext;
  }

  protected pushRatio(r: number): void {
    this.recentRatios.push(r);
    if (this.recentRatios.length > 5) this.recentRatios.shift();
  }

  /** The error when h underflows; when trial steps were non-finite right here, its kind says so. */
  protected underflowError(t0: number, h: number): SolverError {
    const kind = this.lastNonFinite?.t === t0 ? 'nonFinite' : 'stepUnderflow';
    return new SolverError(kind, underflowMessage(this.method, this.implicit, t0, h, this.recentRatios, this.lastNonFinite), {
      t: t0,
      h,
      errRatios: [...this.recentRatios],
      nonFinite: this.lastNonFinite,
    });
  }

  /** Implicit methods do not suggest an implicit method when they fail. */
  protected abstract readonly implicit: boolean;
}
