// "Neural ODE: Open Trajectories" on the latent ODE example in a real VS Code (a scratch copy
// of examples/): the untrained model's series, then a short training run by the command line (400 iterations, which lower the interpolation RMSE shown),
// which the panel follows: for each shown series the observations, the reconstruction over
// the observed span and the extrapolation past it (point counts read from the cards' data
// attributes, which count only finite values). Screenshot in test-artifacts/latent/.
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
  vscode = await VsCode.open({ name: 'latent', settings: { 'workbench.colorTheme': 'Default Light Modern' } });
  cspViolations = vscode.watchCsp();
}, { timeout: 120_000 });

after(async () => {
  await vscode?.close();
});

/** What the panel holds: <body>'s data attributes and each series card's point counts. */
async function shown() {
  const body = await frame.locator('body').evaluate((b) => ({ ...(b as unknown as { dataset: Record<string, string> }).dataset }));
  const cards = await frame.locator('section.chart-card').evaluateAll((els) =>
    els.map((el) => ({
      chart: el.getAttribute('data-chart') ?? '',
      observed: Number(el.getAttribute('data-observed-points') ?? 0),
      reconstruction: Number(el.getAttribute('data-reconstruction-points') ?? 0),
      extrapolation: Number(el.getAttribute('data-extrapolation-points') ?? 0),
      truth: Number(el.getAttribute('data-truth-points') ?? 0),
    })),
  );
  const status = await frame.locator('.status').textContent();
  return { task: body.task ?? '', series: Number(body.series ?? 0), iteration: body.iteration ?? '', checksum: body.checksum ?? '', cards, status: status ?? '' };
}

test('observed points, reconstruction and extrapolation of the latent ODE, untrained and after a short run', { timeout: 120_000 }, async () => {
  assert.ok(vscode);
  await vscode.openFile('latentOde.ode.ts');
  await vscode.openPanel('Neural ODE: Open Trajectories', 'Trajectories');
  frame = await vscode.frameOf('Trajectories');
  const first = await vscode.until('the latent series shown', shown, (d) => d.task === 'latent' && d.cards.length === 4 && d.cards[0].reconstruction > 0, 30_000);
  assert.equal(first.iteration, 'untrained');
  assert.deepEqual(first.cards.map((c) => c.chart), ['series-0', 'series-1', 'series-2', 'series-3']);
  for (const c of first.cards) {
    // examples/latentOde.ode.ts: 30 observations in the first 100 of 200 dense points per window.
    assert.equal(c.observed, 30, `${c.chart}: every observation`);
    assert.equal(c.reconstruction, 100, `${c.chart}: the reconstruction at every dense time of the observed half`);
    assert.equal(c.extrapolation, 100, `${c.chart}: the extrapolation over the second half`);
    assert.equal(c.truth, 200);
  }
  assert.match(first.status, /RMSE interpolation \d+\.\d{3} · extrapolation \d+\.\d{3} · 4 series/);
  execFileSync(process.execPath, [path.join(repoRoot, 'dist', 'cli.js'), 'train', path.join(vscode.workspace, 'latentOde.ode.ts'), '--out', defaultRunsRoot(vscode.workspace), '--iterations', '400'], {
    stdio: 'ignore',
    timeout: 80_000,
  });
  const trained = await vscode.until('the run followed', shown, (d) => d.iteration === '400' && d.task === 'latent', 30_000);
  assert.notEqual(trained.checksum, first.checksum, 'the reconstruction changed with the weights');
  const interpolation = (status: string): number => Number(/RMSE interpolation (\d+\.\d+)/.exec(status)?.[1]);
  assert.ok(interpolation(trained.status) < 0.8 * interpolation(first.status), `RMSE ${interpolation(first.status)} → ${interpolation(trained.status)}`);
  assert.ok(trained.cards.every((c) => c.observed === 30 && c.reconstruction === 100 && c.extrapolation === 100));
  await new Promise((r) => setTimeout(r, 300));
  await vscode.screenshot('latent-light');
  assert.deepEqual(cspViolations, [], 'the panel loads nothing its Content-Security-Policy refuses');
});
