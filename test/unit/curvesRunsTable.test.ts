// The runs table of the training curves panel as data: its cells, sorting (runs without a value
// last), "differences only", the run filter, the notices of failed runs, and curve colours.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CurveRunInfo } from '../../webview/src/protocol';
import { mix, parseRgb, runColor, seriesColor } from '../../webview/src/curves/colors';
import { matchesFilter } from '../../webview/src/curves/runFilter';
import { runNotices } from '../../webview/src/curves/runNotices';
import { COLUMNS, nextSort, sortRuns, visibleColumns } from '../../webview/src/curves/runsTableModel';

function info(id: string, over: Partial<CurveRunInfo> = {}, hparams: Partial<CurveRunInfo['hparams']> = {}, stats: Partial<CurveRunInfo['stats']> = {}): CurveRunInfo {
  return {
    id,
    experiment: 'spiral',
    name: null,
    tags: [],
    note: null,
    status: 'finished',
    createdAt: '2025-01-02T03:04:05.000Z',
    lastIteration: 300,
    lastLoss: 0.01,
    message: null,
    slowdown: null,
    hparams: { task: 'trajectory', solver: 'dopri5', rtol: 1e-7, atol: 1e-9, gradient: 'adjoint', optimizer: 'rmsprop', lr: 1e-3, iterations: 300, ...hparams },
    stats: { bestEvalLoss: 0.02, bestEvalIteration: 280, totalNfe: 30_000, seconds: 95, ...stats },
    ...over,
  };
}

const cell = (run: CurveRunInfo, column: string) => COLUMNS.find((c) => c.id === column)!.text(run);

describe('runs table cells', () => {
  it('show the settings and results of a run', () => {
    const r = info('20250102-030405-spiral-3f2a', { name: 'wide', lastIteration: 120 }, { iterations: 6000 });
    assert.equal(cell(r, 'run'), 'spiral · wide');
    assert.equal(cell(r, 'solver'), 'dopri5');
    assert.equal(cell(r, 'rtol'), '1e-7');
    assert.equal(cell(r, 'optimizer'), 'rmsprop');
    assert.equal(cell(r, 'lr'), '0.001');
    assert.equal(cell(r, 'iterations'), '120 / 6,000');
    assert.equal(cell(r, 'bestEvalLoss'), '0.02 @ 280');
    assert.equal(cell(r, 'totalNfe'), '30,000');
    assert.equal(cell(r, 'seconds'), '1 min 35 s');
    const bare = info('x', { lastLoss: null, lastIteration: null }, { solver: null, iterations: null }, { bestEvalLoss: null, totalNfe: null, seconds: null });
    assert.deepEqual(['solver', 'iterations', 'finalLoss', 'bestEvalLoss', 'totalNfe', 'seconds'].map((c) => cell(bare, c)), ['–', '–', '–', '–', '–', '–']);
  });
});

describe('sortRuns', () => {
  const runs = [info('a', {}, { lr: 1e-2 }), info('b', {}, { lr: null }), info('c', {}, { lr: 1e-4 }), info('d', {}, { lr: 1e-3 })];
  const ids = (rs: CurveRunInfo[]) => rs.map((r) => r.id);

  it('orders by a column either way, runs without a value last both times', () => {
    assert.deepEqual(ids(sortRuns(runs, { column: 'lr', descending: false })), ['c', 'd', 'a', 'b']);
    assert.deepEqual(ids(sortRuns(runs, { column: 'lr', descending: true })), ['a', 'd', 'c', 'b']);
  });

  it('keeps the given order without a sort, or for equal values', () => {
    assert.deepEqual(ids(sortRuns(runs, undefined)), ['a', 'b', 'c', 'd']);
    assert.deepEqual(ids(sortRuns(runs, { column: 'solver', descending: true })), ['a', 'b', 'c', 'd']);
    assert.deepEqual(ids(sortRuns(runs, { column: 'no such column', descending: false })), ['a', 'b', 'c', 'd']);
  });

  it('orders text naturally (run 2 before run 10)', () => {
    const named = [info('x', { name: 'run 10' }), info('y', { name: 'run 2' })];
    assert.deepEqual(ids(sortRuns(named, { column: 'run', descending: false })), ['y', 'x']);
  });

  it('cycles a header through ascending, descending and unsorted', () => {
    assert.deepEqual(nextSort(undefined, 'lr'), { column: 'lr', descending: false });
    assert.deepEqual(nextSort({ column: 'lr', descending: false }, 'lr'), { column: 'lr', descending: true });
    assert.equal(nextSort({ column: 'lr', descending: true }, 'lr'), undefined);
    assert.deepEqual(nextSort({ column: 'lr', descending: true }, 'atol'), { column: 'atol', descending: false });
  });
});

describe('differences only', () => {
  it('hides the columns equal in every row, never the run', () => {
    const runs = [info('a', { lastLoss: 0.1 }, { solver: 'dopri5' }), info('b', { lastLoss: 0.2 }, { solver: 'rk4' })];
    const shown = visibleColumns(runs, true).map((c) => c.id);
    assert.deepEqual(shown, ['run', 'solver', 'finalLoss']);
    assert.equal(visibleColumns(runs, false).length, COLUMNS.length);
  });

  it('compares nothing with fewer than two rows', () => {
    assert.equal(visibleColumns([info('a')], true).length, COLUMNS.length);
  });
});

describe('matchesFilter', () => {
  const r = info('20250102-030405-spiral-3f2a', { name: 'Wide Net', tags: ['baseline', 'adjoint'] });
  it('finds a run by a piece of its name, tags, experiment or id, ignoring case', () => {
    for (const q of ['wide', 'NET', 'basel', 'spiral', '3f2a', '', '  ']) assert.equal(matchesFilter(r, q), true, q);
    for (const q of ['moons', 'rk4']) assert.equal(matchesFilter(r, q), false, q);
  });
});

describe('runNotices', () => {
  it('explains every shown run that failed, was cancelled or interrupted, in the order shown', () => {
    const runs = [
      info('20250102-030405-spiral-3f2a', { status: 'failed', lastIteration: 120, message: 'NaN loss at iteration 121 (dopri5 step size underflow)' }),
      info('20250102-030405-spiral-0001', { status: 'cancelled', lastIteration: null, message: null }),
      info('20250102-030405-spiral-0002', { status: 'finished' }),
      info('20250102-030405-spiral-0003', { status: 'running' }),
      info('20250102-030405-spiral-0004', { status: 'failed', message: null }),
    ];
    const notices = runNotices(runs, runs.map((r) => r.id).reverse());
    assert.deepEqual(notices.map((n) => [n.runId.slice(-4), n.level]), [['0004', 'error'], ['0001', 'info'], ['3f2a', 'error']]);
    assert.equal(notices[2].text, 'spiral · 030405-3f2a failed after iteration 120: NaN loss at iteration 121 (dopri5 step size underflow)');
    assert.equal(notices[1].text, 'spiral · 030405-0001 was cancelled before its first iteration.');
    assert.match(notices[0].text, /failed after iteration 300: result.json gives no reason/);
    assert.deepEqual(runNotices(runs, []), []);
  });

  it('says why a shown run is slowing down, whatever its status', () => {
    const why = 'The run is slowing down: 158 function evaluations per iteration at iteration 12, 3.2× the 50 of its first iterations.';
    const runs = [info('20250102-030405-spiral-0005', { status: 'running', slowdown: why }), info('20250102-030405-spiral-0006', { status: 'cancelled', lastIteration: 20, slowdown: why })];
    const notices = runNotices(runs, runs.map((r) => r.id));
    assert.deepEqual(notices.map((n) => [n.runId.slice(-4), n.level]), [['0005', 'warning'], ['0006', 'info'], ['0006', 'warning']]);
    assert.equal(notices[0].text, `spiral · 030405-0005: ${why}`);
  });
});

describe('curve colours', () => {
  const palette = ['rgba(55, 148, 255, 1)', 'rgba(209, 134, 22, 1)', 'rgba(56, 138, 52, 1)'];
  const fg = 'rgb(204, 204, 204)';

  it('give the series of a lone run different palette colours', () => {
    assert.equal(seriesColor(palette, fg, 0, 1, 0), palette[0]);
    assert.equal(seriesColor(palette, fg, 0, 1, 1), palette[1]);
  });

  it('give each of several runs its own colour, and its second series a shade of it', () => {
    const a0 = seriesColor(palette, fg, 0, 2, 0);
    const a1 = seriesColor(palette, fg, 0, 2, 1);
    const b0 = seriesColor(palette, fg, 1, 2, 0);
    assert.equal(a0, palette[0]);
    assert.equal(b0, palette[1]);
    assert.notEqual(a1, a0);
    assert.equal(a1, mix(palette[0], fg, 0.45));
    assert.equal(runColor(palette, 4), palette[1]);
  });

  it('mix colours channel by channel', () => {
    assert.deepEqual(parseRgb('#ff8000'), [255, 128, 0]);
    assert.equal(mix('rgb(0, 0, 0)', '#ffffff', 0.5), 'rgb(128, 128, 128)');
    assert.equal(mix('var(--x)', '#fff', 0.5), 'var(--x)');
  });
});
