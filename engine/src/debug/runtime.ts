/**
 * The debugger's runtime: one forward solve of one sample, driven through the solver's own
 * hooks (the stepper awaits them, so a hook that waits pauses the solve mid-step). It knows
 * nothing of VS Code or of the Debug Adapter Protocol: it takes commands (continue, stepOver,
 * stepIn, stepOut, pause) and emits events (stopped, step, output, end). The steps it shows
 * are the solver's steps: the same OdeSolve that odeint and training run.
 */
import { EventEmitter } from 'node:events';
import type { StateAlgebra } from '../state/algebra';
import { nativeAlgebra } from '../state/native';
import { OdeSolve } from '../solvers/solve';
import { SolverError, fmt } from '../solvers/errors';
import { methodInfo } from '../solvers/registry';
import type { StageReport, StepReport } from '../solvers/stepper';
import { breakpointStops, createBreakpoint, type FunctionBreakpointSpec, type SolveBreakpoint } from './breakpoints';
import { jacobianEigenvalues } from '../inspect/jacobian';
import { analyseJacobian, type JacobianReport } from './jacobian';
import { stopOnState, type SolveLaunchOptions, type StopOnCondition, type StopOnState } from './launchOptions';
import type { DebugTarget } from './target';
import { forwardPlan, type SolveLeg, type SolvePlan } from './plan';
import { knownNames, probeScope, solverScope } from './scope';

export type StopReason = 'entry' | 'step' | 'breakpoint' | 'exception' | 'pause';

export interface StopEvent {
  reason: StopReason;
  /** One line: what stopped the solve. */
  description: string;
  /** What, where and what to try (exception stops). */
  text?: string;
  /** The stopOn condition or the SolverError kind of an exception stop. */
  exceptionId?: string;
  breakpointIds?: number[];
}

/** What every step attempt the runtime sees reports (the `neuralOde/step` event). */
export interface StepRecord {
  n: number;
  t: number;
  h: number;
  errRatio: number;
  accepted: boolean;
  hNext: number;
  nfe: number;
  nAccepted: number;
  nRejected: number;
  /** Which solve: the forward one, or the adjoint's backward ones. */
  solve: 'forward' | 'adjoint';
  /** The output interval the step lies in (1-based: [times[i−1], times[i]]). */
  interval: number;
  /** The selected sample's state after the attempt (unchanged when it was rejected). */
  y: Float64Array;
  /**
   * Eigenvalues of ∂f/∂y where the attempt started (forward solves of at most
   * STEP_EIGEN_DIM components; null otherwise, or when they could not be computed).
   */
  lambda: { re: number[]; im: number[] } | null;
}

/** Each step of a forward solve carries ∂f/∂y's eigenvalues up to this many components (d vjps each). */
export const STEP_EIGEN_DIM = 16;

/** One stage k_i = f(t_i, y_i) of the current attempt (i is 0-based; the user sees k1…ks). */
export interface StageRecord {
  n: number;
  i: number;
  t: number;
  y: Float64Array;
  k: Float64Array;
}

export type Position = 'idle' | 'running' | 'entry' | 'stage' | 'step' | 'failure' | 'end';

export interface Failure {
  kind: string;
  message: string;
  context: Record<string, unknown>;
}

export interface EndEvent {
  /** The outputs at every time, when the solve finished. */
  ys: Float64Array[] | null;
  failure: Failure | null;
  /** The session asked for the end (disconnect, restart). */
  aborted: boolean;
}

interface RuntimeEvents {
  stopped: [StopEvent];
  step: [StepRecord];
  output: [string];
  end: [EndEvent];
}

/** Thrown through the solver's hooks to abandon the solve when the session ends. */
class SolveAborted extends Error {}

type Mode = 'run' | 'stepOver' | 'stepIn' | 'stepOutStep' | 'stepOutInterval';

/** Let requests (pause, disconnect) in this often while the solve runs. */
const YIELD_MS = 15;

export class SolveRuntime {
  private readonly events = new EventEmitter();
  readonly method: string;
  readonly order: number;
  readonly adaptive: boolean;
  readonly stages: number | null;
  private solve: OdeSolve<Float64Array> | null = null;
  readonly plan: SolvePlan;
  /** The leg being solved (the forward solve has one; the adjoint one per output interval). */
  leg: SolveLeg | null = null;
  /** Steps and evaluations of the legs already solved: numbering continues across legs. */
  private before = { n: 0, nfe: 0, nAccepted: 0, nRejected: 0 };
  private stepOutTime = NaN;
  private stepOutLabel = 0;
  private stopOn: StopOnState;
  private breakpoints: SolveBreakpoint[] = [];
  private nextBreakpointId = 1;
  private mode: Mode = 'run';
  private pauseRequested = false;
  private resume: (() => void) | null = null;
  private aborted = false;
  private lastYield = 0;
  /**
   * Where a non-finite stage was last reported: the solver retries towards it many times, so it
   * is reported again only once an accepted step has passed that time.
   */
  private nonFiniteAt: number | null = null;
  private nfeReported = false;
  private belowReported = false;
  private jacobianCache: { key: string; report: JacobianReport } | null = null;

  position: Position = 'idle';
  /** The last step attempt, and the stages of the attempt in progress (or of the last one). */
  lastStep: StepReport | null = null;
  currentStages: StageRecord[] = [];
  /** Where a stage stop stopped. */
  stage: StageRecord | null = null;
  failure: Failure | null = null;
  /** The solver's time and state (after the last accepted step). */
  t: number;
  y: Float64Array;
  /** The interval of the last stop (1-based). */
  interval = 1;

  constructor(
    readonly target: DebugTarget,
    private readonly options: Pick<SolveLaunchOptions, 'stopOnEntry' | 'stopOn'> = {},
    plan?: SolvePlan,
  ) {
    this.plan = plan ?? forwardPlan(target);
    const info = methodInfo(target.method);
    this.method = info.name;
    this.order = info.order;
    this.adaptive = info.adaptive;
    this.stages = info.tableau?.stages ?? null;
    this.stopOn = stopOnState(options.stopOn);
    this.t = target.times[0];
    this.y = Float64Array.from(target.y0);
  }

  on<K extends keyof RuntimeEvents>(event: K, listener: (...args: RuntimeEvents[K]) => void): void {
    this.events.on(event, listener as (...args: unknown[]) => void);
  }

  private emit<K extends keyof RuntimeEvents>(event: K, ...args: RuntimeEvents[K]): void {
    this.events.emit(event, ...args);
  }

  get stopConditions(): Readonly<StopOnState> {
    return this.stopOn;
  }

  /** Replaces the stop conditions (the Breakpoints view's exception filters). */
  setStopConditions(state: StopOnState): void {
    this.stopOn = { ...state };
  }

  /** Turns conditions on (the launch configuration's stopOn joins the view's filters at the start). */
  addStopConditions(names: readonly StopOnCondition[], thresholds: Partial<Record<'stepSizeBelow' | 'nfeAbove', number>> = {}): void {
    const s = { ...this.stopOn };
    for (const n of names) {
      if (n === 'stepSizeBelow') s.stepSizeBelow = thresholds.stepSizeBelow ?? s.stepSizeBelow;
      else if (n === 'nfeAbove') s.nfeAbove = thresholds.nfeAbove ?? s.nfeAbove;
      else s[n] = true;
    }
    this.stopOn = s;
  }

  setFunctionBreakpoints(specs: readonly FunctionBreakpointSpec[]): SolveBreakpoint[] {
    this.breakpoints = specs.map((spec) => createBreakpoint(this.nextBreakpointId++, spec, probeScope(this), () => knownNames(this)));
    return this.breakpoints;
  }

  /** The solver (null before start and after the end). */
  get solver(): OdeSolve<Float64Array> | null {
    return this.solve;
  }

  /** +1 forwards in time, −1 backwards (the adjoint's legs). */
  private get direction(): number {
    const t = this.times;
    return t[t.length - 1] >= t[0] ? 1 : -1;
  }

  /** The output times of the leg being solved. */
  get times(): Float64Array {
    return this.leg?.times ?? this.target.times;
  }

  /** Totals over every leg so far: the solver's counters plus those of finished legs. */
  get counts(): { nfe: number; nAccepted: number; nRejected: number } {
    const st = this.solve?.stats;
    return {
      nfe: this.before.nfe + (st?.nfe ?? 0),
      nAccepted: this.before.nAccepted + (st?.nAccepted ?? 0),
      nRejected: this.before.nRejected + (st?.nRejected ?? 0),
    };
  }

  /** Runs the solve to its end, stopping where asked; resolves when the session can end. */
  async start(): Promise<void> {
    const { target } = this;
    this.position = 'running';
    this.emit(
      'output',
      `Solving ${this.plan.kind === 'adjoint' ? 'the adjoint (forward, then backward over each interval) of ' : ''}` +
        `${target.inputLabel} of experiment '${target.experiment}' with ${this.method} ` +
        `over [${fmt(target.times[0])}, ${fmt(target.times[target.times.length - 1])}] (${target.times.length - 1} output intervals)` +
        `${target.runId ? `, weights of run ${target.runId} (iteration ${target.iteration})` : ', untrained weights'}.\n`,
    );
    try {
      let previous: { ys: Float64Array[] } | null = null;
      let first = true;
      for (;;) {
        const leg: SolveLeg | null = await this.plan.next(previous);
        if (!leg) break;
        if (this.solve) {
          const st = this.solve.stats;
          this.before = { n: this.before.n + st.nAccepted + st.nRejected, nfe: this.before.nfe + st.nfe, nAccepted: this.before.nAccepted + st.nAccepted, nRejected: this.before.nRejected + st.nRejected };
        }
        this.leg = leg;
        this.t = leg.times[0];
        this.y = Float64Array.from(leg.y0);
        this.lastStep = null;
        this.currentStages = [];
        const ops = nativeAlgebra(leg.y0) as StateAlgebra<Float64Array>;
        const solve = new OdeSolve<Float64Array>(ops, leg.f, Float64Array.from(leg.y0), leg.times, {
          method: leg.method,
          rtol: leg.rtol,
          atol: leg.atol,
          options: leg.options,
          hooks: { onStage: (st) => this.onStage(st), onStep: (r) => this.onStep(r) },
        });
        this.solve = solve;
        await solve.init();
        if (first && this.options.stopOnEntry) {
          this.position = 'entry';
          const what = this.plan.kind === 'adjoint' ? `the backward solve of interval ${leg.interval}` : 'step 1';
          await this.stopHere({ reason: 'entry', description: `Before ${what} at t = ${fmt(this.t)}` });
        }
        first = false;
        while (!solve.done) await solve.advance();
        previous = { ys: solve.ys.map((y) => Float64Array.from(y)) };
      }
      this.position = 'end';
      const c = this.counts;
      const summary = this.plan.summary();
      this.emit(
        'output',
        `Solve finished at t = ${fmt(this.t)}: ${c.nAccepted} accepted and ${c.nRejected} rejected steps, ${c.nfe} evaluations of f` +
          `${summary ? `; ${summary}` : ''}.\n`,
      );
      this.emit('end', { ys: previous ? previous.ys : null, failure: null, aborted: false });
    } catch (e) {
      if (e instanceof SolveAborted || this.aborted) {
        this.position = 'end';
        this.emit('end', { ys: null, failure: null, aborted: true });
        return;
      }
      await this.failed(e);
    }
  }

  /** A failure stops the solve where it happened, so its state can be inspected; then the session ends. */
  private async failed(e: unknown): Promise<void> {
    const err = e instanceof SolverError ? e : null;
    this.failure = {
      kind: err?.kind ?? 'error',
      message: (e as Error)?.message ?? String(e),
      context: err?.context ?? {},
    };
    if (this.solve?.stepper) {
      this.t = this.solve.stepper.t;
      this.y = Float64Array.from(this.solve.stepper.y);
    }
    this.position = 'failure';
    const where = `at t = ${fmt(this.t)}${this.lastStep ? ` after step ${this.lastStep.n}` : ''}`;
    try {
      await this.stopHere({
        reason: 'exception',
        exceptionId: this.failure.kind,
        description: `The solve failed ${where}: ${this.failure.kind}`,
        text: this.failure.message,
      });
    } catch {
      // Ended while stopped at the failure.
    }
    this.position = 'end';
    this.emit('output', `The solve failed: ${this.failure.message}\n`);
    this.emit('end', { ys: null, failure: this.failure, aborted: this.aborted });
  }

  // Commands. Each resumes a stopped solve; they do nothing while it runs.

  continue(): void {
    this.resumeWith('run');
  }

  /** One step attempt, accepted or rejected. */
  stepOver(): void {
    this.resumeWith('stepOver');
  }

  /** Into the stages of the next step (from a stage: the next stage, then the step's end). */
  stepIn(): void {
    this.resumeWith('stepIn');
  }

  /** From a stage: to the end of its step; otherwise to the end of the current output interval. */
  stepOut(): void {
    if (this.position === 'stage') this.resumeWith('stepOutStep');
    else {
      this.stepOutTime = this.intervalBounds()[1];
      this.stepOutLabel = this.currentInterval();
      this.resumeWith('stepOutInterval');
    }
  }

  pause(): void {
    if (this.position === 'running') this.pauseRequested = true;
  }

  /** Ends the solve (disconnect, restart): a stopped solve is abandoned, a running one stops at its next hook. */
  terminate(): void {
    this.aborted = true;
    const r = this.resume;
    this.resume = null;
    r?.();
  }

  get stopped(): boolean {
    return this.resume !== null;
  }

  private resumeWith(mode: Mode): void {
    const r = this.resume;
    if (!r) return;
    this.mode = mode;
    this.resume = null;
    this.position = 'running';
    this.stage = null;
    this.jacobianCache = null;
    r();
  }

  private async stopHere(ev: StopEvent): Promise<void> {
    this.pauseRequested = false;
    this.mode = 'run';
    this.interval = this.currentInterval();
    const wait = new Promise<void>((r) => (this.resume = r));
    this.emit('stopped', ev);
    await wait;
    this.lastYield = performance.now();
    if (this.aborted) throw new SolveAborted('The debug session ended.');
  }

  /** A named part of the current state (`y`; the adjoint's `a` and `dLdTheta`), or undefined. */
  part(name: string, of: Float64Array = this.y): Float64Array | undefined {
    const p = this.plan.parts.find((x) => x.name === name);
    return p ? of.subarray(p.start, p.start + p.length) : undefined;
  }

  /** The output interval the solver is in: [times[i−1], times[i]), 1-based (an output time starts the next one). */
  currentInterval(): number {
    return this.leg?.interval ?? this.intervalOf(this.t);
  }

  /** The current output interval's start and end, in the direction of integration. */
  intervalBounds(): [number, number] {
    const times = this.times;
    if (this.leg?.interval !== undefined) return [times[0], times[times.length - 1]];
    const k = this.intervalOf(this.t);
    return [times[k - 1], times[k]];
  }

  /** The 1-based output interval of the current leg holding time t. */
  intervalOf(t: number): number {
    const times = this.times;
    const dir = this.direction;
    let k = 1;
    while (k < times.length - 1 && dir * (t - times[k]) >= 0) k++;
    return k;
  }

  private async onStage(stage: StageReport<Float64Array>): Promise<void> {
    if (this.aborted) throw new SolveAborted('The debug session ended.');
    const s = { ...stage, n: stage.n + this.before.n };
    const rec: StageRecord = { n: s.n, i: s.i, t: s.t, y: Float64Array.from(s.y), k: Float64Array.from(s.k) };
    if (s.i === 0 || this.currentStages[0]?.n !== s.n) this.currentStages = [];
    this.currentStages.push(rec);
    this.stage = rec;
    const label = `k${s.i + 1} of step ${s.n}`;
    let stop: StopEvent | null = null;
    if (this.stopOn.nonFinite && this.nonFiniteAt === null) {
      const bad = firstNonFinite(rec.k);
      const badY = firstNonFinite(rec.y);
      if (bad >= 0 || badY >= 0) {
        this.nonFiniteAt = s.t;
        const what = badY >= 0 ? `the stage input y${s.i + 1} (component ${badY} = ${rec.y[badY]})` : `k${s.i + 1} = f(t, y) (component ${bad} = ${rec.k[bad]})`;
        stop = {
          reason: 'exception',
          exceptionId: 'nonFinite',
          description: `Non-finite value in ${label} at t = ${fmt(s.t)}`,
          text:
            `${what} is not finite in stage ${s.i + 1} of step ${s.n} at t = ${fmt(s.t)}. ` +
            'The solver will reject this step and retry with a smaller h; if f itself returns NaN/Infinity here ' +
            '(a log or division of the state, weights that diverged), no step size helps: inspect y and the stages, ' +
            'then check the model near this state.',
        };
      }
    }
    if (!stop) stop = this.breakpointStop('stage', s.i + 1);
    if (!stop && this.mode === 'stepIn') stop = { reason: 'step', description: `Stage ${label} at t = ${fmt(s.t)}` };
    if (!stop && this.pauseRequested) stop = { reason: 'pause', description: `Paused in ${label}` };
    if (stop) {
      this.position = 'stage';
      await this.stopHere(stop);
    }
    this.position = 'running';
  }

  /** ∂f/∂y's eigenvalues at (t, y), for the solver inspector's h·λ; null where not computed. */
  private eigenvaluesAt(t: number, y: Float64Array): StepRecord['lambda'] {
    if (y.length > STEP_EIGEN_DIM) return null;
    try {
      const lambda = jacobianEigenvalues(this.target.field, t, y);
      return lambda.every((z) => Number.isFinite(z.re) && Number.isFinite(z.im)) ? { re: lambda.map((z) => z.re), im: lambda.map((z) => z.im) } : null;
    } catch {
      return null; // a field whose VJP fails here: the step is still reported
    }
  }

  private async onStep(raw: StepReport): Promise<void> {
    if (this.aborted) throw new SolveAborted('The debug session ended.');
    const b = this.before;
    const r: StepReport = { ...raw, n: raw.n + b.n, nfe: raw.nfe + b.nfe, nAccepted: raw.nAccepted + b.nAccepted, nRejected: raw.nRejected + b.nRejected };
    const solve = this.solve as OdeSolve<Float64Array>;
    const stepper = solve.stepper;
    const before = this.t;
    const yBefore = this.y;
    this.lastStep = r;
    this.stage = null;
    if (stepper) {
      this.t = stepper.t;
      this.y = Float64Array.from(stepper.y);
    }
    if (r.accepted && this.nonFiniteAt !== null && this.direction * (this.t - this.nonFiniteAt) > 0) this.nonFiniteAt = null;
    const lambda = this.plan.kind === 'forward' ? this.eigenvaluesAt(before, yBefore) : null;
    this.emit('step', { ...r, solve: this.plan.kind, interval: this.leg?.interval ?? this.intervalOf(r.t), y: Float64Array.from(this.part('y') ?? this.y), lambda });

    const times = this.times;
    const endsInterval = r.accepted && (this.intervalOf(this.t) > this.intervalOf(before) || this.t === times[times.length - 1]);
    const stop = this.conditionStop(r) ?? this.breakpointStop(r.accepted ? 'accepted' : 'rejected', undefined, endsInterval) ?? this.steppingStop(r);
    if (stop) {
      this.position = 'step';
      await this.stopHere(stop);
    } else if (performance.now() - this.lastYield > YIELD_MS) {
      // The solve is a chain of resolved promises: let pause and disconnect requests in.
      await new Promise((resolve) => setImmediate(resolve));
      this.lastYield = performance.now();
      if (this.aborted) throw new SolveAborted('The debug session ended.');
      if (this.pauseRequested) {
        this.position = 'step';
        await this.stopHere({ reason: 'pause', description: `Paused after step ${r.n} at t = ${fmt(this.t)}` });
      }
    }
    this.position = 'running';
  }

  private conditionStop(r: StepReport): StopEvent | null {
    const at = `step ${r.n} (t = ${fmt(r.t)}, h = ${fmt(r.h)})`;
    const s = this.stopOn;
    if (s.rejectedStep && !r.accepted) {
      return {
        reason: 'exception',
        exceptionId: 'rejectedStep',
        description: `Step ${r.n} rejected: error ratio ${fmt(r.errRatio)}`,
        text:
          `${at} was rejected: its error ratio ${fmt(r.errRatio)} exceeds 1 (rtol/atol not met). ` +
          `The controller retries with h = ${fmt(r.hNext)}. Many rejections in a row suggest a kink or jump in f ` +
          '(options.jumpT), stiffness (an implicit method), or tolerances tighter than the model needs.',
      };
    }
    if (s.stepSizeBelow !== null) {
      const below = Math.abs(r.h) < s.stepSizeBelow;
      if (below && !this.belowReported) {
        this.belowReported = true;
        return {
          reason: 'exception',
          exceptionId: 'stepSizeBelow',
          description: `|h| = ${fmt(Math.abs(r.h))} below ${fmt(s.stepSizeBelow)} at step ${r.n}`,
          text:
            `${at} has |h| below the threshold ${fmt(s.stepSizeBelow)}. Small steps mean f changes fast here: ` +
            'a blow-up, a discontinuity (options.jumpT), or stiffness (open Jacobian to see h·λ against the stability region).',
        };
      }
      if (!below) this.belowReported = false;
    }
    if (s.nfeAbove !== null && r.nfe > s.nfeAbove && !this.nfeReported) {
      this.nfeReported = true;
      return {
        reason: 'exception',
        exceptionId: 'nfeAbove',
        description: `${r.nfe} evaluations of f, above ${s.nfeAbove}`,
        text:
          `The solve has evaluated f ${r.nfe} times by ${at} (${r.nAccepted} accepted, ${r.nRejected} rejected steps), ` +
          `above the threshold ${s.nfeAbove}. NFE that grows during training usually means the learned dynamics got ` +
          'stiff or fast: look at h, the error ratios and the Jacobian; try looser rtol/atol or regularising the dynamics.',
      };
    }
    if (s.stiffness && r.accepted) {
      let j: JacobianReport | null = null;
      try {
        j = this.jacobian(r.h);
      } catch {
        // Too many components, or a non-finite Jacobian (the nonFinite condition reports that).
      }
      if (j && j.outside) {
        const e = j.eigen.find((x) => x.inside === false && x.hRe < 0) ?? j.eigen[0];
        return {
          reason: 'exception',
          exceptionId: 'stiffness',
          description: `h·λ = ${fmt(e.hRe)}${e.hIm ? ` ${e.hIm < 0 ? '−' : '+'} ${fmt(Math.abs(e.hIm))}i` : ''} outside ${this.method}'s stability region at step ${r.n}`,
          text:
            `At ${at} the Jacobian has λ = ${fmt(e.re)}${e.im ? ` ± ${fmt(Math.abs(e.im))}i` : ''}, and h·λ lies outside ` +
            `${this.method}'s region of absolute stability (|R(h·λ)| = ${fmt(e.amplification)} > 1): the step size is limited by ` +
            "stability, not accuracy. The problem is stiff for this method: try an implicit method (method: 'kvaerno3').",
        };
      }
    }
    return null;
  }

  private breakpointStop(where: 'stage' | 'accepted' | 'rejected', stage?: number, ends = false): StopEvent | null {
    const hit: SolveBreakpoint[] = [];
    const errors: string[] = [];
    const scope = solverScope(this);
    const names = (): string[] => knownNames(this);
    for (const bp of this.breakpoints) {
      const applies =
        where === 'stage'
          ? bp.location === 'stage' && (bp.stage === undefined || bp.stage === stage)
          : bp.location === 'step' || bp.location === where || (bp.location === 'interval' && ends);
      if (!applies) continue;
      const res = breakpointStops(bp, scope, names);
      if (res.stop) hit.push(bp);
      if (res.error) errors.push(res.error);
    }
    if (hit.length === 0) return null;
    const at = where === 'stage' ? `stage k${stage} of step ${this.stage?.n}` : `step ${this.lastStep?.n}`;
    return {
      reason: 'breakpoint',
      description: errors.length ? errors.join(' ') : `Breakpoint ${hit.map((b) => `'${b.name}'`).join(', ')} at ${at}`,
      breakpointIds: hit.map((b) => b.id),
    };
  }

  private steppingStop(r: StepReport): StopEvent | null {
    const at = `Step ${r.n} ${r.accepted ? 'accepted' : 'rejected'} (t = ${fmt(r.t)}, h = ${fmt(r.h)})`;
    switch (this.mode) {
      case 'stepOver':
      case 'stepIn':
      case 'stepOutStep':
        return { reason: 'step', description: at };
      case 'stepOutInterval':
        if (r.accepted && this.direction * (this.t - this.stepOutTime) >= 0) {
          return { reason: 'step', description: `End of output interval ${this.stepOutLabel}: ${at}` };
        }
        return null;
      default:
        return this.pauseRequested ? { reason: 'pause', description: `Paused after step ${r.n}` } : null;
    }
  }

  /**
   * The Jacobian at the stop's point (the stage's input at a stage stop, else the current
   * state) with h·λ for the last attempted h; null before the first step has an h.
   */
  jacobian(h = this.lastStep?.h ?? NaN): JacobianReport | null {
    const state = this.stage ? { t: this.stage.t, z: this.stage.y } : { t: this.t, z: this.y };
    const at = { t: state.t, y: Float64Array.from(this.part('y', state.z) as Float64Array) };
    const key = `${at.t}|${h}|${this.stage ? `${this.stage.n}.${this.stage.i}` : this.lastStep?.n ?? 0}`;
    if (this.jacobianCache?.key === key) return this.jacobianCache.report;
    const report = analyseJacobian(this.target.field, this.leg?.method ?? this.method, at.t, at.y, h, this.plan.kind === 'adjoint');
    this.jacobianCache = { key, report };
    return report;
  }
}

function firstNonFinite(x: Float64Array): number {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return i;
  return -1;
}
