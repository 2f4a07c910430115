// The `neural-ode` debug adapter at the protocol level, driven by @vscode/debugadapter-testsupport's
// DebugClient as VS Code drives it (no VS Code needed). The session runs in this process behind
// a local socket, which is faster and steadier than a child process; the last test runs the
// built standalone adapter (node dist/debugAdapter.js) over stdin/stdout.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { OdeSolve, nativeAlgebra, mlpField, createRun, finishRun } from 'neural-ode-studio';
import { loadExperiment } from '../../engine/src/experiments/load';
import type { StepEventBody } from '../../extension/src/debug/events';
import { SolveDebugSession, type SolveLaunchArguments } from '../../extension/src/debug/session';
import { debugTarget } from '../../engine/src/debug/target';

const root = path.resolve(__dirname, '../..');
const fixture = (name: string): string => path.join(root, 'test/fixtures/debug', name);
const SPIRAL = fixture('spiral.ode.ts');
const FAULTY = fixture('faulty.ode.ts');
const STIFF = fixture('stiff.ode.ts');

let server: net.Server;
let port = 0;

before(async () => {
  server = net.createServer((socket) => {
    const session = new SolveDebugSession();
    session.setRunAsServer(true);
    session.start(socket, socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
});

after(() => server.close());

interface Started {
  dc: DebugClient;
  steps: StepEventBody[];
  stopped: Promise<DebugProtocol.StoppedEvent>;
}

/**
 * VS Code's start-up: initialize, launch, then on `initialized` the breakpoints, the exception
 * filters and configurationDone. Resolves with the client and the first stop.
 */
async function start(
  args: Partial<SolveLaunchArguments>,
  config: { functionBreakpoints?: DebugProtocol.FunctionBreakpoint[]; filters?: string[]; filterOptions?: DebugProtocol.ExceptionFilterOptions[] } = {},
): Promise<Started> {
  const dc = new DebugClient('node', '', 'neural-ode');
  await dc.start(port);
  const steps: StepEventBody[] = [];
  dc.on(STEP, (e: DebugProtocol.Event) => steps.push(e.body as StepEventBody));
  const init = await dc.initializeRequest({ adapterID: 'neural-ode', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
  assert.equal(init.body?.supportsConfigurationDoneRequest, true);
  const configured = dc.waitForEvent('initialized').then(async () => {
    if (config.functionBreakpoints) await dc.setFunctionBreakpointsRequest({ breakpoints: config.functionBreakpoints });
    await dc.setExceptionBreakpointsRequest({ filters: config.filters ?? ['nonFinite'], filterOptions: config.filterOptions });
    await dc.configurationDoneRequest();
  });
  const stopped = dc.waitForEvent('stopped', 20_000) as Promise<DebugProtocol.StoppedEvent>;
  await Promise.all([configured, dc.launchRequest({ experiment: SPIRAL, ...args } as DebugProtocol.LaunchRequestArguments)]);
  return { dc, steps, stopped };
}

const STEP = 'neuralOde/step';

async function frames(dc: DebugClient): Promise<DebugProtocol.StackFrame[]> {
  return (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
}

/** Variables of scope `name` of the top frame, by name. */
async function scopeVars(dc: DebugClient, name: string): Promise<Map<string, DebugProtocol.Variable>> {
  const top = (await frames(dc))[0];
  const scopes = (await dc.scopesRequest({ frameId: top.id })).body.scopes;
  const scope = scopes.find((s) => s.name === name);
  assert.ok(scope, `scope ${name} in ${scopes.map((s) => s.name).join(', ')}`);
  const vars = (await dc.variablesRequest({ variablesReference: scope.variablesReference })).body.variables;
  return new Map(vars.map((v) => [v.name, v]));
}

async function children(dc: DebugClient, v: DebugProtocol.Variable): Promise<number[]> {
  const vars = (await dc.variablesRequest({ variablesReference: v.variablesReference })).body.variables;
  return vars.map((c) => Number(c.value));
}

/** Sends a stepping request and waits for the stop it causes. */
async function stepAnd(dc: DebugClient, request: 'next' | 'stepIn' | 'stepOut' | 'continue'): Promise<DebugProtocol.StoppedEvent> {
  const stopped = dc.waitForEvent('stopped', 20_000) as Promise<DebugProtocol.StoppedEvent>;
  if (request === 'next') await dc.nextRequest({ threadId: 1 });
  else if (request === 'stepIn') await dc.stepInRequest({ threadId: 1 });
  else if (request === 'stepOut') await dc.stepOutRequest({ threadId: 1 });
  else await dc.continueRequest({ threadId: 1 });
  return stopped;
}

async function evaluate(dc: DebugClient, expression: string): Promise<string> {
  return (await dc.evaluateRequest({ expression, context: 'repl', frameId: (await frames(dc))[0].id })).body.result;
}

test('launch, stop on entry, and the call stack points at the experiment', async () => {
  const { dc, stopped } = await start({ stopOnEntry: true });
  try {
    const ev = await stopped;
    assert.equal(ev.body.reason, 'entry');
    const threads = (await dc.threadsRequest()).body.threads;
    assert.deepEqual(threads.map((t) => t.name), ['solve']);
    const fs0 = await frames(dc);
    assert.deepEqual(fs0.map((f) => f.name.split(' ')[0]), ['before', 'output', 'solve']);
    assert.match(fs0[2].name, /solve dopri5: sample 0 of spiral/);
    assert.equal(fs0[0].source?.path, SPIRAL);
    assert.ok((fs0[0].line ?? 0) > 1, 'the frame points at the defineExperiment line');
  } finally {
    await dc.stop();
  }
});

test('step over, into the stages and out, with the step events of every attempt', async () => {
  const { dc, stopped, steps } = await start({ stopOnEntry: true });
  try {
    await stopped;
    assert.equal((await stepAnd(dc, 'next')).body.reason, 'step');
    assert.match((await frames(dc))[0].name, /^step 1 (accepted|rejected)/);
    await stepAnd(dc, 'stepIn');
    assert.match((await frames(dc))[0].name, /^stage k1 at t = /);
    await stepAnd(dc, 'stepIn');
    const fr = await frames(dc);
    assert.deepEqual(fr.map((f) => f.name.split(' ')[0]), ['stage', 'step', 'output', 'solve']);
    assert.match(fr[0].name, /^stage k2/);
    assert.match(fr[1].name, /^step 2 \(in progress\)/);
    const stages = await scopeVars(dc, 'Stages');
    assert.deepEqual([...stages.keys()], ['k1', 'k2']);
    await stepAnd(dc, 'stepOut');
    assert.match((await frames(dc))[0].name, /^step 2 (accepted|rejected)/);
    // Step out from a step: to the end of the current output interval.
    const interval = Number(await evaluate(dc, 'interval'));
    const times = (await loadTimes(SPIRAL));
    const out = await stepAnd(dc, 'stepOut');
    assert.match(out.body.description ?? '', new RegExp(`End of output interval ${interval}`));
    assert.ok(Number(await evaluate(dc, 'tNow')) >= times[interval]);
    // One neuralOde/step event per attempt, numbered, with the sample's state.
    assert.deepEqual(steps.map((s) => s.n), steps.map((_, i) => i + 1));
    assert.ok(steps.length >= 3);
    assert.equal(steps[0].y.length, 2);
  } finally {
    await dc.stop();
  }
});

async function loadTimes(file: string): Promise<Float64Array> {
  return (await debugTarget(await loadExperiment(file), {})).times;
}

test("variables equal a direct solve's with the same settings, bit for bit", async () => {
  // The direct solve: the same experiment, sample and solver settings, through OdeSolve.
  const launch = { input: 2, rtol: 1e-5, atol: 1e-7, method: 'bosh3' };
  const target = await debugTarget(await loadExperiment(SPIRAL), launch);
  const expected: { n: number; t: number; h: number; errRatio: number; nfe: number; y: Float64Array }[] = [];
  const solve: OdeSolve<Float64Array> = new OdeSolve<Float64Array>(nativeAlgebra(target.y0) as never, (t, y) => target.field.f(t, y), target.y0, target.times, {
    method: 'bosh3', rtol: 1e-5, atol: 1e-7,
    hooks: { onStep: (r) => void expected.push({ ...r, y: Float64Array.from(solve.stepper!.y) }) },
  });
  await solve.run();

  const { dc, stopped } = await start({ stopOnEntry: true, ...launch });
  try {
    await stopped;
    for (let n = 1; n <= 4; n++) {
      await stepAnd(dc, 'next');
      const step = await scopeVars(dc, 'Step');
      const e = expected[n - 1];
      assert.equal(Number(step.get('n')?.value), e.n);
      assert.equal(Number(step.get('t')?.value), e.t);
      assert.equal(Number(step.get('h')?.value), e.h);
      assert.equal(Number(step.get('errRatio')?.value), e.errRatio);
      assert.equal(Number(step.get('nfe')?.value), e.nfe);
      const state = await scopeVars(dc, 'State');
      assert.deepEqual(await children(dc, state.get('y')!), Array.from(e.y));
    }
    const controller = await scopeVars(dc, 'Controller');
    assert.equal(controller.get('method')?.value, 'bosh3');
    assert.equal(Number(controller.get('rtol')?.value), 1e-5);
    assert.equal(Number(controller.get('safety')?.value), 0.9);
  } finally {
    await dc.stop();
  }
});

test('stop on a rejected step (exception filter), with exception info and the Jacobian', async () => {
  const { dc, stopped } = await start({ experiment: STIFF }, { filters: ['rejectedStep'] });
  try {
    const ev = await stopped;
    assert.equal(ev.body.reason, 'exception');
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.equal(info.body.exceptionId, 'rejectedStep');
    assert.match(info.body.description ?? '', /was rejected: its error ratio .* exceeds 1/);
    const step = await scopeVars(dc, 'Step');
    assert.equal(step.get('accepted')?.value, 'false');
    assert.ok(Number(step.get('errRatio')?.value) > 1);
    // The Jacobian scope is expensive (fetched on request) and shows A's eigenvalues −500 and −1.
    const top = (await frames(dc))[0];
    const jac = (await dc.scopesRequest({ frameId: top.id })).body.scopes.find((s) => s.name === 'Jacobian');
    assert.equal(jac?.expensive, true);
    const j = await scopeVars(dc, 'Jacobian');
    const eig = (await dc.variablesRequest({ variablesReference: j.get('eigenvalues')!.variablesReference })).body.variables;
    assert.deepEqual(eig.map((e) => Number(e.value)), [-500, -1]);
  } finally {
    await dc.stop();
  }
});

test('stop on NaN in a planted faulty field, then on the failure, with the state inspectable', async () => {
  const { dc, stopped } = await start({ experiment: FAULTY });
  try {
    const nan = await stopped;
    assert.equal(nan.body.reason, 'exception');
    assert.match(nan.body.text ?? '', /is not finite in stage \d of step \d+ at t = /);
    assert.match((await frames(dc))[0].name, /^stage k\d/);
    assert.ok(Number(await evaluate(dc, 'ti')) > 0.5, 'the stage that produced NaN lies past t = 0.5');
    const failure = await stepAnd(dc, 'continue');
    assert.equal(failure.body.reason, 'exception');
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.ok(['nonFinite', 'stepUnderflow'].includes(info.body.exceptionId), info.body.exceptionId);
    assert.match(info.body.description ?? '', /Try/);
    const fail = await scopeVars(dc, 'Failure');
    assert.equal(fail.get('kind')?.value, info.body.exceptionId);
    const y = await children(dc, (await scopeVars(dc, 'State')).get('y')!);
    assert.ok(y.every(Number.isFinite), 'the last good state');
    assert.ok(Number(await evaluate(dc, 'tNow')) <= 0.5);
    const terminated = dc.waitForEvent('terminated');
    await dc.continueRequest({ threadId: 1 });
    await terminated;
  } finally {
    await dc.stop();
  }
});

test('conditional function breakpoints and hit counts', async () => {
  const { dc, stopped } = await start({}, {
    functionBreakpoints: [{ name: 'step', condition: 't > 0.5' }, { name: 'accepted', hitCondition: '== 3' }, { name: 'nope > 1' }],
  });
  try {
    const first = await stopped;
    assert.equal(first.body.reason, 'breakpoint');
    const stops: { t: number; nAccepted: number; accepted: string; ids: number[] }[] = [];
    const record = async (ev: DebugProtocol.StoppedEvent): Promise<void> => {
      stops.push({ t: Number(await evaluate(dc, 't')), nAccepted: Number(await evaluate(dc, 'nAccepted')), accepted: await evaluate(dc, 'accepted'), ids: ev.body.hitBreakpointIds ?? [] });
    };
    await record(first);
    await record(await stepAnd(dc, 'continue'));
    // Whichever comes first: the third accepted step, and the first step starting past t = 0.5.
    const third = stops.find((s) => s.nAccepted === 3 && s.accepted === 'true');
    const past = stops.find((s) => s.t > 0.5);
    assert.ok(third, JSON.stringify(stops));
    assert.ok(past, JSON.stringify(stops));
  } finally {
    await dc.stop();
  }
});

test('function breakpoints are verified, with a reason when not', async () => {
  const { dc, stopped } = await start({ stopOnEntry: true });
  try {
    await stopped;
    const res = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'k3', condition: 'h < 1e-4' }, { name: 'nope > 1' }, { name: 'rejected', hitCondition: 'often' }] });
    const bps = res.body.breakpoints;
    assert.deepEqual(bps.map((b) => b.verified), [true, false, false]);
    assert.match(bps[0].message ?? '', /stage k3 where h < 1e-4/);
    assert.match(bps[1].message ?? '', /Unknown name 'nope'/);
    assert.match(bps[2].message ?? '', /Hit count 'often'/);
    // Hover and Debug Console: vectors expand, mistakes say why.
    const y = await dc.evaluateRequest({ expression: 'y', context: 'hover', frameId: (await frames(dc))[0].id });
    assert.ok(y.body.variablesReference > 0);
    assert.match(y.body.result, /^\[-?\d/);
    await assert.rejects(dc.evaluateRequest({ expression: 'h +', context: 'repl' }), /ends too early/);
    const completions = (await dc.completionsRequest({ text: 'err', column: 4 })).body.targets.map((c) => c.label);
    assert.deepEqual(completions, ['errRatio']);
  } finally {
    await dc.stop();
  }
});

test('restart starts the solve again with the same breakpoints', async () => {
  const { dc, stopped, steps } = await start({ stopOnEntry: true });
  try {
    await stopped;
    await stepAnd(dc, 'next');
    await stepAnd(dc, 'next');
    const again = dc.waitForEvent('stopped', 20_000) as Promise<DebugProtocol.StoppedEvent>;
    steps.length = 0;
    await dc.restartRequest({});
    assert.equal((await again).body.reason, 'entry');
    await stepAnd(dc, 'next');
    assert.deepEqual(steps.map((s) => s.n), [1]);
    const terminated = dc.waitForEvent('terminated');
    await dc.terminateRequest({});
    await terminated;
  } finally {
    await dc.stop();
  }
});

test('the adjoint solve: backward frames, the adjoint state and the dL/dθ accumulator', async () => {
  const { dc, stopped, steps } = await start({ solve: 'adjoint', stopOnEntry: true });
  try {
    assert.equal((await stopped).body.reason, 'entry');
    const fr = await frames(dc);
    assert.match(fr[1].name, /^backward over output interval 10 of 10 \[2 → 1\.8\]/);
    assert.match(fr[2].name, /^adjoint solve dopri5/);
    await stepAnd(dc, 'next');
    const state = await scopeVars(dc, 'State');
    assert.ok(state.has('a') && state.has('dL/dθ'), [...state.keys()].join(', '));
    assert.equal((await children(dc, state.get('a')!)).length, 2);
    assert.ok(Number(await evaluate(dc, 'norm(a)')) > 0);
    assert.ok(Number(await evaluate(dc, 'h')) < 0, 'backward in time');
    assert.equal(steps[0].y.length, 2, 'the step event carries the state y, not the augmented state');
  } finally {
    await dc.stop();
  }
});

test('pause stops a running solve mid-way', async () => {
  // Tight tolerances make thousands of steps: the pause arrives while the solver runs.
  const dc = new DebugClient('node', '', 'neural-ode');
  await dc.start(port);
  try {
    await dc.initializeRequest({ adapterID: 'neural-ode', pathFormat: 'path' });
    const firstStep = dc.waitForEvent(STEP, 20_000);
    const configured = dc.waitForEvent('initialized').then(() => dc.configurationDoneRequest());
    await Promise.all([configured, dc.launchRequest({ experiment: fixture('long.ode.ts') } as DebugProtocol.LaunchRequestArguments)]);
    await firstStep;
    const stopped = dc.waitForEvent('stopped', 20_000) as Promise<DebugProtocol.StoppedEvent>;
    await dc.pauseRequest({ threadId: 1 });
    assert.equal((await stopped).body.reason, 'pause');
    const t = Number(await evaluate(dc, 'tNow'));
    assert.ok(t > 0 && t < 100, `paused inside the span, at t = ${t}`);
  } finally {
    await dc.stop();
  }
});

test("a run's checkpoint supplies the weights", async () => {
  // The fixture's model shape with other weights: what a run part-way through training saves.
  const runsRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-debug-runs-'));
  const other = mlpField({ sizes: [2, 16, 2], seed: 11 });
  const run = createRun(runsRoot, { experiment: 'debugSpiral', config: {} });
  run.writeCheckpoint({ iteration: 7, params: other.params });
  finishRun(run, { status: 'finished' });
  const { dc, stopped } = await start({ run: run.id, runsRoot, stopOnEntry: true });
  try {
    await stopped;
    await stepAnd(dc, 'stepIn');
    // k1 = f(t0, y0) with the run's weights.
    const target = await debugTarget(await loadExperiment(SPIRAL), {});
    const k1 = (await evaluate(dc, 'ki')).slice(1, -1).split(', ').map(Number);
    assert.deepEqual(k1, Array.from(other.f(target.times[0], target.y0)));
    const solveFrame = (await frames(dc)).at(-1)!;
    const solveScope = (await dc.scopesRequest({ frameId: solveFrame.id })).body.scopes.find((x) => x.name === 'Solve')!;
    const vars = (await dc.variablesRequest({ variablesReference: solveScope.variablesReference })).body.variables;
    assert.equal(vars.find((v) => v.name === 'weights')?.value, `run ${run.id}, iteration 7`);
  } finally {
    await dc.stop();
    fs.rmSync(runsRoot, { recursive: true, force: true });
  }
});

test('launch errors say what to fix', async () => {
  const dc = new DebugClient('node', '', 'neural-ode');
  await dc.start(port);
  try {
    await dc.initializeRequest({ adapterID: 'neural-ode', pathFormat: 'path' });
    await assert.rejects(dc.launchRequest({ experiment: SPIRAL, input: 99 } as DebugProtocol.LaunchRequestArguments), /"input" is 99, but the trajectory 'spiral' has 11 samples/);
    await assert.rejects(dc.launchRequest({ experiment: SPIRAL, method: 'dopri9' } as DebugProtocol.LaunchRequestArguments), /Unknown method 'dopri9'/);
    await assert.rejects(dc.launchRequest({} as DebugProtocol.LaunchRequestArguments), /needs "experiment"/);
  } finally {
    await dc.stop();
  }
});

test('the standalone adapter speaks DAP on stdin/stdout (node dist/debugAdapter.js)', async (t) => {
  const adapter = path.join(root, 'dist/debugAdapter.js');
  if (!fs.existsSync(adapter)) {
    t.skip('dist/debugAdapter.js is not built: run npm run build');
    return;
  }
  const dc = new DebugClient('node', adapter, 'neural-ode', { cwd: root });
  await dc.start();
  try {
    await dc.initializeRequest({ adapterID: 'neural-ode', pathFormat: 'path' });
    const stopped = dc.waitForEvent('stopped', 30_000) as Promise<DebugProtocol.StoppedEvent>;
    const configured = dc.waitForEvent('initialized', 30_000).then(() => dc.configurationDoneRequest());
    await Promise.all([configured, dc.launchRequest({ experiment: SPIRAL, stopOnEntry: true } as DebugProtocol.LaunchRequestArguments)]);
    assert.equal((await stopped).body.reason, 'entry');
    await stepAnd(dc, 'next');
    assert.match((await frames(dc))[0].name, /^step 1 /);
    const terminated = dc.waitForEvent('terminated');
    await dc.continueRequest({ threadId: 1 });
    await terminated;
  } finally {
    await dc.stop();
  }
});

test("a user's tfjs model (examples/pendulum.ode.ts) steps like a built-in one: stages, the autodiff Jacobian, a breakpoint", async () => {
  const PENDULUM = path.join(root, 'examples/pendulum.ode.ts');
  const { dc, stopped } = await start({ experiment: PENDULUM, stopOnEntry: true }, { functionBreakpoints: [{ name: 'step', condition: 't > 1' }] });
  try {
    assert.equal((await stopped).body.reason, 'entry');
    assert.match((await frames(dc))[2].name, /solve dopri5: sample 0 of dampedPendulum/);
    await stepAnd(dc, 'stepIn');
    assert.match((await frames(dc))[0].name, /^stage k1 at t = /);
    const hit = await stepAnd(dc, 'continue');
    assert.equal(hit.body.reason, 'breakpoint');
    assert.ok(Number(await evaluate(dc, 't')) > 1);
    // ∂f/∂y of physics plus network: row 0 is ∂ω/∂y = [0, 1] exactly; ∂(dω/dt)/∂θ is −cos θ plus the network's part.
    const jac = await scopeVars(dc, 'Jacobian');
    const jRows = (await dc.variablesRequest({ variablesReference: jac.get('J = ∂f/∂y')!.variablesReference })).body.variables;
    assert.equal(jRows.length, 2);
    assert.deepEqual(await children(dc, jRows[0]), [0, 1], 'dθ/dt = ω: the known physics, differentiated exactly');
    assert.match(jac.get('eigenvalues')?.value ?? '', /^2 by \|λ\|/);
    const y = await children(dc, (await scopeVars(dc, 'State')).get('y')!);
    assert.equal(y.length, 2);
    assert.ok(y.every(Number.isFinite));
    const terminated = dc.waitForEvent('terminated');
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    await dc.continueRequest({ threadId: 1 });
    await terminated;
  } finally {
    await dc.stop();
  }
});
