// The panels of an experiment show its latest run by default, in a real VS Code: a Vector field
// opened before training is untrained, follows the run started from the palette and ends on
// its last checkpoint; a Solver inspector opened afterwards traces the trained weights; the
// weights picker in its header switches to the untrained model, the run's best checkpoint
// (the iteration result.json names) and back to the latest.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { defaultRunsRoot } from '../../engine/src/train';
import { VsCode } from './harness';

const ITERATIONS = 60;
let vscode: VsCode | undefined;

before(async () => {
  vscode = await VsCode.open({ name: 'latestRun', settings: { 'neuralOde.training.iterations': ITERATIONS } });
}, { timeout: 120_000 });

after(() => vscode?.close());

const bodyData = (frame: FrameLocator) => frame.locator('body').evaluate((b) => ({ ...(b as unknown as { dataset: Record<string, string> }).dataset }));

/** Picks weights in a panel's header picker, as a change of its select. */
async function pickWeights(frame: FrameLocator, value: string): Promise<void> {
  await frame.locator('[data-role="weights"]').evaluate((el, v) => {
    (el as unknown as { value: string }).value = v;
    el.dispatchEvent(new Event('change'));
  }, value);
}

let runId = '';

test('a Vector field opened before training follows the run started from the palette to its last checkpoint', { timeout: 150_000 }, async () => {
  assert.ok(vscode);
  await vscode.openFile('spiral.ode.ts');
  await vscode.openPanel('Neural ODE: Open Vector Field', 'Vector Field');
  const field = await vscode.frameOf('Vector Field');
  const before = await vscode.until('the untrained field', () => bodyData(field), (d) => d.iteration === 'untrained' && d.weights === 'latest', 30_000);
  assert.equal(before.weights, 'latest', 'the picker starts on the latest run');
  // Focus the editor (the panel opened beside it), so that Train Experiment trains its file.
  await vscode.page.locator('.editor-group-container .monaco-editor .view-lines').first().click();
  await vscode.trainExperiment();
  const done = await vscode.waitForNotification(/spiral finished/, { timeoutMs: 120_000 });
  const runs = fs.readdirSync(defaultRunsRoot(vscode.workspace));
  assert.equal(runs.length, 1, `${done}: ${runs.join(', ')}`);
  runId = runs[0];
  const trained = await vscode.until('the last checkpoint shown', () => bodyData(field), (d) => d.iteration === String(ITERATIONS), 30_000);
  assert.equal(trained.weights, 'latest');
  await vscode.screenshot('latestRun-vectorField');
  // The notification's button opens the run's training curves.
  assert.match(done, /spiral finished — loss [\d.e+-]+ \(eval [\d.e+-]+\) after 60 iterations in /);
  await vscode.page.locator('.notifications-toasts .monaco-button', { hasText: 'Open Training Curves' }).first().click();
  await vscode.page.locator('.tab', { hasText: 'Training Curves' }).first().waitFor({ state: 'visible', timeout: 15_000 });
  // Back to the editor (the palette does not open while a webview holds the focus).
  await vscode.page.locator('.editor-group-container .monaco-editor .view-lines').first().click();
});

test("the Solver inspector opened after training traces the run's weights; the picker switches to untrained, best and back", { timeout: 90_000 }, async () => {
  assert.ok(vscode && runId);
  const result = JSON.parse(fs.readFileSync(path.join(defaultRunsRoot(vscode.workspace), runId, 'result.json'), 'utf8')) as { bestIteration: number };
  assert.ok(Number.isInteger(result.bestIteration), 'the run kept a best checkpoint');
  await vscode.openFile('spiral.ode.ts');
  await vscode.openPanel('Neural ODE: Open Solver Inspector', 'Solver Inspector');
  const inspector = await vscode.frameOf('Solver Inspector');
  const status = () => inspector.locator('.toolbar .status').textContent();
  await vscode.until('the trained weights traced', status, (s) => (s ?? '').includes(`${runId} · iteration ${ITERATIONS}`), 30_000);
  const options = await inspector.locator('[data-role="weights"] vscode-option').allTextContents();
  assert.deepEqual(options.slice(0, 3).map((o) => o.split(' (')[0]), ['Latest run', 'Best checkpoint', 'Untrained']);
  assert.ok(options.some((o) => o.endsWith('· best checkpoint')), JSON.stringify(options));
  await vscode.screenshot('latestRun-inspector');

  await pickWeights(inspector, 'untrained');
  await vscode.until('the untrained model traced', status, (s) => (s ?? '').includes('untrained'), 30_000);
  await pickWeights(inspector, 'best');
  await vscode.until('the best checkpoint traced', status, (s) => (s ?? '').includes(`${runId}@best · iteration ${result.bestIteration}`), 30_000);
  assert.equal((await bodyData(inspector)).weights, 'best');
  await pickWeights(inspector, 'latest');
  await vscode.until('the latest checkpoint again', status, (s) => (s ?? '').includes(`${runId} · iteration ${ITERATIONS}`), 30_000);
});
