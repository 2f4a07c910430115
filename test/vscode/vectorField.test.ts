// "Neural ODE: Open Vector Field" in a real VS Code on a copy of examples/: the untrained spiral
// model's field drawn on a non-blank canvas with particles moving, then a run of the experiment
// writing a checkpoint of other weights, which the panel follows (its sampled field changes).
// Screenshots in light and dark themes.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { mapInput, mlpField } from '../../engine/src/fields/index';
import { createRun, defaultRunsRoot, finishRun } from '../../engine/src/train';
import { VsCode } from './harness';

let vscode: VsCode | undefined;
let frame: FrameLocator;
let cspViolations: string[] = [];

before(async () => {
  vscode = await VsCode.open({ name: 'vectorField', settings: { 'workbench.colorTheme': 'Default Light Modern' } });
  cspViolations = vscode.watchCsp();
}, { timeout: 120_000 });

after(async () => {
  await vscode?.close();
});

/** What the panel says it drew, from its <body> data attributes. */
async function drawn() {
  const d = await frame.locator('body').evaluate((b) => ({ ...(b as unknown as { dataset: Record<string, string> }).dataset }));
  return {
    arrows: Number(d.arrows ?? 0),
    ink: Number(d.ink ?? 0),
    particles: Number(d.particles ?? 0),
    fps: Number(d.fps ?? 0),
    checksum: d.checksum ?? '',
    iteration: d.iteration ?? '',
  };
}

let untrainedChecksum = '';

test('the untrained spiral field is drawn, with particles moving', { timeout: 60_000 }, async () => {
  assert.ok(vscode);
  await vscode.openFile('spiral.ode.ts');
  await vscode.runCommand('Neural ODE: Open Vector Field');
  frame = await vscode.frameOf('Vector Field');
  const first = await vscode!.until('the field drawn', drawn, (d) => d.arrows > 0 && d.checksum !== '', 30_000);
  assert.equal(first.iteration, 'untrained');
  assert.ok(first.arrows > 24 * 24 * 0.9, `arrows: ${first.arrows}`);
  // A blank canvas has no ink; arrows, data and the trajectory cover a good part of it.
  assert.ok(first.ink > 2_000, `non-background pixels: ${first.ink}`);
  assert.equal(first.particles, 5000);
  untrainedChecksum = first.checksum;
  const moving = await vscode!.until('a measured frame rate', drawn, (d) => d.fps > 0, 10_000);
  console.log(`# vector field: ${moving.arrows} arrows, ${moving.particles} particles at ${moving.fps} frames/s (headless chromium, software rendering)`);
  await vscode.screenshot('vectorField-light');
});

test('a run writing a checkpoint of other weights changes the field', { timeout: 60_000 }, async () => {
  assert.ok(vscode);
  // spiral.ode.ts's model shape with other weights: what a run part-way through training saves.
  const other = mapInput(mlpField({ sizes: [2, 50, 2], seed: 5 }), (x) => x ** 3, (x) => 3 * x * x);
  const run = createRun(defaultRunsRoot(vscode.workspace), { experiment: 'spiral', config: { file: path.join(vscode.workspace, 'spiral.ode.ts') } });
  run.writeCheckpoint({ iteration: 7, params: other.params });
  finishRun(run, { status: 'finished' });
  const after = await vscode!.until('the run followed', drawn, (d) => d.iteration === '7', 30_000);
  assert.notEqual(after.checksum, untrainedChecksum, 'the sampled field changed');
  assert.ok(after.arrows > 0 && after.ink > 2_000);
  assert.deepEqual(cspViolations, [], 'the panel loads nothing its Content-Security-Policy refuses');
});

test('the panel follows the colour theme', { timeout: 60_000 }, async () => {
  assert.ok(vscode);
  const inkLight = (await drawn()).ink;
  vscode.setWorkspaceSettings({ 'workbench.colorTheme': 'Default Dark Modern' });
  await vscode!.until('a dark body', () => frame.locator('body').getAttribute('class'), (c) => /\bvscode-dark\b/.test(c ?? ''), 30_000);
  await new Promise((r) => setTimeout(r, 500));
  const dark = await drawn();
  assert.ok(dark.ink > 2_000, `ink on the dark background: ${dark.ink} (light: ${inkLight})`);
  await vscode.screenshot('vectorField-dark');
});
