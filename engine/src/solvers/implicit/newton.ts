import type { Tolerance } from '../../state/algebra';
import type { NativeState } from '../../state/native';
import { SolverError } from '../errors';
import { evaluateJacobian, type UserJacobian } from './jacobian';
import { DenseLU } from './linalg';

/** Zeroed counters, to add to a stepper's stats. */
export const implicitStats = (): ImplicitStats => ({ njac: 0, nlu: 0, nNewton: 0, nNewtonFailed: 0 });

/** Counters of the implicit machinery (added to the solver's stats). */
export interface ImplicitStats {
  /** Jacobian evaluations (finite-difference ones also count n in nfe). */
  njac: number;
  /** LU factorisations of the iteration matrix I − hγJ. */
  nlu: number;
  /** Newton iterations, over all stages and steps. */
  nNewton: number;
  /** Stage solves that did not converge (each rejects its step). */
  nNewtonFailed: number;
}

export type NewtonFailure = 'diverged' | 'slow' | 'maxIters' | 'nonFinite' | 'singular';

export interface NewtonResult {
  converged: boolean;
  /** The last iterate (the stage value when converged). */
  z: NativeState;
  iters: number;
  /** Largest contraction rate ‖Δ_k‖/‖Δ_{k−1}‖ seen (NaN after a single iteration). */
  rate: number;
  /** Weighted RMS of the residual z − base − hγ·f(t, z) at the last evaluated iterate (1 = tolerance). */
  residual: number;
  /** Weighted RMS of the last Newton update. */
  update: number;
  failure?: NewtonFailure;
  /** For a 'nonFinite' failure: the first component of f that was NaN or ±Infinity. */
  component?: number;
}

/**
 * Stop when the estimated distance to the solution, η·‖Δ‖ with η = θ/(1 − θ), is below this
 * fraction of the tolerance (Hairer & Wanner use 0.03–0.1 in RADAU5/SDIRK4): the Newton error
 * then stays well inside the step's error estimate.
 */
export const NEWTON_KAPPA = 0.03;
/** A converged stage whose rate exceeded this asks for a fresh Jacobian at the next step. */
export const JACOBIAN_RATE_LIMIT = 0.2;

/** Relative change of hγ up to which the factorised iteration matrix is reused. */
const LU_REUSE_TOLERANCE = 1e-3;

function firstNonFinite(x: ArrayLike<number>): number {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return i;
  return -1;
}

const machineEps = (y: NativeState): number => (y instanceof Float32Array ? 2 ** -23 : Number.EPSILON);

/**
 * The simplified Newton iteration for the stage equations of an implicit Runge–Kutta method,
 *   z = base + hγ·f(t, z),
 * with the iteration matrix M = I − hγ·J held factorised: J is evaluated only when the stepper
 * asks (it is the dominant cost), M is refactored only when hγ or J changed, and every stage
 * of a step shares the one factorisation.
 */
export class StageNewton {
  /** ∂f/∂y, row-major; valid once `hasJacobian`. */
  private readonly J: Float64Array;
  private readonly M: Float64Array;
  private readonly lu: DenseLU;
  private luHg = NaN;
  private luValid = false;
  /** J has been evaluated at least once (the stepper decides when it is stale). */
  hasJacobian = false;
  /** η of the last converged solve, to judge the first iteration of the next one (Hairer's faccon). */
  private eta = 1;
  /** 1 / (atol + rtol·|y|) per component, refreshed by `setScale` once per step. */
  private readonly weights: Float64Array;
  private readonly g: Float64Array;
  private readonly delta: Float64Array;

  constructor(
    readonly n: number,
    private readonly evalF: (t: number, y: NativeState) => NativeState,
    private readonly rtol: Tolerance,
    private readonly atol: Tolerance,
    private readonly maxIters: number,
    private readonly userJacobian: UserJacobian | undefined,
    /** Where the counters go (the stepper's stats object, so they show in the solve's stats). */
    readonly stats: ImplicitStats,
  ) {
    this.J = new Float64Array(n * n);
    this.M = new Float64Array(n * n);
    this.lu = new DenseLU(n);
    this.weights = new Float64Array(n);
    this.g = new Float64Array(n);
    this.delta = new Float64Array(n);
  }

  /**
   * Evaluates J at (t, y). Finite differences need f(t, y) itself: pass it only when it was
   * evaluated there (a stage slope recovered from a stage equation differs from it by the
   * Newton error times the stiffness, which the differencing would blow up); else it is evaluated.
   */
  updateJacobian(t: number, y: NativeState, fy?: NativeState): void {
    const base = this.userJacobian || fy ? fy : this.evalF(t, y);
    evaluateJacobian(t, y, base as NativeState, this.evalF, this.userJacobian, this.J);
    this.stats.njac++;
    this.hasJacobian = true;
    this.luValid = false;
  }

  /**
   * Factorises I − hγ·J unless it already is for this hγ. Returns false when the matrix is
   * singular (hγ hit 1/λ for an eigenvalue λ of J): the caller changes h.
   */
  prepare(hg: number): boolean {
    if (!this.hasJacobian) throw new Error('StageNewton.prepare before updateJacobian.');
    if (this.preparedFor(hg)) return true;
    const { n, J, M } = this;
    for (let k = 0; k < n * n; k++) M[k] = -hg * J[k];
    for (let i = 0; i < n; i++) M[i * n + i] += 1;
    this.stats.nlu++;
    this.luHg = hg;
    this.luValid = this.lu.factor(M);
    return this.luValid;
  }

  /**
   * Whether the factorisation serves hγ. A matrix for a slightly different hγ' only slows the
   * iteration by about |1 − hγ/hγ'| per step, so rounding-level changes (a uniform grid's
   * t1 − t0) do not refactor.
   */
  private preparedFor(hg: number): boolean {
    return this.luValid && Math.abs(hg - this.luHg) <= LU_REUSE_TOLERANCE * Math.abs(hg);
  }

  /**
   * Sets the norm the iteration is judged in from the state at the start of the step:
   * weights 1/(atol + rtol·|y|), floored so that the tolerance stays above the state's own
   * rounding (float32) and is never zero (rtol = atol = 0 on a fixed grid).
   */
  setScale(y: NativeState): void {
    const eps = machineEps(y);
    const { rtol, atol } = this;
    for (let i = 0; i < this.n; i++) {
      const a = Math.abs(y[i]);
      const rt = typeof rtol === 'number' ? rtol : rtol[i];
      const at = typeof atol === 'number' ? atol : atol[i];
      let sc = at + rt * a;
      sc = Math.max(sc, 100 * eps * a);
      if (!(sc > 0)) sc = 1e-9 + 1e-7 * a;
      this.weights[i] = 1 / sc;
    }
  }

  private norm(x: Float64Array): number {
    const w = this.weights;
    let s = 0;
    for (let i = 0; i < this.n; i++) {
      const v = x[i] * w[i];
      s += v * v;
    }
    return Math.sqrt(s / Math.max(1, this.n));
  }

  /**
   * Solves z = base + hγ·f(t, z) from the guess `z0` (not modified) with `prepare(hg)` done.
   * Stops when converged, when the rate reaches 1 (divergence), when the rate predicts that
   * the remaining iterations cannot reach the tolerance, on a non-finite f, or after maxIters.
   */
  solve(t: number, base: NativeState, hg: number, z0: NativeState): NewtonResult {
    if (!this.preparedFor(hg)) throw new SolverError('input', 'StageNewton.solve: iteration matrix not prepared for this hγ.');
    const { n, g, delta, maxIters } = this;
    const z = z0.slice();
    let eta = Math.pow(Math.max(this.eta, Number.EPSILON), 0.8);
    let prev = NaN;
    let rate = NaN;
    let residual = NaN;
    let update = NaN;
    const fail = (failure: NewtonFailure, iters: number, component?: number): NewtonResult => {
      this.stats.nNewtonFailed++;
      return { converged: false, z, iters, rate, residual, update, failure, component };
    };
    for (let k = 0; k < maxIters; k++) {
      const fz = this.evalF(t, z);
      this.stats.nNewton++;
      for (let i = 0; i < n; i++) g[i] = base[i] + hg * fz[i] - z[i];
      residual = this.norm(g);
      if (!Number.isFinite(residual)) return fail('nonFinite', k + 1, firstNonFinite(fz));
      this.lu.solve(g, delta);
      update = this.norm(delta);
      if (!Number.isFinite(update)) return fail('nonFinite', k + 1, firstNonFinite(fz));
      if (k > 0) {
        const theta = update / prev;
        rate = Number.isNaN(rate) ? theta : Math.max(rate, theta);
        if (theta >= 1) return fail('diverged', k + 1);
        // θ^(remaining)/(1 − θ)·‖Δ‖ is where the iteration would end: give up early if above κ.
        if (k < maxIters - 1 && (Math.pow(theta, maxIters - 1 - k) / (1 - theta)) * update > NEWTON_KAPPA) {
          return fail('slow', k + 1);
        }
        eta = theta / (1 - theta);
      }
      for (let i = 0; i < n; i++) z[i] += delta[i];
      if (update === 0 || eta * update <= NEWTON_KAPPA) {
        this.eta = eta;
        return { converged: true, z, iters: k + 1, rate, residual, update };
      }
      prev = update;
    }
    return fail('maxIters', maxIters);
  }

  /**
   * Full Newton: J evaluated and I − hγJ factorised at every iterate. Far costlier, but it
   * converges from starting points where the simplified iteration cannot (a Jacobian that
   * vanishes at y0, as Robertson's does at its start), and its early iterations may grow before
   * they contract, so only non-finite values or `maxIters` stop it. The last Jacobian, taken
   * near the solution, stays for the next steps. For fixed grids, where h cannot shrink.
   */
  solveFull(t: number, base: NativeState, hg: number, z0: NativeState, maxIters: number): NewtonResult {
    const { n, g, delta } = this;
    const z = z0.slice();
    let residual = NaN;
    let update = NaN;
    let prev = NaN;
    let rate = NaN;
    for (let k = 0; k < maxIters; k++) {
      const fz = this.evalF(t, z);
      this.stats.nNewton++;
      for (let i = 0; i < n; i++) g[i] = base[i] + hg * fz[i] - z[i];
      residual = this.norm(g);
      if (!Number.isFinite(residual)) break;
      this.updateJacobian(t, z, fz);
      if (!this.prepare(hg)) return this.singular(z);
      this.lu.solve(g, delta);
      update = this.norm(delta);
      if (!Number.isFinite(update)) break;
      rate = k > 0 ? update / prev : NaN;
      for (let i = 0; i < n; i++) z[i] += delta[i];
      if (update <= NEWTON_KAPPA) return { converged: true, z, iters: k + 1, rate, residual, update };
      prev = update;
    }
    this.stats.nNewtonFailed++;
    const failure: NewtonFailure = Number.isFinite(residual) && Number.isFinite(update) ? 'maxIters' : 'nonFinite';
    return { converged: false, z, iters: maxIters, rate, residual, update, failure };
  }

  /** The result standing for a step whose iteration matrix could not be factorised. */
  singular(z: NativeState): NewtonResult {
    this.stats.nNewtonFailed++;
    return { converged: false, z, iters: 0, rate: NaN, residual: NaN, update: NaN, failure: 'singular' };
  }

  /** Why a solve failed, in words, for error messages. */
  static explain(r: NewtonResult, maxIters: number): string {
    const nums = `residual ${r.residual.toPrecision(3)}, last update ${r.update.toPrecision(3)} (in units of the tolerance)`;
    switch (r.failure) {
      case 'diverged':
        return `Newton's iteration diverged after ${r.iters} iterations (contraction rate ${r.rate.toPrecision(3)} ≥ 1; ${nums})`;
      case 'slow':
        return `Newton's iteration converged too slowly to finish in ${maxIters} iterations (rate ${r.rate.toPrecision(3)} after ${r.iters}; ${nums})`;
      case 'maxIters':
        return `Newton's iteration did not converge in ${maxIters} iterations (${nums})`;
      case 'nonFinite':
        return r.component !== undefined && r.component >= 0
          ? `f returned non-finite values (component ${r.component}) during Newton's iteration (iteration ${r.iters})`
          : `the iterates became non-finite during Newton's iteration (iteration ${r.iters})`;
      case 'singular':
        return 'the iteration matrix I − hγ·J is singular for this step size';
      default:
        return "Newton's iteration converged";
    }
  }
}

/** options.maxNewtonIters, checked. */
export function newtonIterations(value: number | undefined): number {
  const it = value ?? 10;
  if (!Number.isInteger(it) || it < 1) {
    throw new SolverError('input', `options.maxNewtonIters is ${value}: it must be an integer ≥ 1 (default 10).`);
  }
  return it;
}
