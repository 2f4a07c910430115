import type { StateAlgebra, Tolerance, VectorField } from '../state/algebra';
import { SolverError, fmt } from './errors';
import { methodInfo } from './registry';
import type { SolverOptions, SolverStats, StepHooks, Stepper } from './stepper';

/** Arguments of a solve, as odeint takes them (torchdiffeq's names). */
export interface OdeintOptions<S> {
  /** Solver name (default 'dopri5'): see `methods()`. */
  method?: string;
  /** Relative tolerance, scalar or per component (default 1e-7). */
  rtol?: Tolerance | readonly number[];
  /** Absolute tolerance, scalar or per component (default 1e-9). */
  atol?: Tolerance | readonly number[];
  options?: SolverOptions;
  hooks?: StepHooks<S>;
  /** Checked between steps: an aborted signal stops the solve with a 'cancelled' error. */
  signal?: AbortSignal;
}

export interface SolveStats extends SolverStats {
  method: string;
}

const DEFAULT_RTOL = 1e-7;
const DEFAULT_ATOL = 1e-9;

/** Output times as a validated, strictly monotone array (`openEnd`: the last may be ±Infinity). */
export function checkTimes(t: ArrayLike<number>, openEnd = false): number[] {
  if (t === null || typeof t !== 'object' || typeof t.length !== 'number' || t.length === 0) {
    throw new SolverError('input', 't must be a non-empty array of times (t[0] is the time of y0).');
  }
  const times = Array.from(t, Number);
  times.forEach((ti, i) => {
    const open = openEnd && i === t.length - 1 && Math.abs(ti) === Infinity;
    if (!Number.isFinite(ti) && !open) throw new SolverError('input', `t[${i}] is ${t[i]}: every output time must be a finite number.`);
  });
  if (times.length > 1) {
    const dir = Math.sign(times[1] - times[0]);
    for (let i = 1; i < times.length; i++) {
      if (dir === 0 || Math.sign(times[i] - times[i - 1]) !== dir) {
        throw new SolverError(
          'input',
          `t must be strictly increasing or strictly decreasing, but t[${i - 1}] = ${fmt(times[i - 1])} and ` +
            `t[${i}] = ${fmt(times[i])}. Sort the times and remove duplicates (decreasing t integrates backwards).`,
          { index: i },
        );
      }
    }
  }
  return times;
}

function checkTolerance(name: 'rtol' | 'atol', tol: Tolerance | readonly number[] | undefined, size: number): Tolerance {
  const fallback = name === 'rtol' ? DEFAULT_RTOL : DEFAULT_ATOL;
  if (tol === undefined) return fallback;
  if (typeof tol === 'number') {
    if (!(tol >= 0) || !Number.isFinite(tol)) {
      throw new SolverError('input', `${name} is ${tol}: it must be a finite number ≥ 0 (default ${fallback}).`);
    }
    return tol;
  }
  const arr = Float64Array.from(tol);
  if (arr.length !== size) {
    throw new SolverError(
      'input',
      `${name} has ${arr.length} entries but the state has ${size} components: give one number, or one per component.`,
    );
  }
  arr.forEach((v, i) => {
    if (!(v >= 0) || !Number.isFinite(v)) throw new SolverError('input', `${name}[${i}] is ${v}: tolerances must be finite and ≥ 0.`);
  });
  return arr;
}

/**
 * One solve, driven by a stepper: `init`, then `advance` one step at a time (the debugger)
 * or `run` to the end (odeint). Outputs at the requested times come from the stepper's dense
 * output as soon as a step passes them.
 */
export class OdeSolve<S> {
  readonly times: number[];
  readonly stepper: Stepper<S> | null;
  /** States at times[0..], filled as the solve passes them (owned by this object until taken). */
  readonly ys: S[] = [];
  readonly method: string;
  private readonly signal: AbortSignal | undefined;

  constructor(
    readonly ops: StateAlgebra<S>,
    f: VectorField<S>,
    private readonly y0: S,
    t: ArrayLike<number>,
    opts: OdeintOptions<S> = {},
    /** Event solves run towards ±Infinity and stop at the event. */
    openEnd = false,
  ) {
    if (typeof f !== 'function') throw new SolverError('input', 'f must be a function f(t, y) returning dy/dt.');
    this.times = checkTimes(t, openEnd);
    const info = methodInfo(opts.method ?? 'dopri5');
    this.method = info.name;
    const size = ops.size(y0);
    const rtol = checkTolerance('rtol', opts.rtol, size);
    const atol = checkTolerance('atol', opts.atol, size);
    const zeroAt = (i: number): boolean =>
      (typeof rtol === 'number' ? rtol : rtol[i]) === 0 && (typeof atol === 'number' ? atol : atol[i]) === 0;
    const o = opts.options ?? {};
    if (o.firstStep !== undefined && !(Number.isFinite(o.firstStep) && o.firstStep !== 0)) {
      throw new SolverError('input', `options.firstStep is ${o.firstStep}: it must be a finite, non-zero step.`);
    }
    if (o.errorComponents !== undefined && !(Number.isInteger(o.errorComponents) && o.errorComponents >= 1 && o.errorComponents <= size)) {
      throw new SolverError(
        'input',
        `options.errorComponents is ${o.errorComponents}: it must be a whole number from 1 to the state's size (${size}).`,
      );
    }
    if (o.maxNumSteps !== undefined && !(Number.isInteger(o.maxNumSteps) && o.maxNumSteps >= 1)) {
      throw new SolverError('input', `options.maxNumSteps is ${o.maxNumSteps}: it must be a positive integer.`);
    }
    if (info.adaptive && (typeof rtol !== 'number' || typeof atol !== 'number')) {
      for (let i = 0; i < size; i++) {
        if (zeroAt(i)) throw new SolverError('input', `rtol[${i}] and atol[${i}] are both 0: an adaptive method needs a tolerance for every component.`);
      }
    }
    if (info.adaptive && rtol === 0 && atol === 0) {
      throw new SolverError('input', 'rtol and atol are both 0: an adaptive method needs a tolerance to control the error.');
    }
    this.signal = opts.signal;
    const tEnd = this.times[this.times.length - 1];
    this.stepper =
      this.times.length === 1
        ? null
        : info.create({
            ops,
            f,
            t0: this.times[0],
            y0,
            tEnd,
            times: this.times,
            rtol,
            atol,
            options: opts.options ?? {},
            hooks: opts.hooks ?? {},
          });
  }

  get done(): boolean {
    return this.ys.length === this.times.length;
  }

  get stats(): SolveStats {
    const s = this.stepper?.stats ?? { nfe: 0, nAccepted: 0, nRejected: 0, hMin: NaN, hMax: NaN, stiff: false };
    return { ...s, method: this.method };
  }

  async init(): Promise<void> {
    this.ys.push(this.ops.clone(this.y0));
    if (this.stepper) await this.stepper.init();
  }

  /** One step attempt, then collects the outputs it passed. */
  async advance(): Promise<void> {
    const s = this.stepper;
    if (!s || this.done) return;
    if (this.signal?.aborted) {
      throw new SolverError('cancelled', `The solve was cancelled at t = ${fmt(s.t)}.`, { t: s.t });
    }
    await s.step();
    const dir = this.times[this.times.length - 1] >= this.times[0] ? 1 : -1;
    while (!this.done && dir * (this.times[this.ys.length] - s.t) <= 0) {
      this.ys.push(s.interpolate(this.times[this.ys.length]));
    }
  }

  /** Solves to the last time; on failure every state is freed and the error rethrown. */
  async run(): Promise<S[]> {
    try {
      await this.init();
      while (!this.done) await this.advance();
      this.stepper?.dispose();
      return this.ys;
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /** Frees the stepper and every collected output. */
  dispose(): void {
    this.stepper?.dispose();
    for (const y of this.ys) this.ops.dispose(y);
    this.ys.length = 0;
  }
}
