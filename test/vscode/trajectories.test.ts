// "Neural ODE: Open Trajectories" in a real VS Code on a copy of examples/: the untrained spiral
// model's y(t) per component and its phase portrait against the data (point counts read from the
// webview's data attributes), then a run of the experiment writing a checkpoint of other weights,
// which the panel follows (the predicted trajectory changes); the circles classifier's flows
// per component, coloured by class, untrained and after a training run. Screenshots in light and
// dark themes; the panel after a window reload.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { mapInput, mlpField, spiral } from '../../engine/src/index';
import { createRun, defaultRunsRoot, finishRun } from '../../engine/src/train';
import { repoRoot, VsCode } from './harness';

let vscode: VsCode | undefined;
let frame: FrameLocator;
let cspViolations: string[] = [];

before(async () => {
  vscode = await VsCode.open({ name: 'trajectories', settings: { 'workbench.colorTheme': 'Default Light Modern' } });
  cspViolations = vscode.watchCsp();
}, { timeout: 120_000 });

after(async () => {
  await vscode?.close();
});

/** What the panel holds: its <body> data attributes and each chart card's point counts. */
async function shown() {
  const body = await frame.locator('body').evaluate((b) => ({ ...(b as unknown as { dataset: Record<string, string> }).dataset }));
  const cards = await frame.locator('section.chart-card').evaluateAll((els) =>
    els.map((el) => ({
      chart: el.getAttribute('data-chart') ?? '',
      truePoints: Number(el.getAttribute('data-true-points')),
      predictedPoints: Number(el.getAttribute('data-predicted-points')),
      flows: Number(el.getAttribute('data-flows') ?? 0),
      flowPoints: Number(el.getAttribute('data-flow-points') ?? 0),
    })),
  );
  return {
    components: Number(body.components ?? 0),
    task: body.task ?? '',
    flows: Number(body.flows ?? 0),
    iteration: body.iteration ?? '',
    checksum: body.checksum ?? '',
    charts: Object.fromEntries(cards.map((c) => [c.chart, c])),
  };
}

let untrainedChecksum = '';

test('y(t) per component and the phase portrait of the untrained spiral, against the data', { timeout: 60_000 }, async () => {
  assert.ok(vscode);
  const data = await spiral();
  const n = data.t.length;
  await vscode.openFile('spiral.ode.ts');
  await vscode.openPanel('Neural ODE: Open Trajectories', 'Trajectories');
  frame = await vscode.frameOf('Trajectories');
  const first = await vscode!.until('the trajectories shown', shown, (d) => d.components === 2 && d.charts['component-1']?.predictedPoints > 0, 30_000);
  assert.equal(first.iteration, 'untrained');
  assert.deepEqual(Object.keys(first.charts).sort(), ['component-0', 'component-1', 'phase']);
  for (const chart of ['component-0', 'component-1', 'phase']) {
    assert.equal(first.charts[chart].truePoints, n, `${chart}: one data marker per observation time`);
    assert.equal(first.charts[chart].predictedPoints, n, `${chart}: the solve at every observation time`);
  }
  untrainedChecksum = first.checksum;
  assert.notEqual(untrainedChecksum, '');
  await new Promise((r) => setTimeout(r, 300));
  await vscode.screenshot('trajectories-light');
});

test('a run writing a checkpoint of other weights changes the predicted trajectory', { timeout: 60_000 }, async () => {
  assert.ok(vscode);
  // spiral.ode.ts's model shape with other weights: what a run part-way through training saves.
  const other = mapInput(mlpField({ sizes: [2, 50, 2], seed: 5 }), (x) => x ** 3, (x) => 3 * x * x);
  const run = createRun(defaultRunsRoot(vscode.workspace), { experiment: 'spiral', config: { file: path.join(vscode.workspace, 'spiral.ode.ts') } });
  run.writeCheckpoint({ iteration: 7, params: other.params });
  finishRun(run, { status: 'finished' });
  const after = await vscode!.until('the run followed', shown, (d) => d.iteration === '7', 30_000);
  assert.notEqual(after.checksum, untrainedChecksum, 'the predicted trajectory changed');
  assert.ok(after.charts.phase.truePoints > 0);
  assert.deepEqual(cspViolations, [], 'the panel loads nothing its Content-Security-Policy refuses');
});

test("a classifier's flows per component, coloured by class, untrained and trained", { timeout: 120_000 }, async () => {
  assert.ok(vscode);
  await vscode.openFile('circlesAugmented.ode.ts');
  await vscode.openPanel('Neural ODE: Open Trajectories', 'Trajectories');
  frame = await vscode.frameOf('Trajectories');
  const first = await vscode.until('the flows shown', shown, (d) => d.task === 'classification' && d.charts['component-2']?.flows > 0, 30_000);
  assert.equal(first.iteration, 'untrained');
  // Augmented: three components, the phase portrait of the first two, 24 flows per class.
  assert.equal(first.components, 3);
  assert.deepEqual(Object.keys(first.charts).sort(), ['component-0', 'component-1', 'component-2', 'phase']);
  assert.equal(first.flows, 48);
  for (const chart of ['phase', 'component-0', 'component-2']) {
    assert.equal(first.charts[chart].flows, 48);
    assert.equal(first.charts[chart].flowPoints, 48 * 21, `${chart}: every flow at the 21 output times`);
    assert.equal(first.charts[chart].truePoints, 0);
  }
  execFileSync(process.execPath, [path.join(repoRoot, 'dist', 'cli.js'), 'train', path.join(vscode.workspace, 'circlesAugmented.ode.ts'), '--out', defaultRunsRoot(vscode.workspace), '--iterations', '300'], {
    stdio: 'ignore',
    timeout: 120_000,
  });
  const trained = await vscode.until('the trained run followed', shown, (d) => d.iteration === '300' && d.task === 'classification', 30_000);
  assert.notEqual(trained.checksum, first.checksum, 'the flows changed');
  // The augmented component, where the classes part, at the bottom of the panel.
  await frame.locator('[data-chart="component-2"]').scrollIntoViewIfNeeded();
  await new Promise((r) => setTimeout(r, 300));
  await vscode.screenshot('trajectories-circles-light');
  assert.deepEqual(cspViolations, []);
});

test('the panel follows the colour theme', { timeout: 60_000 }, async () => {
  assert.ok(vscode);
  vscode.setWorkspaceSettings({ 'workbench.colorTheme': 'Default Dark Modern' });
  await vscode!.until('a dark body', () => frame.locator('body').getAttribute('class'), (c) => /\bvscode-dark\b/.test(c ?? ''), 30_000);
  await new Promise((r) => setTimeout(r, 500));
  const dark = await shown();
  assert.equal(dark.components, 3, 'the same flows after the theme change');
  assert.equal(dark.charts.phase.flows, 48);
  await vscode.screenshot('trajectories-circles-dark');
});

test('the panel comes back after a window reload, with the same run', { timeout: 90_000 }, async () => {
  assert.ok(vscode);
  const before = await shown();
  await Promise.all([vscode.page.waitForEvent('load', { timeout: 60_000 }), vscode.runCommand('Developer: Reload Window')]);
  await vscode.page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
  frame = await vscode.frameOf('Trajectories');
  const restored = await vscode.until('the panel restored', shown, (d) => d.task === 'classification' && d.iteration === before.iteration, 45_000);
  assert.equal(restored.checksum, before.checksum, 'the same run and weights');
  assert.equal(restored.flows, before.flows);
  assert.deepEqual(cspViolations, []);
});
