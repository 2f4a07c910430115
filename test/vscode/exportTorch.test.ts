// "Neural ODE: Export Experiment to PyTorch" in a real VS Code: the spiral example is exported
// from the palette, "Train in Terminal" runs its train.py (PyTorch and torchdiffeq) in the
// integrated terminal, and the run it writes appears in the Runs view while the Training curves
// panel draws its loss growing, as for a run of the engine; the augmented classifier likewise,
// with its accuracy.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { repoRoot, VsCode } from './harness';

const PYTHON = '/usr/bin/python3';
const PEER = process.env.TORCHDIFFEQ_PATH ?? path.resolve(repoRoot, '..', 'shared', 'peers', 'torchdiffeq');
const missing = ((): string | null => {
  if (spawnSync(PYTHON, ['-c', 'import torch'], { timeout: 60_000 }).status !== 0) return `${PYTHON} cannot import torch: apt-get install python3-torch`;
  if (!fs.existsSync(path.join(PEER, 'torchdiffeq', '__init__.py'))) return `torchdiffeq not found at ${PEER}: set TORCHDIFFEQ_PATH`;
  return null;
})();

let vscode: VsCode | undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  if (missing) return;
  vscode = await VsCode.open({
    name: 'exportTorch',
    settings: {
      'workbench.colorTheme': 'Default Light Modern',
      // torchdiffeq for the terminal's python, as `pip install torchdiffeq` would give it
      'terminal.integrated.env.linux': { PYTHONPATH: PEER, OMP_NUM_THREADS: '1' },
    },
  });
}, { timeout: 120_000 });

after(async () => {
  await vscode?.close();
});

/**
 * Opens `<experiment>.ode.ts` and runs Export Experiment to PyTorch from the palette, clicking its
 * row (Enter can take a row of the list before it is filtered), into the folder it proposes,
 * `<experiment>-torch`. Returns the notification's text. The command asks for the folder in the
 * quick input, so the palette stays open: harness.runCommand, which waits for it to close, does
 * not fit.
 */
async function exportExperiment(vscode: VsCode, experiment: string): Promise<string> {
  const page = vscode.page;
  await vscode.openFile(`${experiment}.ode.ts`);
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await page.keyboard.press('F1');
  await input.fill('>Neural ODE: Export Experiment to PyTorch');
  const row = page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: /^Neural ODE: Export Experiment to PyTorch$/ }) }).first();
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  await row.click();
  await vscode.until('the folder asked for', () => input.inputValue(), (v) => v.endsWith(`${path.sep}${experiment}-torch`), 20_000);
  await page.keyboard.press('Enter');
  return vscode.waitForNotification(new RegExp(`exported ${experiment} to .*${experiment}-torch`), { timeoutMs: 60_000 });
}

/**
 * Clicks "Train in Terminal" on the export's notification and waits for the run train.py writes:
 * its folder, then its row in the (open) Runs view, which must notice it without a refresh.
 * Returns the run id (lower case, as run ids are).
 */
async function trainInTerminal(vscode: VsCode, experiment: string): Promise<string> {
  const toast = vscode.page.locator('.notifications-toasts .notification-toast', { hasText: `exported ${experiment}` }).first();
  await toast.locator('.monaco-button', { hasText: 'Train in Terminal' }).click();
  const runsRoot = path.join(vscode.workspace, '.neural-ode', 'runs');
  const name = experiment.toLowerCase();
  const runId = await vscode.until(`the PyTorch run of ${experiment} started`, async () => (fs.existsSync(runsRoot) ? fs.readdirSync(runsRoot).find((d) => d.includes(name)) : undefined), (id) => id !== undefined, 120_000);
  const rows = vscode.page.locator('.part.sidebar .monaco-list-row');
  await vscode.until(`${experiment}'s run in the Runs view`, async () => (await rows.allTextContents()).join('\n'), (text) => text.includes(experiment), 30_000);
  return runId!;
}

/** The loss curve's points per run in the Training curves panel. */
async function lossPoints(frame: FrameLocator): Promise<Record<string, number>> {
  const items = await frame.locator('section.chart-card[data-chart="loss"] li[data-series="loss"]').evaluateAll((lis) =>
    lis.map((li) => [li.getAttribute('data-run') ?? '', Number(li.getAttribute('data-points'))] as const),
  );
  return Object.fromEntries(items);
}

test('export the spiral from the palette, train it with PyTorch in the terminal, and watch its run in the Runs view and the curves', { timeout: 300_000 }, async (t) => {
  if (missing) return t.skip(missing);
  assert.ok(vscode);
  const done = await exportExperiment(vscode, 'spiral');
  assert.match(done, /mlpField \[2, 50, 2\] tanh/);
  assert.ok(fs.existsSync(path.join(vscode.workspace, 'spiral-torch', 'train.py')), 'train.py written beside the experiment');
  // The Runs view is open before the first run: it must notice .neural-ode/runs being created.
  const runsRoot = path.join(vscode.workspace, '.neural-ode', 'runs');
  assert.equal(fs.existsSync(runsRoot), false, 'no runs folder yet');
  await vscode.runCommand('Neural ODE: Focus on Runs View');
  // The run train.py writes shows in the Runs view, as an engine run does.
  const runId = await trainInTerminal(vscode, 'spiral');

  await vscode.openPanel('Neural ODE: Open Training Curves', 'Training Curves');
  const frame = await vscode.frameOf('Training Curves');
  const first = await vscode.until('its loss curve drawn', () => lossPoints(frame), (p) => (p[runId!] ?? 0) >= 2, 120_000);
  await sleep(3_000);
  const later = await vscode.until('its loss curve growing', () => lossPoints(frame), (p) => (p[runId!] ?? 0) > first[runId!], 60_000);
  assert.ok(later[runId!] > first[runId!], `${first[runId!]} → ${later[runId!]} points`);
  await vscode.screenshot('exportTorch-curves');
});

test('export the augmented classifier, train it in the terminal, and watch its accuracy in the curves', { timeout: 480_000 }, async (t) => {
  if (missing) return t.skip(missing);
  assert.ok(vscode);
  const page = vscode.page;
  // The spiral's PyTorch run would share the two cores: stop it first. Killed halfway, it writes
  // nothing more, and the Runs view says so; one that had finished stays finished.
  await vscode.runCommand('Terminal: Kill All Terminals');
  const runsRoot = path.join(vscode.workspace, '.neural-ode', 'runs');
  const spiral = fs.readdirSync(runsRoot).find((d) => /spiral/.test(d))!;
  await vscode.until('the spiral process gone', async () => spawnSync('pgrep', ['-f', 'spiral-torch/train.py']).status, (s) => s === 1, 20_000);
  const ended = fs.existsSync(path.join(runsRoot, spiral, 'result.json')) ? 'finished' : 'interrupted';
  await vscode.runCommand('Neural ODE: Focus on Runs View');
  const row = () => page.locator('.part.sidebar .monaco-list-row', { hasText: 'spiral' }).first().textContent();
  await vscode.until(`the killed spiral run shown ${ended}`, row, (text) => text?.includes(ended) ?? false, 20_000);
  await vscode.runCommand('View: Close All Editors');
  const done = await exportExperiment(vscode, 'circlesAugmented');
  assert.match(done, /augmented by 1 zero component/);
  const out = path.join(vscode.workspace, 'circlesAugmented-torch');
  assert.ok(fs.existsSync(path.join(out, 'readout.safetensors')), "the classifier's readout is written beside its field");
  const runId = await trainInTerminal(vscode, 'circlesAugmented');
  await vscode.openPanel('Neural ODE: Open Training Curves', 'Training Curves');
  const frame = await vscode.frameOf('Training Curves');
  const points = (series: string) => () =>
    frame.locator(`section.chart-card[data-chart="accuracy"] li[data-run="${runId}"][data-series="${series}"]`).evaluate((li) => Number(li.getAttribute('data-points')));
  await vscode.until('its batch accuracy drawn while it trains', points('accuracy'), (n) => n >= 2, 120_000);
  // It trains the experiment's 1000 iterations: every one has its batch accuracy, every 50th the accuracy on every point.
  await vscode.until('the run finished', async () => fs.existsSync(path.join(runsRoot, runId!, 'result.json')), (done) => done, 240_000);
  await vscode.until('every batch accuracy drawn', points('accuracy'), (n) => n === 1000, 30_000);
  assert.equal(await points('evalAccuracy')(), 20);
  // The Runs view says it finished (a file event, or its check of running runs every 3 s).
  const classifierRow = () => vscode!.page.locator('.part.sidebar .monaco-list-row', { hasText: 'circlesAugmented' }).first().textContent();
  await vscode.until('the classifier run shown finished', classifierRow, (text) => text?.includes('finished') ?? false, 20_000);
  await frame.locator('section.chart-card[data-chart="accuracy"]').scrollIntoViewIfNeeded();
  await vscode.screenshot('exportTorch-classifier-curves');
});
