// The debugger's runtime: its steps are the solver's steps (bit for bit), stepping commands,
// stop conditions, conditional breakpoints, failures and the Jacobian's stiffness signal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mlpField, odeint, OdeSolve, nativeAlgebra, type StepReport, type NativeField } from 'neural-ode-studio';
import { SolveRuntime, type StopEvent, type StepRecord, type EndEvent } from '../../engine/src/debug/runtime';
import type { DebugTarget } from '../../engine/src/debug/target';
import { frameScopes, stackFrames, evaluateExpression, type DebugVariable } from '../../engine/src/debug/view';
import type { SolveLaunchOptions } from '../../engine/src/debug/launchOptions';

/** f(y) = A·y with its exact VJP aᵀA. */
function linearField(a: number[][]): NativeField {
  const d = a.length;
  return {
    kind: 'native',
    dim: d,
    params: new Float64Array(0),
    f: (_t, y) => Float64Array.from({ length: y.length }, (_, i) => a[i].reduce((s, aij, j) => s + aij * y[j], 0)),
    vjp: (_t, _y, c) => ({ y: Float64Array.from({ length: d }, (_, j) => a.reduce((s, row, i) => s + c[i] * row[j], 0)), params: new Float64Array(0) }),
  };
}

function target(field: NativeField, y0: number[], times: number[], extra: Partial<DebugTarget> = {}): DebugTarget {
  return {
    experiment: 'test',
    field,
    y0: Float64Array.from(y0),
    times: Float64Array.from(times),
    dim: y0.length,
    input: 0,
    inputLabel: 'sample 0',
    runId: null,
    iteration: null,
    method: 'dopri5',
    rtol: 1e-6,
    atol: 1e-8,
    options: {},
    ...extra,
  };
}

/** Drives a runtime: each stop is answered by the next command of the script (continue once it runs out). */
class Driver {
  readonly stops: { ev: StopEvent; n: number | undefined; stage: number | undefined; t: number; position: string }[] = [];
  readonly steps: StepRecord[] = [];
  readonly output: string[] = [];
  end: EndEvent | null = null;

  constructor(
    readonly rt: SolveRuntime,
    private readonly script: ((rt: SolveRuntime, ev: StopEvent) => void)[] = [],
  ) {
    rt.on('step', (r) => this.steps.push(r));
    rt.on('output', (o) => this.output.push(o));
    rt.on('end', (e) => (this.end = e));
    rt.on('stopped', (ev) => {
      this.stops.push({ ev, n: rt.stage?.n ?? rt.lastStep?.n, stage: rt.stage ? rt.stage.i + 1 : undefined, t: rt.t, position: rt.position });
      const next = this.script.shift() ?? ((r: SolveRuntime) => r.continue());
      setImmediate(() => next(rt, ev));
    });
  }

  async run(): Promise<this> {
    await this.rt.start();
    return this;
  }
}

const spiralField = (): NativeField => mlpField({ sizes: [2, 16, 2], seed: 3 });

test("the runtime's steps and outputs equal a plain solve's, bit for bit", async () => {
  const times = [0, 0.5, 1, 1.5, 2, 3];
  const field = spiralField();
  const d = await new Driver(new SolveRuntime(target(field, [1.5, -0.5], times))).run();
  assert.ok(d.end && d.end.ys, 'the solve ended with outputs');

  const reports: StepReport[] = [];
  const y0 = Float64Array.of(1.5, -0.5);
  const direct = new OdeSolve<Float64Array>(nativeAlgebra(y0) as never, (t, y) => field.f(t, y), y0, times, {
    method: 'dopri5', rtol: 1e-6, atol: 1e-8, hooks: { onStep: (r) => void reports.push(r) },
  });
  const ys = await direct.run();
  assert.equal(d.steps.length, reports.length);
  d.steps.forEach((s, i) => {
    const r = reports[i];
    for (const k of ['n', 't', 'h', 'errRatio', 'accepted', 'hNext', 'nfe', 'nAccepted', 'nRejected'] as const) {
      assert.ok(Object.is(s[k], r[k]), `step ${i + 1}: ${k} ${s[k]} vs ${r[k]}`);
    }
  });
  const sol = await odeint((t, y: Float64Array) => field.f(t, y), Float64Array.of(1.5, -0.5), times, { method: 'dopri5', rtol: 1e-6, atol: 1e-8 });
  assert.deepEqual(d.end.ys, ys.map((y) => Float64Array.from(y)));
  assert.deepEqual(d.end.ys, sol.ys);
  // The state in each step record is the solver's y after the step.
  assert.deepEqual(d.steps.at(-1)?.y, sol.ys.at(-1));
});

test('stop on entry, step over, step in through the stages, step out to the end of the step and of the interval', async () => {
  const times = [0, 1, 2];
  const rt = new SolveRuntime(target(spiralField(), [1.5, -0.5], times), { stopOnEntry: true });
  let interval = 0;
  const d = await new Driver(rt, [
    (r) => r.stepOver(), // entry → step 1
    (r) => r.stepOver(), // → step 2
    (r) => r.stepIn(), // → k1 of step 3
    (r) => r.stepIn(), // → k2
    (r) => r.stepOut(), // → end of step 3
    (r) => {
      interval = r.currentInterval();
      r.stepOut(); // → end of the current output interval
    },
    (r) => r.terminate(),
  ]).run();
  const s = d.stops;
  assert.equal(s[0].ev.reason, 'entry');
  assert.equal(s[0].n, undefined);
  assert.deepEqual(s.slice(1, 3).map((x) => [x.ev.reason, x.n, x.stage]), [['step', 1, undefined], ['step', 2, undefined]]);
  assert.deepEqual(s.slice(3, 5).map((x) => [x.ev.reason, x.n, x.stage]), [['step', 3, 1], ['step', 3, 2]]);
  assert.deepEqual([s[5].ev.reason, s[5].n, s[5].stage], ['step', 3, undefined]);
  // Step out from a step: the first accepted step that reaches the end of the current interval.
  const last = s[6];
  const end = times[interval];
  assert.equal(last.ev.reason, 'step');
  assert.match(last.ev.description, new RegExp(`End of output interval ${interval}`));
  assert.ok(last.t >= end, `stopped at t = ${last.t}, interval end ${end}`);
  const prev = d.steps.filter((x) => x.accepted && x.n < last.n!).at(-1)!;
  assert.ok(prev.t + prev.h < end, 'the accepted step before had not reached the interval end');
  assert.equal(d.end?.aborted, true);
});

test('call stack and variables at a stage stop', async () => {
  const times = [0, 1];
  let frames: string[] = [];
  let stepVars: DebugVariable[] = [];
  let stages: DebugVariable[] = [];
  const rt = new SolveRuntime(target(spiralField(), [1.5, -0.5], times), { stopOnEntry: true });
  await new Driver(rt, [
    (r) => r.stepIn(),
    (r) => r.stepIn(),
    (r) => r.stepIn(),
    (r) => {
      frames = stackFrames(r).map((f) => `${f.kind}: ${f.name}`);
      const scopes = frameScopes(r, 'stage');
      stepVars = scopes.find((x) => x.name === 'Step')!.variables();
      stages = scopes.find((x) => x.name === 'Stages')!.variables();
      r.terminate();
    },
  ]).run();
  assert.equal(frames.length, 4);
  assert.match(frames[0], /^stage: stage k3/);
  assert.match(frames[1], /^step: step 1 \(in progress\)/);
  assert.match(frames[2], /^interval: output interval 1 of 1/);
  assert.match(frames[3], /^solve: solve dopri5/);
  assert.deepEqual(stages.map((v) => v.name), ['k1', 'k2', 'k3']);
  assert.equal(stepVars.find((v) => v.name === 'stage')?.value, '3');
  // dopri5's third stage sits at c = 3/10 of the step.
  const k3 = stages[2].children!();
  const h = Number(stepVars.find((v) => v.name === 'h')?.value);
  assert.ok(Math.abs(Number(k3[0].value) - 0.3 * h) < 1e-15);
});

test('stop on a rejected step, with the rejection in the variables', async () => {
  // A first step far too large for y' = −50y is rejected.
  const rt = new SolveRuntime(target(linearField([[-50]]), [1], [0, 1], { options: { firstStep: 0.5 } }), { stopOn: ['rejectedStep'] });
  let accepted: string | undefined;
  const d = await new Driver(rt, [
    (r) => {
      accepted = frameScopes(r, 'step').find((s) => s.name === 'Step')!.variables().find((v) => v.name === 'accepted')?.value;
      r.continue();
    },
  ]).run();
  const first = d.stops[0];
  assert.equal(first.ev.reason, 'exception');
  assert.equal(first.ev.exceptionId, 'rejectedStep');
  assert.match(first.ev.text ?? '', /error ratio .* exceeds 1/);
  assert.equal(accepted, 'false');
  assert.equal(d.steps[0].accepted, false);
  assert.ok(d.stops.length >= 1 && d.stops.every((s) => s.ev.exceptionId === 'rejectedStep'));
  assert.equal(d.stops.length, d.steps.filter((s) => !s.accepted).length, 'one stop per rejected step');
  assert.ok(d.end?.ys, 'the solve finishes after the rejections');
});

test('a field that returns NaN stops at the stage that produced it, then at the failure, with the state inspectable', async () => {
  // f turns NaN past t = 0.3: no step size can pass it.
  const field = linearField([[-1, 0.5], [-0.5, -1]]);
  const faulty: NativeField = { ...field, f: (t, y) => (t > 0.3 ? Float64Array.of(NaN, 0) : field.f(t, y)) };
  let yAtFailure: string | undefined;
  const rt = new SolveRuntime(target(faulty, [1, 0], [0, 1]));
  const d = await new Driver(rt, [
    (r) => r.continue(),
    (r) => {
      yAtFailure = frameScopes(r, 'step').find((s) => s.name === 'State')!.variables()[0].value;
      r.continue();
    },
  ]).run();
  const [nan, failure] = d.stops;
  assert.equal(nan.ev.exceptionId, 'nonFinite');
  assert.equal(nan.position, 'stage');
  assert.match(nan.ev.text ?? '', /component 0 = NaN/);
  assert.equal(failure.ev.reason, 'exception');
  assert.equal(failure.position, 'failure');
  assert.ok(failure.ev.exceptionId === 'nonFinite' || failure.ev.exceptionId === 'stepUnderflow');
  assert.match(failure.ev.text ?? '', /Try/);
  assert.ok(failure.t > 0.2 && failure.t <= 0.3, `failed at t = ${failure.t}`);
  assert.match(yAtFailure ?? '', /^\[[-0-9.e]+, [-0-9.e]+\]$/, 'the last good state is shown');
  assert.ok(d.end?.failure);
});

test('conditional function breakpoints and hit counts', async () => {
  const times = [0, 2];
  const mk = () => new SolveRuntime(target(spiralField(), [1.5, -0.5], times));
  const all = await new Driver(mk()).run();

  const rt = mk();
  const bps = rt.setFunctionBreakpoints([
    { name: 'step', condition: 't > 0.5' },
    { name: 'accepted', hitCondition: '3' },
    { name: 'foo > 1' },
    { name: 'h < 1e-300' },
  ]);
  assert.deepEqual(bps.map((b) => b.verified), [true, true, false, true]);
  assert.match(bps[2].message, /Unknown name 'foo'/);
  const d = await new Driver(rt, [(r) => r.continue(), (r) => r.terminate()]).run();
  const firstPast = all.steps.find((s) => s.t > 0.5)!;
  // The hit count stops at the third accepted step (the breakpoints are independent).
  const third = all.steps.filter((s) => s.accepted)[2];
  const expected = [third.n, firstPast.n].sort((a, b) => a - b);
  assert.deepEqual(d.stops.map((s) => s.n), expected);
  assert.ok(d.stops.every((s) => s.ev.reason === 'breakpoint'));
  assert.deepEqual(d.stops.map((s) => s.ev.breakpointIds?.[0]), expected[0] === third.n ? [bps[1].id, bps[0].id] : [bps[0].id, bps[1].id]);
});

test('expressions evaluate on the stop: hover and Debug Console names', async () => {
  const rt = new SolveRuntime(target(spiralField(), [1.5, -0.5], [0, 1]), { stopOnEntry: true });
  const values: unknown[] = [];
  await new Driver(rt, [
    (r) => r.stepOver(),
    (r) => {
      values.push(evaluateExpression(r, 't + h'), evaluateExpression(r, 'y[1]'), evaluateExpression(r, 'norm(y)'), evaluateExpression(r, 'accepted && errRatio <= 1'));
      r.terminate();
    },
  ]).run();
  const s = rt.lastStep!;
  assert.equal(values[0], s.t + s.h);
  assert.equal(values[1], rt.y[1]);
  assert.equal(values[2], Math.hypot(rt.y[0], rt.y[1]));
  assert.equal(values[3], true);
  assert.throws(() => evaluateExpression(rt, 'nope'), /Unknown name 'nope'.*Known: t, h/);
});

test('the Jacobian: exact rows from the VJP, eigenvalues times h, and the stiffness stop', async () => {
  // λ = −1 and −1000: dopri5 at rtol 1e-3 is soon limited by stability on the fast mode.
  const a = [[-1, 0], [0, -1000]];
  const rt = new SolveRuntime(target(linearField(a), [1, 1], [0, 5], { rtol: 1e-3, atol: 1e-6 }), { stopOn: ['stiffness'] });
  let jac: ReturnType<SolveRuntime['jacobian']> = null;
  const d = await new Driver(rt, [
    (r) => {
      jac = r.jacobian();
      r.terminate();
    },
  ]).run();
  assert.equal(d.stops[0].ev.exceptionId, 'stiffness');
  assert.match(d.stops[0].ev.text ?? '', /implicit method/);
  const j = jac as unknown as NonNullable<ReturnType<SolveRuntime['jacobian']>>;
  assert.deepEqual(j.rows.map((r) => Array.from(r)), a);
  assert.deepEqual(j.eigen.map((e) => [e.re, e.im]), [[-1000, 0], [-1, 0]]);
  assert.equal(j.eigen[0].hRe, -1000 * rt.lastStep!.h);
  assert.equal(j.eigen[0].inside, false);
  assert.equal(j.eigen[1].inside, true);
});

test('pause stops a running solve mid-way', async () => {
  // A long solve: a slow oscillator at tight tolerances over many periods.
  const rt = new SolveRuntime(target(linearField([[0, 1], [-1, 0]]), [1, 0], [0, 2000], { rtol: 1e-10, atol: 1e-12 }), {});
  const d = new Driver(rt, [(r) => r.terminate()]);
  setTimeout(() => rt.pause(), 30);
  await d.run();
  assert.equal(d.stops.length, 1);
  assert.equal(d.stops[0].ev.reason, 'pause');
  assert.ok(d.stops[0].t > 0 && d.stops[0].t < 2000);
  assert.equal(d.end?.aborted, true);
});

test('stepSizeBelow and nfeAbove stop once when crossed', async () => {
  const opts: Pick<SolveLaunchOptions, 'stopOn'> = { stopOn: { nfeAbove: 40, stepSizeBelow: 1e-3 } };
  const rt = new SolveRuntime(target(linearField([[-3000]]), [1], [0, 0.05], { rtol: 1e-8, atol: 1e-10 }), opts);
  const d = await new Driver(rt).run();
  const ids = d.stops.map((s) => s.ev.exceptionId);
  assert.deepEqual([...new Set(ids)].sort(), ['nfeAbove', 'stepSizeBelow']);
  assert.equal(ids.filter((x) => x === 'nfeAbove').length, 1);
  const nfeStop = d.steps.find((s) => s.nfe > 40)!;
  assert.ok(d.stops.some((s) => s.ev.exceptionId === 'nfeAbove' && s.n === nfeStop.n));
});
