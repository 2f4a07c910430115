import type { StateAlgebra } from '../state/algebra';
import { SolverError, fmt } from './errors';
import type { SolverStats, StepReport, Stepper, StepperContext } from './stepper';

/** Counting, hooks and finiteness checks shared by every stepper. */
export abstract class StepperBase<S> implements Stepper<S> {
  abstract readonly method: string;
  abstract readonly order: number;
  abstract readonly adaptive: boolean;

  t: number;
  y: S;
  readonly stats: SolverStats = { nfe: 0, nAccepted: 0, nRejected: 0, hMin: NaN, hMax: NaN, stiff: false };
  protected readonly ops: StateAlgebra<S>;
  /** +1 forwards in time, −1 backwards. */
  protected readonly dir: number;

  constructor(protected readonly ctx: StepperContext<S>) {
    this.ops = ctx.ops;
    this.t = ctx.t0;
    this.y = ctx.ops.clone(ctx.y0);
    this.dir = ctx.tEnd >= ctx.t0 ? 1 : -1;
  }

  abstract init(): Promise<void>;
  abstract step(): Promise<StepReport>;
  abstract interpolate(t: number): S;
  abstract dispose(): void;

  /** f(t, y), counted. */
  protected evalF(t: number, y: S): S {
    this.stats.nfe++;
    return this.ops.evaluate(this.ctx.f, t, y);
  }

  protected async emitStage(n: number, i: number, t: number, y: S, k: S): Promise<void> {
    if (this.ctx.hooks.onStage) await this.ctx.hooks.onStage({ n, i, t, y, k });
  }

  protected async emitStep(report: StepReport): Promise<StepReport> {
    if (this.ctx.hooks.onStep) await this.ctx.hooks.onStep(report);
    return report;
  }

  protected countAccepted(hAbs: number): void {
    const s = this.stats;
    s.nAccepted++;
    s.hMin = Number.isNaN(s.hMin) ? hAbs : Math.min(s.hMin, hAbs);
    s.hMax = Number.isNaN(s.hMax) ? hAbs : Math.max(s.hMax, hAbs);
  }

  protected report(t: number, h: number, accepted: boolean, errRatio: number, hNext: number): StepReport {
    const s = this.stats;
    return {
      n: s.nAccepted + s.nRejected,
      t,
      h,
      accepted,
      errRatio,
      hNext,
      nfe: s.nfe,
      nAccepted: s.nAccepted,
      nRejected: s.nRejected,
    };
  }

  /** Whether t lies in the step [a, b] (in the direction of integration). */
  protected inStep(t: number, a: number, b: number): boolean {
    return this.dir * (t - a) >= 0 && this.dir * (t - b) <= 0;
  }

  /** The error for a dense-output request outside the last step. */
  protected outsideStep(t: number, step?: { t0: number; t1: number }): SolverError {
    const span = step ? `the last step is [${fmt(step.t0)}, ${fmt(step.t1)}]` : 'no step has been taken yet';
    return new SolverError('input', `Cannot interpolate at t = ${fmt(t)}: ${span}.`, { t });
  }

  /** Throws a 'nonFinite' error naming the component and the time when x has a NaN or ±Infinity. */
  protected async assertFinite(x: S, t: number, what: string, hint: string): Promise<void> {
    const i = await this.ops.firstNonFinite(x);
    if (i < 0) return;
    const v = (await this.ops.read(x))[i];
    throw new SolverError(
      'nonFinite',
      `${what} is not finite at t = ${fmt(t)}: component ${i} is ${v}. ${hint}`,
      { t, component: i, value: v },
    );
  }
}

/** The next double after x in the direction of dir (to evaluate f just past a jump). */
export function nextAfter(x: number, dir: number): number {
  if (Number.isNaN(x) || dir === 0) return x;
  if (x === 0) return dir > 0 ? Number.MIN_VALUE : -Number.MIN_VALUE;
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  let bits = buf.getBigUint64(0);
  bits += (x > 0) === (dir > 0) ? 1n : -1n;
  buf.setBigUint64(0, bits);
  return buf.getFloat64(0);
}
