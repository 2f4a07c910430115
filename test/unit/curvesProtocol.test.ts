// The panel message protocol: every message a side can send passes its validator, and bad
// payloads (wrong types, missing or extra fields, unknown names, unsafe run ids) are refused
// with a message that names the field.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  validateCurvesViewState,
  validateHostMessage,
  validateWebviewMessage,
  type HostMessage,
  type WebviewMessage,
} from '../../webview/src/protocol';

const runId = '20250101T120000Z-spiral-a1b2';
const hparams = { task: 'trajectory', solver: 'dopri5', rtol: 1e-7, atol: 1e-9, gradient: 'adjoint', optimizer: 'rmsprop', lr: 1e-3, iterations: 300 };
const stats = { bestEvalLoss: 0.02, bestEvalIteration: 280, totalNfe: 30_000, seconds: 95.5 };
const run = {
  id: runId,
  experiment: 'spiral',
  name: 'wide net',
  tags: ['baseline'],
  note: 'rtol sweep',
  status: 'finished',
  createdAt: '2025-01-01T12:00:00.000Z',
  lastIteration: 49,
  lastLoss: 0.01,
  message: null,
  slowdown: 'The run is slowing down: 158 function evaluations per iteration at iteration 12, 3.2× the 50 of its first iterations.',
  hparams,
  stats,
};
const bare = {
  ...run,
  id: 'other',
  name: null,
  tags: [],
  note: null,
  status: 'failed',
  lastIteration: null,
  lastLoss: null,
  message: 'NaN loss at iteration 3',
  slowdown: null,
  hparams: { task: null, solver: null, rtol: null, atol: null, gradient: null, optimizer: null, lr: null, iterations: null },
  stats: { bestEvalLoss: null, bestEvalIteration: null, totalNfe: null, seconds: null },
};

const goodHost: HostMessage[] = [
  { type: 'curves/runs', payload: { runs: [run, bare], selected: [runId] } },
  { type: 'curves/runs', payload: { runs: [], selected: [] } },
  { type: 'curves/metrics', payload: { runId, reset: true, points: [{ iteration: 1, loss: 0.5, nfeForward: 26, lr: 1e-3 }, { iteration: 2, loss: NaN }] } },
  { type: 'curves/metrics', payload: { runId, reset: false, points: [{ iteration: 3, evalLoss: Infinity, wallSeconds: 1.5, iterationSeconds: 0.1, nfeBackward: 40 }] } },
  { type: 'curves/metrics', payload: { runId, reset: false, points: [{ iteration: 10, loss: 0.4, accuracy: 0.875, evalAccuracy: 0.9, evalLoss: 0.3 }, { iteration: 11, accuracy: NaN }] } },
  { type: 'panel/notice', payload: { level: 'warning', text: 'line 3 could not be read' } },
];

const goodWebview: WebviewMessage[] = [
  { type: 'panel/ready', payload: {} },
  { type: 'curves/select', payload: { runIds: [runId, 'another-run'] } },
  { type: 'curves/select', payload: { runIds: [] } },
  { type: 'curves/exportPng', payload: { dataUrl: 'data:image/png;base64,iVBORw0KGgo=', suggestedName: `${runId}.png` } },
  { type: 'curves/exportCsv', payload: { runIds: [runId] } },
];

function refused(result: { ok: boolean; error?: string }, mentions: RegExp): void {
  assert.equal(result.ok, false, 'expected the message to be refused');
  assert.match((result as { error: string }).error, mentions);
}

describe('host → webview messages', () => {
  for (const m of goodHost) {
    it(`accepts ${m.type} ${JSON.stringify(m.payload).slice(0, 60)}`, () => {
      const r = validateHostMessage(m);
      assert.ok(r.ok, r.ok ? '' : r.error);
      assert.equal(r.value, m);
    });
  }

  it('refuses what is not a message', () => {
    for (const bad of [null, undefined, 42, 'curves/runs', [], [{ type: 'curves/runs' }]]) refused(validateHostMessage(bad), /^message: expected an object/);
  });

  it('refuses unknown message names, and webview messages sent the wrong way', () => {
    refused(validateHostMessage({ type: 'curves/delete', payload: {} }), /unknown message "curves\/delete"/);
    refused(validateHostMessage({ type: 'panel/ready', payload: {} }), /unknown message "panel\/ready"/);
    refused(validateHostMessage({ payload: {} }), /message.type/);
    refused(validateHostMessage({ type: 'toString', payload: {} }), /unknown message/);
  });

  it('refuses extra fields beside type and payload, and in payloads', () => {
    refused(validateHostMessage({ type: 'panel/notice', payload: { level: 'info', text: 'x' }, command: 'run' }), /message\.command/);
    refused(validateHostMessage({ type: 'panel/notice', payload: { level: 'info', text: 'x', html: '<b>' } }), /payload\.html: not a field/);
  });

  it('names the field at fault', () => {
    refused(validateHostMessage({ type: 'curves/metrics', payload: { runId, reset: 'yes', points: [] } }), /curves\/metrics: payload\.reset: expected true or false, got "yes"/);
    refused(
      validateHostMessage({ type: 'curves/metrics', payload: { runId, reset: true, points: [{ iteration: 1 }, { iteration: '2' }] } }),
      /payload\.points\[1\]\.iteration: expected a number, got "2"/,
    );
    refused(validateHostMessage({ type: 'curves/metrics', payload: { runId, reset: true, points: [{ loss: 1 }] } }), /points\[0\]\.iteration: missing/);
    refused(validateHostMessage({ type: 'curves/metrics', payload: { runId, reset: true, points: [{ iteration: 1, lr: 'fast' }] } }), /points\[0\]\.lr: expected a number, got "fast"/);
    refused(validateHostMessage({ type: 'curves/metrics', payload: { runId, reset: true, points: [{ iteration: 1, accuracy: '87%' }] } }), /points\[0\]\.accuracy: expected a number, got "87%"/);
    // null is a value that was not finite (NaN does not survive JSON): accepted, drawn as a gap.
    assert.equal(validateHostMessage({ type: 'curves/metrics', payload: { runId, reset: true, points: [{ iteration: 1, evalAccuracy: null }] } }).ok, true);
    refused(validateHostMessage({ type: 'curves/runs', payload: { runs: [{ ...run, lastIteration: 1.5 }], selected: [] } }), /runs\[0\]\.lastIteration: expected an integer/);
    refused(validateHostMessage({ type: 'curves/runs', payload: { runs: {}, selected: [] } }), /payload\.runs: expected an array, got object/);
    refused(validateHostMessage({ type: 'panel/notice', payload: { level: 'fatal', text: 'x' } }), /payload\.level: expected one of info, warning, error/);
    refused(validateHostMessage({ type: 'curves/runs', payload: { runs: [] } }), /payload\.selected: missing/);
    refused(validateHostMessage({ type: 'curves/runs', payload: { runs: [{ ...run, tags: 'baseline' }], selected: [] } }), /runs\[0\]\.tags: expected an array/);
    refused(validateHostMessage({ type: 'curves/runs', payload: { runs: [{ ...run, name: 7 }], selected: [] } }), /runs\[0\]\.name: expected a string, got 7/);
    refused(validateHostMessage({ type: 'curves/runs', payload: { runs: [{ ...run, message: undefined }], selected: [] } }), /runs\[0\]\.message: expected a string/);
    refused(validateHostMessage({ type: 'curves/runs', payload: { runs: [{ ...run, hparams: { ...hparams, lr: '1e-3' } }], selected: [] } }), /runs\[0\]\.hparams\.lr: expected a number, got "1e-3"/);
    refused(validateHostMessage({ type: 'curves/runs', payload: { runs: [{ ...run, hparams: { ...hparams, iterations: 1.5 } }], selected: [] } }), /hparams\.iterations: expected an integer/);
    refused(validateHostMessage({ type: 'curves/runs', payload: { runs: [{ ...run, stats: { ...stats, extra: 1 } }], selected: [] } }), /runs\[0\]\.stats\.extra: not a field/);
    const { hparams: _h, ...noHparams } = run;
    refused(validateHostMessage({ type: 'curves/runs', payload: { runs: [noHparams], selected: [] } }), /runs\[0\]\.hparams: missing/);
  });
});

describe('webview → host messages', () => {
  for (const m of goodWebview) {
    it(`accepts ${m.type}`, () => {
      const r = validateWebviewMessage(m);
      assert.ok(r.ok, r.ok ? '' : r.error);
    });
  }

  it('refuses host messages sent the wrong way', () => {
    refused(validateWebviewMessage(goodHost[0]), /unknown message "curves\/runs"/);
  });

  it('refuses run ids that could leave the runs folder', () => {
    for (const id of ['../secrets', '..', '.', 'a/b', 'a\\b', '', 'x\0y', '/etc/passwd']) {
      refused(validateWebviewMessage({ type: 'curves/select', payload: { runIds: [id] } }), /payload\.runIds\[0\]: not a run id/);
      refused(validateWebviewMessage({ type: 'curves/exportCsv', payload: { runIds: [runId, id] } }), /payload\.runIds\[1\]: not a run id/);
    }
    refused(validateWebviewMessage({ type: 'curves/select', payload: { runIds: ['x'.repeat(201)] } }), /longer than 200/);
    refused(validateWebviewMessage({ type: 'curves/select', payload: { runIds: [7] } }), /expected a string, got 7/);
  });

  it('refuses a PNG export that is not a PNG data URL, or a file name with a path', () => {
    const png = (dataUrl: unknown, suggestedName: unknown = 'a.png') => validateWebviewMessage({ type: 'curves/exportPng', payload: { dataUrl, suggestedName } });
    refused(png('data:text/html;base64,PGI+'), /data:image\/png;base64/);
    refused(png('data:image/png;base64,<script>'), /data:image\/png;base64/);
    refused(png('https://example.com/a.png'), /data:image\/png;base64/);
    refused(png(42), /expected a string/);
    refused(png('data:image/png;base64,AAAA', '../../.bashrc'), /not a plain file name/);
    refused(png('data:image/png;base64,AAAA', '.hidden.png'), /not a plain file name/);
    refused(png('data:image/png;base64,AAAA', 'dir/a.png'), /not a plain file name/);
  });

  it('refuses a payload on panel/ready beyond an empty object', () => {
    refused(validateWebviewMessage({ type: 'panel/ready', payload: { state: 1 } }), /payload\.state: not a field/);
    refused(validateWebviewMessage({ type: 'panel/ready' }), /payload: expected an object, got undefined/);
  });
});

describe('saved panel state', () => {
  it('accepts what the panel saves, and what older versions saved', () => {
    assert.ok(validateCurvesViewState({ selected: [runId], logScale: { loss: true, nfe: false } }).ok);
    const full = { selected: [runId], logScale: {}, smoothing: 0.6, xAxis: 'relative', filter: 'baseline', sort: { column: 'lr', descending: true }, differencesOnly: true };
    const r = validateCurvesViewState(full);
    assert.ok(r.ok, r.ok ? '' : r.error);
    assert.ok(validateCurvesViewState({ ...full, smoothing: 0, xAxis: 'wall', sort: undefined }).ok);
  });

  it('refuses state from elsewhere', () => {
    refused(validateCurvesViewState(undefined), /state: expected an object/);
    refused(validateCurvesViewState({ selected: [runId] }), /state\.logScale: missing/);
    refused(validateCurvesViewState({ selected: ['../x'], logScale: {} }), /not a run id/);
    refused(validateCurvesViewState({ selected: [], logScale: { loss: 'yes' } }), /state\.logScale\.loss: expected true or false/);
    refused(validateCurvesViewState({ selected: [], logScale: {}, smoothing: 1 }), /state\.smoothing: expected 0 to 0\.99/);
    refused(validateCurvesViewState({ selected: [], logScale: {}, smoothing: -0.1 }), /state\.smoothing: expected 0 to 0\.99/);
    refused(validateCurvesViewState({ selected: [], logScale: {}, smoothing: '0.6' }), /state\.smoothing: expected a number/);
    refused(validateCurvesViewState({ selected: [], logScale: {}, xAxis: 'step' }), /state\.xAxis: expected one of iteration, relative, wall/);
    refused(validateCurvesViewState({ selected: [], logScale: {}, sort: { column: 'lr' } }), /state\.sort\.descending: missing/);
    refused(validateCurvesViewState({ selected: [], logScale: {}, differencesOnly: 1 }), /state\.differencesOnly: expected true or false/);
  });
});
