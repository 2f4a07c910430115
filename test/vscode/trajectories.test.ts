// "Neural ODE: Open Trajectories" in a real VS Code on a copy of examples/: the untrained spiral
// model's y(t) per component and its phase portrait against the data (point counts read from the
// webview's data attributes), then a run of the experiment writing a checkpoint of other weights,
// which the panel follows (the predicted trajectory changes). Screenshots in light and dark themes.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { mapInput, mlpField, spiral } from '../../engine/src/index';
import { createRun, defaultRunsRoot, finishRun } from '../../engine/src/train';
import { VsCode } from './harness';

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
    })),
  );
  return {
    components: Number(body.components ?? 0),
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
  await vscode.runCommand('Neural ODE: Open Trajectories');
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

test('the panel follows the colour theme', { timeout: 60_000 }, async () => {
  assert.ok(vscode);
  vscode.setWorkspaceSettings({ 'workbench.colorTheme': 'Default Dark Modern' });
  await vscode!.until('a dark body', () => frame.locator('body').getAttribute('class'), (c) => /\bvscode-dark\b/.test(c ?? ''), 30_000);
  await new Promise((r) => setTimeout(r, 500));
  const dark = await shown();
  assert.equal(dark.components, 2, 'the same data after the theme change');
  await vscode.screenshot('trajectories-dark');
});
