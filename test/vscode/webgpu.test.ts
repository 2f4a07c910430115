// The user's own TensorFlow.js model on the webgpu backend in a real VS Code: the setting asks
// for webgpu, the workspace has the `webgpu` package installed (as `npm install webgpu` there
// leaves it), and the pendulum example trains on the adapter (Mesa's software one without a
// GPU), the Vector field panel draws the model from the device and follows the run, and the
// Solver inspector, which evaluates one call at a time on the host, says what to do instead.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { repoRoot, VsCode } from './harness';

const root = repoRoot;
let vscode: VsCode | undefined;
let workspace: string | undefined;

before(async () => {
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-webgpu-ws-'));
  fs.cpSync(path.join(root, 'examples'), workspace, { recursive: true });
  fs.mkdirSync(path.join(workspace, 'node_modules'));
  fs.symlinkSync(path.join(root, 'node_modules', 'webgpu'), path.join(workspace, 'node_modules', 'webgpu'));
  vscode = await VsCode.open({
    name: 'webgpu',
    workspace,
    settings: { 'workbench.colorTheme': 'Default Light Modern', 'neuralOde.engine.backend': 'webgpu', 'neuralOde.training.iterations': 6 },
  });
}, { timeout: 120_000 });

after(async () => {
  await vscode?.close();
  if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
});

test('a tfjs model trains on webgpu from the palette; the Vector field draws it from the device; the inspector says to pick wasm', { timeout: 300_000 }, async () => {
  assert.ok(vscode);
  await vscode.runCommand('Neural ODE: Show Engine Info');
  const info = await vscode.waitForNotification(/engine backend: /, { timeoutMs: 60_000 });
  assert.match(info, /engine backend: webgpu/);
  await vscode.runCommand('Notifications: Clear All Notifications');

  await vscode.openFile('pendulum.ode.ts');
  await vscode.openPanel('Neural ODE: Open Vector Field', 'Vector Field');
  const untrained = await vscode.until('the untrained field drawn', () => vscode!.dataset('Vector Field'), (d) => Number(d.arrows ?? 0) > 0 && (d.checksum ?? '') !== '', 90_000);
  assert.equal(untrained.iteration, 'untrained');

  await vscode.page.locator('.tabs-container .tab', { hasText: 'pendulum.ode.ts' }).first().click();
  await vscode.trainExperiment();
  const done = await vscode.waitForNotification(/pendulum finished — loss ([\d.e+-]+).* after 6 iterations/, { timeoutMs: 180_000 });
  assert.match(done, /after 6 iterations/);

  const trained = await vscode.until('the trained field drawn', () => vscode!.dataset('Vector Field'), (d) => d.iteration === '6', 90_000);
  assert.notEqual(trained.checksum, untrained.checksum, 'the trained field differs from the untrained one');
  assert.ok(Number(trained.ink) > 2_000, `non-background pixels: ${trained.ink}`);
  await vscode.runCommand('Notifications: Clear All Notifications');
  await vscode.screenshot('webgpu-vectorField');

  await vscode.page.locator('.tabs-container .tab', { hasText: 'pendulum.ode.ts' }).first().click();
  await vscode.openPanel('Neural ODE: Open Solver Inspector', 'Solver Inspector');
  const frame = await vscode.frameOf('Solver Inspector');
  const notice = await vscode.until(
    'the inspector says why',
    async () => (await frame.locator('.notice').textContent()) ?? '',
    (text) => /Solver Inspector evaluates the model one call at a time/.test(text),
    60_000,
  );
  assert.match(notice, /runs on the GPU \(backend 'webgpu'\).*select the 'wasm' backend/);
  await vscode.screenshot('webgpu-inspector');
});
