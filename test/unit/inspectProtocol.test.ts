// The solver inspector's messages: what the host makes of a real trace passes the webview's
// validator (non-finite numbers become null), a debugger's bare step record is accepted, and
// malformed messages are refused with the path of what is wrong.
import type { SolverMethod } from '../../engine/src/experiments/solverMethodNames';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineExperiment, mlpField, spiral } from '../../engine/src/index';
import { traceExperiment, type ExperimentTrace } from '../../engine/src/inspect/experimentTrace';
import { debugSolveToInspector, debugStepToInspector, toInspectorSolve, toInspectorSteps } from '../../extension/src/panels/inspectorMessages';
import {
  validateInspectorHostMessage,
  validateInspectorViewState,
  validateInspectorWebviewMessage,
  type InspectorSolve,
} from '../../webview/src/inspector/protocol';

const source = { file: '/work/x/spiral.ode.ts', runId: null };

async function smallTrace(method: SolverMethod): Promise<ExperimentTrace> {
  const exp = defineExperiment({
    name: 'small',
    data: await spiral({ dataSize: 20, t1: 2 }),
    model: mlpField({ sizes: [2, 8, 2], seed: 3 }),
    solver: { method, rtol: 1e-5, atol: 1e-7, options: method === 'rk4' ? { stepSize: 0.25 } : {} },
    train: { iterations: 1, optimizer: { name: 'adam', lr: 1e-3 } },
  });
  return traceExperiment(exp);
}

const minimalSolve = (): InspectorSolve => ({
  source: null,
  title: 'debug',
  iteration: null,
  method: 'dopri5',
  rtol: null,
  atol: null,
  dim: 2,
  sample: 0,
  outputs: null,
  data: null,
  region: null,
  notes: [],
  failure: null,
});

describe('inspector messages from a trace', () => {
  it('a dopri5 trace becomes a valid solve and valid steps', async () => {
    const tr = await smallTrace('dopri5');
    const solve = toInspectorSolve(source, tr);
    const steps = toInspectorSteps(tr);
    assert.deepEqual(validateInspectorHostMessage({ type: 'inspector/solve', payload: solve }), { ok: true, value: { type: 'inspector/solve', payload: solve } });
    assert.equal(validateInspectorHostMessage({ type: 'inspector/steps', payload: { steps } }).ok, true);
    assert.equal(steps.length, tr.steps.length);
    assert.equal(steps[0].lambda?.re.length, 2);
    assert.equal(solve.region?.absR.length, tr.region!.nx * tr.region!.ny);
    // Through JSON (how webview messages travel) the messages stay valid.
    assert.equal(validateInspectorHostMessage(JSON.parse(JSON.stringify({ type: 'inspector/steps', payload: { steps } }))).ok, true);
  });

  it('a fixed grid has no error ratio: NaN becomes null, and the message stays valid', async () => {
    const tr = await smallTrace('rk4');
    assert.ok(tr.steps.every((s) => Number.isNaN(s.errRatio)));
    const steps = toInspectorSteps(tr);
    assert.ok(steps.every((s) => s.errRatio === null));
    assert.equal(validateInspectorHostMessage({ type: 'inspector/steps', payload: { steps } }).ok, true);
  });

  it('an A-stable method has no real-axis crossing: null, not -Infinity', async () => {
    const tr = await smallTrace('kvaerno3');
    const solve = toInspectorSolve(source, tr);
    assert.equal(solve.region?.realAxis, null);
    assert.equal(validateInspectorHostMessage({ type: 'inspector/solve', payload: solve }).ok, true);
  });

  it('a multistep method has no region and says why', async () => {
    const tr = await smallTrace('explicit_adams');
    const solve = toInspectorSolve(source, tr);
    assert.equal(solve.region, null);
    assert.match(solve.notes.join(' '), /multistep/);
    assert.equal(validateInspectorHostMessage({ type: 'inspector/solve', payload: solve }).ok, true);
  });
});

describe("inspector messages from a debug session's events", () => {
  const solveEvent = {
    file: '/work/x/spiral.ode.ts', experiment: 'spiral', runId: null, iteration: null, solve: 'forward' as const,
    method: 'dopri5', rtol: 1e-7, atol: null, dim: 2, input: 3, times: [0, 0.5, 1], observed: { x: [2, 1.9, 1.7], y: [0, 0.4, 0.8] },
  };

  it('the solve header names the session, carries its observations and the method’s stability region', () => {
    const solve = debugSolveToInspector(solveEvent);
    assert.equal(validateInspectorHostMessage({ type: 'inspector/solve', payload: solve }).ok, true);
    assert.match(solve.title, /spiral \(debugging\)/);
    assert.equal(solve.sample, 3);
    assert.deepEqual(solve.data, solveEvent.observed);
    assert.ok(solve.region && solve.region.boundary.length > 0 && solve.region.realAxis !== null && solve.region.realAxis < -3.3 && solve.region.realAxis > -3.31);
    const adams = debugSolveToInspector({ ...solveEvent, method: 'explicit_adams', solve: 'adjoint' });
    assert.equal(adams.region, null);
    assert.match(adams.title, /debugging the adjoint/);
    assert.equal(adams.notes.length, 1, 'says why there is no region');
  });

  it('a step event becomes a valid step record, a rejected one with its non-finite parts null', () => {
    const lambda = { re: [-2, -0.5], im: [0, 0] };
    const step = debugStepToInspector({ solve: 'forward', n: 4, t: 0.1, h: 0.05, errRatio: null, accepted: false, hNext: 0.02, nfe: 25, nAccepted: 3, nRejected: 1, interval: 1, y: [1, null], lambda });
    assert.deepEqual(step, { n: 4, t: 0.1, h: 0.05, errRatio: null, accepted: false, nfe: 25, hNext: 0.02, y: [1, null], lambda });
    assert.equal(validateInspectorHostMessage({ type: 'inspector/steps', payload: { steps: [step] } }).ok, true);
  });
});

describe('validateInspectorHostMessage', () => {
  it("accepts a debugger's bare step record { t, h, errRatio, accepted, nfe, y }", () => {
    const r = validateInspectorHostMessage({ type: 'inspector/steps', payload: { steps: [{ t: 0.5, h: 0.01, errRatio: 0.3, accepted: true, nfe: 13, y: [1, null] }] } });
    assert.equal(r.ok, true);
    assert.equal(validateInspectorHostMessage({ type: 'inspector/solve', payload: minimalSolve() }).ok, true);
  });

  for (const [what, message, error] of [
    ['an unknown type', { type: 'inspector/nope', payload: {} }, /unknown message "inspector\/nope"/],
    ['a missing step field', { type: 'inspector/steps', payload: { steps: [{ t: 0, h: 1, errRatio: null, accepted: true, y: null }] } }, /payload\.steps\[0\]\.nfe: missing/],
    ['a string where a number goes', { type: 'inspector/steps', payload: { steps: [{ t: '0', h: 1, errRatio: null, accepted: true, nfe: 1, y: null }] } }, /steps\[0\]\.t: expected a number/],
    ['an extra field', { type: 'inspector/steps', payload: { steps: [{ t: 0, h: 1, errRatio: null, accepted: true, nfe: 1, y: null, evil: 1 }] } }, /steps\[0\]\.evil: not a field/],
    ['eigenvalues of mismatched length', { type: 'inspector/steps', payload: { steps: [{ t: 0, h: 1, errRatio: null, accepted: true, nfe: 1, y: null, lambda: { re: [1, 2], im: [0] } }] } }, /lambda: re and im differ/],
    ['a run id leaving the runs folder', { type: 'inspector/solve', payload: { ...minimalSolve(), source: { file: '/a.ode.ts', runId: '../x' } } }, /not a run id/],
    ['outputs of different lengths', { type: 'inspector/solve', payload: { ...minimalSolve(), outputs: { t: [0, 1], x: [0], y: [0, 1] } } }, /outputs: t, x and y differ/],
    [
      'a region whose grid does not match nx·ny',
      { type: 'inspector/solve', payload: { ...minimalSolve(), region: { bounds: { reMin: -3, reMax: 1, imMin: -2, imMax: 2 }, nx: 3, ny: 3, absR: [1, 2], boundary: [], realAxis: -2 } } },
      /nx·ny values in absR/,
    ],
    [
      'boundary segments not in fours',
      { type: 'inspector/solve', payload: { ...minimalSolve(), region: { bounds: { reMin: -3, reMax: 1, imMin: -2, imMax: 2 }, nx: 2, ny: 2, absR: [1, 2, 3, 4], boundary: [0, 1, 2], realAxis: null } } },
      /segments come in fours/,
    ],
  ] as const) {
    it(`refuses ${what}`, () => {
      const r = validateInspectorHostMessage(message);
      assert.equal(r.ok, false);
      assert.match((r as { error: string }).error, error);
    });
  }
});

describe('validateInspectorWebviewMessage and the saved state', () => {
  it('accepts ready, refresh and a sample; refuses a negative or fractional sample', () => {
    assert.equal(validateInspectorWebviewMessage({ type: 'panel/ready', payload: {} }).ok, true);
    assert.equal(validateInspectorWebviewMessage({ type: 'panel/refresh', payload: {} }).ok, true);
    assert.equal(validateInspectorWebviewMessage({ type: 'inspector/sample', payload: { sample: 3 } }).ok, true);
    assert.match((validateInspectorWebviewMessage({ type: 'inspector/sample', payload: { sample: -1 } }) as { error: string }).error, /index ≥ 0/);
    assert.match((validateInspectorWebviewMessage({ type: 'inspector/sample', payload: { sample: 1.5 } }) as { error: string }).error, /expected an integer/);
  });

  it('checks the state a reloaded panel comes back with', () => {
    assert.equal(validateInspectorViewState({ source, sample: 2, selected: 7 }).ok, true);
    assert.equal(validateInspectorViewState({ source: null, sample: 0, selected: null }).ok, true);
    assert.match((validateInspectorViewState({ source, sample: 0 }) as { error: string }).error, /state\.selected: missing/);
  });
});
