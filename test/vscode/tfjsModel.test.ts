// The user's own TensorFlow.js model in a real VS Code: examples/pendulum.ode.ts (known physics
// plus a tfjs network) trained from the command palette, with the Vector field panel and the
// Solver inspector open on it: both draw the untrained model, follow the run, and end on the
// trained weights (the inspector's stability chart with h·λ of the autodiff Jacobian).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { VsCode } from './harness';

let vscode: VsCode | undefined;

before(async () => {
  vscode = await VsCode.open({ name: 'tfjsModel', settings: { 'workbench.colorTheme': 'Default Light Modern', 'neuralOde.training.iterations': 120 } });
}, { timeout: 120_000 });

after(async () => {
  await vscode?.close();
});

/** Makes pendulum.ode.ts the active editor (Quick Open does not bring forward an editor open in the background). */
async function focusExperiment(): Promise<void> {
  // Its tab in the first editor group (the panels open beside it), else the Explorer row.
  const tab = vscode!.page.locator('.editor-group-container').first().locator('.tabs-container .tab', { hasText: 'pendulum.ode.ts' });
  if ((await tab.count()) > 0) await tab.first().click();
  else await vscode!.page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'pendulum.ode.ts' }).first().click();
  await vscode!.page.locator('.tabs-container .tab.active', { hasText: 'pendulum.ode.ts' }).first().waitFor({ state: 'visible', timeout: 10_000 });
}

/** A screenshot with this panel's tab in front. */
async function shot(title: string, name: string): Promise<void> {
  await vscode!.frameOf(title);
  await new Promise((r) => setTimeout(r, 500));
  await vscode!.screenshot(name);
}

test('a tfjs model trains from the palette; the Vector field and the Solver inspector show it, then its trained weights', { timeout: 240_000 }, async () => {
  assert.ok(vscode);
  await vscode.openFile('pendulum.ode.ts');
  await vscode.openPanel('Neural ODE: Open Vector Field', 'Vector Field');
  const field = await vscode.until('the untrained field drawn', () => vscode!.dataset('Vector Field'), (d) => Number(d.arrows ?? 0) > 0 && d.checksum !== undefined && d.checksum !== '', 45_000);
  assert.equal(field.iteration, 'untrained');
  assert.ok(Number(field.ink) > 2_000, `non-background pixels: ${field.ink}`);
  assert.ok(Number(field.streamlines) > 10, `streamlines: ${field.streamlines}`);

  await focusExperiment();
  await vscode.openPanel('Neural ODE: Open Solver Inspector', 'Solver Inspector');
  const trace = await vscode.until('the untrained solve traced', () => vscode!.dataset('Solver Inspector'), (d) => Number(d.steps ?? 0) > 0, 45_000);
  assert.equal(trace.method, 'dopri5');

  await focusExperiment();
  await vscode.trainExperiment();
  const done = await vscode.waitForNotification(/pendulum finished — loss ([\d.e+-]+).* after 120 iterations/, { timeoutMs: 180_000 });
  // the compiled model trains 120 iterations in about a second: ms or s
  assert.match(done, /\(eval [\d.e+-]+\) after 120 iterations in [\d.]+ m?s$/);

  // Both panels follow the run to its last checkpoint.
  const trained = await vscode.until('the trained field drawn', () => vscode!.dataset('Vector Field'), (d) => d.iteration === '120', 45_000);
  assert.notEqual(trained.checksum, field.checksum, 'the trained field differs from the untrained one');
  assert.ok(Number(trained.arrows) > 0 && Number(trained.ink) > 2_000);
  await vscode.runCommand('Notifications: Clear All Notifications');
  await shot('Vector Field', 'tfjsModel-vectorField');

  // Both panels are tabs of one group, so only the one in front has a visible frame.
  const frame = await vscode.frameOf('Solver Inspector');
  const read = async () => ({
    status: (await frame.locator('.toolbar .status').textContent()) ?? '',
    steps: Number((await frame.locator('body').evaluate((b) => b.getAttribute('data-steps'))) ?? 0),
    // h·λ for both eigenvalues of the 2×2 Jacobian, which comes from autodiff for a tfjs model
    hLambda: (await frame.locator('section.chart-card[data-chart="stability"]').evaluateAll((els) => els.map((el) => el.getAttribute('data-h-lambda-points'))))[0],
  });
  const inspected = await vscode.until('the trained solve traced', read, (r) => /iteration 120/.test(r.status) && r.steps > 0 && r.hLambda === '2', 45_000);
  assert.match(inspected.status, /pendulum · \S+ · iteration 120/);
  await shot('Solver Inspector', 'tfjsModel-inspector');
});
