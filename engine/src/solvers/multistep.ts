import { SolverError } from './errors';
import { rkStep } from './fixedGrid';
import { GridStepperBase } from './grid';
import type { StepperContext } from './stepper';
import { validateTableau } from './tableau';
import { heun, rk4Classic } from './tableaus/fixed';

const bootstrapRK4 = validateTableau(rk4Classic);
const bootstrapHeun = validateTableau(heun);

// 4-point Gauss–Legendre on [0, 1]: exact for the degree ≤ 3 interpolants of Adams–Bashforth 1–4.
const GL_X = [0.0694318442029737, 0.3300094782075719, 0.6699905217924281, 0.9305681557970263];
const GL_W = [0.1739274225687269, 0.3260725774312731, 0.3260725774312731, 0.1739274225687269];

/**
 * Adams–Bashforth weights for a step [t0, t0 + h] from derivatives at `times` (newest last):
 * β_j = (1/h)∫ L_j, with L_j the Lagrange basis. Exact on any grid, so a non-uniform `t`
 * keeps the method's order; on a uniform grid these are the classical AB coefficients.
 */
export function adamsBashforthWeights(times: readonly number[], t0: number, h: number): number[] {
  const m = times.length;
  const beta = new Array<number>(m).fill(0);
  for (let q = 0; q < GL_X.length; q++) {
    const s = t0 + GL_X[q] * h;
    for (let j = 0; j < m; j++) {
      let l = 1;
      for (let i = 0; i < m; i++) if (i !== j) l *= (s - times[i]) / (times[j] - times[i]);
      beta[j] += GL_W[q] * l;
    }
  }
  return beta;
}

/**
 * explicit_adams: Adams–Bashforth of order 1–4 (default 4), one evaluation of f per step.
 * The first order−1 steps are taken with classic RK4, so the start does not lower the order.
 */
export class AdamsBashforthStepper<S> extends GridStepperBase<S> {
  readonly method = 'explicit_adams';
  readonly order: number;
  /** (t, f) at the latest grid points, oldest first; copies owned here. */
  private readonly history: { t: number; f: S }[] = [];

  constructor(ctx: StepperContext<S>) {
    super(ctx);
    const p = ctx.options.order ?? 4;
    if (!Number.isInteger(p) || p < 1 || p > 4) {
      throw new SolverError('input', `options.order is ${p}: explicit_adams supports orders 1, 2, 3 and 4.`);
    }
    this.order = p;
  }

  protected async advance(n: number, t0: number, h: number, y0: S): Promise<S> {
    const f0 = this.currentF();
    this.history.push({ t: t0, f: this.ops.clone(f0) });
    if (this.history.length > this.order) this.ops.dispose(this.history.shift()!.f);
    if (this.history.length < this.order) {
      return rkStep(bootstrapRK4, t0, h, y0, f0, (t, y) => this.evalF(t, y), this.ops, (i, t, y, k) =>
        this.emitStage(n, i, t, y, k),
      );
    }
    await this.emitStage(n, 0, t0, y0, f0);
    const beta = adamsBashforthWeights(this.history.map((e) => e.t), t0, h);
    return this.ops.lincomb(y0, beta.map((b) => h * b), this.history.map((e) => e.f));
  }

  protected override releaseHistory(into: Set<S>): void {
    for (const e of this.history) into.add(e.f);
    this.history.length = 0;
  }
}

/**
 * lm: the two-step scheme of LM-ResNet, u_{n+1} = (1 − k)·u_n + k·u_{n−1} + (1 + k)·h·f(t_n, u_n),
 * scaled by (1 + k) so that it is consistent with u' = f (the network form absorbs that factor
 * into f). Zero-stable for −1 < k ≤ 1; first order, second order at k = 1 (leapfrog).
 * The first step, and any step whose size differs from the previous one, is taken with Heun.
 */
export class LinearMultistepStepper<S> extends GridStepperBase<S> {
  readonly method = 'lm';
  readonly order: number;
  readonly k: number;
  private yPrev: S | null = null;
  private hPrev = NaN;

  constructor(ctx: StepperContext<S>) {
    super(ctx);
    const k = ctx.options.k ?? 0;
    if (!(k > -1 && k <= 1)) {
      throw new SolverError(
        'input',
        `options.k is ${k}: the lm scheme is zero-stable only for −1 < k ≤ 1 (its characteristic polynomial ` +
          'ζ² − (1−k)ζ − k has the root −k). Choose k in (−1, 1].',
      );
    }
    this.k = k;
    this.order = k === 1 ? 2 : 1;
  }

  protected async advance(n: number, t0: number, h: number, y0: S): Promise<S> {
    const f0 = this.currentF();
    const k = this.k;
    let y1: S;
    if (this.yPrev && Math.abs(h - this.hPrev) <= 1e-12 * Math.abs(h) + 8 * Number.EPSILON * Math.abs(t0)) {
      await this.emitStage(n, 0, t0, y0, f0);
      y1 = this.ops.lincomb(null, [1 - k, k, (1 + k) * h], [y0, this.yPrev, f0]);
    } else {
      y1 = await rkStep(bootstrapHeun, t0, h, y0, f0, (t, y) => this.evalF(t, y), this.ops, (i, t, y, kk) =>
        this.emitStage(n, i, t, y, kk),
      );
    }
    if (this.yPrev) this.ops.dispose(this.yPrev);
    this.yPrev = this.ops.clone(y0);
    this.hPrev = h;
    return y1;
  }

  protected override releaseHistory(into: Set<S>): void {
    if (this.yPrev) into.add(this.yPrev);
    this.yPrev = null;
  }
}
