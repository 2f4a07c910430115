import { SolverError } from './errors';

export interface ControllerOptions {
  /** Multiplies the optimal step (default 0.9). */
  safety?: number;
  /** Largest growth of h per step (default 10). */
  ifactor?: number;
  /** Largest shrink of h per rejected step (default 0.2). */
  dfactor?: number;
  /** Proportional coefficient of the PI controller (default 0: a pure I-controller). */
  pcoeff?: number;
  /** Integral coefficient (default 1). */
  icoeff?: number;
  /** |h| is never below this (default 0); a step at minStep is accepted whatever its error. */
  minStep?: number;
  /** |h| is never above this (default Infinity). */
  maxStep?: number;
}

/**
 * PI step-size controller on the error ratio r (≤ 1 means the step met rtol/atol):
 *   h_next = h · clamp(safety · r_n^(−(pcoeff+icoeff)/q) · r_{n−1}^(pcoeff/q), dfactor, ifactor),
 * q = order (the coefficients are named as in diffrax's PIDController).
 * With the defaults (β₁ = 1, β₂ = 0, safety 0.9, factors 0.2..10) it is the I-controller that
 * torchdiffeq uses, so step counts match it; set pcoeff/icoeff (e.g. 0.3/0.3) for a smoother
 * PI controller. After an accepted step h never shrinks, as in Hairer's codes.
 */
export class PIController {
  readonly safety: number;
  readonly ifactor: number;
  readonly dfactor: number;
  readonly pcoeff: number;
  readonly icoeff: number;
  readonly minStep: number;
  readonly maxStep: number;
  private prevRatio = 1;

  constructor(
    readonly order: number,
    options: ControllerOptions = {},
  ) {
    this.safety = options.safety ?? 0.9;
    this.ifactor = options.ifactor ?? 10;
    this.dfactor = options.dfactor ?? 0.2;
    this.pcoeff = options.pcoeff ?? 0;
    this.icoeff = options.icoeff ?? 1;
    this.minStep = options.minStep ?? 0;
    this.maxStep = options.maxStep ?? Infinity;
    const bad = (name: string, why: string): never => {
      throw new SolverError('input', `options.${name} ${why}.`, { [name]: (options as Record<string, unknown>)[name] });
    };
    if (!(this.safety > 0 && this.safety <= 1)) bad('safety', 'must be in (0, 1]');
    if (!(this.ifactor >= 1)) bad('ifactor', 'must be ≥ 1');
    if (!(this.dfactor > 0 && this.dfactor <= 1)) bad('dfactor', 'must be in (0, 1]');
    if (!(this.minStep >= 0)) bad('minStep', 'must be ≥ 0');
    if (!(this.maxStep > 0)) bad('maxStep', 'must be > 0');
    if (this.minStep > this.maxStep) bad('minStep', `(${this.minStep}) must not exceed maxStep (${this.maxStep})`);
  }

  /** Clamps a step magnitude to [minStep, maxStep]. */
  clamp(hAbs: number): number {
    return Math.min(this.maxStep, Math.max(this.minStep, hAbs));
  }

  /** Whether a step of magnitude hAbs with error ratio r is accepted. */
  accept(r: number, hAbs: number): boolean {
    if (hAbs <= this.minStep && this.minStep > 0 && Number.isFinite(r)) return true;
    return r <= 1;
  }

  /** The next step magnitude after a step of magnitude hAbs with error ratio r. */
  propose(hAbs: number, r: number, accepted: boolean): number {
    let factor: number;
    if (!Number.isFinite(r)) factor = this.dfactor; // NaN/Inf in the trial step: shrink hard and retry
    else if (r === 0) factor = this.ifactor;
    else {
      const q = this.order;
      factor = this.safety * Math.pow(r, -(this.pcoeff + this.icoeff) / q) * Math.pow(this.prevRatio, this.pcoeff / q);
      factor = Math.min(this.ifactor, Math.max(accepted ? 1 : this.dfactor, factor));
    }
    if (accepted && Number.isFinite(r)) this.prevRatio = Math.max(r, 1e-4);
    return this.clamp(hAbs * factor);
  }
}
