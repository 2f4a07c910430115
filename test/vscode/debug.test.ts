// Debugging a solve in a real VS Code on a copy of examples/: F5 on spiral.ode.ts with a
// `neural-ode` launch configuration stops before the first step; two Step Overs later the call
// stack shows step 2 and the Variables view holds the solver's numbers for it, checked against
// a direct solve of the same experiment. Then the Debug Solve command (what the CodeLens runs) on
// another example, with an expression in the Debug Console. Screenshots of the stopped debugger
// with the solver inspector beside it, following the session step by step.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { nativeAlgebra, OdeSolve, type StepReport } from '../../engine/src/index';
import { loadExperiment } from '../../engine/src/experiments/load';
import { debugTarget } from '../../engine/src/debug/target';
import { VsCode } from './harness';

let vscode: VsCode | undefined;

before(async () => {
  vscode = await VsCode.open({ name: 'debug', settings: { 'workbench.colorTheme': 'Default Light Modern' } });
}, { timeout: 120_000 });

after(async () => {
  await vscode?.close();
});

/** The first two step attempts of the experiment's solve, as the engine takes them. */
async function directSteps(file: string): Promise<StepReport[]> {
  const target = await debugTarget(await loadExperiment(file), {});
  const reports: StepReport[] = [];
  const solve = new OdeSolve<Float64Array>(nativeAlgebra(target.y0) as never, (t, y) => target.field.f(t, y), target.y0, target.times, {
    method: target.method, rtol: target.rtol, atol: target.atol, options: target.options, hooks: { onStep: (r) => void reports.push(r) },
  });
  await solve.init();
  while (reports.length < 2) await solve.advance();
  solve.dispose();
  return reports;
}

test('F5 on an experiment, step over twice, read the Variables view', { timeout: 120_000 }, async () => {
  assert.ok(vscode);
  const { page } = vscode;
  fs.mkdirSync(path.join(vscode.workspace, '.vscode'), { recursive: true });
  fs.writeFileSync(
    path.join(vscode.workspace, '.vscode', 'launch.json'),
    JSON.stringify({ version: '0.2.0', configurations: [{ type: 'neural-ode', request: 'launch', name: 'Debug solve', experiment: '${file}', stopOnEntry: true }] }, null, 2),
  );
  await vscode.openFile('spiral.ode.ts');
  // The Run and Debug view shows the call stack and the variables.
  await vscode.runCommand('View: Show Run and Debug');
  await page.locator('.monaco-editor .view-lines').first().click();
  const callStack = page.locator('.debug-call-stack .monaco-list-row');
  const frames = async (): Promise<string[]> => (await callStack.allTextContents()).map((s) => s.trim());
  const onEntry = (f: string[]): boolean => f.some((x) => /before step 1/.test(x));
  await page.keyboard.press('F5');
  // A press that arrives while the extension is still activating starts nothing: press once more.
  const first = await vscode.until('the debugger stopped on entry', frames, onEntry, 20_000).catch(() => null);
  if (!first) {
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('F5');
    await vscode.until('the debugger stopped on entry', frames, onEntry, 40_000);
  }
  await vscode.screenshot('debug-entry');

  for (const n of [1, 2]) {
    await page.keyboard.press('F10');
    await vscode.until(`step ${n} in the call stack`, frames, (f) => f.some((x) => new RegExp(`^step ${n} (accepted|rejected)`).test(x)), 30_000);
  }

  const rows = page.locator('.debug-variables .monaco-list-row');
  const variables = async (): Promise<Record<string, string>> => {
    const pairs = await rows.evaluateAll((els) =>
      els.map((el) => [el.querySelector('.name')?.textContent?.replace(/\s*[:=]\s*$/, '').trim() ?? '', el.querySelector('.value')?.textContent?.trim() ?? '']),
    );
    return Object.fromEntries(pairs);
  };
  const shown = await vscode.until('the Step scope in the Variables view', variables, (v) => v.n === '2', 30_000);
  const expected = await directSteps(path.join(vscode.workspace, 'spiral.ode.ts'));
  assert.equal(Number(shown.t), expected[1].t, 'Variables: t of step 2');
  assert.equal(Number(shown.h), expected[1].h, 'Variables: h of step 2');
  assert.equal(Number(shown.errRatio), expected[1].errRatio, 'Variables: errRatio of step 2');
  assert.equal(shown.accepted, String(expected[1].accepted));
  await vscode.screenshot('debug-step-2');

  // The solver inspector follows the debugger: opened now, it shows the session's two steps,
  // and the next step arrives as it is taken.
  await vscode.openPanel('Neural ODE: Open Solver Inspector', 'Solver Inspector');
  const inspector = await vscode.frameOf('Solver Inspector');
  const held = () => inspector.locator('body').evaluate((b) => ({ ...(b as unknown as { dataset: Record<string, string> }).dataset }));
  const two = await vscode.until('the inspector shows the session', held, (d) => d.steps === '2', 30_000);
  assert.equal(two.method, 'dopri5');
  const hLambda = await inspector.locator('section.chart-card[data-chart="stability"]').getAttribute('data-h-lambda-points');
  assert.equal(hLambda, '2', "h·λ of the 2×2 Jacobian where the last step started, on dopri5's region");
  await page.locator('.monaco-editor .view-lines').first().click();
  await page.keyboard.press('F10');
  await vscode.until('step 3 in the call stack', frames, (f) => f.some((x) => /^step 3 (accepted|rejected)/.test(x)), 30_000);
  await vscode.until('the inspector follows to step 3', held, (d) => d.steps === '3', 15_000);
  await vscode.until('the Variables view at step 3', variables, (v) => v.n === '3', 15_000);
  await vscode.screenshot('debug-step-3-with-inspector');

  await page.keyboard.press('Shift+F5');
  await vscode.until('the session ended', frames, (f) => f.length === 0, 30_000);
});

test('Debug Solve on another experiment, and the Debug Console evaluates solver names', { timeout: 90_000 }, async () => {
  assert.ok(vscode);
  const { page } = vscode;
  await vscode.openFile('dampedOscillator.ode.ts');
  await vscode.runCommand('Neural ODE: Debug Solve');
  const callStack = page.locator('.debug-call-stack .monaco-list-row');
  const frames = async (): Promise<string[]> => (await callStack.allTextContents()).map((s) => s.trim());
  await vscode.until('stopped on entry of dampedOscillator', frames, (f) => f.some((x) => /before step 1/.test(x)) && f.some((x) => /sample 0 of dampedOscillator/.test(x)), 40_000);
  await page.keyboard.press('F10');
  await vscode.until('step 1 in the call stack', frames, (f) => f.some((x) => /^step 1 /.test(x)), 30_000);
  // The Debug Console opens with the session; its input is a small editor.
  await page.locator('.repl-input-wrapper .monaco-editor').first().click();
  await page.keyboard.type('t + h == tNow');
  await page.keyboard.press('Enter');
  const answers = page.locator('.repl .monaco-list-row');
  await vscode.until('the Debug Console answer', async () => (await answers.allTextContents()).join('\n'), (text) => /t \+ h == tNow[\s\S]*true/.test(text), 15_000);
  await vscode.screenshot('debug-console');
  await page.keyboard.press('Shift+F5');
  await vscode.until('the session ended', frames, (f) => f.length === 0, 30_000);
});
