/**
 * What a stopped solve looks like in a debugger: the call stack (solve → output interval →
 * step n → stage i) and, per frame, scopes of variables (Step, State, Stages, Controller,
 * Jacobian…) as a plain tree. The DAP session only numbers these; no protocol types here.
 */
import { fmt } from '../solvers/errors';
import { PIController } from '../solvers/controller';
import { compileExpression, type Value } from './expression';
import { MAX_JACOBIAN_DIM } from './jacobian';
import type { SolveRuntime } from './runtime';
import { attemptStepSize, knownNames, solverScope } from './scope';

export type FrameKind = 'stage' | 'step' | 'interval' | 'solve';

export interface DebugFrame {
  kind: FrameKind;
  name: string;
}

export interface DebugVariable {
  name: string;
  value: string;
  type?: string;
  /** An expression that gives this value back (hover, Debug Console, watch). */
  evaluateName?: string;
  children?: () => DebugVariable[];
}

export interface DebugScopeView {
  name: string;
  /** Computing it costs work (the Jacobian): the client asks only when it is opened. */
  expensive: boolean;
  variables: () => DebugVariable[];
}

/** Numbers exactly (shortest round-trip form), so what is shown is what the solver holds. */
export const num = (x: number): string => String(x);

const VECTOR_PREVIEW = 8;

export function formatVector(v: ArrayLike<number>): string {
  const shown = Array.from({ length: Math.min(v.length, VECTOR_PREVIEW) }, (_, i) => num(v[i]));
  return `[${shown.join(', ')}${v.length > VECTOR_PREVIEW ? `, … (${v.length})` : ''}]`;
}

export function vectorVariable(name: string, v: ArrayLike<number>, evaluateName?: string): DebugVariable {
  return {
    name,
    value: formatVector(v),
    type: `vector of ${v.length}`,
    evaluateName,
    children: () => Array.from(v, (x, i) => ({ name: `[${i}]`, value: num(x), type: 'number', evaluateName: evaluateName ? `${evaluateName}[${i}]` : undefined })),
  };
}

const scalar = (name: string, value: number | boolean | string, evaluateName?: string): DebugVariable => ({
  name,
  value: typeof value === 'number' ? num(value) : String(value),
  type: typeof value,
  evaluateName,
});

function norms(v: Float64Array): { two: number; inf: number } {
  let s = 0;
  let m = 0;
  for (const x of v) {
    s += x * x;
    m = Number.isNaN(x) || Number.isNaN(m) ? NaN : Math.max(m, Math.abs(x));
  }
  return { two: Math.sqrt(s), inf: m };
}

/** The call stack, innermost first. */
export function stackFrames(rt: SolveRuntime): DebugFrame[] {
  const frames: DebugFrame[] = [];
  const stage = rt.stage;
  const last = rt.lastStep;
  if (stage) frames.push({ kind: 'stage', name: `stage k${stage.i + 1} at t = ${fmt(stage.t)}` });
  if (stage) frames.push({ kind: 'step', name: `step ${stage.n} (in progress) from t = ${fmt(rt.currentStages[0]?.t ?? rt.t)}` });
  else if (last) frames.push({ kind: 'step', name: `step ${last.n} ${last.accepted ? 'accepted' : 'rejected'}, t = ${fmt(last.t)}, h = ${fmt(last.h)}` });
  else frames.push({ kind: 'step', name: rt.position === 'failure' ? `start of the solve, t = ${fmt(rt.t)}` : `before step 1, t = ${fmt(rt.t)}` });
  const k = rt.currentInterval();
  const [a, b] = rt.intervalBounds();
  const adjoint = rt.plan.kind === 'adjoint';
  frames.push({ kind: 'interval', name: `${adjoint ? 'backward over ' : ''}output interval ${k} of ${rt.plan.intervalCount} [${fmt(a)}${adjoint ? ' → ' : ', '}${fmt(b)}]` });
  frames.push({ kind: 'solve', name: `${adjoint ? 'adjoint solve' : 'solve'} ${rt.leg?.method ?? rt.method}: ${rt.target.inputLabel}` });
  return frames;
}

function stepScope(rt: SolveRuntime): DebugVariable[] {
  const scope = solverScope(rt);
  const n = (name: string): number => scope(name) as number;
  if (rt.stage) {
    return [
      scalar('n', n('n'), 'n'),
      scalar('t', n('t'), 't'),
      scalar('h', attemptStepSize(rt), 'h'),
      scalar('stage', rt.stage.i + 1, 'stage'),
      scalar('order', rt.order, 'order'),
      scalar('nfe', n('nfe'), 'nfe'),
      scalar('nAccepted', n('nAccepted'), 'nAccepted'),
      scalar('nRejected', n('nRejected'), 'nRejected'),
    ];
  }
  const last = rt.lastStep;
  if (!last) {
    return [scalar('t', rt.t, 't'), scalar('order', rt.order, 'order'), scalar('nfe', n('nfe'), 'nfe'), { name: 'step', value: 'no step taken yet' }];
  }
  return [
    scalar('n', last.n, 'n'),
    scalar('t', last.t, 't'),
    scalar('h', last.h, 'h'),
    scalar('t + h', last.t + last.h),
    scalar('errRatio', last.errRatio, 'errRatio'),
    scalar('accepted', last.accepted, 'accepted'),
    scalar('order', rt.order, 'order'),
    scalar('nfe', last.nfe, 'nfe'),
    scalar('nAccepted', last.nAccepted, 'nAccepted'),
    scalar('nRejected', last.nRejected, 'nRejected'),
    scalar('hNext', last.hNext, 'hNext'),
  ];
}

function stateScope(rt: SolveRuntime): DebugVariable[] {
  const vars: DebugVariable[] = [];
  for (const p of rt.plan.parts) {
    const v = rt.part(p.name) as Float64Array;
    const { two, inf } = norms(v);
    const shown = p.name === 'dLdTheta' ? 'dL/dθ' : p.name;
    vars.push({ ...vectorVariable(shown, v, p.name), type: `${p.label}, ${v.length} components` });
    vars.push(scalar(`‖${shown}‖₂`, two, `norm(${p.name})`), scalar(`‖${shown}‖∞`, inf, `normInf(${p.name})`));
  }
  vars.push(scalar('tNow', rt.t, 'tNow'));
  if (rt.stage) {
    vars.push(vectorVariable('yi (stage input)', rt.stage.y, 'yi'), scalar('‖yi‖₂', norms(rt.stage.y).two, 'norm(yi)'));
  }
  return vars;
}

function stagesScope(rt: SolveRuntime): DebugVariable[] {
  if (rt.currentStages.length === 0) return [{ name: 'stages', value: 'none yet: step into a step to see its stages' }];
  return rt.currentStages.map((s) => ({
    name: `k${s.i + 1}`,
    value: formatVector(s.k),
    type: `stage ${s.i + 1} of step ${s.n}`,
    evaluateName: `k${s.i + 1}`,
    children: () => [scalar('t', s.t), vectorVariable('y (input)', s.y), vectorVariable('k = f(t, y)', s.k, `k${s.i + 1}`)],
  }));
}

function controllerScope(rt: SolveRuntime): DebugVariable[] {
  const o = rt.target.options;
  const vars: DebugVariable[] = [scalar('method', rt.method, 'method'), scalar('adaptive', rt.adaptive), scalar('order', rt.order, 'order')];
  if (!rt.adaptive) {
    vars.push(scalar('stepSize', o.stepSize ?? 'the output times'));
    return vars;
  }
  // The solver's own defaults, from the controller it builds.
  const c = new PIController(rt.order, o);
  const scope = solverScope(rt);
  vars.push(
    scalar('rtol', scope('rtol') as number, 'rtol'),
    scalar('atol', scope('atol') as number, 'atol'),
    scalar('safety', c.safety),
    scalar('ifactor', c.ifactor),
    scalar('dfactor', c.dfactor),
    scalar('pcoeff', c.pcoeff),
    scalar('icoeff', c.icoeff),
    scalar('minStep', c.minStep),
    scalar('maxStep', c.maxStep),
    scalar('maxNumSteps', o.maxNumSteps ?? 100_000),
    scalar('hNext (proposed)', rt.lastStep?.hNext ?? NaN, 'hNext'),
  );
  return vars;
}

const complex = (re: number, im: number): string => (im === 0 ? num(re) : `${num(re)} ${im < 0 ? '-' : '+'} ${num(Math.abs(im))}i`);

function jacobianScope(rt: SolveRuntime): DebugVariable[] {
  if (rt.target.dim > MAX_JACOBIAN_DIM) return [{ name: 'Jacobian', value: `not shown: the state has ${rt.target.dim} components (at most ${MAX_JACOBIAN_DIM})` }];
  let j;
  try {
    j = rt.jacobian();
  } catch (e) {
    return [{ name: 'Jacobian', value: `not available here: ${(e as Error).message}` }];
  }
  if (!j) return [{ name: 'Jacobian', value: 'not available' }];
  const at = rt.stage ? `stage input yi at t = ${fmt(j.t)}` : `y at t = ${fmt(j.t)}`;
  const verdict = !j.region
    ? `${rt.method} has no stability function here`
    : !Number.isFinite(j.h)
      ? 'no step size yet: step once'
      : j.outside
        ? `yes: some h·λ of a decaying mode lies outside ${rt.method}'s stability region (stiff for this h)`
        : `no: every decaying mode's h·λ lies inside ${rt.method}'s stability region`;
  return [
    { name: 'at', value: at },
    scalar('h', j.h),
    scalar('spectral radius', j.spectralRadius),
    { name: 'stability-limited', value: verdict },
    {
      name: 'eigenvalues',
      value: `${j.eigen.length} by |λ|, largest ${complex(j.eigen[0]?.re ?? NaN, j.eigen[0]?.im ?? 0)}`,
      children: () =>
        j.eigen.map((e, i) => ({
          name: e.block === 'a' ? `λ${i + 1} (adjoint, −λ of ∂f/∂y)` : `λ${i + 1}`,
          value: complex(e.re, e.im),
          children: () => [
            { name: 'h·λ', value: complex(e.hRe, e.hIm) },
            scalar('|R(h·λ)|', e.amplification),
            { name: 'inside stability region', value: e.inside === null ? 'unknown' : String(e.inside) },
          ],
        })),
    },
    {
      name: 'J = ∂f/∂y',
      value: `${j.rows.length}×${j.rows.length}`,
      children: () => j.rows.map((r, i) => vectorVariable(`row ${i}`, r)),
    },
  ];
}

function intervalScope(rt: SolveRuntime): DebugVariable[] {
  const k = rt.currentInterval();
  const [a, b] = rt.intervalBounds();
  const vars = [scalar('index', k), scalar('from t', a), scalar('to t', b)];
  if (rt.plan.kind === 'forward') {
    const ys = rt.solver?.ys ?? [];
    if (ys[k - 1]) vars.push(vectorVariable(`y(${fmt(a)})`, ys[k - 1]));
    vars.push(scalar('outputs so far', ys.length));
  }
  return vars;
}

function solveScope(rt: SolveRuntime): DebugVariable[] {
  const t = rt.target;
  const st = rt.solver?.stats;
  const vars: DebugVariable[] = [
    scalar('experiment', t.experiment),
    scalar('sample', t.inputLabel),
    scalar('weights', t.runId ? `run ${t.runId}, iteration ${t.iteration}` : 'untrained'),
    scalar('solve', rt.plan.kind === 'adjoint' ? 'adjoint: forward, then backward over each output interval' : 'forward'),
    scalar('method', rt.leg?.method ?? rt.method, 'method'),
    vectorVariable('y0', t.y0),
    scalar('t0', t.times[0]),
    scalar('tEnd', t.times[t.times.length - 1]),
    scalar('output times', t.times.length),
  ];
  const c = rt.counts;
  vars.push(scalar('nfe', c.nfe, 'nfe'), scalar('nAccepted', c.nAccepted, 'nAccepted'), scalar('nRejected', c.nRejected, 'nRejected'));
  if (st) vars.push(scalar('hMin', st.hMin), scalar('hMax', st.hMax), scalar('stiff (solver heuristic)', st.stiff));
  const r = rt.plan.result;
  if (r) vars.push(scalar('loss', r.loss), vectorVariable('dL/dy0', r.gradY0), vectorVariable('dL/dθ', r.gradParams));
  return vars;
}

function failureScope(rt: SolveRuntime): DebugVariable[] {
  const f = rt.failure;
  if (!f) return [];
  return [
    scalar('kind', f.kind),
    scalar('message', f.message),
    ...Object.entries(f.context).map(([k, v]) => ({ name: k, value: typeof v === 'number' ? num(v) : JSON.stringify(v) ?? String(v) })),
  ];
}

export function frameScopes(rt: SolveRuntime, kind: FrameKind): DebugScopeView[] {
  const s = (name: string, variables: () => DebugVariable[], expensive = false): DebugScopeView => ({ name, variables, expensive });
  const failure = rt.failure ? [s('Failure', () => failureScope(rt))] : [];
  const common = [s('State', () => stateScope(rt)), s('Stages', () => stagesScope(rt)), s('Controller', () => controllerScope(rt)), s('Jacobian', () => jacobianScope(rt), true)];
  switch (kind) {
    case 'stage':
    case 'step':
      return [...failure, s('Step', () => stepScope(rt)), ...common];
    case 'interval':
      return [...failure, s('Interval', () => intervalScope(rt)), s('State', () => stateScope(rt))];
    case 'solve':
      return [...failure, s('Solve', () => solveScope(rt)), s('Controller', () => controllerScope(rt))];
  }
}

/** Evaluates an expression on the solver's variables (hover, Debug Console, watch). */
export function evaluateExpression(rt: SolveRuntime, expression: string): Value {
  return compileExpression(expression).evaluate(solverScope(rt), () => knownNames(rt));
}
