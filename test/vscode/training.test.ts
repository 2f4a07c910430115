// Training from the command palette in a real VS Code (the packaged .vsix, so experiment files
// are bundled by esbuild-wasm): the status bar follows the run, Stop keeps it, Resume finishes
// it, the Runs view lists it with its loss and the Training curves panel shows its real points;
// in Restricted Mode training is refused with the reason while the Runs view still lists a run
// made from the command line.
//
// The iteration count comes from the setting neuralOde.training.iterations (250 here, so a
// stop lands mid-way), set in the user settings this VS Code starts with.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { repoRoot, VsCode } from './harness';

const ITERATIONS = 250;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The text of the training status-bar item once it matches, polling. */
async function statusBar(vscode: VsCode, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  const items = vscode.page.locator('.part.statusbar .statusbar-item');
  const deadline = Date.now() + timeoutMs;
  let seen: string[] = [];
  while (Date.now() < deadline) {
    seen = (await items.allTextContents()).map((t) => t.trim());
    const hit = seen.find((t) => pattern.test(t));
    if (hit) return hit;
    await sleep(100);
  }
  await vscode.screenshot('statusbar-timeout');
  throw new Error(`No status-bar item matched ${pattern} within ${timeoutMs / 1000} s; seen: ${JSON.stringify(seen)}; the log ends:\n${vscode.extensionLog().split('\n').slice(-10).join('\n')}`);
}

/** Runs a palette command that answers with its own quick pick (harness.runCommand waits for the palette to close). */
async function runPickCommand(vscode: VsCode, title: string): Promise<void> {
  const input = vscode.page.locator('.quick-input-widget .quick-input-box input');
  await vscode.page.keyboard.press('F1');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${title}`);
  await vscode.page.locator('.quick-input-list .monaco-list-row .label-name', { hasText: title }).first().waitFor({ state: 'visible', timeout: 10_000 });
  await vscode.page.keyboard.press('Enter');
}

/** The rows of the Runs view (opened through its focus command). */
async function runsViewRows(vscode: VsCode, pattern: RegExp, timeoutMs = 20_000): Promise<string[]> {
  await vscode.runCommand('Neural ODE: Focus on Runs View');
  const rows = vscode.page.locator('.part.sidebar .monaco-list-row');
  const deadline = Date.now() + timeoutMs;
  let seen: string[] = [];
  while (Date.now() < deadline) {
    seen = (await rows.allTextContents()).map((t) => t.trim());
    if (seen.some((t) => pattern.test(t))) return seen;
    await sleep(200);
  }
  await vscode.screenshot('runsview-timeout');
  throw new Error(`No Runs view row matched ${pattern} within ${timeoutMs / 1000} s; rows: ${JSON.stringify(seen)}`);
}

describe('training in a trusted workspace', () => {
  let vscode: VsCode | undefined;
  after(() => vscode?.close());

  test('train, stop mid-way, resume to the end; the Runs view lists the run with its loss', { timeout: 240_000 }, async () => {
    vscode = await VsCode.open({ name: 'training', settings: { 'neuralOde.training.iterations': ITERATIONS } });
    await vscode.openFile('spiral.ode.ts');
    await vscode.trainExperiment();

    // Live progress in the status bar: iteration, loss, NFE.
    const live = await statusBar(vscode, new RegExp(`spiral it (\\d+)/${ITERATIONS} · loss [\\d.e+-]+ · NFE \\d+/\\d+`));
    await vscode.screenshot('training-progress');
    const firstSeen = Number(/spiral it (\d+)\//.exec(live)![1]);
    assert.ok(firstSeen >= 1 && firstSeen < ITERATIONS);

    await vscode.runCommand('Neural ODE: Stop Training');
    const stopped = await vscode.waitForNotification(/spiral stopped at it \d+\/\d+/, { timeoutMs: 30_000 });
    const keptAt = Number(/stopped at it (\d+)/.exec(stopped)![1]);
    assert.ok(keptAt >= firstSeen && keptAt < ITERATIONS, `stopped at ${keptAt} (first seen ${firstSeen}) of ${ITERATIONS}`);
    const runId = fs.readdirSync(path.join(vscode.workspace, '.neural-ode', 'runs'))[0];
    await vscode.screenshot('training-stopped');
    const cancelledRows = await runsViewRows(vscode, /cancelled · loss/);
    assert.ok(cancelledRows.some((r) => r.includes(`it ${keptAt}/${ITERATIONS}`)), JSON.stringify(cancelledRows));

    // Resume from the palette: the one saved run is picked, and it trains to the end.
    await runPickCommand(vscode, 'Neural ODE: Resume Run');
    const pick = vscode.page.locator('.quick-input-list .monaco-list-row', { hasText: runId });
    await pick.first().waitFor({ state: 'visible', timeout: 10_000 });
    await pick.first().click();
    const resumed = await statusBar(vscode, new RegExp(`spiral it (\\d+)/${ITERATIONS} · loss`));
    assert.ok(Number(/spiral it (\d+)\//.exec(resumed)![1]) > keptAt, `resumed at "${resumed}", kept ${keptAt}`);
    // A resumed run says which iterations this training did.
    const done = await vscode.waitForNotification(new RegExp(`spiral finished — loss ([\\d.e+-]+).* after iterations ${keptAt + 1}–${ITERATIONS}`), { timeoutMs: 90_000 });
    const loss = /finished — loss ([\d.e+-]+)/.exec(done)![1];
    await vscode.screenshot('training-finished');

    const rows = await runsViewRows(vscode, /finished · loss/);
    const row = rows.find((r) => r.includes('finished'));
    assert.ok(row?.includes(`loss ${loss}`), `the Runs view row "${row}" lacks the final loss ${loss}`);
    assert.ok(row?.includes(`it ${ITERATIONS}/${ITERATIONS}`), row);
    await vscode.screenshot('runs-view');

    // The Training curves panel shows the run's real points: one loss per iteration, the last one the run's.
    await vscode.openPanel('Neural ODE: Open Training Curves', 'Training Curves');
    const curves = await vscode.frameOf('Training Curves');
    const lossCurve = () =>
      curves.locator(`section.chart-card[data-chart="loss"] li[data-run="${runId}"][data-series="loss"]`).evaluate((li) => ({
        points: Number(li.getAttribute('data-points')),
        lastIteration: Number(li.getAttribute('data-last-iteration')),
        lastValue: Number(li.getAttribute('data-last-value')),
      }));
    const shown = await vscode.until('the run in the curves panel', lossCurve, (c) => c.points === ITERATIONS, 30_000);
    assert.equal(shown.lastIteration, ITERATIONS);
    await vscode.screenshot('training-curves');

    // The files agree: one metrics line per iteration, despite the stop.
    const runDir = path.join(vscode.workspace, '.neural-ode', 'runs', runId);
    const lines = fs.readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n');
    assert.deepEqual(lines.map((l) => (JSON.parse(l) as { iteration: number }).iteration), Array.from({ length: ITERATIONS }, (_, i) => i + 1));
    assert.equal(shown.lastValue, (JSON.parse(lines[lines.length - 1]) as { loss: number }).loss, "the chart's last loss is the run's");
    assert.equal((JSON.parse(fs.readFileSync(path.join(runDir, 'result.json'), 'utf8')) as { status: string }).status, 'finished');
  });
});

describe('training in Restricted Mode', () => {
  let vscode: VsCode | undefined;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-restricted-'));
  after(async () => {
    await vscode?.close();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  test('Train Experiment explains why it does not run, and the Runs view lists a saved run', { timeout: 150_000 }, async () => {
    fs.cpSync(path.join(repoRoot, 'examples'), folder, { recursive: true });
    // A run made in a terminal, before VS Code opens the folder.
    const cli = spawnSync(process.execPath, [path.join(repoRoot, 'dist', 'cli.js'), 'train', 'spiral.ode.ts', '--iterations', '2', '--json'], { cwd: folder, encoding: 'utf8' });
    assert.equal(cli.status, 0, cli.stderr);
    vscode = await VsCode.open({ name: 'training-restricted', workspace: folder, restricted: true });
    await vscode.openFile('spiral.ode.ts');
    await vscode.runCommand('Neural ODE: Train Experiment');
    const text = await vscode.waitForNotification(/Restricted Mode/);
    assert.match(text, /Train Experiment runs the experiment's code, and this workspace is in Restricted Mode, so nothing was run/);
    const action = vscode.page.locator('.notifications-toasts .notification-toast .monaco-button', { hasText: 'Manage Workspace Trust' });
    assert.equal(await action.count(), 1);
    await vscode.screenshot('restricted-train-refused');
    const rows = await runsViewRows(vscode, /finished · loss/);
    assert.ok(rows.some((r) => r.includes('spiral') && r.includes('it 2')), JSON.stringify(rows));
    assert.equal(fs.readdirSync(path.join(vscode.workspace, '.neural-ode', 'runs')).length, 1, 'a run was started in Restricted Mode');
    await vscode.screenshot('restricted-runs-view');
  });
});
