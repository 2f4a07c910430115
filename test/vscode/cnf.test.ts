// "Neural ODE: Open Vector Field" on the continuous normalising flow (examples/cnf.ode.ts, 8
// Gaussians) in a real VS Code: the untrained flow's density as a heatmap with samples of the
// base moving over it and the NLL and NFE in the header; then a short training run, which the
// panel follows (a lower NLL, another density); the time slider holds the samples at t = T/2;
// the Trajectories panel on the flow points at the vector field.
// Screenshots of the flowing samples at the data end and of the scrubbed middle.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { defaultRunsRoot } from '../../engine/src/train';
import { repoRoot, VsCode } from './harness';

let vscode: VsCode | undefined;
let frame: FrameLocator;
let cspViolations: string[] = [];

before(async () => {
  vscode = await VsCode.open({ name: 'cnf', settings: { 'workbench.colorTheme': 'Default Dark Modern' } });
  cspViolations = vscode.watchCsp();
}, { timeout: 120_000 });

after(async () => {
  await vscode?.close();
});

/** What the panel says it drew, from its <body> data attributes. */
async function drawn() {
  const d = await frame.locator('body').evaluate((b) => ({ ...(b as unknown as { dataset: Record<string, string> }).dataset }));
  return {
    task: d.task ?? '',
    iteration: d.iteration ?? '',
    frames: Number(d.frames ?? 0),
    densityFrames: Number(d.densityFrames ?? 0),
    densityCells: Number(d.densityCells ?? 0),
    samples: Number(d.samples ?? 0),
    samplesDrawn: Number(d.samplesDrawn ?? 0),
    flowTime: d.flowTime ?? '',
    time: d.time ?? '',
    ink: Number(d.ink ?? 0),
    nll: Number(d.nll || NaN),
    nfe: Number(d.nfe || NaN),
    arrows: Number(d.arrows ?? 0),
    particles: Number(d.particles ?? 0),
  };
}

/** Distinct colours in a canvas sample of the panel: a heatmap has many, a blank or flat canvas few. */
async function canvasColours(): Promise<{ colours: number; width: number; height: number }> {
  return frame.locator('canvas').first().evaluate((c) => {
    // The page's canvas, typed by what is used of it (this program has no DOM library).
    const canvas = c as unknown as { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const seen = new Set<number>();
    for (let k = 0; k < data.length; k += 4 * 37) seen.add((data[k] << 16) | (data[k + 1] << 8) | data[k + 2]);
    return { colours: seen.size, width: canvas.width, height: canvas.height };
  });
}

test('the untrained flow: a density heatmap with samples flowing from the base, NLL and NFE in the header', { timeout: 60_000 }, async () => {
  assert.ok(vscode);
  await vscode.openFile('cnf.ode.ts');
  await vscode.openPanel('Neural ODE: Open Vector Field', 'Vector Field');
  frame = await vscode.frameOf('Vector Field');
  const first = await vscode.until('the density drawn', drawn, (d) => d.task === 'density' && d.densityCells > 0, 30_000);
  assert.equal(first.iteration, 'untrained');
  assert.equal(first.densityFrames, 11);
  // a 40 × 40 grid of nodes: 39² cells
  assert.equal(first.densityCells, 39 * 39);
  assert.equal(first.samples, 1000);
  assert.equal(first.arrows, 0, 'no arrows over the density');
  assert.equal(first.particles, 0, 'the samples are the particles');
  assert.ok(first.nll > 3 && first.nll < 20, `NLL ${first.nll}`);
  assert.ok(first.nfe > 2, `NFE ${first.nfe}`);
  const { colours, width, height } = await canvasColours();
  assert.ok(colours > 20, `distinct colours on the canvas: ${colours}`);
  // The heatmap covers the box: most of the canvas is not background.
  assert.ok(first.ink > 0.4 * width * height, `ink ${first.ink} of ${width * height} pixels`);
  const status = await frame.locator('.status').textContent();
  assert.match(status ?? '', /cnf · untrained · NLL \d+\.\d{3} nats \(500 points\) · NFE \d+/);
  assert.equal(await frame.locator('.density-scale').isVisible(), true, 'the colour scale in the legend');
  assert.match((await frame.locator('[data-role="density-top"]').textContent()) ?? '', /^\d\.\d+(e-\d+)?$/, 'the top of the colour scale');
  // The samples move: the flow's time advances, and they are drawn inside the canvas.
  const t1 = (await vscode.until('the samples moving', drawn, (d) => d.flowTime !== '' && d.samplesDrawn > 500, 10_000)).flowTime;
  await vscode.until('the samples moved on', drawn, (d) => d.flowTime !== t1, 10_000);
  await vscode.screenshot('cnf-untrained-dark');
});

test('a training run is followed: lower NLL, another density; the slider holds the samples at t = T/2', { timeout: 60_000 }, async () => {
  assert.ok(vscode);
  const before = await drawn();
  execFileSync(process.execPath, [path.join(repoRoot, 'dist', 'cli.js'), 'train', path.join(vscode.workspace, 'cnf.ode.ts'), '--out', defaultRunsRoot(vscode.workspace), '--iterations', '60'], {
    stdio: 'ignore',
    timeout: 60_000,
  });
  const trained = await vscode.until('the run followed', drawn, (d) => d.iteration === '60' && d.task === 'density', 30_000);
  assert.ok(trained.nll < before.nll - 0.5, `NLL ${before.nll} → ${trained.nll}`);
  // Wait for the samples to reach the data (t = 0) for the picture.
  await vscode.until('the samples at the data', drawn, (d) => d.flowTime === '1.00', 10_000);
  await vscode.screenshot('cnf-trained-data-dark');

  const slider = frame.locator('[data-role="time"]');
  await slider.fill('100');
  const held = await vscode.until('the density at t = T/2', drawn, (d) => Math.abs(Number(d.time) - 0.25) < 1e-9, 10_000);
  assert.equal(await frame.locator('[data-role="flows"]').evaluate((b) => (b as unknown as { checked: boolean }).checked), false, 'scrubbing stops the flow');
  assert.ok(held.samplesDrawn > 500, `samples drawn at t = T/2: ${held.samplesDrawn}`);
  assert.match((await frame.locator('.time-row output').textContent()) ?? '', /^t = 0\.250$/);
  const flowTime = held.flowTime;
  await new Promise((r) => setTimeout(r, 600));
  assert.equal((await drawn()).flowTime, flowTime, 'the samples stay put');
  await vscode.screenshot('cnf-trained-half-dark');
  assert.deepEqual(cspViolations, [], 'the panel loads nothing its Content-Security-Policy refuses');
});

test('the Trajectories panel on the flow says where its density is drawn', { timeout: 45_000 }, async () => {
  assert.ok(vscode);
  // From the Explorer: Quick Open does not bring forward an editor already open in the background.
  await vscode.page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'cnf.ode.ts' }).first().click();
  await vscode.page.locator('.tabs-container .tab.active', { hasText: 'cnf.ode.ts' }).first().waitFor({ state: 'visible', timeout: 10_000 });
  await vscode.openPanel('Neural ODE: Open Trajectories', 'Trajectories');
  const traj = await vscode.frameOf('Trajectories');
  const text = await vscode.until('the trajectories notice', () => traj.locator('.notice').textContent(), (t) => /no trajectory/.test(t ?? ''), 20_000);
  await vscode.screenshot('cnf-trajectories-dark');
  assert.match(text ?? '', /continuous normalising flow has no trajectory over time to plot: the Vector field panel .* draws its density and the flow of its samples/);
});
