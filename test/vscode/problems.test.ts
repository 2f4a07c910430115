// Editing an experiment in a real VS Code: the CodeLens above defineExperiment, a saved syntax
// error in the Problems panel at its line (source "Neural ODE"), gone once the fix is saved;
// then a run started from the lens, with the extension host's event-loop delay while it
// trained, as the "Neural ODE" log records it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { repoRoot, VsCode } from './harness';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The rows of the Problems panel, polled until `done` accepts them. */
async function problems(vscode: VsCode, done: (rows: string[]) => boolean, timeoutMs = 30_000): Promise<string[]> {
  const rows = vscode.page.locator('.markers-panel .monaco-list-row');
  const deadline = Date.now() + timeoutMs;
  let seen: string[] = [];
  while (Date.now() < deadline) {
    seen = (await rows.allTextContents()).map((t) => t.trim());
    if (done(seen)) return seen;
    await sleep(200);
  }
  await vscode.screenshot('problems-timeout');
  throw new Error(`The Problems panel did not reach the expected state within ${timeoutMs / 1000} s; rows: ${JSON.stringify(seen)}`);
}

/** The "Neural ODE" log of this VS Code (a LogOutputChannel writes it to a file). */
function neuralOdeLog(vscode: VsCode): string {
  const logs = path.join(path.dirname(vscode.workspace), 'code-server', 'user-data', 'logs');
  const file = fs
    .readdirSync(logs, { recursive: true, encoding: 'utf8' })
    .find((f) => path.basename(f).endsWith('Neural ODE.log'));
  return file ? fs.readFileSync(path.join(logs, file), 'utf8') : '';
}

describe('experiment files in the editor', () => {
  let vscode: VsCode | undefined;
  after(() => vscode?.close());

  test('a saved syntax error shows in Problems at its line and goes away when fixed; the lens trains', { timeout: 240_000 }, async () => {
    vscode = await VsCode.open({ name: 'problems' });
    await vscode.openFile('spiral.ode.ts');
    const editor = vscode.page.locator('.editor-instance .monaco-editor').first();

    // The lens above defineExperiment.
    const lens = vscode.page.locator('.contentWidgets .codelens-decoration');
    await lens.first().waitFor({ state: 'visible', timeout: 60_000 });
    const lensText = (await lens.first().textContent()) ?? '';
    assert.match(lensText, /Train/);
    assert.match(lensText, /Training curves/);
    assert.match(lensText, /Debug solve/);
    assert.match(lensText, /Vector field/);
    assert.match(lensText, /Trajectories/);
    assert.match(lensText, /Solver inspector/);
    assert.doesNotMatch(lensText, /Diagnostics/, 'the diagnostics lens is for discrete networks');

    // Break the line that names the experiment, and save.
    const source = fs.readFileSync(path.join(repoRoot, 'examples', 'spiral.ode.ts'), 'utf8').split('\n');
    const line = source.findIndex((l) => l.includes("name: 'spiral',")) + 1;
    await editor.click();
    await vscode.page.keyboard.press('Control+G');
    await vscode.page.keyboard.type(String(line));
    await vscode.page.keyboard.press('Enter');
    await vscode.page.keyboard.press('End');
    await vscode.page.keyboard.type(' %');
    await vscode.page.keyboard.press('Control+S');
    await vscode.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    const broken = await problems(vscode, (rows) => rows.some((r) => r.includes('Neural ODE')));
    const row = broken.find((r) => r.includes('Neural ODE'))!;
    assert.match(row, new RegExp(`Ln ${line}, Col \\d+`), row);
    await vscode.screenshot('problems-syntax-error');

    // Undo, save: the problem is cleared.
    await editor.click();
    await vscode.page.keyboard.press('Control+Z');
    await vscode.page.keyboard.press('Control+S');
    await problems(vscode, (rows) => !rows.some((r) => r.includes('Neural ODE')));
    await vscode.screenshot('problems-fixed');

    // Train from the lens; the host's event-loop delay while it trained goes to the log.
    await vscode.page.locator('.contentWidgets .codelens-decoration a', { hasText: /\bTrain\s*$/ }).first().click();
    const done = await vscode.waitForNotification(/spiral finished — loss/, { timeoutMs: 150_000 });
    assert.match(done, /after 300 iterations/);
    let logged: RegExpExecArray | null = null;
    for (let i = 0; i < 50 && !logged; i++, await sleep(200)) {
      logged = /event-loop delay while run \S+ trained: p50 ([\d.]+) ms, p99 ([\d.]+) ms, max ([\d.]+) ms \((\d+) samples\)/.exec(neuralOdeLog(vscode));
    }
    assert.ok(logged, 'the log has no event-loop delay line');
    const [p50, p99, max, samples] = logged.slice(1).map(Number);
    console.log(`extension host event-loop delay while training the spiral: p50 ${p50} ms, p99 ${p99} ms, max ${max} ms, ${samples} samples`);
    assert.ok(samples > 0 && p50 <= p99 && p99 <= max, logged[0]);
  });
});
