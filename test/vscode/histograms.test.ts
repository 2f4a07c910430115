// The Training curves panel's Histograms section in a real VS Code: a run trained with
// train.histograms shows a heatmap of weights and one of gradients per parameter group, with
// every sample (read from data attributes inside the webview, not from pixels); samples appended
// to histograms.jsonl show up live; a model of many groups gets a select; a run without
// histograms has no section. Screenshots in light, dark and high contrast themes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { defineExperiment, mapInput, mlpField, spiral, trainExperiment } from '../../engine/src/index';
import { appendMetrics, createRun, defaultRunsRoot } from '../../engine/src/train';
import { HistogramLog } from '../../engine/src/train/histogramLog';
import { histogramSample, paramGroups } from '../../engine/src/train/histograms';
import { setChecked, VsCode } from './harness';

const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-histograms-'));
let vscode: VsCode | undefined;
let frame: FrameLocator;
let trainedId = '';
let wideId = '';
let plainId = '';
const ITERATIONS = 200;
const EVERY = 10;

/** A model's layout of `widths` (PyTorch's Sequential of Linear layers), as namedLayout gives it. */
function mlpLayout(widths: number[]): { name: string; shape: number[]; offset: number }[] {
  const out: { name: string; shape: number[]; offset: number }[] = [];
  let offset = 0;
  for (let i = 0; i + 1 < widths.length; i++) {
    out.push({ name: `${2 * i}.weight`, shape: [widths[i + 1], widths[i]], offset });
    offset += widths[i + 1] * widths[i];
    out.push({ name: `${2 * i}.bias`, shape: [widths[i + 1]], offset });
    offset += widths[i + 1];
  }
  return out;
}

before(async () => {
  const root = defaultRunsRoot(folder);
  // A run without histograms, the oldest.
  const plain = createRun(root, { experiment: 'plain', config: {}, now: new Date(Date.now() - 7_200_000) });
  plainId = plain.id;
  for (let i = 1; i <= 20; i++) appendMetrics(plain, { iteration: i, loss: 1 / i });
  plain.close();
  // A model of eight groups (2-32-32-32-2), written as training would, an hour ago.
  const layout = mlpLayout([2, 32, 32, 32, 2]);
  const size = layout.reduce((n, e) => n + e.shape.reduce((a, b) => a * b, 1), 0);
  const wide = createRun(root, { experiment: 'wide', config: { model: { layout } }, now: new Date(Date.now() - 3_600_000) });
  wideId = wide.id;
  const log = new HistogramLog(wide.dir);
  for (let it = 1; it <= 40; it++) {
    appendMetrics(wide, { iteration: it, loss: Math.exp(-it / 10) });
    if (it % 4 !== 0) continue;
    const w = Float64Array.from({ length: size }, (_, i) => Math.sin(i * 12.9898) * (0.2 + it / 40));
    const g = Float64Array.from({ length: size }, (_, i) => Math.cos(i * 78.233) * 1e-3 * Math.exp(-it / 20));
    log.append(histogramSample(it, paramGroups(layout, size), w, g, 30));
  }
  log.close();
  wide.close();
  // The newest: the spiral, trained with histograms every 10 iterations.
  const exp = defineExperiment({
    name: 'spiral',
    data: () => spiral({ dataSize: 200, t1: 10 }),
    model: () => mapInput(mlpField({ sizes: [2, 50, 2], seed: 1 }), (x) => x ** 3, (x) => 3 * x * x),
    train: { iterations: ITERATIONS, optimizer: { name: 'adam', lr: 1e-2 }, batchTime: 10, batchSize: 16, evalEvery: 50, checkpointEvery: 50, histograms: { every: EVERY } },
  });
  const out = await trainExperiment(exp, { runsRoot: root });
  assert.equal(out.status, 'finished');
  trainedId = out.runId;
  vscode = await VsCode.open({ name: 'histograms', workspace: folder, settings: { 'workbench.colorTheme': 'Default Light Modern' } });
}, { timeout: 180_000 });

after(async () => {
  await vscode?.close();
  fs.rmSync(folder, { recursive: true, force: true });
});

/** What the Histograms section says it draws. */
async function shown() {
  const section = frame.locator('section.histograms');
  const run = await section.getAttribute('data-run', { timeout: 2_000 });
  const groups = JSON.parse((await section.getAttribute('data-groups')) ?? '[]') as string[];
  const cards = await section.locator('.histogram-group').evaluateAll((els) =>
    els.map((el) => ({
      group: el.getAttribute('data-group'),
      samples: Number(el.getAttribute('data-samples')),
      size: Number(el.getAttribute('data-size')),
      plots: [...el.querySelectorAll('figure[data-kind]')].map((f) => ({
        kind: f.getAttribute('data-kind'),
        samples: Number(f.getAttribute('data-samples')),
        last: Number(f.getAttribute('data-last-iteration')),
        yMin: Number(f.getAttribute('data-y-min')),
        yMax: Number(f.getAttribute('data-y-max')),
      })),
    })),
  );
  return { run, groups, cards };
}

const sectionVisible = () => frame.locator('section.histograms').evaluate((el) => !(el as unknown as { hidden: boolean }).hidden);

/** Shows or hides a run by its checkbox in the run list. */
const setShown = (id: string, on: boolean): Promise<void> => setChecked(frame.locator(`.run-row[data-run="${id}"] vscode-checkbox`), on, `run ${id} ${on ? 'shown' : 'hidden'}`);

/** The window with the section's top scrolled to the top of the panel. */
async function screenshot(name: string): Promise<void> {
  await frame.locator('section.histograms').evaluate((el) => (el as unknown as { scrollIntoView(o: object): void }).scrollIntoView({ block: 'start' }));
  await new Promise((r) => setTimeout(r, 300));
  await vscode!.screenshot(name);
}

const samples = ITERATIONS / EVERY;

test('a run trained with train.histograms shows weights and gradients of every group', { timeout: 90_000 }, async () => {
  assert.ok(vscode);
  await vscode.openPanel('Neural ODE: Open Training Curves', 'Training Curves');
  frame = await vscode.frameOf('Training Curves');
  const s = await vscode.until('the trained run\'s histograms', shown, (d) => d.run === trainedId && d.cards.length === 4);
  assert.deepEqual(s.groups, ['0.weight', '0.bias', '2.weight', '2.bias']);
  assert.deepEqual(s.cards.map((c) => [c.group, c.samples, c.size]), [['0.weight', samples, 100], ['0.bias', samples, 50], ['2.weight', samples, 100], ['2.bias', samples, 2]]);
  for (const c of s.cards) {
    assert.deepEqual(c.plots.map((p) => [p.kind, p.samples, p.last]), [['weights', samples, ITERATIONS], ['gradients', samples, ITERATIONS]]);
    for (const p of c.plots) assert.ok(p.yMin < p.yMax, `${c.group} ${p.kind}: a value range`);
  }
  assert.equal(await frame.locator('section.histograms label:has(select[data-role="histogram-group"])').isVisible(), false, 'four groups: no group select');
  // The read-out names the cell under the cursor.
  const canvas = frame.locator('.histogram-group[data-group="0.weight"] figure[data-kind="weights"] canvas');
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  assert.ok(box);
  await vscode.page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.4);
  const readout = await vscode.until('a read-out', () => frame.locator('.histogram-group[data-group="0.weight"] .histogram-readout').textContent(), (t) => /iteration/.test(t ?? ''));
  assert.match(readout ?? '', /^Weights, iteration \d+: /);
  await screenshot('histograms-light');
});

test('samples appended to histograms.jsonl show up live', { timeout: 60_000 }, async () => {
  assert.ok(vscode);
  // The run as VS Code sees it: in the workspace copy.
  const dir = path.join(defaultRunsRoot(vscode.workspace), trainedId);
  const layout = mlpLayout([2, 50, 2]);
  const log = new HistogramLog(dir);
  for (const it of [210, 220, 230]) {
    const w = Float64Array.from({ length: 252 }, (_, i) => Math.sin(i + it) * 0.5);
    log.append(histogramSample(it, paramGroups(layout, 252), w, w.map((x) => x * 1e-3), 30));
  }
  log.close();
  const s = await vscode.until('23 samples', shown, (d) => d.cards.every((c) => c.samples === samples + 3));
  assert.deepEqual(s.cards[0].plots.map((p) => p.last), [230, 230]);
});

test('a model of many groups gets a select; a run without histograms has no section', { timeout: 90_000 }, async () => {
  assert.ok(vscode);
  await setShown(wideId, true);
  const runSelect = frame.locator('select[data-role="histogram-run"]');
  await vscode.until('a run select', () => runSelect.isVisible(), (v) => v);
  await runSelect.selectOption(wideId);
  const groupSelect = frame.locator('select[data-role="histogram-group"]');
  const wide = await vscode.until('the wide run', shown, (d) => d.run === wideId && d.cards.length === 1);
  assert.equal(wide.groups.length, 8);
  assert.deepEqual(wide.cards.map((c) => [c.group, c.samples, c.size]), [['0.weight', 10, 64]]);
  assert.equal(await groupSelect.isVisible(), true);
  await groupSelect.selectOption('4.weight');
  const picked = await vscode.until('4.weight', shown, (d) => d.cards[0]?.group === '4.weight');
  assert.deepEqual([picked.cards[0].samples, picked.cards[0].size], [10, 1024]);
  await screenshot('histograms-groups-light');

  // Only the run without histograms: no section.
  await setShown(plainId, true);
  for (const id of [trainedId, wideId]) await setShown(id, false);
  await vscode.until('no section', sectionVisible, (v) => !v);
  // Back to the trained run for the themes.
  await setShown(trainedId, true);
  await setShown(plainId, false);
  await vscode.until('the trained run again', shown, (d) => d.run === trainedId && d.cards.length === 4);
});

test('the heatmaps follow the colour theme', { timeout: 90_000 }, async () => {
  assert.ok(vscode);
  for (const [theme, kind, name] of [
    ['Default Dark Modern', 'vscode-dark', 'histograms-dark'],
    ['Default High Contrast', 'vscode-high-contrast', 'histograms-high-contrast'],
  ] as const) {
    vscode.setWorkspaceSettings({ 'workbench.colorTheme': theme });
    await vscode.until(kind, () => frame.locator('body').getAttribute('class'), (c) => new RegExp(`\\b${kind}\\b`).test(c ?? ''), 30_000);
    const s = await shown();
    assert.deepEqual(s.cards.map((c) => c.samples), [23, 23, 23, 23], 'the same samples after the theme change');
    await screenshot(name);
  }
});
