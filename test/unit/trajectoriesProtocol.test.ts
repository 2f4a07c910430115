// The trajectories panel's messages and saved state: what fits passes, what does not is refused
// with the path of the offending field.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateHostMessage, validateTrajectoriesViewState, validateWebviewMessage, type TrajectoryPreview } from '../../webview/src/protocol';

const preview = (): TrajectoryPreview => ({
  source: { file: '/w/spiral.ode.ts', runId: null },
  experiment: 'spiral',
  iteration: null,
  dim: 2,
  t: [0, 0.5, 1],
  data: [[2, 1.5, 1], [0, 0.4, 0.9]],
  predicted: [[2, 1.6, 1.1], [0, 0.3, 0.8]],
  predictedError: null,
});

describe('trajectories protocol', () => {
  it('accepts a preview, a failed solve and the status and refresh messages', () => {
    assert.equal(validateHostMessage({ type: 'trajectories/preview', payload: preview() }).ok, true);
    assert.equal(validateHostMessage({ type: 'trajectories/preview', payload: { ...preview(), predicted: null, predictedError: 'the solve failed' } }).ok, true);
    assert.equal(validateHostMessage({ type: 'panel/status', payload: { busy: true, error: null } }).ok, true);
    assert.equal(validateWebviewMessage({ type: 'panel/refresh', payload: {} }).ok, true);
  });

  it('refuses components whose length differs from t, and odd run ids', () => {
    const short = validateHostMessage({ type: 'trajectories/preview', payload: { ...preview(), data: [[2, 1.5], [0, 0.4, 0.9]] } });
    assert.equal(short.ok, false);
    assert.match(short.ok ? '' : short.error, /one value per time in t \(3\)/);
    const text = validateHostMessage({ type: 'trajectories/preview', payload: { ...preview(), t: [0, 'x', 1] } });
    assert.match(text.ok ? '' : text.error, /payload\.t\[1\]: expected a number/);
    const escape = validateHostMessage({ type: 'trajectories/preview', payload: { ...preview(), source: { file: '/w/a.ode.ts', runId: '../x' } } });
    assert.match(escape.ok ? '' : escape.error, /not a run id/);
  });

  it('checks the saved state', () => {
    assert.equal(validateTrajectoriesViewState({ source: { file: '/w/spiral.ode.ts', runId: 'r1' } }).ok, true);
    assert.equal(validateTrajectoriesViewState({ source: null }).ok, true);
    assert.equal(validateTrajectoriesViewState({ source: null, extra: 1 }).ok, false);
  });
});
