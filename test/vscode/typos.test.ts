// Typos in an experiment file, in a real VS Code on a copy of examples/: a misspelt solver
// method and an unknown train key are underlined by TypeScript as they are typed, before any
// save (the engine's types name every method and key), each on its own line; once saved, the
// extension's own check (source "Neural ODE") reports the same line and suggests the right name.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { repoRoot, VsCode } from './harness';

let vscode: VsCode | undefined;

const source = fs.readFileSync(path.join(repoRoot, 'examples', 'spiral.ode.ts'), 'utf8').split('\n');
/** 1-based line and the column just after `text` on it. */
function positionAfter(text: string): { line: number; column: number } {
  const i = source.findIndex((l) => l.includes(text));
  assert.ok(i >= 0, `spiral.ode.ts has ${text}`);
  return { line: i + 1, column: source[i].indexOf(text) + text.length + 1 };
}
const method = positionAfter("method: 'dopri5");
const batch = positionAfter('batchSize: 20,');

before(async () => {
  vscode = await VsCode.open({
    name: 'typos',
    settings: {
      'workbench.colorTheme': 'Default Light Modern',
      // VS Code for the web saves after a delay by default: here a file is saved when the test says so.
      'files.autoSave': 'off',
      // Typed text goes in as typed: no completion list to accept a suggestion instead.
      'editor.quickSuggestions': { other: 'off', comments: 'off', strings: 'off' },
      'editor.suggestOnTriggerCharacters': false,
      'editor.acceptSuggestionOnCommitCharacter': false,
      'editor.acceptSuggestionOnEnter': 'off',
    },
  });
}, { timeout: 120_000 });

after(async () => {
  await vscode?.close();
});

/** The Problems panel's rows, as text. */
const problemRows = async (): Promise<string[]> => (await vscode!.page.locator('.markers-panel .monaco-list-row').allTextContents()).map((t) => t.trim());

/** The lines of the editor that carry an error squiggle (by the line numbers beside them). */
async function squiggledLines(): Promise<number[]> {
  return vscode!.page.locator('.editor-instance .monaco-editor').first().evaluate((editor) => {
    const numbers = [...editor.querySelectorAll('.margin-view-overlays .line-numbers')].map((n) => ({ top: Math.round(n.getBoundingClientRect().top), line: Number(n.textContent) }));
    const squiggles = [...editor.querySelectorAll('.view-overlays .squiggly-error')].map((s) => Math.round(s.getBoundingClientRect().top));
    return [...new Set(squiggles.flatMap((top) => numbers.filter((n) => Math.abs(n.top - top) <= 2).map((n) => n.line)))].sort((a, b) => a - b);
  });
}

/** Puts the cursor at a 1-based line and column with Go to Line (Ctrl+G takes "line:column"). */
async function goTo(line: number, column?: number): Promise<void> {
  const { page } = vscode!;
  await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+G');
  await page.keyboard.type(column === undefined ? String(line) : `${line}:${column}`);
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 5_000 });
}

const rowAt = (rows: string[], line: number, pattern: RegExp) => rows.find((r) => pattern.test(r) && new RegExp(`\\[Ln ${line}, Col \\d+\\]`).test(r));

test('a misspelt solver method is underlined before saving, and the saved file’s problem says "did you mean \'dopri5\'" on the same line', { timeout: 180_000 }, async () => {
  assert.ok(vscode);
  const { page } = vscode;
  await vscode.openFile('spiral.ode.ts');
  await vscode.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
  // A moment for TypeScript to look at the file: the example itself has no problem.
  await new Promise((r) => setTimeout(r, 3_000));
  assert.deepEqual(await problemRows(), [], 'the example starts clean');

  // dopri5 → dopri6, not saved.
  await goTo(method.line, method.column);
  await page.keyboard.press('Backspace');
  await page.keyboard.type('6');
  const dirty = page.locator('.tabs-container .tab.dirty', { hasText: 'spiral.ode.ts' });
  await dirty.waitFor({ state: 'visible', timeout: 5_000 });
  const tsRow = (await vscode.until('TypeScript reports dopri6', problemRows, (rows) => rowAt(rows, method.line, /dopri6[\s\S]*ts\(?\d+\)?/) !== undefined, 120_000)).find((r) => /dopri6/.test(r))!;
  assert.match(tsRow, /Type '"dopri6"' is not assignable to type/, tsRow);
  assert.ok(!(await problemRows()).some((r) => /Neural ODE/.test(r)), 'no save, no check of the extension yet');
  const squiggled = await vscode.until('a squiggle on the method line', squiggledLines, (lines) => lines.includes(method.line), 15_000);
  assert.deepEqual(squiggled, [method.line], 'only the method line is underlined');
  await vscode.screenshot('typo-method-unsaved');

  // Saved: the extension loads the file and reports the same line, with the suggestion.
  await page.keyboard.press('Control+S');
  await dirty.waitFor({ state: 'hidden', timeout: 10_000 });
  const rows = await vscode.until('the Neural ODE problem', problemRows, (r) => r.some((x) => /Neural ODE/.test(x)), 60_000);
  const ours = rows.find((r) => /Neural ODE/.test(r))!;
  assert.ok(rowAt([ours], method.line, /./), `on line ${method.line}: ${ours}`);
  assert.match(ours, /solver\.method 'dopri6' is not a solver \(did you mean 'dopri5'\?\)/);
  assert.match(ours, /did you mean 'dopri5'/);
  assert.ok(rowAt(rows, method.line, /ts\(?\d+\)?/), 'the TypeScript problem stays beside it');
  await vscode.screenshot('typo-method-saved');

  // Fixed and saved: both problems go.
  await goTo(method.line, method.column);
  await page.keyboard.press('Backspace');
  await page.keyboard.type('5');
  await page.keyboard.press('Control+S');
  await vscode.until('no problems after the fix', problemRows, (r) => r.length === 0, 60_000);
  assert.deepEqual(await squiggledLines(), []);
});

test('an unknown train key is underlined on its line before saving, and reported there once saved', { timeout: 150_000 }, async () => {
  assert.ok(vscode);
  const { page } = vscode;
  const line = batch.line + 1;
  await goTo(batch.line, batch.column);
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await page.keyboard.type('batchsize: 10,');
  const tsRows = await vscode.until('TypeScript reports batchsize', problemRows, (rows) => rowAt(rows, line, /batchsize[\s\S]*ts\(?\d+\)?/) !== undefined, 60_000);
  const tsRow = rowAt(tsRows, line, /batchsize/)!;
  assert.match(tsRow, /'batchsize' does not exist in type/, tsRow);
  assert.match(tsRow, /Did you mean to write 'batchSize'\?/, tsRow);
  const squiggled = await vscode.until('a squiggle on the new line', squiggledLines, (lines) => lines.includes(line), 15_000);
  assert.deepEqual(squiggled, [line]);
  assert.ok(!tsRows.some((r) => /Neural ODE/.test(r)), 'not saved: no check of the extension yet');
  await vscode.screenshot('typo-key-unsaved');

  await page.keyboard.press('Control+S');
  const rows = await vscode.until('the Neural ODE problem', problemRows, (r) => r.some((x) => /Neural ODE/.test(x)), 60_000);
  const ours = rows.find((r) => /Neural ODE/.test(r))!;
  assert.ok(rowAt([ours], line, /./), `on line ${line}: ${ours}`);
  assert.match(ours, /unknown key 'batchsize' in train — did you mean 'batchSize'\?/);
  await vscode.screenshot('typo-key-saved');
});
