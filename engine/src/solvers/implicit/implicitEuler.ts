import type { NativeState } from '../../state/native';
import { SolverError, fmt } from '../errors';
import { GridStepperBase } from '../grid';
import type { SolverStats, StepperContext } from '../stepper';
import { JACOBIAN_RATE_LIMIT, StageNewton, implicitStats, newtonIterations, type ImplicitStats, type NewtonResult } from './newton';

/** Full Newton, the fallback when the simplified iteration fails, may take this many times maxNewtonIters. */
const FULL_NEWTON_FACTOR = 4;

/**
 * implicit_euler: y1 = y0 + h·f(t1, y1) on a fixed grid, solved by simplified Newton.
 * First order, L-stable: any step size is stable on a stiff linear problem. The Jacobian is
 * kept from step to step and evaluated again only when Newton converges slowly or fails; when
 * even a fresh one fails, full Newton (a Jacobian per iterate) gets a chance before the error.
 * One stage per step, reported at (t1, y1) with k = (y1 − y0)/h.
 */
export class ImplicitEulerStepper extends GridStepperBase<NativeState> {
  readonly method = 'implicit_euler';
  readonly order = 1;
  declare readonly stats: SolverStats & ImplicitStats;
  private readonly newton: StageNewton;
  private readonly maxIters: number;
  private needJacobian = true;

  constructor(ctx: StepperContext<NativeState>) {
    super(ctx);
    this.maxIters = newtonIterations(ctx.options.maxNewtonIters);
    Object.assign(this.stats, implicitStats());
    this.newton = new StageNewton(ctx.ops.size(ctx.y0), (t, y) => this.evalF(t, y), ctx.rtol, ctx.atol, this.maxIters,
      ctx.options.jacobian, this.stats);
  }

  /** f(t0, y0) is needed for the first Jacobian anyway: check it, so a NaN is blamed on f at t0. */
  override async init(): Promise<void> {
    await super.init();
    await this.assertFinite(
      this.currentF(),
      this.t,
      'f(t0, y0)',
      'The vector field is not finite at the start: check the parameters and y0.',
    );
  }

  protected async advance(n: number, t0: number, h: number, y0: NativeState): Promise<NativeState> {
    const t1 = t0 + h;
    const nw = this.newton;
    nw.setScale(y0);
    let result: NewtonResult;
    for (;;) {
      const fresh = this.needJacobian || !nw.hasJacobian;
      if (fresh) {
        nw.updateJacobian(t0, y0, this.currentF());
        this.needJacobian = false;
      }
      result = nw.prepare(h) ? nw.solve(t1, y0, h, y0) : nw.singular(y0);
      if (result.converged) break;
      if (fresh) {
        // h is fixed here, so rather than fail, fall back to full Newton before giving up.
        const full = nw.solveFull(t1, y0, h, y0, FULL_NEWTON_FACTOR * this.maxIters);
        if (!full.converged) {
          throw full.failure === 'nonFinite' && result.failure === 'nonFinite'
            ? this.nonFiniteError(n, t0, h, result)
            : this.newtonError(n, t0, h, result, full);
        }
        result = full;
        break;
      }
      this.needJacobian = true; // an old Jacobian may be the cause: retry once with a new one
    }
    if (result.rate > JACOBIAN_RATE_LIMIT) this.needJacobian = true;
    const y1 = result.z;
    const k = this.ops.lincomb(null, [1 / h, -1 / h], [y1, y0]);
    await this.emitStage(n, 0, t1, y1, k);
    return y1;
  }

  private nonFiniteError(n: number, t0: number, h: number, r: NewtonResult): SolverError {
    const c = r.component ?? -1;
    return new SolverError(
      'nonFinite',
      `f is not finite at t = ${fmt(t0 + h)}${c >= 0 ? `: component ${c}` : ''}, evaluated while solving step ${n} ` +
        `(from t = ${fmt(t0)}, h = ${fmt(h)}) of implicit_euler, also with full Newton. f returns NaN/Infinity there, ` +
        'or for the states the iteration tries: check f near this time (a log or sqrt of a negative value, a division ' +
        'by zero?), or try a smaller options.stepSize.',
      { t: t0 + h, component: c, step: n },
    );
  }

  private newtonError(n: number, t0: number, h: number, r: NewtonResult, full: NewtonResult): SolverError {
    const why = StageNewton.explain(r, this.maxIters);
    return new SolverError(
      'newton',
      `implicit_euler could not solve y1 = y0 + h·f(t1, y1) at grid step ${n}, from t = ${fmt(t0)} with h = ${fmt(h)}: ` +
        `${why}; residual norm ${r.residual.toPrecision(3)} after ${r.iters} iteration(s), with a Jacobian evaluated at ` +
        `this step. Full Newton (a new Jacobian at every iterate) did not converge either: residual norm ` +
        `${full.residual.toPrecision(3)} after ${full.iters} iterations${full.failure === 'nonFinite' ? ' (f became non-finite)' : ''}. ` +
        "Try: a smaller options.stepSize; an adaptive implicit method (method: 'kvaerno3'), which shrinks " +
        'the step where Newton fails; a larger options.maxNewtonIters; and, if you pass options.jacobian, check it ' +
        'against finite differences (leave it out to compare).',
      { t: t0, h, step: n, residual: r.residual, iterations: r.iters, rate: r.rate, failure: r.failure, fullNewtonResidual: full.residual },
    );
  }
}
