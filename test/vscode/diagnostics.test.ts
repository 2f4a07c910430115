// "Neural ODE: Modified-Equation Diagnostics" in a real VS Code on a copy of examples/: the
// CodeLens on the LM-ResNet example (Fashion-MNIST) opens the panel; then a small LM-ResNet on
// moons, written into the workspace, shown as the engine computes it (k_n, trajectories, order,
// stability, every chart drawn on); a run writing a checkpoint of other weights, which the panel
// follows; another scheme from the menu; light and dark screenshots; the panel after a reload.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { experimentDiagnostics, type ExperimentDiagnostics } from '../../engine/src/analysis/experimentDiagnostics';
import { discreteNetwork } from '../../engine/src/index';
import { loadExperiment } from '../../engine/src/experiments/load';
import { createRun, defaultRunsRoot, finishRun } from '../../engine/src/train';
import { VsCode } from './harness';

let vscode: VsCode | undefined;
let frame: FrameLocator;
let cspViolations: string[] = [];
const TITLE = 'Modified-Equation Diagnostics';

const MOONS = `// A small LM-ResNet on moons, for the diagnostics panel.
import { defineExperiment, discreteNetwork, moons } from 'neural-ode-studio';

export default defineExperiment({
  name: 'moonsLm',
  data: () => moons({ n: 128, seed: 1 }),
  model: () => discreteNetwork({ architecture: 'lm', inputDim: 2, width: 6, hidden: 12, depth: 6, activation: 'tanh', seed: 4 }),
  train: { iterations: 20, optimizer: { name: 'adam', lr: 1e-2 }, batchSize: 32 },
});
`;
const moonsModel = () => discreteNetwork({ architecture: 'lm', inputDim: 2, width: 6, hidden: 12, depth: 6, activation: 'tanh', seed: 4 });

before(async () => {
  vscode = await VsCode.open({ name: 'diagnostics', settings: { 'workbench.colorTheme': 'Default Light Modern' } });
  cspViolations = vscode.watchCsp();
  fs.writeFileSync(path.join(vscode.workspace, 'moonsLm.ode.ts'), MOONS);
}, { timeout: 120_000 });

after(async () => {
  await vscode?.close();
});

/** What the panel holds: <body>'s data attributes and each card's. */
async function shown() {
  const body = await frame.locator('body').evaluate((b) => ({ ...(b as unknown as { dataset: Record<string, string> }).dataset }));
  const cards = await frame.locator('section.chart-card').evaluateAll((els) =>
    els.map((el) => ({ chart: el.getAttribute('data-chart') ?? '', hidden: (el as unknown as { hidden: boolean }).hidden, data: { ...(el as unknown as { dataset: Record<string, string> }).dataset } })),
  );
  const equation = await frame.locator('.equation-card').textContent();
  const orderTitle = await frame.locator('section.chart-card[data-chart="order"] h2').textContent();
  return {
    results: Number(body.results ?? 0),
    model: body.model ?? '',
    scheme: body.scheme ?? '',
    slope: body.slope ?? '',
    equation: equation ?? '',
    orderTitle: orderTitle ?? '',
    cards: Object.fromEntries(cards.map((c) => [c.chart, { ...c.data, hidden: String(c.hidden) }])) as Record<string, Record<string, string>>,
  };
}

/** Painted (non-transparent) pixels of a card's canvas. */
const painted = (chart: string) =>
  frame.locator(`section.chart-card[data-chart="${chart}"] canvas`).evaluate((c) => {
    const canvas = c as unknown as { width: number; height: number; getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
    return n;
  });

/** The panel's top (equation, trajectories, stability), then its charts scrolled to the bottom (k_n, order). */
async function screenshots(kind: string): Promise<void> {
  await vscode!.page.mouse.move(700, 790); // no tab tooltip over the panel
  const grid = frame.locator('main.chart-grid');
  await grid.evaluate((g) => ((g as unknown as { scrollTop: number }).scrollTop = 0));
  await new Promise((r) => setTimeout(r, 300));
  await vscode!.screenshot(`diagnostics-${kind}`);
  await grid.evaluate((g) => ((g as unknown as { scrollTop: number; scrollHeight: number }).scrollTop = (g as unknown as { scrollHeight: number }).scrollHeight));
  await new Promise((r) => setTimeout(r, 300));
  await vscode!.screenshot(`diagnostics-${kind}-bottom`);
}

/** The panel must show exactly the engine's diagnostics of the same experiment and weights. */
function assertShows(d: Awaited<ReturnType<typeof shown>>, e: ExperimentDiagnostics): void {
  assert.equal(d.model, 'network');
  assert.equal(d.cards.k.bars, String(e.layers!.length));
  assert.equal(d.cards.k.values, e.layers!.map((l) => (l.k ?? 0).toPrecision(6)).join(' '));
  const tr = e.tracking!;
  assert.equal(d.cards.trajectories.samples, String(tr.samples.length));
  for (let i = 0; i < tr.samples.length; i++) {
    assert.equal(d.cards.trajectories[`discrete${i}Points`], String(tr.t.length), 'a point per layer boundary');
    assert.equal(d.cards.trajectories[`plain${i}Points`], String(tr.fineT.length));
    assert.equal(d.cards.trajectories[`modified${i}Points`], String(tr.fineT.length));
  }
  assert.equal(d.cards.distance.closer, tr.closer);
  assert.equal(d.cards.order.slope, String(e.order.slope));
  assert.equal(Number(d.cards.order.fittedPoints), e.order.fitted.filter(Boolean).length);
  assert.equal(Number(d.cards.stability.stablePoints) + Number(d.cards.stability.unstablePoints), e.stability.points.length);
  assert.equal(Number(d.cards.stability.unstablePoints), e.stability.points.filter((p) => !p.stable).length);
  assert.ok(Number(d.cards.stability.regionInside) > 500, 'the region is filled');
  assert.ok(Number(d.cards.stability.boundarySegments) > 50, 'its boundary is drawn');
  assert.ok(d.equation.includes(e.equation.text), 'the modified equation is printed');
}

test('the CodeLens on the LM-ResNet example opens the panel on Fashion-MNIST', { timeout: 120_000 }, async () => {
  assert.ok(vscode);
  await vscode.openFile('lmResnet.ode.ts');
  const lens = vscode.page.locator('.contentWidgets .codelens-decoration a', { hasText: /^Diagnostics$/ });
  await lens.first().waitFor({ state: 'visible', timeout: 60_000 });
  await lens.first().click();
  frame = await vscode.frameOf(TITLE);
  const d = await vscode.until('the example shown', shown, (x) => x.results > 0 && x.cards.k?.bars === '8', 90_000);
  assert.match(d.equation, /\(1 \+ k\) u_t \+ \(1 − k\)\(Δt\/2\) u_tt = f\(u\)/);
  assert.equal(d.cards.stability.hidden, 'false');
  assert.ok(Number(d.cards.stability.stablePoints) + Number(d.cards.stability.unstablePoints) > 0, 'Δt·λ of the 32-wide blocks');
});

let expected: ExperimentDiagnostics;
let file = '';

test('a small LM-ResNet on moons: the charts hold the engine\'s diagnostics', { timeout: 120_000 }, async () => {
  assert.ok(vscode);
  file = path.join(vscode.workspace, 'moonsLm.ode.ts');
  expected = await experimentDiagnostics(await loadExperiment(file));
  // The example's editor group, so that the panel's stays beside it.
  await vscode.runCommand('View: Focus First Editor Group');
  await vscode.openFile('moonsLm.ode.ts');
  await vscode.runCommand(`Neural ODE: ${TITLE}`);
  frame = await vscode.frameOf(TITLE);
  const d = await vscode.until('moons shown', shown, (x) => x.cards.k?.bars === '6' && x.cards.trajectories?.samples === '4', 60_000);
  assertShows(d, expected);
  // Room for the charts: the panel's editor group takes the window.
  await vscode.runCommand('View: Toggle Maximize Editor Group');
  await new Promise((r) => setTimeout(r, 800));
  for (const chart of ['k', 'trajectories', 'distance', 'order', 'stability']) assert.ok((await painted(chart)) > 2000, `${chart}: the canvas is drawn on`);
  await vscode.runCommand('Notifications: Clear All Notifications');
  await screenshots('light');
});

let runId = '';
let followed: ExperimentDiagnostics;

test('a run of the experiment writing a checkpoint: the panel shows its k_n', { timeout: 90_000 }, async () => {
  assert.ok(vscode);
  const net = moonsModel();
  net.param('k').set([0.4, 0.3, 0.2, 0.1, -0.1]);
  const runsRoot = defaultRunsRoot(vscode.workspace);
  const run = createRun(runsRoot, { experiment: 'moonsLm', config: { file } });
  run.writeCheckpoint({ iteration: 9, params: net.params, readout: new Float64Array(14) });
  finishRun(run, { status: 'finished' });
  runId = run.id;
  followed = await experimentDiagnostics(await loadExperiment(file), { runsRoot, runId });
  const d = await vscode.until('the run followed', shown, (x) => x.cards.k?.values?.startsWith('0.00000 0.400000') ?? false, 45_000);
  assertShows(d, followed);
  assert.match((await frame.locator('.toolbar .status').textContent()) ?? '', new RegExp(`${runId} · iteration 9`));
});

test('another scheme from the menu: rk4 on a block, order near 4', { timeout: 90_000 }, async () => {
  assert.ok(vscode);
  await frame.locator('select[data-role="scheme"]').selectOption('rk4');
  const d = await vscode.until('rk4 shown', shown, (x) => x.scheme === 'rk4', 45_000);
  const e = await experimentDiagnostics(await loadExperiment(file), { runsRoot: defaultRunsRoot(vscode.workspace), runId, scheme: 'rk4' });
  assert.equal(d.cards.order.slope, String(e.order.slope));
  assert.equal(d.cards.order.theoretical, '4');
  assert.ok(e.order.slope !== null && Math.abs(e.order.slope - 4) < 0.5, `rk4 on a tanh block: slope ${e.order.slope}`);
  await frame.locator('select[data-role="scheme"]').selectOption('lm');
  // The lm result first (k from the network), then another k, committed as a user does (change).
  await vscode.until('lm shown', shown, (x) => x.scheme === 'lm', 45_000);
  await frame.locator('input[data-role="k"]').fill('0.25');
  await frame.locator('input[data-role="k"]').dispatchEvent('change');
  const lm = await vscode.until('lm with k = 0.25', shown, (x) => x.scheme === 'lm' && x.orderTitle.includes('k = 0.25'), 45_000);
  assert.ok(Math.abs(Number(lm.slope) - 1) < 0.3, `lm (k = 0.25) on a block: first order, slope ${lm.slope}`);
});

test('the panel follows the colour theme', { timeout: 60_000 }, async () => {
  assert.ok(vscode);
  vscode.setWorkspaceSettings({ 'workbench.colorTheme': 'Default Dark Modern' });
  await vscode.until('a dark body', () => frame.locator('body').getAttribute('class'), (c) => /\bvscode-dark\b/.test(c ?? ''), 30_000);
  await new Promise((r) => setTimeout(r, 500));
  const d = await shown();
  assert.equal(d.cards.k.bars, '6', 'the same result after the theme change');
  assert.ok((await painted('stability')) > 2000);
  assert.ok((await painted('trajectories')) > 2000);
  await screenshots('dark');
  assert.deepEqual(cspViolations, [], 'the panel loads nothing its Content-Security-Policy refuses');
});

test('after a window reload the panel shows the same run and scheme', { timeout: 120_000 }, async () => {
  assert.ok(vscode);
  await Promise.all([vscode.page.waitForEvent('load', { timeout: 60_000 }), vscode.runCommand('Developer: Reload Window')]);
  await vscode.page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
  frame = await vscode.frameOf(TITLE);
  const d = await vscode.until('the panel restored', shown, (x) => x.results > 0 && x.scheme === 'lm', 60_000);
  assert.equal(d.cards.k.values, followed.layers!.map((l) => (l.k ?? 0).toPrecision(6)).join(' '));
  assert.match((await frame.locator('.toolbar .status').textContent()) ?? '', new RegExp(`${runId} · iteration 9`));
  assert.deepEqual(cspViolations, []);
});
