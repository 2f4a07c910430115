// "Neural ODE: Open Solver Inspector" in a real VS Code on a copy of examples/: the untrained
// spiral model's forward solve step by step, checked against the engine's own trace of the same
// experiment (attempts, rejections, NFE, points on every chart, the stability region drawn); then
// a run writing a checkpoint of other weights, which the panel follows; a step picked with the
// mouse and walked to with the buttons shows its variables; light and dark screenshots; and the
// panel as it was after a window reload.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { mapInput, mlpField } from '../../engine/src/index';
import { loadExperiment } from '../../engine/src/experiments/load';
import { traceExperiment, type ExperimentTrace } from '../../engine/src/inspect/experimentTrace';
import { createRun, defaultRunsRoot, finishRun } from '../../engine/src/train';
import { formatNumber } from '../../webview/src/inspector/format';
import { VsCode } from './harness';

let vscode: VsCode | undefined;
let frame: FrameLocator;
let cspViolations: string[] = [];

before(async () => {
  vscode = await VsCode.open({ name: 'inspector', settings: { 'workbench.colorTheme': 'Default Light Modern' } });
  cspViolations = vscode.watchCsp();
}, { timeout: 120_000 });

after(async () => {
  await vscode?.close();
});

/** What the panel holds: <body>'s data attributes and each card's point counts. */
async function shown() {
  const body = await frame.locator('body').evaluate((b) => ({ ...(b as unknown as { dataset: Record<string, string> }).dataset }));
  const cards = await frame.locator('section.chart-card').evaluateAll((els) =>
    els.map((el) => ({ chart: el.getAttribute('data-chart') ?? '', data: { ...(el as unknown as { dataset: Record<string, string> }).dataset } })),
  );
  return {
    steps: Number(body.steps ?? 0),
    accepted: Number(body.accepted ?? 0),
    rejected: Number(body.rejected ?? 0),
    nfe: Number(body.nfe ?? 0),
    method: body.method ?? '',
    selected: body.selected ?? '',
    solves: Number(body.solves ?? 0),
    cards: Object.fromEntries(cards.map((c) => [c.chart, c.data])) as Record<string, Record<string, string>>,
  };
}

/** Pixels of a card's canvas that are painted (not transparent): proof that something was drawn. */
const painted = (chart: string) =>
  frame.locator(`section.chart-card[data-chart="${chart}"] canvas`).evaluate((c) => {
    const canvas = c as unknown as { width: number; height: number; getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
    return n;
  });

/** The details list: variable name → shown value. */
const details = () =>
  frame.locator('.step-details dd').evaluateAll((els) => Object.fromEntries(els.map((el) => [el.getAttribute('data-var') ?? '', el.textContent ?? ''])));

/** The charts must show exactly the engine's trace of the same experiment and weights. */
function assertShows(d: Awaited<ReturnType<typeof shown>>, tr: ExperimentTrace): void {
  const rejected = tr.steps.filter((s) => !s.accepted).length;
  assert.equal(d.steps, tr.steps.length, 'one record per attempt');
  assert.equal(d.rejected, rejected);
  assert.equal(d.nfe, tr.nfe);
  assert.equal(d.method, 'dopri5');
  assert.equal(Number(d.cards['step-size'].acceptedPoints), tr.steps.length - rejected);
  assert.equal(Number(d.cards['step-size'].rejectedPoints), rejected);
  assert.equal(Number(d.cards['error-ratio'].acceptedPoints) + Number(d.cards['error-ratio'].rejectedPoints), tr.steps.filter((s) => s.errRatio > 0).length);
  assert.equal(Number(d.cards.nfe.nfePoints), tr.steps.length);
  assert.equal(Number(d.cards.trajectory.stepsPoints), tr.steps.length - rejected, 'a point where each accepted step ends');
  assert.equal(Number(d.cards.trajectory.solutionPoints), tr.outputs.t.length);
  assert.equal(Number(d.cards.trajectory.dataPoints), tr.data.x.length);
  assert.equal(Number(d.cards.stability.hLambdaPoints), 2, "h·λ for both eigenvalues of the 2×2 Jacobian");
  assert.ok(Number(d.cards.stability.regionInside) > 1000, 'the region is filled');
  assert.ok(Number(d.cards.stability.boundarySegments) > 50, 'its boundary is drawn');
}

let workspaceExperiment = '';

test("the untrained spiral model's solve, step by step, as the engine traces it", { timeout: 90_000 }, async () => {
  assert.ok(vscode);
  workspaceExperiment = path.join(vscode.workspace, 'spiral.ode.ts');
  const expected = await traceExperiment(await loadExperiment(workspaceExperiment));
  await vscode.openFile('spiral.ode.ts');
  // the focus in its text, so that the command finds it the active editor (the only one open)
  await vscode.page.locator('.editor-group-container .monaco-editor .view-lines').first().click({ position: { x: 5, y: 5 } });
  await vscode.openPanel('Neural ODE: Open Solver Inspector', 'Solver Inspector');
  frame = await vscode.frameOf('Solver Inspector');
  const d = await vscode.until('the trace shown', shown, (x) => x.steps > 0 && x.cards.stability?.hLambdaPoints === '2', 45_000);
  assertShows(d, expected);
  for (const chart of ['step-size', 'error-ratio', 'nfe', 'trajectory', 'stability']) {
    assert.ok((await painted(chart)) > 2000, `${chart}: the canvas is drawn on`);
  }
  // The region fills a large part of its chart, far more than axes and points alone.
  assert.ok((await painted('stability')) > (await painted('nfe')), 'the stability region is filled');
  await vscode.runCommand('Notifications: Clear All Notifications');
  await new Promise((r) => setTimeout(r, 300));
  await vscode.screenshot('inspector-untrained-light');
});

let followed: ExperimentTrace;
let runId = '';

test('a run of the experiment writing a checkpoint: the panel traces its weights, rejected steps included', { timeout: 90_000 }, async () => {
  assert.ok(vscode);
  // spiral.ode.ts's model with other weights: stiffer, so dopri5 rejects steps.
  const other = mapInput(mlpField({ sizes: [2, 50, 2], seed: 5 }), (x) => x ** 3, (x) => 3 * x * x);
  const runsRoot = defaultRunsRoot(vscode.workspace);
  const run = createRun(runsRoot, { experiment: 'spiral', config: { file: workspaceExperiment } });
  run.writeCheckpoint({ iteration: 7, params: other.params });
  finishRun(run, { status: 'finished' });
  runId = run.id;
  followed = await traceExperiment(await loadExperiment(workspaceExperiment), { runsRoot, runId });
  const rejected = followed.steps.filter((s) => !s.accepted).length;
  assert.ok(rejected > 0, 'these weights make dopri5 reject steps');
  const d = await vscode.until('the run followed', shown, (x) => x.steps === followed.steps.length && x.rejected === rejected, 45_000);
  assertShows(d, followed);
  assert.match(await frame.locator('.toolbar .status').textContent() ?? '', new RegExp(`iteration 7 .* ${followed.steps.length} attempts \\(${rejected} rejected\\)`));
});

test('clicking a step shows its variables; the buttons walk to a rejected one', { timeout: 90_000 }, async () => {
  assert.ok(vscode);
  // Room for the charts: the panel's editor group takes the window.
  await vscode.runCommand('View: Toggle Maximize Editor Group');
  await new Promise((r) => setTimeout(r, 500));
  const canvas = frame.locator('section.chart-card[data-chart="step-size"] canvas');
  const box = await canvas.boundingBox();
  assert.ok(box);
  await canvas.click({ position: { x: box.width * 0.5, y: box.height * 0.5 } });
  const picked = await vscode.until('a step selected', shown, (x) => x.selected !== '', 10_000);
  const n = Number(picked.selected);
  const expectStep = async (k: number) => {
    const s = followed.steps[k - 1];
    const shownVars = await vscode!.until(`step ${k} in the details`, details, (v) => v.nfe === formatNumber(s.nfe) && v.t === formatNumber(s.t), 10_000);
    assert.equal(await frame.locator('.step-details h2').textContent(), `Step ${k} of ${followed.steps.length}`);
    assert.equal(shownVars.h, formatNumber(s.h));
    assert.equal(shownVars.errRatio, formatNumber(s.errRatio));
    assert.equal(shownVars.accepted, s.accepted ? 'yes' : 'no (rejected)');
    assert.equal(shownVars.hNext, formatNumber(s.hNext));
    if (s.accepted) {
      assert.equal(shownVars.y0, formatNumber(s.y![0]));
      assert.equal(shownVars.y1, formatNumber(s.y![1]));
    } else {
      assert.match(shownVars.y, /rejected/);
    }
  };
  await expectStep(n);
  // The nearest point to where the click landed is a step in the middle third of the solve's t.
  const t0 = followed.steps[0].t;
  const t1 = followed.outputs.t.at(-1)!;
  const ts = followed.steps[n - 1].t;
  assert.ok(ts > t0 + 0.2 * (t1 - t0) && ts < t0 + 0.8 * (t1 - t0), `the click picked a step near the middle (t = ${ts})`);
  // Walk to the nearest rejected step with the ‹ › buttons.
  const target = followed.steps.map((s, k) => ({ s, k: k + 1 })).filter(({ s }) => !s.accepted).sort((a, b) => Math.abs(a.k - n) - Math.abs(b.k - n))[0].k;
  const button = frame.locator(`.step-details button[data-role="${target > n ? 'next-step' : 'previous-step'}"]`);
  for (let k = 0; k < Math.abs(target - n); k++) await button.click();
  await vscode.until('the rejected step selected', shown, (x) => x.selected === String(target), 10_000);
  await expectStep(target);
  await vscode.runCommand('Notifications: Clear All Notifications');
  await new Promise((r) => setTimeout(r, 300));
  await vscode.screenshot('inspector-light');
});

test('the panel follows the colour theme', { timeout: 60_000 }, async () => {
  assert.ok(vscode);
  vscode.setWorkspaceSettings({ 'workbench.colorTheme': 'Default Dark Modern' });
  await vscode.until('a dark body', () => frame.locator('body').getAttribute('class'), (c) => /\bvscode-dark\b/.test(c ?? ''), 30_000);
  await new Promise((r) => setTimeout(r, 500));
  const d = await shown();
  assert.equal(d.steps, followed.steps.length, 'the same solve after the theme change');
  assert.ok((await painted('stability')) > 2000);
  await vscode.screenshot('inspector-dark');
  assert.deepEqual(cspViolations, [], 'the panel loads nothing its Content-Security-Policy refuses');
});

test('after a window reload the panel traces the same run and shows the same step', { timeout: 90_000 }, async () => {
  assert.ok(vscode);
  const before = await shown();
  await Promise.all([vscode.page.waitForEvent('load', { timeout: 60_000 }), vscode.runCommand('Developer: Reload Window')]);
  await vscode.page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
  frame = await vscode.frameOf('Solver Inspector');
  const d = await vscode.until('the panel restored', shown, (x) => x.steps === followed.steps.length && x.selected !== '', 45_000);
  assert.equal(d.selected, before.selected);
  assert.equal(d.rejected, before.rejected);
  assert.match(await frame.locator('.toolbar .status').textContent() ?? '', new RegExp(`${runId} · iteration 7`));
  assert.deepEqual(cspViolations, []);
});
