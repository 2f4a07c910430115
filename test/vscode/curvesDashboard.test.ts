// The Training curves panel as a dashboard, in a real VS Code, on three runs written with the
// engine's run store so that every number is known: the smoothing slider (TensorBoard's debiased
// EMA, recomputed here from the same points), the best-checkpoint mark, a failed run's message,
// the runs table (config columns, sorting, "differences only", a row's checkbox), the filter, the
// x axis and zoom, and a 10,000-iteration run compared with two others keeping every plot's
// height with the bottom panel open, in light, dark and high contrast themes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { appendMetrics, createRun, defaultRunsRoot, finishRun, type MetricsRecord } from '../../engine/src/train';
import { isChecked, setChecked, VsCode } from './harness';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A deterministic wobble in [-1, 1], so the noisy curves are the same on every run of the test. */
const wobble = (i: number) => Math.sin(i * 12.9898) * 0.5 + Math.sin(i * 78.233) * 0.5;

interface RunDef {
  name: string;
  hoursAgo: number;
  config: {
    runName: string;
    task: string;
    solver: { method: string; rtol: number; atol: number };
    gradient: string;
    train: { iterations: number; optimizer: { name: string; lr: number } };
  };
  records: MetricsRecord[];
  result: { status: 'finished' | 'failed'; message?: string };
}

const config = (runName: string, method: string, rtol: number, optimizer: string, lr: number, iterations: number): RunDef['config'] => ({
  runName,
  task: 'trajectory',
  solver: { method, rtol, atol: 1e-9 },
  gradient: 'backprop',
  train: { iterations, optimizer: { name: optimizer, lr } },
});

/** The newest run (shown first): 40 noisy iterations, an evaluation every 5 whose lowest is not the last. */
const NOISY_EVALS = [0.8, 0.55, 0.41, 0.3, 0.22, 0.27, 0.25, 0.31];
const noisy: RunDef = {
  name: 'noisy',
  hoursAgo: 1,
  config: config('noisy', 'dopri8', 1e-5, 'adam', 1e-2, 40),
  records: Array.from({ length: 40 }, (_, k) => {
    const i = k + 1;
    return {
      iteration: i,
      loss: 0.9 * Math.exp(-i / 12) + 0.05 + 0.08 * wobble(i),
      evalLoss: i % 5 === 0 ? NOISY_EVALS[i / 5 - 1] : undefined,
      nfeForward: 26 + (i % 3) * 6,
      nfeBackward: 38 + (i % 3) * 6,
      wallSeconds: i * 0.05,
      iterationSeconds: 0.05,
      lr: 1e-2,
    };
  }),
  result: { status: 'finished' },
};

/** A run that diverged: its loss is NaN at iteration 37 and result.json says why. */
const FAILURE = 'loss became NaN at iteration 37: the step size fell below 1e-12 (the field is stiff for bosh3 at this rtol)';
const diverged: RunDef = {
  name: 'diverged',
  hoursAgo: 2,
  config: config('diverged', 'bosh3', 1e-6, 'sgd', 5e-2, 500),
  records: Array.from({ length: 37 }, (_, k) => {
    const i = k + 1;
    return { iteration: i, loss: i === 37 ? Number.NaN : 0.5 * Math.exp(i / 10), nfeForward: 20 + 4 * i, wallSeconds: i * 0.1, iterationSeconds: 0.1, lr: 5e-2 };
  }),
  result: { status: 'failed', message: FAILURE },
};

/** A long run: 10,000 iterations written in one go, an evaluation every 100. */
const long: RunDef = {
  name: 'long',
  hoursAgo: 3,
  config: config('long', 'dopri5', 1e-7, 'rmsprop', 1e-3, 10_000),
  records: Array.from({ length: 10_000 }, (_, k) => {
    const i = k + 1;
    return {
      iteration: i,
      loss: 1.2 * Math.exp(-i / 2500) + 0.01 + 0.02 * wobble(i),
      evalLoss: i % 100 === 0 ? 1.1 * Math.exp(-i / 2500) + 0.012 + 0.004 * wobble(i / 100) : undefined,
      nfeForward: 26 + 6 * Math.floor(i / 2000),
      nfeBackward: 38 + 6 * Math.floor(i / 2000),
      wallSeconds: i * 0.03,
      iterationSeconds: 0.03,
      lr: 1e-3,
    };
  }),
  result: { status: 'finished' },
};

/** The oldest run: 200 iterations with another solver and optimiser, an evaluation every 20. */
const baseline: RunDef = {
  name: 'baseline',
  hoursAgo: 4,
  config: config('baseline', 'tsit5', 1e-4, 'adam', 3e-3, 200),
  records: Array.from({ length: 200 }, (_, k) => {
    const i = k + 1;
    return {
      iteration: i,
      loss: 1.0 * Math.exp(-i / 60) + 0.03 + 0.03 * wobble(i + 7),
      evalLoss: i % 20 === 0 ? 0.95 * Math.exp(-i / 60) + 0.035 : undefined,
      nfeForward: 32 + 4 * Math.floor(i / 50),
      nfeBackward: 44 + 4 * Math.floor(i / 50),
      wallSeconds: i * 0.08,
      iterationSeconds: 0.08,
      lr: 3e-3,
    };
  }),
  result: { status: 'finished' },
};

const RUNS = [noisy, diverged, long, baseline];
const ids: Record<string, string> = {};
const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-curves-dashboard-'));
let vscode: VsCode | undefined;
let frame: FrameLocator;

before(async () => {
  for (const def of RUNS) {
    const run = createRun(defaultRunsRoot(folder), { experiment: 'spiral', config: def.config, now: new Date(Date.now() - def.hoursAgo * 3_600_000) });
    ids[def.name] = run.id;
    for (const r of def.records) appendMetrics(run, r);
    finishRun(run, { ...def.result, iterations: def.records.length });
  }
  vscode = await VsCode.open({ name: 'curvesDashboard', workspace: folder, settings: { 'workbench.colorTheme': 'Default Light Modern' } });
}, { timeout: 120_000 });

after(async () => {
  await vscode?.close();
  fs.rmSync(folder, { recursive: true, force: true });
});

// --- what the page says -----------------------------------------------------------------------

interface Item {
  run: string;
  series: string;
  points: number;
  lastIteration: number;
  lastValue: number;
  lastSmoothed: number;
  bestIteration: string | null;
  bestValue: string | null;
}

/** The hidden list of a chart card: one item per run and series. */
async function items(chart: string): Promise<Item[]> {
  return frame.locator(`section.chart-card[data-chart="${chart}"] li`).evaluateAll((lis) =>
    lis.map((li) => ({
      run: li.getAttribute('data-run') ?? '',
      series: li.getAttribute('data-series') ?? '',
      points: Number(li.getAttribute('data-points')),
      lastIteration: Number(li.getAttribute('data-last-iteration')),
      lastValue: Number(li.getAttribute('data-last-value')),
      lastSmoothed: Number(li.getAttribute('data-last-smoothed')),
      bestIteration: li.getAttribute('data-best-iteration'),
      bestValue: li.getAttribute('data-best-value'),
    })),
  );
}

const item = async (chart: string, run: string, series: string): Promise<Item | undefined> => (await items(chart)).find((i) => i.run === run && i.series === series);

/** The runs shown on a chart. */
const runsOn = async (chart: string): Promise<string[]> => [...new Set((await items(chart)).map((i) => i.run))].sort();

/** The runs table: its column ids, and each row's run and cells by column. */
async function runsTable(): Promise<{ columns: string[]; rows: { run: string; cells: Record<string, string> }[] }> {
  const table = frame.locator('.runs-table');
  const columns = await table.locator('th[data-column]').evaluateAll((ths) => ths.map((th) => th.getAttribute('data-column') ?? ''));
  const rows = await table.locator('tr[data-run]').evaluateAll((trs) =>
    trs.map((tr) => ({
      run: tr.getAttribute('data-run') ?? '',
      cells: Object.fromEntries([...tr.querySelectorAll('td[data-column]')].map((td) => [td.getAttribute('data-column') ?? '', (td.textContent ?? '').trim()])),
    })),
  );
  return { columns, rows };
}

const checked = isChecked;
const setBox = setChecked;

/** Sets a checkbox by clicking it, again if a click is lost (a busy machine can drop one). */
const showRun = (name: string, on: boolean) => setBox(frame.locator(`.run-row[data-run="${ids[name]}"] vscode-checkbox`), on, `run ${name} ${on ? 'shown' : 'hidden'} in the run list`);

/** TensorBoard's smoothing, computed here: last = last·w + (1 − w)·v, shown as last / (1 − wⁿ). */
function tensorBoardLast(values: readonly number[], w: number): number {
  let last = 0;
  let n = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    last = last * w + (1 - w) * v;
    n++;
  }
  return last / (1 - w ** n);
}

/** The same average without the debiasing: what a naive EMA would show. */
function plainLast(values: readonly number[], w: number): number {
  let last = 0;
  for (const v of values) if (Number.isFinite(v)) last = last * w + (1 - w) * v;
  return last;
}

const values = (def: RunDef, key: string) => def.records.map((r) => r[key]).filter((v): v is number => typeof v === 'number');
const close = (a: number, b: number, rel = 1e-12) => Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b));

/** Moves the smoothing slider with the keyboard, as a user would: Home, then `steps` × ArrowRight (0.01 each). */
async function setSmoothing(steps: number): Promise<void> {
  const slider = frame.locator('[data-role="smoothing"]');
  await slider.focus();
  await slider.press('Home');
  for (let k = 0; k < steps; k++) await slider.press('ArrowRight');
  assert.equal(Number(await slider.inputValue()), steps / 100);
}

// --- tests --------------------------------------------------------------------------------------

test('smoothing: the raw value at 0, TensorBoard’s debiased EMA at the default 0.6 and at 0.9', { timeout: 90_000 }, async () => {
  assert.ok(vscode);
  await vscode.openPanel('Neural ODE: Open Training Curves', 'Training Curves');
  frame = await vscode.frameOf('Training Curves');
  const noisyId = ids.noisy;
  const loss = await vscode.until('the newest run’s 40 loss points', () => item('loss', noisyId, 'loss'), (i) => i?.points === 40);
  assert.deepEqual(await runsOn('loss'), [noisyId], 'the newest run is shown by default');
  const raw = values(noisy, 'loss');
  assert.equal(loss!.lastValue, raw[raw.length - 1]);

  // The default: 0.6.
  assert.equal(Number(await frame.locator('[data-role="smoothing"]').inputValue()), 0.6);
  assert.ok(close(loss!.lastSmoothed, tensorBoardLast(raw, 0.6)), `smoothed ${loss!.lastSmoothed}, expected ${tensorBoardLast(raw, 0.6)}`);

  await setSmoothing(0);
  const off = await vscode.until('smoothing off', () => item('loss', noisyId, 'loss'), (i) => i?.lastSmoothed === i?.lastValue);
  assert.equal(off!.lastSmoothed, raw[raw.length - 1]);
  assert.equal((await item('loss', noisyId, 'evalLoss'))!.lastSmoothed, NOISY_EVALS[NOISY_EVALS.length - 1]);

  await setSmoothing(90);
  assert.equal((await frame.locator('.curve-controls output').textContent())?.trim(), '0.90');
  const expected = tensorBoardLast(raw, 0.9);
  const on = await vscode.until('smoothing 0.9', () => item('loss', noisyId, 'loss'), (i) => i !== undefined && close(i.lastSmoothed, expected));
  assert.equal(on!.lastValue, raw[raw.length - 1], 'the recorded value stays as it was');
  assert.ok(Math.abs(on!.lastSmoothed - on!.lastValue) > 1e-3, 'the smoothed value differs from the raw one');
  assert.ok(!close(on!.lastSmoothed, plainLast(raw, 0.9), 1e-3), 'debiased, not a plain EMA');
  // The sparse evaluation loss (8 values): the debiasing matters most there.
  const evalExpected = tensorBoardLast(NOISY_EVALS, 0.9);
  const evalItem = (await item('loss', noisyId, 'evalLoss'))!;
  assert.ok(close(evalItem.lastSmoothed, evalExpected), `eval smoothed ${evalItem.lastSmoothed}, expected ${evalExpected}`);
  assert.ok(!close(evalItem.lastSmoothed, plainLast(NOISY_EVALS, 0.9), 0.1));
  // The learning rate is a setting: never smoothed.
  const lr = (await item('lr', noisyId, 'lr'))!;
  assert.equal(lr.lastSmoothed, lr.lastValue);
  await vscode.screenshot('dashboard-smoothing-0.9');
});

test('the best checkpoint mark is at the lowest evaluation loss', { timeout: 30_000 }, async () => {
  assert.ok(vscode);
  const evals = noisy.records.filter((r) => r.evalLoss !== undefined);
  const best = evals.reduce((a, b) => ((b.evalLoss as number) < (a.evalLoss as number) ? b : a));
  assert.notEqual(best.iteration, evals[evals.length - 1].iteration, 'the lowest evaluation is not the last one');
  const evalItem = (await item('loss', ids.noisy, 'evalLoss'))!;
  assert.equal(evalItem.bestIteration, String(best.iteration));
  assert.equal(Number(evalItem.bestValue), best.evalLoss);
  assert.equal((await item('loss', ids.noisy, 'loss'))!.bestIteration, null, 'the mark belongs to the evaluation loss');
  // Not with the curve smoothed away: the mark is at the recorded minimum at any smoothing.
  await setSmoothing(0);
  await vscode.until('smoothing off', () => item('loss', ids.noisy, 'loss'), (i) => i?.lastSmoothed === i?.lastValue);
  assert.equal((await item('loss', ids.noisy, 'evalLoss'))!.bestIteration, String(best.iteration));
});

test('a failed run says why above the charts', { timeout: 60_000 }, async () => {
  assert.ok(vscode);
  const id = ids.diverged;
  assert.equal(await frame.locator(`.run-row[data-run="${id}"]`).getAttribute('data-status'), 'failed');
  assert.equal(await frame.locator(`.run-notice[data-run="${id}"]`).count(), 0, 'no notice while the run is not shown');
  await showRun('diverged', true);
  const notice = frame.locator(`.run-notice[data-run="${id}"]`);
  await notice.waitFor({ state: 'visible', timeout: 15_000 });
  assert.equal(await notice.getAttribute('data-level'), 'error');
  const text = (await notice.textContent()) ?? '';
  assert.ok(text.includes(FAILURE), text);
  assert.match(text, /^spiral · diverged failed after iteration 37: /);
  assert.equal(await frame.locator(`.run-notice[data-run="${ids.noisy}"]`).count(), 0, 'a finished run has no notice');
  await vscode.screenshot('dashboard-failed-run');
});

test('the failed run’s NaN loss is a gap: its 36 finite points are drawn', { timeout: 60_000 }, async () => {
  assert.ok(vscode);
  const id = ids.diverged;
  try {
    const nfe = await vscode.until('the failed run’s NFE curve', () => item('nfe', id, 'nfeForward'), (i) => i !== undefined, 15_000).catch(() => undefined);
    const loss = await item('loss', id, 'loss');
    const notices = (await frame.locator('p.notice:not(.run-notice):not([hidden])').allTextContents()).map((t) => t.trim());
    assert.deepEqual(notices, [], 'the panel refused none of the extension’s messages');
    assert.equal(nfe?.points, 37, 'the NFE of all 37 iterations');
    assert.equal(loss?.points, 36, 'the loss of iterations 1–36; the NaN of 37 is a gap');
    assert.equal(loss?.lastIteration, 36);
  } finally {
    await showRun('diverged', false);
  }
});

test('the runs table: config columns, sorting by a header, differences only, a row’s checkbox', { timeout: 90_000 }, async () => {
  assert.ok(vscode);
  const table = await runsTable();
  assert.deepEqual(table.rows.map((r) => r.run), [ids.noisy, ids.diverged, ids.long, ids.baseline], 'one row per run, newest first');
  for (const def of RUNS) {
    const cells = table.rows.find((r) => r.run === ids[def.name])!.cells;
    assert.equal(cells.solver, def.config.solver.method, `${def.name}: solver`);
    assert.equal(Number(cells.rtol), def.config.solver.rtol, `${def.name}: rtol`);
    assert.equal(cells.optimizer, def.config.train.optimizer.name, `${def.name}: optimiser`);
    assert.equal(Number(cells.lr), def.config.train.optimizer.lr, `${def.name}: lr`);
    assert.equal(cells.run, `spiral · ${def.name}`);
  }
  assert.equal(table.rows.find((r) => r.run === ids.long)!.cells.iterations, '10,000 / 10,000');
  assert.equal(table.rows.find((r) => r.run === ids.diverged)!.cells.status, 'failed');

  const order = async () => (await runsTable()).rows.map((r) => r.run);
  const header = (column: string) => frame.locator(`.runs-table th[data-column="${column}"] button`);
  const byLr = [ids.long, ids.baseline, ids.noisy, ids.diverged]; // 1e-3, 3e-3, 1e-2, 5e-2
  await header('lr').click();
  await vscode.until('sorted by lr', order, (o) => JSON.stringify(o) === JSON.stringify(byLr));
  assert.equal(await frame.locator('.runs-table th[data-column="lr"]').getAttribute('aria-sort'), 'ascending');
  await header('lr').click();
  await vscode.until('sorted by lr, descending', order, (o) => JSON.stringify(o) === JSON.stringify([...byLr].reverse()));
  assert.equal(await frame.locator('.runs-table th[data-column="lr"]').getAttribute('aria-sort'), 'descending');
  await header('lr').click();
  await vscode.until('the list’s order again', order, (o) => JSON.stringify(o) === JSON.stringify(table.rows.map((r) => r.run)));
  const byRtol = [ids.long, ids.diverged, ids.noisy, ids.baseline]; // 1e-7, 1e-6, 1e-5, 1e-4
  await header('rtol').click();
  await vscode.until('sorted by rtol', order, (o) => JSON.stringify(o) === JSON.stringify(byRtol));
  assert.equal(await frame.locator('.runs-table th[data-column="lr"]').getAttribute('aria-sort'), 'none');
  const bySolver = [ids.diverged, ids.long, ids.noisy, ids.baseline]; // bosh3, dopri5, dopri8, tsit5
  await header('solver').click();
  await vscode.until('sorted by solver', order, (o) => JSON.stringify(o) === JSON.stringify(bySolver));

  // Differences only: task, atol and gradient are the same in every row.
  const all = table.columns;
  await setBox(frame.locator('vscode-checkbox[data-role="differences-only"]'), true, 'differences only on');
  const diff = await vscode.until('the equal columns hidden', async () => (await runsTable()).columns, (c) => c.length < all.length);
  assert.deepEqual(all.filter((c) => !diff.includes(c)).sort(), ['atol', 'gradient', 'task']);
  for (const c of ['run', 'solver', 'rtol', 'optimizer', 'lr']) assert.ok(diff.includes(c), `${c} stays`);
  assert.deepEqual(await order(), bySolver, 'the order stays');
  await frame.locator('.runs-table-section').scrollIntoViewIfNeeded();
  // The header clicks scrolled the table sideways to the clicked columns: back to its first column.
  await frame.locator('.runs-table-scroll').evaluate((el) => el.scrollTo({ left: 0 }));
  await vscode.screenshot('dashboard-runs-table-differences');

  // A row's checkbox: the noisy run is shown; unchecking it takes its curves off every chart, checking it brings them back.
  assert.deepEqual(await runsOn('loss'), [ids.noisy]);
  const rowBox = (name: string) => frame.locator(`.runs-table tr[data-run="${ids[name]}"] vscode-checkbox`);
  assert.equal(await checked(rowBox('noisy')), true);
  assert.equal(await checked(rowBox('baseline')), false);
  const curvesOf = (name: string) => frame.locator(`section.chart-card li[data-run="${ids[name]}"]`).count();
  assert.equal(await curvesOf('noisy'), 6, 'loss, evaluation loss, NFE forward and backward, time, lr');
  await setBox(rowBox('baseline'), true, 'the baseline run checked in the table');
  await vscode.until('the baseline run’s curves drawn', () => curvesOf('baseline'), (n) => n === 6);
  await setBox(rowBox('noisy'), false, 'the noisy run unchecked in the table');
  await vscode.until('the noisy run’s curves gone', () => curvesOf('noisy'), (n) => n === 0);
  assert.deepEqual(await runsOn('loss'), [ids.baseline]);
  assert.equal(await checked(frame.locator(`.run-row[data-run="${ids.noisy}"] vscode-checkbox`)), false, 'the run list follows the table');
  await setBox(rowBox('noisy'), true, 'the noisy run checked again in the table');
  await vscode.until('the noisy run’s curves back', () => item('loss', ids.noisy, 'loss'), (i) => i?.points === 40);
  await setBox(rowBox('baseline'), false, 'the baseline run unchecked in the table');
  await vscode.until('the baseline run’s curves gone', () => curvesOf('baseline'), (n) => n === 0);
  await setBox(frame.locator('vscode-checkbox[data-role="differences-only"]'), false, 'differences only off');
  await vscode.until('every column again', async () => (await runsTable()).columns, (c) => c.length === all.length);
});

test('the filter narrows the run list and the table; the x axis and zoom controls act on the charts', { timeout: 60_000 }, async () => {
  assert.ok(vscode);
  const filter = frame.locator('[data-role="run-filter"]');
  try {
    await filter.fill('diverg');
    await vscode.until('one run listed', async () => (await runsTable()).rows.map((r) => r.run), (r) => r.length === 1 && r[0] === ids.diverged);
    assert.deepEqual(await frame.locator('.run-row[data-run]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run'))), [ids.diverged]);
    assert.deepEqual(await runsOn('loss'), [ids.noisy], 'a checked run stays on the charts');
  } finally {
    await filter.fill('');
  }
  await vscode.until('every run listed again', async () => (await runsTable()).rows.length, (n) => n === RUNS.length);

  const canvas = frame.locator('section.chart-card[data-chart="loss"] canvas');
  await frame.locator('[data-role="x-axis"]').selectOption('relative');
  await vscode.until('a relative-time axis', () => canvas.getAttribute('aria-label'), (l) => l === 'Loss against relative time');
  await frame.locator('[data-role="x-axis"]').selectOption('iteration');
  await vscode.until('the iteration axis', () => canvas.getAttribute('aria-label'), (l) => l === 'Loss against iteration');

  const reset = frame.locator('[data-role="reset-zoom"]');
  const disabled = () => reset.evaluate((el) => (el as unknown as { disabled: boolean }).disabled);
  assert.equal(await disabled(), true, 'nothing to reset before a zoom');
  await canvas.scrollIntoViewIfNeeded();
  const b = (await canvas.boundingBox())!;
  // Drag a box over the middle of the plot.
  await vscode.page.mouse.move(b.x + b.width * 0.4, b.y + b.height * 0.3);
  await vscode.page.mouse.down();
  await vscode.page.mouse.move(b.x + b.width * 0.6, b.y + b.height * 0.5, { steps: 8 });
  await vscode.page.mouse.move(b.x + b.width * 0.7, b.y + b.height * 0.6, { steps: 8 });
  await vscode.page.mouse.up();
  await vscode.until('zoomed: Reset zoom enabled', disabled, (d) => d === false);
  await reset.click();
  await vscode.until('reset: Reset zoom disabled', disabled, (d) => d === true);
});

test('a 10,000-iteration run compared with two others keeps every plot’s height with the bottom panel open, in light, dark and high contrast', { timeout: 120_000 }, async () => {
  assert.ok(vscode);
  await setSmoothing(60);
  await showRun('long', true);
  await showRun('baseline', true);
  // 10,000 iterations arrive downsampled per bucket of iterations (first, last, min and max kept): bounded, ending on the last record.
  const longLoss = await vscode.until('the long run’s loss, downsampled', () => item('loss', ids.long, 'loss'), (i) => (i?.lastIteration ?? 0) === 10_000, 30_000);
  assert.ok(longLoss!.points > 1_000 && longLoss!.points <= 4_000, `points drawn: ${longLoss!.points}`);
  assert.equal(longLoss!.lastValue, long.records[9_999].loss);
  assert.ok(Number.isFinite(longLoss!.lastSmoothed));
  const longEval = (await item('loss', ids.long, 'evalLoss'))!;
  assert.ok(longEval.points > 0 && longEval.points <= 100, `evaluation points: ${longEval.points}`);
  const longBest = long.records.filter((r) => r.evalLoss !== undefined).reduce((a, b) => ((b.evalLoss as number) < (a.evalLoss as number) ? b : a));
  assert.equal(longEval.bestIteration, String(longBest.iteration), 'the long run’s own best evaluation');
  const shown = [ids.noisy, ids.long, ids.baseline].sort();
  await vscode.until('three runs on the loss chart', () => runsOn('loss'), (r) => JSON.stringify(r) === JSON.stringify(shown));
  for (const chart of ['nfe', 'time', 'lr']) assert.deepEqual(await runsOn(chart), shown, `three runs on the ${chart} chart`);
  const legend = await frame.locator('section.chart-card[data-chart="loss"] .chart-legend .legend-item').allTextContents();
  for (const name of ['noisy', 'long', 'baseline']) assert.ok(legend.some((l) => l.startsWith(`spiral · ${name} · `)), `${name} in the legend: ${JSON.stringify(legend)}`);

  const webview = vscode.page.locator('iframe.webview.ready:visible').first();
  const before = (await webview.boundingBox())!.height;
  const panelPart = vscode.page.locator('.monaco-workbench .part.panel');
  // From the workbench, not the webview: the palette opens there.
  await vscode.page.locator('.tabs-container .tab', { hasText: 'Training Curves' }).first().click();
  await vscode.runCommand('View: Toggle Panel Visibility');
  if (!(await panelPart.isVisible())) await vscode.runCommand('View: Toggle Panel Visibility');
  await panelPart.waitFor({ state: 'visible', timeout: 10_000 });
  const afterPanel = await vscode.until('the webview shorter', async () => (await webview.boundingBox())!.height, (h) => h < before - 100);
  console.log(`# webview height ${before} px, ${afterPanel} px with the bottom panel open`);

  /** Every shown chart card's plot height, in page pixels. */
  const heights = async () => {
    const cards = frame.locator('section.chart-card:not([hidden])');
    const out: Record<string, number> = {};
    for (const card of await cards.all()) out[(await card.getAttribute('data-chart')) ?? '?'] = (await card.locator('canvas').boundingBox())?.height ?? 0;
    return out;
  };
  const themes = [
    ['Default Light Modern', 'light', /\bvscode-light\b/],
    ['Default Dark Modern', 'dark', /\bvscode-dark\b/],
    ['Default High Contrast', 'high-contrast', /\bvscode-high-contrast\b/],
  ] as const;
  await frame.locator('section.chart-card[data-chart="loss"]').scrollIntoViewIfNeeded();
  for (const [theme, name, bodyClass] of themes) {
    vscode.setWorkspaceSettings({ 'workbench.colorTheme': theme });
    await vscode.until(`a ${name} body`, () => frame.locator('body').getAttribute('class'), (c) => bodyClass.test(c ?? ''), 30_000);
    await sleep(300); // the redraw after the theme's variables change
    const h = await heights();
    assert.deepEqual(Object.keys(h).sort(), ['loss', 'lr', 'nfe', 'time'], 'the trajectory runs’ charts');
    for (const [chart, px] of Object.entries(h)) assert.ok(px >= 200, `${name}: the ${chart} plot is ${px} px tall`);
    console.log(`# ${name}: plot heights ${JSON.stringify(h)}`);
    assert.equal((await item('loss', ids.long, 'loss'))?.points, longLoss!.points, 'the long run still drawn whole after the theme changed');
    await vscode.screenshot(`dashboard-three-runs-${name}`);
  }
});
