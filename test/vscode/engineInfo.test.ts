// "Neural ODE: Show Engine Info" in a real VS Code: the packaged extension activates, its engine
// worker answers, and the notification names the version and the backend; the backend setting
// applies without a reload.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { repoRoot, VsCode } from './harness';

const { version } = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
let vscode: VsCode | undefined;

before(async () => {
  vscode = await VsCode.open({ name: 'engineInfo' });
}, { timeout: 120_000 });

after(() => vscode?.close());

test('Show Engine Info names the version and the selected backend', { timeout: 90_000 }, async () => {
  assert.ok(vscode);
  await vscode.runCommand('Neural ODE: Show Engine Info');
  const text = await vscode.waitForNotification(/Neural ODE Studio/);
  await vscode.expandNotification(/Neural ODE Studio/);
  await vscode.screenshot('engineInfo');
  assert.ok(text.includes(`Neural ODE Studio ${version}`), `version ${version} missing from "${text}"`);
  // This machine has no tfjs-node and no hardware WebGPU adapter: auto selects wasm (or cpu).
  assert.match(text, /engine backend: (wasm|cpu)\b/);
  assert.match(text, /tensorflow: not installed/);
});

test('the backend setting applies without a reload', { timeout: 90_000 }, async () => {
  assert.ok(vscode);
  vscode.setWorkspaceSettings({ 'neuralOde.engine.backend': 'cpu' });
  // The configuration service picks the file change up asynchronously: ask until it did.
  const deadline = Date.now() + 30_000;
  for (;;) {
    await vscode.runCommand('Neural ODE: Show Engine Info');
    try {
      const text = await vscode.waitForNotification(/engine backend: cpu\b/, { timeoutMs: 5_000, screenshotOnTimeout: false });
      assert.ok(text.includes(`Neural ODE Studio ${version}`));
      assert.match(text, /wasm: available/);
      break;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
  }
  await vscode.screenshot('engineInfo-cpu');
});
