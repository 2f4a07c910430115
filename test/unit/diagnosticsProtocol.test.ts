// The diagnostics panel's messages: what the host makes of real diagnostics (a network and an
// ODE model) passes the webview's validator, through JSON too; malformed messages, a scheme
// the panel does not offer and a k outside (−1, 1] are refused with the path of what is wrong.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineExperiment, discreteNetwork, mlpField, moons } from '../../engine/src/index';
import { experimentDiagnostics } from '../../engine/src/analysis/experimentDiagnostics';
import { toDiagnosticsResult } from '../../extension/src/panels/diagnosticsMessages';
import { validateDiagnosticsHostMessage, validateDiagnosticsViewState, validateDiagnosticsWebviewMessage } from '../../webview/src/diagnostics/protocol';

const source = { file: '/work/x/net.ode.ts', runId: null };
const train = { iterations: 1, optimizer: { name: 'adam' as const, lr: 1e-2 } };

describe('diagnostics messages', () => {
  it('a network\'s diagnostics become a valid result that survives JSON', async () => {
    const exp = defineExperiment({ name: 'net', data: () => moons({ n: 32, seed: 1 }), model: () => discreteNetwork({ architecture: 'lm', inputDim: 2, width: 4, hidden: 8, depth: 3 }), train });
    const d = await experimentDiagnostics(exp, { samples: 2 });
    const r = toDiagnosticsResult(source, d);
    assert.deepEqual(validateDiagnosticsHostMessage({ type: 'diagnostics/result', payload: r }), { ok: true, value: { type: 'diagnostics/result', payload: r } });
    assert.equal(validateDiagnosticsHostMessage(JSON.parse(JSON.stringify({ type: 'diagnostics/result', payload: r }))).ok, true);
    assert.equal(r.tracking?.discrete.length, 2);
    assert.equal(r.tracking?.discrete[0].length, 4 * 4);
    assert.equal(r.stability.region.absR.length, r.stability.region.nx * r.stability.region.ny);
    assert.equal(r.layers?.length, 3);
    // A broken result names what is wrong.
    const bad = { ...r, tracking: { ...r.tracking!, plainDistance: [0] } };
    const checked = validateDiagnosticsHostMessage({ type: 'diagnostics/result', payload: bad });
    assert.equal(checked.ok, false);
    assert.match((checked as { error: string }).error, /tracking: one distance per layer boundary/);
  });

  it('an ODE model\'s diagnostics: no layers, no tracking, an order study that may blow up (null errors)', async () => {
    const exp = defineExperiment({ name: 'ode', data: () => moons({ n: 8, seed: 1 }), model: () => mlpField({ sizes: [2, 8, 2], seed: 2 }), train });
    const d = await experimentDiagnostics(exp, { scheme: 'ab2', samples: 1 });
    d.order.error[0] = Infinity;
    const r = toDiagnosticsResult(source, d);
    assert.equal(r.order.error[0], null);
    assert.equal(r.layers, null);
    assert.equal(r.tracking, null);
    assert.equal(validateDiagnosticsHostMessage({ type: 'diagnostics/result', payload: r }).ok, true);
  });

  it('the webview asks for a scheme the panel offers, lm with k in (−1, 1]', () => {
    assert.equal(validateDiagnosticsWebviewMessage({ type: 'diagnostics/scheme', payload: { scheme: 'lm', k: 0.3 } }).ok, true);
    assert.equal(validateDiagnosticsWebviewMessage({ type: 'diagnostics/scheme', payload: { scheme: 'rk4', k: null } }).ok, true);
    const far = validateDiagnosticsWebviewMessage({ type: 'diagnostics/scheme', payload: { scheme: 'lm', k: 1.5 } });
    assert.equal(far.ok, false);
    assert.match((far as { error: string }).error, /k: lm is zero-stable/);
    assert.equal(validateDiagnosticsWebviewMessage({ type: 'diagnostics/scheme', payload: { scheme: 'dopri5', k: null } }).ok, false);
    assert.equal(validateDiagnosticsWebviewMessage({ type: 'panel/refresh', payload: { extra: 1 } }).ok, false);
    assert.equal(validateDiagnosticsWebviewMessage({ type: 'panel/ready', payload: {} }).ok, true);
  });

  it('the saved view state', () => {
    assert.equal(validateDiagnosticsViewState({ source, scheme: { scheme: 'lm', k: 0.2 }, component: 3 }).ok, true);
    assert.equal(validateDiagnosticsViewState({ source: null, scheme: null, component: 0 }).ok, true);
    assert.equal(validateDiagnosticsViewState({ source, scheme: null, component: 'x' }).ok, false);
  });
});
