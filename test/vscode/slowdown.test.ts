// The slowdown doctor in a real VS Code: a run whose learned relaxation grows ever faster (so its
// explicit solver's NFE climbs) is trained from the palette; a warning notification says it is
// slowing down and where, the Problems panel marks the experiment, the Training curves say so,
// and the notification's first suggestion edits the experiment file as announced.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { repoRoot, VsCode } from './harness';


let vscode: VsCode | undefined;
let workspace: string | undefined;

before(async () => {
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-slowdown-ws-'));
  fs.copyFileSync(path.join(repoRoot, 'examples', 'tsconfig.json'), path.join(workspace, 'tsconfig.json'));
  fs.copyFileSync(path.join(repoRoot, 'test', 'fixtures', 'experiments', 'stiffening.ode.ts'), path.join(workspace, 'stiffening.ode.ts'));
  vscode = await VsCode.open({ name: 'slowdown', workspace, settings: { 'workbench.colorTheme': 'Default Light Modern' } });
}, { timeout: 120_000 });

after(async () => {
  await vscode?.close();
  if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
});

test('a run that slows down is said so, in the notification, the Problems panel and the curves, and its quick fix edits the experiment', { timeout: 240_000 }, async () => {
  assert.ok(vscode);
  const page = vscode.page;
  await vscode.openFile('stiffening.ode.ts');
  await vscode.trainExperiment();
  const said = await vscode.waitForNotification(/stiffening: The run is slowing down/, { timeoutMs: 120_000 });
  assert.match(said, /function evaluations per iteration at iteration \d+, [\d.]+× the \d+ of its first iterations\. The trained model's steps shrink to h = .* for t in \[/);
  assert.match(said, /Try: regularise the dynamics \(kinetic and Jacobian, λ = 0\.01\)/);
  await vscode.waitForNotification(/stiffening finished/, { timeoutMs: 120_000 });

  // the Problems panel marks the experiment's spec with the same finding
  await vscode.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
  await vscode.until('the finding in Problems', async () => (await page.locator('.markers-panel .monaco-list-row').allTextContents()).join('\n'), (t) => /The run is slowing down/.test(t), 30_000);

  // the Training curves say it above the charts
  await vscode.openPanel('Neural ODE: Open Training Curves', 'Training Curves');
  const frame = await vscode.frameOf('Training Curves');
  await vscode.until('the curves say so', async () => (await frame.locator('body').textContent()) ?? '', (t) => /The run is slowing down/.test(t), 30_000);
  await vscode.screenshot('slowdown-curves');

  // the notification's first suggestion edits the spec
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'The run is slowing down' }).first();
  if (!(await toast.isVisible())) await vscode.runCommand('Notifications: Show Notifications');
  const center = page.locator('.notification-toast, .notifications-center .monaco-list-row').filter({ hasText: 'The run is slowing down' }).first();
  await center.locator('.monaco-button', { hasText: 'Regularise the dynamics' }).click();
  const file = path.join(vscode.workspace, 'stiffening.ode.ts');
  // the edited file is the active editor: saved (the workbench may save by itself), it holds the change as the suggestion said
  await vscode.runCommand('File: Save');
  await vscode.screenshot('slowdown-fixed');
  await vscode.until('saved', async () => fs.readFileSync(file, 'utf8'), (t) => /train: \{\n {4}regularize: \{ kinetic: 0\.01, jacobian: 0\.01 \},\n {4}iterations: 25,/.test(t), 20_000);

  // trained again, the run logs both terms, and the Training curves draw them in their own chart
  const runsRoot = path.join(vscode.workspace, '.neural-ode', 'runs');
  const finished = () => fs.readdirSync(runsRoot).filter((id) => fs.existsSync(path.join(runsRoot, id, 'result.json')));
  await vscode.runCommand('Notifications: Clear All Notifications');
  await page.locator('.tabs-container .tab', { hasText: 'stiffening.ode.ts' }).first().click();
  await vscode.trainExperiment();
  await vscode.until('the regularised run finished', async () => finished().length, (n) => n === 2, 120_000);
  // opened anew, the panel shows the newest run
  await vscode.runCommand('View: Close All Editors');
  await vscode.openPanel('Neural ODE: Open Training Curves', 'Training Curves');
  const curves = await vscode.frameOf('Training Curves');
  const terms = async () =>
    curves.locator('section.chart-card[data-chart="regularizers"] li').evaluateAll((lis) => lis.map((li) => `${li.getAttribute('data-series')}:${li.getAttribute('data-points')}`));
  const drawn = await vscode.until('the regularisers drawn', terms, (t) => t.includes('kinetic:25') && t.includes('jacobian:25'), 60_000);
  assert.ok(drawn.length >= 2, JSON.stringify(drawn));
  await curves.locator('section.chart-card[data-chart="regularizers"]').scrollIntoViewIfNeeded();
  await vscode.screenshot('slowdown-regularizers');
});
