// The harness itself, on what VS Code ships: Quick Open, a command with a `when` clause, and
// the content of a webview panel (the Markdown preview), as every panel test will read its own.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { VsCode } from './harness';

const heading = `Harness check ${process.pid}`;
const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-harness-'));
let vscode: VsCode | undefined;

before(async () => {
  fs.writeFileSync(path.join(folder, 'notes.md'), `# ${heading}\n\nA Markdown file whose preview is a webview.\n`);
  vscode = await VsCode.open({ name: 'harness', workspace: folder });
}, { timeout: 120_000 });

after(async () => {
  await vscode?.close();
  fs.rmSync(folder, { recursive: true, force: true });
});

test('frameOf reads the content of a webview panel', { timeout: 90_000 }, async () => {
  assert.ok(vscode);
  await vscode.openFile('notes.md');
  await vscode.runCommand('Markdown: Open Preview to the Side');
  const frame = await vscode.frameOf('Preview notes.md');
  const text = await frame.locator('h1').first().textContent({ timeout: 30_000 });
  assert.equal(text?.trim(), heading);
  await vscode.screenshot('markdownPreview');
});
