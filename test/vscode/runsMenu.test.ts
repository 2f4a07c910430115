// The Runs view's context menu in a real VS Code: Export Weights writes a safetensors file
// through VS Code's own save dialog, Name, Tag or Note labels the run, and Delete asks first,
// then removes the run's folder.
// The run is made from the command line before VS Code opens the folder.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { repoRoot, VsCode } from './harness';

/** Right-clicks the (only) run's row in the Runs view and picks a context-menu entry by its label. */
async function contextMenu(vscode: VsCode, label: string): Promise<void> {
  await vscode.runCommand('Neural ODE: Focus on Runs View');
  const row = vscode.page.locator('.part.sidebar .monaco-list-row').filter({ hasText: 'spiral' }).first();
  await row.waitFor({ state: 'visible', timeout: 20_000 });
  await row.click({ button: 'right' });
  const item = vscode.page.locator('.context-view .action-item .action-label', { hasText: new RegExp(`^${label}$`) }).first();
  await item.waitFor({ state: 'visible', timeout: 10_000 });
  // The menu fades in; a click during the fade can be lost.
  await item.hover();
  await new Promise((r) => setTimeout(r, 300));
  await vscode.screenshot(`context-menu-${label.toLowerCase().replace(/\W+$/, '').replace(/\W+/g, '-')}`);
  await item.click();
}

/** Delete Run… from the context menu until its confirmation shows (a menu may close on a lost click). */
async function openDialog(vscode: VsCode, dialog: ReturnType<VsCode['page']['locator']>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await contextMenu(vscode, 'Delete Run…');
    try {
      await dialog.waitFor({ state: 'visible', timeout: 5_000 });
      return;
    } catch (err) {
      if (attempt === 3) throw err;
      await vscode.page.keyboard.press('Escape');
    }
  }
}

describe('the Runs view context menu', () => {
  let vscode: VsCode | undefined;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-runsmenu-'));
  after(async () => {
    await vscode?.close();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  test('Export Weights saves a safetensors file where the dialog says; Delete confirms, then removes the run', { timeout: 180_000 }, async () => {
    fs.cpSync(path.join(repoRoot, 'examples'), folder, { recursive: true });
    const cli = spawnSync(process.execPath, [path.join(repoRoot, 'dist', 'cli.js'), 'train', 'spiral.ode.ts', '--iterations', '3', '--json'], { cwd: folder, encoding: 'utf8' });
    assert.equal(cli.status, 0, cli.stderr);
    const runId = fs.readdirSync(path.join(folder, '.neural-ode', 'runs'))[0];
    vscode = await VsCode.open({ name: 'runs-menu', workspace: folder });
    const runDir = path.join(vscode.workspace, '.neural-ode', 'runs', runId);

    // Export Weights: the save dialog (VS Code's simple file dialog in the browser) takes a path.
    await contextMenu(vscode, 'Export Weights');
    const pathInput = vscode.page.locator('.quick-input-widget .quick-input-box input');
    // The dialog fills in its default (the run's folder) asynchronously: wait for it, then replace it.
    await vscode.until('the save dialog offers the run folder', () => pathInput.inputValue(), (v) => v.endsWith('model.safetensors'));
    const target = path.join(vscode.workspace, 'exported.safetensors');
    await pathInput.fill(target);
    await vscode.until('the save dialog takes the path', () => pathInput.inputValue(), (v) => v === target);
    await vscode.screenshot('export-save-dialog');
    await vscode.page.locator('.quick-input-widget .monaco-button', { hasText: 'OK' }).click();
    const done = await vscode.waitForNotification(/exported the weights of run/, { timeoutMs: 30_000 });
    assert.match(done, new RegExp(`exported the weights of run ${runId} \\(iteration 3\\) to .*exported\\.safetensors`));
    await vscode.screenshot('export-done');
    // A safetensors file: an 8-byte little-endian header length, a JSON header naming the MLP's tensors.
    const bytes = fs.readFileSync(target);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, { dtype: string; shape: number[] }>;
    assert.deepEqual(header['0.weight']?.shape, [50, 2]);
    assert.deepEqual(header['2.weight']?.shape, [2, 50]);
    assert.equal(bytes.length, 8 + headerLength + (50 * 2 + 50 + 2 * 50 + 2) * (header['0.weight'].dtype === 'F64' ? 8 : 4));

    // Name, Tag or Note…: three input boxes; the run's row and config.json take them.
    await contextMenu(vscode, 'Name, Tag or Note…');
    const input = vscode.page.locator('.quick-input-widget .quick-input-box input');
    for (const [prompt, value] of [['A name for this run', 'wide lr'], ['Tags', 'sweep, lr'], ['A note', 'lr 3e-2']]) {
      await vscode.page.locator('.quick-input-widget .quick-input-message', { hasText: prompt }).waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill(value);
      await vscode.page.keyboard.press('Enter');
    }
    await vscode.until(
      'the row shows the run name',
      async () => (await vscode!.page.locator('.part.sidebar .monaco-list-row').allTextContents()).join(' | '),
      (rows) => rows.includes('spiral · wide lr'),
    );
    const labelled = JSON.parse(fs.readFileSync(path.join(runDir, 'config.json'), 'utf8')).config;
    assert.deepEqual([labelled.runName, labelled.tags, labelled.note, labelled.name], ['wide lr', ['sweep', 'lr'], 'lr 3e-2', 'spiral']);
    await vscode.screenshot('run-named');

    // Delete: a modal asks; Cancel keeps the run, Delete removes it and the row goes.
    const dialog = vscode.page.locator('.monaco-dialog-box');
    await openDialog(vscode, dialog);
    assert.match((await dialog.textContent()) ?? '', new RegExp(`Delete run ${runId}`));
    await vscode.screenshot('delete-confirm');
    await dialog.locator('.monaco-button', { hasText: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
    assert.ok(fs.existsSync(runDir), 'Cancel deleted the run');

    await openDialog(vscode, dialog);
    await dialog.locator('.monaco-button', { hasText: /^Delete$/ }).click();
    await vscode.until('the run folder is removed', async () => fs.existsSync(runDir), (exists) => !exists);
    await vscode.until(
      'the Runs view no longer lists the run',
      async () => (await vscode!.page.locator('.part.sidebar .monaco-list-row').allTextContents()).join(' | '),
      (rows) => !rows.includes('spiral'),
    );
    await vscode.screenshot('deleted');
  });
});
