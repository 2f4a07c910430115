// F5 in an experiment file of a workspace without a launch.json, in a real VS Code: VS Code's
// own F5 would ask which debugger to use (TypeScript files also have the JavaScript one); the
// extension's F5 starts the solve debugger at once, stops before the first step and shows the
// Run and Debug view with the call stack.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { VsCode } from './harness';

let vscode: VsCode | undefined;

before(async () => {
  vscode = await VsCode.open({ name: 'f5', settings: { 'workbench.colorTheme': 'Default Light Modern' } });
}, { timeout: 120_000 });

after(async () => {
  await vscode?.close();
});

test('F5 on spiral.ode.ts without a launch.json starts the solve debugger at once and shows Run and Debug', { timeout: 150_000 }, async () => {
  assert.ok(vscode);
  const { page } = vscode;
  const launchJson = path.join(vscode.workspace, '.vscode', 'launch.json');
  assert.equal(fs.existsSync(launchJson), false, 'the workspace has no launch.json');

  await vscode.openFile('spiral.ode.ts');
  const debugView = page.locator('.part.sidebar [id="workbench.view.debug"]');
  assert.equal(await debugView.isVisible(), false, 'Run and Debug is not shown before F5');

  // Whatever F5 opens, it must not be VS Code's "Select debugger" pick.
  const picks: string[] = [];
  const quickInput = page.locator('.quick-input-widget');
  const notePick = async () => {
    if (await quickInput.isVisible()) picks.push(((await quickInput.textContent()) ?? '').trim());
  };
  const callStack = page.locator('.debug-call-stack .monaco-list-row');
  const frames = async (): Promise<string[]> => {
    await notePick();
    return (await callStack.allTextContents()).map((s) => s.trim());
  };
  const onEntry = (f: string[]): boolean => f.some((x) => /before step 1/.test(x));

  const editor = page.locator('.editor-instance .monaco-editor .view-lines').first();
  await editor.click();
  const pressed = Date.now();
  await page.keyboard.press('F5');
  // A press that arrives while the extension is still activating starts nothing: press once more.
  let stopped = await vscode.until('the debugger stopped on entry', frames, onEntry, 20_000).catch(() => null);
  if (!stopped) {
    assert.deepEqual(picks, [], 'no quick pick after the first F5');
    await editor.click();
    await page.keyboard.press('F5');
    stopped = await vscode.until('the debugger stopped on entry', frames, onEntry, 40_000);
  }
  console.log(`# F5 to stopped on entry: ${Date.now() - pressed} ms`);
  assert.ok(stopped.some((x) => /sample 0 of spiral/.test(x)), JSON.stringify(stopped));
  await page.locator('.debug-toolbar').waitFor({ state: 'visible', timeout: 10_000 });
  await debugView.waitFor({ state: 'visible', timeout: 10_000 });
  // The Call Stack's header says why the session stopped: on entry, before the first step.
  const header = page.locator('.pane-header', { hasText: /call stack/i }).first();
  assert.match((await header.textContent()) ?? '', /before step 1 at t = 0/i);
  await notePick();
  assert.deepEqual(picks, [], 'no "Select debugger" (nor any other) quick pick');
  assert.equal(fs.existsSync(launchJson), false, 'F5 wrote no launch.json');
  await vscode.screenshot('f5-stopped-on-entry');

  await page.keyboard.press('Shift+F5');
  await vscode.until('the session ended', async () => page.locator('.debug-toolbar').isVisible(), (v) => !v, 30_000);
});
