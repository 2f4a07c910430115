/**
 * The `neural-ode` debug adapter: translates the Debug Adapter Protocol into commands on the
 * engine's SolveRuntime and its events into DAP events. No `vscode` import: the same class runs
 * inline in the extension host and standalone on stdin/stdout (main.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  Breakpoint, Event, Handles, InitializedEvent, LoggingDebugSession, OutputEvent, Scope, Source, StackFrame,
  StoppedEvent, TerminatedEvent, Thread, Variable,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { loadExperiment } from '../../../engine/src/experiments/load';
import type { Experiment } from '../../../engine/src/experiments/define';
import {
  checkLaunchOptions, stopOnState, DEFAULT_NFE_ABOVE, DEFAULT_STEP_SIZE_BELOW,
  type SolveLaunchOptions, type StopOnCondition, type StopOnState,
} from '../../../engine/src/debug/launchOptions';
import { SolveRuntime, type StopEvent } from '../../../engine/src/debug/runtime';
import { debugTarget, solvePlan } from '../../../engine/src/debug/target';
import { SOLVE_EVENT, solveEventBody, STEP_EVENT, stepEventBody } from './events';
import { knownNames } from '../../../engine/src/debug/scope';
import { evaluateExpression, formatVector, frameScopes, stackFrames, vectorVariable, type DebugVariable, type FrameKind } from '../../../engine/src/debug/view';
import type { FunctionBreakpointSpec } from '../../../engine/src/debug/breakpoints';
import { findDefineExperimentCalls } from '../defineExperimentCalls';

/** What a launch request carries: the launch.json attributes, and DAP's own. */
export interface SolveLaunchArguments extends DebugProtocol.LaunchRequestArguments, SolveLaunchOptions {}

const THREAD_ID = 1;

/** The exception filters of the Breakpoints view: one per stopOn condition. */
export const EXCEPTION_FILTERS: DebugProtocol.ExceptionBreakpointsFilter[] = [
  { filter: 'nonFinite', label: 'NaN or Infinity', description: 'Stop at the first stage whose f or input is not finite.', default: true },
  { filter: 'rejectedStep', label: 'Rejected steps', description: 'Stop when the error control rejects a step.', default: false },
  {
    filter: 'stepSizeBelow', label: 'Step size below…', description: 'Stop when |h| drops below a threshold.', default: false,
    supportsCondition: true, conditionDescription: `|h| threshold, e.g. 1e-6 (default ${DEFAULT_STEP_SIZE_BELOW})`,
  },
  { filter: 'stiffness', label: 'Stiffness', description: "Stop at an accepted step where some h·λ lies outside the method's stability region.", default: false },
  {
    filter: 'nfeAbove', label: 'NFE above…', description: 'Stop once f has been evaluated more often than a threshold.', default: false,
    supportsCondition: true, conditionDescription: `number of evaluations, e.g. 5000 (default ${DEFAULT_NFE_ABOVE})`,
  },
];

/** The runs folder for an experiment file: the nearest `.neural-ode/runs` above it, else beside it. */
export function runsRootNear(file: string): string {
  let dir = path.dirname(path.resolve(file));
  for (;;) {
    const candidate = path.join(dir, '.neural-ode', 'runs');
    if (fs.existsSync(candidate)) return candidate;
    const up = path.dirname(dir);
    if (up === dir) return path.join(path.dirname(path.resolve(file)), '.neural-ode', 'runs');
    dir = up;
  }
}

/** Resolves once; a small latch for configurationDone. */
class Latch {
  private done = false;
  private waiters: (() => void)[] = [];
  open(): void {
    this.done = true;
    this.waiters.splice(0).forEach((w) => w());
  }
  wait(ms: number): Promise<void> {
    if (this.done) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

export class SolveDebugSession extends LoggingDebugSession {
  private runtime: SolveRuntime | null = null;
  private args: SolveLaunchArguments | null = null;
  private readonly configured = new Latch();
  private configurationDone = false;
  private handles = new Handles<() => DebugVariable[]>();
  private frames = new Map<number, FrameKind>();
  private lastStop: StopEvent | null = null;
  private functionBreakpoints: FunctionBreakpointSpec[] = [];
  /** The Breakpoints view's exception filters (null until it sends them). */
  private viewConditions: StopOnState | null = null;
  /** Bumped by restart, so the old runtime's end does not end the session. */
  private generation = 0;
  /** Where every frame points: the experiment's defineExperiment call. */
  private frameSource: { file: string; line: number; column: number } | null = null;

  constructor(private readonly load: (file: string) => Promise<Experiment> = loadExperiment) {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      ...response.body,
      supportsConfigurationDoneRequest: true,
      supportsFunctionBreakpoints: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsEvaluateForHovers: true,
      supportsExceptionInfoRequest: true,
      supportsExceptionFilterOptions: true,
      exceptionBreakpointFilters: EXCEPTION_FILTERS,
      supportsRestartRequest: true,
      supportsTerminateRequest: true,
      supportsCompletionsRequest: true,
    };
    this.sendResponse(response);
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.configurationDone = true;
    this.configured.open();
    this.sendResponse(response);
  }

  protected override async launchRequest(response: DebugProtocol.LaunchResponse, args: SolveLaunchArguments): Promise<void> {
    try {
      await this.createRuntime(args);
    } catch (e) {
      this.sendErrorResponse(response, { id: 1001, format: errorText(e), showUser: true });
      return;
    }
    this.sendEvent(new InitializedEvent());
    // The client now sends breakpoints and filters; start once it says it is done.
    await this.configured.wait(5000);
    this.sendResponse(response);
    this.startRuntime();
  }

  /** Loads the experiment (afresh: restart picks up edits) and builds the runtime. */
  private async createRuntime(args: SolveLaunchArguments): Promise<void> {
    const options = checkLaunchOptions(args);
    const file = path.resolve(options.experiment);
    const experiment = await this.load(file);
    const runsRoot = options.runsRoot ?? (options.run !== undefined ? runsRootNear(file) : undefined);
    const target = await debugTarget(experiment, { ...options, runsRoot });
    const noDebug = args.noDebug === true;
    this.frameSource = experimentCall(file, target.location);
    const plan = solvePlan(target, options.solve);
    const rt = new SolveRuntime(target, { stopOnEntry: !noDebug && options.stopOnEntry === true, stopOn: noDebug ? {} : options.stopOn }, plan);
    this.args = args;
    this.runtime = rt;
    this.applyConditions();
    if (!noDebug) rt.setFunctionBreakpoints(this.functionBreakpoints);
    const generation = ++this.generation;
    rt.on('stopped', (ev) => {
      this.lastStop = ev;
      this.handles = new Handles();
      this.frames.clear();
      const event = new StoppedEvent(ev.reason, THREAD_ID, ev.text) as DebugProtocol.StoppedEvent;
      event.body.description = ev.description;
      event.body.allThreadsStopped = true;
      if (ev.breakpointIds) event.body.hitBreakpointIds = ev.breakpointIds;
      this.sendEvent(event);
    });
    this.sendEvent(new Event(SOLVE_EVENT, solveEventBody(file, target, plan.kind)));
    rt.on('step', (r) => this.sendEvent(new Event(STEP_EVENT, stepEventBody(r))));
    rt.on('output', (text) => this.sendEvent(new OutputEvent(text, 'console')));
    rt.on('end', (e) => {
      if (generation !== this.generation) return;
      if (e.failure) this.sendEvent(new OutputEvent(`${e.failure.message}\n`, 'stderr'));
      this.sendEvent(new TerminatedEvent());
    });
  }

  private startRuntime(): void {
    const rt = this.runtime;
    if (!rt) return;
    rt.start().catch((e) => {
      this.sendEvent(new OutputEvent(`The debugger failed: ${errorText(e)}\n`, 'stderr'));
      this.sendEvent(new TerminatedEvent());
    });
  }

  /** Before configurationDone the view's filters join the launch configuration's stopOn; afterwards the view decides. */
  private applyConditions(): void {
    const rt = this.runtime;
    if (!rt || this.args?.noDebug) {
      rt?.setStopConditions(stopOnState({}));
      return;
    }
    const fromLaunch = stopOnState(this.args?.stopOn);
    const view = this.viewConditions;
    if (!view) rt.setStopConditions(fromLaunch);
    else if (this.configurationDone) rt.setStopConditions(view);
    else {
      rt.setStopConditions({
        rejectedStep: view.rejectedStep || fromLaunch.rejectedStep,
        nonFinite: view.nonFinite || fromLaunch.nonFinite,
        stiffness: view.stiffness || fromLaunch.stiffness,
        stepSizeBelow: view.stepSizeBelow ?? fromLaunch.stepSizeBelow,
        nfeAbove: view.nfeAbove ?? fromLaunch.nfeAbove,
      });
    }
  }

  protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    const on = new Map<string, string | undefined>();
    for (const f of args.filters ?? []) on.set(f, undefined);
    for (const o of args.filterOptions ?? []) on.set(o.filterId, o.condition);
    const state: StopOnState = { rejectedStep: false, nonFinite: false, stiffness: false, stepSizeBelow: null, nfeAbove: null };
    const results: DebugProtocol.Breakpoint[] = [];
    for (const [filter, condition] of on) {
      const known = EXCEPTION_FILTERS.some((f) => f.filter === filter);
      if (!known) {
        results.push({ verified: false, message: `Unknown filter '${filter}'.` });
        continue;
      }
      const name = filter as StopOnCondition;
      if (name === 'stepSizeBelow' || name === 'nfeAbove') {
        const fallback = name === 'stepSizeBelow' ? DEFAULT_STEP_SIZE_BELOW : DEFAULT_NFE_ABOVE;
        const value = condition?.trim() ? Number(condition) : fallback;
        if (!(value > 0) || !Number.isFinite(value)) {
          results.push({ verified: false, message: `'${condition}' is not a threshold: give a positive number such as ${fallback}.` });
          continue;
        }
        state[name] = value;
      } else state[name] = true;
      results.push({ verified: true });
    }
    this.viewConditions = state;
    this.applyConditions();
    response.body = { breakpoints: results };
    this.sendResponse(response);
  }

  protected override setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): void {
    this.functionBreakpoints = args.breakpoints.map((b) => ({ name: b.name, condition: b.condition, hitCondition: b.hitCondition }));
    const rt = this.runtime;
    const set = rt && !this.args?.noDebug ? rt.setFunctionBreakpoints(this.functionBreakpoints) : [];
    response.body = {
      breakpoints: this.functionBreakpoints.map((_, i) => {
        const b = set[i];
        const bp = new Breakpoint(b ? b.verified : false) as DebugProtocol.Breakpoint;
        bp.id = b?.id;
        bp.message = b ? b.message : 'Checked when the solve starts.';
        return bp;
      }),
    };
    this.sendResponse(response);
  }

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: [new Thread(THREAD_ID, 'solve')] };
    this.sendResponse(response);
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse): void {
    const rt = this.runtime;
    if (!rt || !rt.stopped) {
      response.body = { stackFrames: [], totalFrames: 0 };
      this.sendResponse(response);
      return;
    }
    const loc = this.frameSource;
    const source = loc ? new Source(path.basename(loc.file), this.convertDebuggerPathToClient(loc.file)) : undefined;
    this.frames.clear();
    const frames = stackFrames(rt).map((f, i) => {
      const id = i + 1;
      this.frames.set(id, f.kind);
      const frame = new StackFrame(id, f.name, source, loc ? this.convertDebuggerLineToClient(loc.line) : 0, loc ? this.convertDebuggerColumnToClient(loc.column) : 0);
      return frame;
    });
    response.body = { stackFrames: frames, totalFrames: frames.length };
    this.sendResponse(response);
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    const rt = this.runtime;
    const kind = this.frames.get(args.frameId);
    response.body = {
      scopes: rt && kind ? frameScopes(rt, kind).map((s) => new Scope(s.name, this.handles.create(s.variables), s.expensive)) : [],
    };
    this.sendResponse(response);
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    const make = this.handles.get(args.variablesReference);
    let vars: DebugVariable[];
    try {
      vars = make ? make() : [];
    } catch (e) {
      vars = [{ name: 'error', value: errorText(e) }];
    }
    response.body = { variables: vars.map((v) => this.toVariable(v)) };
    this.sendResponse(response);
  }

  private toVariable(v: DebugVariable): DebugProtocol.Variable {
    const out = new Variable(v.name, v.value, v.children ? this.handles.create(v.children) : 0) as DebugProtocol.Variable;
    if (v.type) out.type = v.type;
    if (v.evaluateName) out.evaluateName = v.evaluateName;
    return out;
  }

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    const rt = this.runtime;
    if (!rt || !rt.stopped) {
      this.sendErrorResponse(response, { id: 1002, format: 'The solve is running: pause it to evaluate expressions.', showUser: args.context === 'repl' });
      return;
    }
    try {
      const value = evaluateExpression(rt, args.expression);
      if (typeof value === 'object' && value !== null && typeof (value as ArrayLike<number>).length === 'number') {
        const v = vectorVariable(args.expression, value as ArrayLike<number>, args.expression);
        response.body = { result: formatVector(value as ArrayLike<number>), type: v.type, variablesReference: this.handles.create(v.children!) };
      } else if (typeof value === 'object') {
        response.body = { result: JSON.stringify(value), variablesReference: 0 };
      } else {
        response.body = { result: String(value), type: typeof value, variablesReference: 0 };
      }
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, { id: 1003, format: errorText(e), showUser: args.context === 'repl' });
    }
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse): void {
    const ev = this.lastStop;
    response.body = {
      exceptionId: ev?.exceptionId ?? 'none',
      description: ev?.text ?? ev?.description,
      breakMode: 'always',
      details: { message: ev?.text ?? ev?.description, typeName: ev?.exceptionId },
    };
    this.sendResponse(response);
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    this.runtime?.continue();
    response.body = { allThreadsContinued: true };
    this.sendResponse(response);
  }

  protected override nextRequest(response: DebugProtocol.NextResponse): void {
    this.runtime?.stepOver();
    this.sendResponse(response);
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse): void {
    this.runtime?.stepIn();
    this.sendResponse(response);
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse): void {
    this.runtime?.stepOut();
    this.sendResponse(response);
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    this.runtime?.pause();
    this.sendResponse(response);
  }

  /** Ends the solve and starts it again from the (re-read) experiment file, with the same breakpoints. */
  protected override async restartRequest(response: DebugProtocol.RestartResponse, args: DebugProtocol.RestartArguments): Promise<void> {
    const next = (args?.arguments as SolveLaunchArguments | undefined) ?? this.args;
    this.generation++;
    this.runtime?.terminate();
    this.runtime = null;
    if (!next) {
      this.sendErrorResponse(response, { id: 1004, format: 'Nothing to restart: the session was never launched.', showUser: true });
      return;
    }
    try {
      await this.createRuntime(next);
    } catch (e) {
      this.sendErrorResponse(response, { id: 1001, format: errorText(e), showUser: true });
      this.sendEvent(new TerminatedEvent());
      return;
    }
    this.sendResponse(response);
    this.startRuntime();
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.runtime?.terminate();
    this.sendResponse(response);
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse, args: DebugProtocol.DisconnectArguments, request?: DebugProtocol.Request): void {
    this.generation++;
    this.runtime?.terminate();
    this.runtime = null;
    // Responds, and ends a standalone adapter's process (an inline one stays).
    super.disconnectRequest(response, args, request);
  }

  /** The Debug Console completes the names an expression may use. */
  protected override completionsRequest(response: DebugProtocol.CompletionsResponse, args: DebugProtocol.CompletionsArguments): void {
    const rt = this.runtime;
    const prefix = /[A-Za-z_$][\w$]*$/.exec(args.text.slice(0, args.column - 1))?.[0] ?? '';
    const names = rt ? knownNames(rt) : [];
    response.body = {
      targets: names
        .filter((n) => n.startsWith(prefix))
        .map((n) => ({ label: n.replace(/\(\)$/, ''), type: n.endsWith('()') ? 'function' : 'variable', length: prefix.length })),
    };
    this.sendResponse(response);
  }
}

/**
 * The defineExperiment call in the experiment file: the recorded location when it names this
 * file (a host may map stack traces its own way and name the temporary bundle instead), else
 * the first call the file's text shows.
 */
function experimentCall(file: string, recorded: { file: string; line: number; column: number } | undefined): { file: string; line: number; column: number } {
  if (recorded && path.resolve(recorded.file) === file) return { file, line: recorded.line, column: recorded.column };
  try {
    const call = findDefineExperimentCalls(fs.readFileSync(file, 'utf8'))[0];
    if (call) return { file, line: call.line + 1, column: call.character + 1 };
  } catch {
    // Unreadable now: point at the file's top.
  }
  return { file, line: 1, column: 1 };
}

function errorText(e: unknown): string {
  return (e as Error)?.message ?? String(e);
}
