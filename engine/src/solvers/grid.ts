import { SolverError, fmt } from './errors';
import { DEFAULT_MAX_STEPS } from './failures';
import { hermiteWeights } from './denseOutput';
import type { StepReport, StepperContext } from './stepper';
import { StepperBase } from './stepperBase';

/**
 * The grid of a fixed-step method: the output times themselves, or t0, t0 ± stepSize, … with a
 * shortened last step onto tEnd (torchdiffeq's rule).
 */
export function buildGrid(times: readonly number[], stepSize: number | undefined, maxSteps: number): number[] {
  if (stepSize === undefined) return [...times];
  if (!(stepSize > 0) || !Number.isFinite(stepSize)) {
    throw new SolverError('input', `options.stepSize is ${stepSize}: it must be a positive finite number.`);
  }
  const t0 = times[0];
  const tEnd = times[times.length - 1];
  const dir = tEnd >= t0 ? 1 : -1;
  const span = Math.abs(tEnd - t0);
  const steps = Math.max(1, Math.ceil(span / stepSize - 1e-9));
  if (steps > maxSteps) {
    throw new SolverError(
      'maxSteps',
      `stepSize ${fmt(stepSize)} over [${fmt(t0)}, ${fmt(tEnd)}] needs ${steps} steps, more than maxNumSteps (${maxSteps}). ` +
        'Try: a larger stepSize, or raise options.maxNumSteps.',
      { steps, maxSteps },
    );
  }
  const grid = new Array<number>(steps + 1);
  for (let i = 0; i < steps; i++) grid[i] = t0 + dir * i * stepSize;
  grid[steps] = tEnd;
  return grid;
}

/**
 * Shared machinery of fixed-grid methods (explicit RK, Adams–Bashforth, LM): walking the grid,
 * finiteness checks after each step (no error estimate would catch a NaN), and output between
 * grid points by linear (default) or cubic Hermite interpolation.
 */
export abstract class GridStepperBase<S> extends StepperBase<S> {
  readonly adaptive = false;
  protected readonly grid: number[];
  protected index = 0;
  /** f(t, y) at the current grid point, when already known (the next step's k_0). */
  protected fCur: S | null = null;
  private prev: { t: number; y: S; f: S | null } | null = null;

  constructor(ctx: StepperContext<S>) {
    super(ctx);
    this.grid = buildGrid(ctx.times, ctx.options.stepSize, ctx.options.maxNumSteps ?? DEFAULT_MAX_STEPS);
  }

  async init(): Promise<void> {
    await this.assertFinite(this.y, this.t, 'The initial state y0', 'Check how y0 is built.');
    await this.assertFinite(this.currentF(), this.t, 'f(t0, y0)', 'The vector field is not finite at the start: check the model parameters and y0.');
  }

  /** Advances y from t0 to t1 = t0 + h (attempt number n); returns the new state. */
  protected abstract advance(n: number, t0: number, h: number, y0: S): Promise<S>;

  /** f at the current point, computed once and shared with the next step. */
  protected currentF(): S {
    if (!this.fCur) this.fCur = this.evalF(this.t, this.y);
    return this.fCur;
  }

  async step(): Promise<StepReport> {
    if (this.index >= this.grid.length - 1) {
      throw new SolverError('input', `The solve already reached its end t = ${fmt(this.t)}.`);
    }
    const t0 = this.grid[this.index];
    const t1 = this.grid[this.index + 1];
    const h = t1 - t0;
    const n = this.stats.nAccepted + 1;
    const y1 = await this.advance(n, t0, h, this.y);
    await this.assertFinite(
      y1,
      t1,
      `The state after step ${n} (from t = ${fmt(t0)}, h = ${fmt(h)})`,
      'The fixed step may be too large for this problem (explicit methods blow up beyond their stability region): ' +
        'try a smaller options.stepSize or an adaptive method such as dopri5.',
    ).catch((e) => {
      this.ops.dispose(y1);
      throw e;
    });
    this.keepPrevious();
    this.index++;
    this.t = t1;
    this.y = y1;
    this.countAccepted(Math.abs(h));
    const hNext = this.index < this.grid.length - 1 ? this.grid[this.index + 1] - t1 : 0;
    return this.emitStep(this.report(t0, h, true, NaN, hNext));
  }

  interpolate(t: number): S {
    const { ops } = this;
    if (t === this.t) return ops.clone(this.y);
    const p = this.prev;
    if (!p || !this.inStep(t, p.t, this.t)) throw this.outsideStep(t, p ? { t0: p.t, t1: this.t } : undefined);
    const h = this.t - p.t;
    const theta = (t - p.t) / h;
    if (this.ctx.options.interp === 'cubic') {
      if (!p.f) p.f = this.evalF(p.t, p.y);
      const w = hermiteWeights(theta, h);
      return ops.lincomb(null, [w.w0, w.w1, w.vf0, w.vf1], [p.y, this.y, p.f, this.currentF()]);
    }
    return ops.lincomb(null, [1 - theta, theta], [p.y, this.y]);
  }

  dispose(): void {
    const all = new Set<S>([this.y]);
    if (this.fCur) all.add(this.fCur);
    if (this.prev) {
      all.add(this.prev.y);
      if (this.prev.f) all.add(this.prev.f);
    }
    this.releaseHistory(all);
    for (const x of all) this.ops.dispose(x);
    this.prev = null;
    this.fCur = null;
  }

  /** Multistep subclasses hand over the copies they keep, so dispose frees each once. */
  protected releaseHistory(_into: Set<S>): void {}

  private keepPrevious(): void {
    const old = this.prev;
    if (old) {
      this.ops.dispose(old.y);
      if (old.f && old.f !== this.fCur) this.ops.dispose(old.f);
    }
    this.prev = { t: this.t, y: this.y, f: this.fCur };
    this.fCur = null;
  }
}
