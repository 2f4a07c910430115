// A workspace of the user's own, without the engine installed: the editor cannot resolve
// 'neural-ode-studio' in an experiment file, the extension offers its typings, and once they are
// added the import resolves and TypeScript checks the file (a wrong option is flagged).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { repoRoot, VsCode } from './harness';

/** The Problems panel's rows, as text. */
async function problemRows(vscode: VsCode): Promise<string> {
  return (await vscode.page.locator('.markers-panel .monaco-list-row').allTextContents()).join(' | ');
}

describe('engine typings in a workspace of their own', () => {
  let vscode: VsCode | undefined;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-typings-'));
  after(async () => {
    await vscode?.close();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  test('the unresolved import is noticed, Add Typings fixes it, and the file is type-checked', { timeout: 180_000 }, async () => {
    fs.copyFileSync(path.join(repoRoot, 'examples', 'spiral.ode.ts'), path.join(folder, 'spiral.ode.ts'));
    vscode = await VsCode.open({ name: 'typings', workspace: folder });
    await vscode.openFile('spiral.ode.ts');
    await vscode.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    await vscode.until('TypeScript reports the unresolved import', () => problemRows(vscode!), (rows) => rows.includes("Cannot find module 'neural-ode-studio'"), 90_000);

    const offer = await vscode.waitForNotification(/imports 'neural-ode-studio', which this workspace cannot resolve/, { timeoutMs: 30_000 });
    assert.match(offer, /Add the engine's typings\?/);
    await vscode.screenshot('typings-offer');
    await vscode.page.locator('.notifications-toasts .notification-toast .monaco-button', { hasText: 'Add Typings' }).first().click();

    const config = path.join(vscode.workspace, 'tsconfig.json');
    await vscode.until('tsconfig.json is written', async () => fs.existsSync(config), (exists) => exists);
    assert.ok(fs.existsSync(path.join(vscode.workspace, '.neural-ode', 'types', 'neural-ode-studio', 'index.d.ts')));
    await vscode.until('the import resolves', () => problemRows(vscode!), (rows) => !rows.includes("Cannot find module 'neural-ode-studio'"), 90_000);
    await vscode.screenshot('typings-added');

    // The declarations carry real types: a wrong option in the experiment is an error at its place.
    const file = path.join(vscode.workspace, 'spiral.ode.ts');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace("sizes: [2, 50, 2]", "sizes: '2-50-2'"));
    await vscode.until('a type error on sizes', () => problemRows(vscode!), (rows) => /Type 'string' is not assignable to type 'readonly number\[\]'/.test(rows), 60_000);
    await vscode.screenshot('typings-type-error');
  });
});
