// "Neural ODE: Open Training Curves" in a real VS Code, on a workspace holding a run written
// with the engine's run store: the panel shows that run's points (read from data attributes
// inside the webview, not from pixels), follows appended metrics lines live, toggles log
// scales, loads nothing the CSP refuses, and follows the theme (screenshots in light, dark and high contrast).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { appendMetrics, createRun, defaultRunsRoot, openRun, type MetricsRecord } from '../../engine/src/train';
import { setChecked, VsCode } from './harness';

const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-curves-'));
let vscode: VsCode | undefined;
let runId = '';
let olderRunId = '';
let cspViolations: string[] = [];

/** A decaying loss, an evaluation every 10 iterations, NFE creeping up: what training writes. */
function record(i: number): MetricsRecord {
  return {
    iteration: i,
    loss: 1.5 * Math.exp(-i / 15) + 1e-3,
    evalLoss: i % 10 === 0 ? 2 * Math.exp(-i / 15) : undefined,
    nfeForward: 26 + 6 * Math.floor(i / 20),
    nfeBackward: 38 + 6 * Math.floor(i / 20),
    wallSeconds: i * 0.04,
    iterationSeconds: 0.04 + 0.002 * Math.sin(i),
    lr: i <= 10 ? 1e-3 * (i / 10) : 1e-3,
  };
}

/** A classifier (circles): cross-entropy loss, batch accuracy every iteration, accuracy on every point every 10. */
function classifierRecord(i: number): MetricsRecord {
  return {
    iteration: i,
    loss: 0.7 * Math.exp(-i / 20) + 0.05,
    evalLoss: i % 10 === 0 ? 0.65 * Math.exp(-i / 20) + 0.05 : undefined,
    accuracy: Math.min(1, 0.5 + 0.45 * (1 - Math.exp(-i / 12)) + 0.03 * Math.sin(i)),
    evalAccuracy: i % 10 === 0 ? 0.5 + 0.45 * (1 - Math.exp(-i / 12)) : undefined,
    nfeForward: 20 + 2 * Math.floor(i / 10),
    nfeBackward: 30 + 2 * Math.floor(i / 10),
    wallSeconds: i * 0.02,
    iterationSeconds: 0.02,
    lr: 1e-2,
  };
}

/** Whether a chart card is on screen (the accuracy chart is for classifiers only). */
const chartShown = (frame: FrameLocator, chart: string) => frame.locator(`section.chart-card[data-chart="${chart}"]`).evaluate((el) => !(el as unknown as { hidden: boolean }).hidden);

before(async () => {
  // An older run of a variant, to compare with: shorter, with a higher loss.
  const older = createRun(defaultRunsRoot(folder), { experiment: 'spiral-adjoint', config: {}, now: new Date(Date.now() - 3_600_000) });
  olderRunId = older.id;
  for (let i = 1; i <= 30; i++) appendMetrics(older, { ...record(i), loss: 2 * (record(i).loss as number), evalLoss: undefined });
  older.close();
  const run = createRun(defaultRunsRoot(folder), { experiment: 'spiral', config: { iterations: 100 } });
  runId = run.id;
  for (let i = 1; i <= 50; i++) appendMetrics(run, record(i));
  run.close();
  vscode = await VsCode.open({ name: 'curves', workspace: folder, settings: { 'workbench.colorTheme': 'Default Light Modern' } });
  cspViolations = vscode.watchCsp();
}, { timeout: 120_000 });

after(async () => {
  await vscode?.close();
  fs.rmSync(folder, { recursive: true, force: true });
});

/** What a chart card says it draws: series key → point count and last point, plus its y-axis type. */
async function chartData(frame: FrameLocator, chart: string) {
  const card = frame.locator(`section.chart-card[data-chart="${chart}"]`);
  const scale = await card.getAttribute('data-scale', { timeout: 2_000 });
  const items = await card.locator('li').evaluateAll((lis) =>
    lis.map((li) => ({
      run: li.getAttribute('data-run'),
      series: li.getAttribute('data-series') ?? '',
      points: Number(li.getAttribute('data-points')),
      lastIteration: Number(li.getAttribute('data-last-iteration')),
      lastValue: Number(li.getAttribute('data-last-value')),
    })),
  );
  return {
    scale,
    /** The newest run's curves, by series. */
    series: Object.fromEntries(items.filter((i) => i.run === runId).map((i) => [i.series, i])),
    /** Every dataset, as `run:series` → points. */
    all: Object.fromEntries(items.map((i) => [`${i.run}:${i.series}`, i.points])),
  };
}

let frame: FrameLocator;

/** Shows or hides a run by its checkbox in the run list. */
const setShown = (id: string, on: boolean): Promise<void> => setChecked(frame.locator(`.run-row[data-run="${id}"] vscode-checkbox`), on, `run ${id} ${on ? 'shown' : 'hidden'}`);

test('Open Training Curves shows every metric of the run', { timeout: 90_000 }, async () => {
  assert.ok(vscode);
  await vscode.openPanel('Neural ODE: Open Training Curves', 'Training Curves');
  frame = await vscode.frameOf('Training Curves');
  const loss = await vscode!.until('50 loss points', () => chartData(frame, 'loss'), (d) => d.series.loss?.points === 50);
  assert.equal(loss.scale, 'logarithmic', 'loss starts on a log axis');
  assert.equal(loss.series.loss.run, runId);
  assert.equal(loss.series.loss.lastIteration, 50);
  assert.ok(Math.abs(loss.series.loss.lastValue - (record(50).loss as number)) < 1e-12);
  assert.equal(loss.series.evalLoss.points, 5, 'the trajectory loss, evaluated every 10 iterations');
  const nfe = await chartData(frame, 'nfe');
  assert.deepEqual([nfe.series.nfeForward.points, nfe.series.nfeBackward.points], [50, 50]);
  assert.equal(nfe.series.nfeBackward.lastValue, record(50).nfeBackward);
  assert.equal((await chartData(frame, 'time')).series.iterationSeconds.points, 50);
  assert.equal((await chartData(frame, 'lr')).series.lr.lastValue, 1e-3);
  // The run picker lists the run, checked.
  const checked = (id: string) => frame.locator(`.run-row[data-run="${id}"] vscode-checkbox`).evaluate((el) => (el as unknown as { checked: boolean }).checked);
  assert.equal(await checked(runId), true, 'the newest run is shown');
  assert.equal(await checked(olderRunId), false);
  assert.deepEqual(Object.keys(loss.all).sort(), [`${runId}:evalLoss`, `${runId}:loss`]);
  assert.equal(await chartShown(frame, 'accuracy'), false, 'a trajectory run has no accuracy chart');
  await vscode.screenshot('curves-light');
});

test('metrics lines appended to the run show up live', { timeout: 60_000 }, async () => {
  assert.ok(vscode);
  // The run as VS Code sees it: in the workspace copy. Resume it and write 25 more iterations.
  const run = openRun(defaultRunsRoot(vscode.workspace), runId);
  try {
    const started = Date.now();
    for (let i = 51; i <= 75; i++) appendMetrics(run, record(i));
    const loss = await vscode!.until('75 loss points', () => chartData(frame, 'loss'), (d) => d.series.loss?.points === 75);
    console.log(`# live update: 25 appended lines drawn after ${Date.now() - started} ms`);
    assert.equal(loss.series.loss.lastIteration, 75);
    assert.equal(loss.series.evalLoss.points, 7);
    // A trickle, as a training loop writes: every line arrives.
    for (let i = 76; i <= 80; i++) {
      appendMetrics(run, record(i));
      await new Promise((r) => setTimeout(r, 50));
    }
    const nfe = await vscode!.until('80 NFE points', () => chartData(frame, 'nfe'), (d) => d.series.nfeForward?.points === 80);
    assert.equal(nfe.series.nfeForward.lastValue, record(80).nfeForward);
  } finally {
    run.close();
  }
});

test('log-scale toggles switch the axes', { timeout: 60_000 }, async () => {
  assert.ok(vscode);
  await frame.locator('section.chart-card[data-chart="loss"] vscode-checkbox[data-role="log-toggle"]').click();
  await vscode!.until('loss on a linear axis', () => chartData(frame, 'loss'), (d) => d.scale === 'linear');
  await frame.locator('section.chart-card[data-chart="nfe"] vscode-checkbox[data-role="log-toggle"]').click();
  const nfe = await vscode!.until('NFE on a log axis', () => chartData(frame, 'nfe'), (d) => d.scale === 'logarithmic');
  assert.equal(nfe.series.nfeForward.points, 80, 'positive NFE counts all stay on a log axis');
  // Back to a log loss axis for the screenshots.
  await frame.locator('section.chart-card[data-chart="loss"] vscode-checkbox[data-role="log-toggle"]').click();
  await vscode!.until('loss on a log axis again', () => chartData(frame, 'loss'), (d) => d.scale === 'logarithmic');
  assert.deepEqual(cspViolations, [], 'the panel loads nothing its Content-Security-Policy refuses');
});

test('picking a second run overlays it', { timeout: 60_000 }, async () => {
  assert.ok(vscode);
  await setShown(olderRunId, true);
  const loss = await vscode!.until('two runs in the loss chart', () => chartData(frame, 'loss'), (d) => d.all[`${olderRunId}:loss`] === 30);
  assert.equal(loss.all[`${runId}:loss`], 80);
  assert.equal(loss.all[`${olderRunId}:evalLoss`], undefined, 'the older run has no trajectory loss');
  const nfe = await chartData(frame, 'nfe');
  assert.deepEqual([nfe.all[`${olderRunId}:nfeForward`], nfe.all[`${olderRunId}:nfeBackward`]], [30, 30]);
  await vscode.screenshot('curves-compare-light');
});

test('the panel follows the colour theme', { timeout: 60_000 }, async () => {
  assert.ok(vscode);
  type Styles = { getComputedStyle(e: unknown): { backgroundColor: string } };
  const background = () => frame.locator('body').evaluate((b) => (globalThis as unknown as Styles).getComputedStyle(b).backgroundColor);
  const light = await background();
  vscode.setWorkspaceSettings({ 'workbench.colorTheme': 'Default Dark Modern' });
  await vscode!.until('a dark body', () => frame.locator('body').getAttribute('class'), (c) => /\bvscode-dark\b/.test(c ?? ''), 30_000);
  const dark = await background();
  assert.notEqual(dark, light);
  // Still the same data after the theme change.
  assert.equal((await chartData(frame, 'loss')).series.loss.points, 80);
  await new Promise((r) => setTimeout(r, 300)); // the redraw after the theme's variables change
  await vscode.screenshot('curves-dark');

  // High contrast: the body says so, and the chart's text takes the theme's foreground.
  vscode.setWorkspaceSettings({ 'workbench.colorTheme': 'Default High Contrast' });
  await vscode!.until('a high-contrast body', () => frame.locator('body').getAttribute('class'), (c) => /\bvscode-high-contrast\b/.test(c ?? ''), 30_000);
  assert.notEqual(await background(), light);
  assert.equal((await chartData(frame, 'loss')).series.loss.points, 80);
  await new Promise((r) => setTimeout(r, 300));
  await vscode.screenshot('curves-high-contrast');
});

test('the panel comes back after a window reload, as it was', { timeout: 90_000 }, async () => {
  assert.ok(vscode);
  // The command a user runs: VS Code saves its state (the panel's included), then reloads the page.
  await Promise.all([vscode.page.waitForEvent('load', { timeout: 60_000 }), vscode.runCommand('Developer: Reload Window')]);
  await vscode.page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
  frame = await vscode.frameOf('Training Curves');
  const loss = await vscode!.until('both runs restored', () => chartData(frame, 'loss'), (d) => d.all[`${runId}:loss`] === 80 && d.all[`${olderRunId}:loss`] === 30, 45_000);
  assert.equal(loss.scale, 'logarithmic');
  assert.equal((await chartData(frame, 'nfe')).scale, 'logarithmic', 'the NFE log scale picked before the reload');
  assert.deepEqual(cspViolations, []);
});

test('a classifier run shows its accuracy chart', { timeout: 90_000 }, async () => {
  assert.ok(vscode);
  // Written into the workspace VS Code has open, as `neural-ode train` on a classifier would.
  const run = createRun(defaultRunsRoot(vscode.workspace), { experiment: 'circles', config: { task: 'classification', iterations: 60 } });
  const classifierId = run.id;
  for (let i = 1; i <= 60; i++) appendMetrics(run, classifierRecord(i));
  run.close();
  await setShown(classifierId, true);
  const acc = await vscode!.until('60 accuracy points', () => chartData(frame, 'accuracy'), (d) => d.all[`${classifierId}:accuracy`] === 60);
  assert.equal(await chartShown(frame, 'accuracy'), true);
  assert.equal(acc.scale, 'linear');
  assert.equal(acc.all[`${classifierId}:evalAccuracy`], 6, 'accuracy on every point, evaluated every 10 iterations');
  assert.deepEqual(Object.keys(acc.all), [`${classifierId}:accuracy`, `${classifierId}:evalAccuracy`], 'the trajectory runs have no accuracy curves');
  // Alone, on a light theme, for the screenshot.
  for (const id of [runId, olderRunId]) await setShown(id, false);
  const alone = await vscode!.until('the classifier alone', () => chartData(frame, 'loss'), (d) => Object.keys(d.all).length === 2);
  assert.deepEqual(Object.keys(alone.all).sort(), [`${classifierId}:evalLoss`, `${classifierId}:loss`]);
  const card = frame.locator('section.chart-card[data-chart="accuracy"]');
  const last = await card.locator(`li[data-run="${classifierId}"][data-series="evalAccuracy"]`).getAttribute('data-last-value');
  assert.ok(Math.abs(Number(last) - (classifierRecord(60).evalAccuracy as number)) < 1e-12);
  assert.equal(await card.locator('vscode-checkbox[data-role="log-toggle"]').isVisible(), false, 'accuracy has a fixed [0, 1] axis');
  vscode.setWorkspaceSettings({ 'workbench.colorTheme': 'Default Light Modern' });
  await vscode!.until('a light body', () => frame.locator('body').getAttribute('class'), (c) => /\bvscode-light\b/.test(c ?? ''), 30_000);
  await new Promise((r) => setTimeout(r, 300));
  await vscode.screenshot('curves-classifier-light');
});
