// How runs and progress read in the Runs view, the status bar and notifications, and what
// resuming reads back from a run's config.json.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TrainOutcome, TrainProgress } from '../../engine/src/protocol';
import type { RunSummary } from '../../engine/src/train/runStore';
import { parseRunConfig } from '../../extension/src/runConfig';
import {
  formatDuration, formatLoss, isResumable, iterationText, outcomeMessage, parseTags, progressMessage, runDescription, runLabel, runTooltip, statusBarText, statusIcon,
} from '../../extension/src/runsFormat';

const run = (over: Partial<RunSummary> = {}): RunSummary => ({
  id: '20261122-084427-spiral-ded0',
  dir: '/w/.neural-ode/runs/20261122-084427-spiral-ded0',
  experiment: 'spiral',
  status: 'finished',
  createdAt: '2026-11-22T08:44:27.774Z',
  lastIteration: 300,
  lastLoss: 0.012345,
  wallSeconds: 9.84,
  ...over,
});

const progress: TrainProgress = { runId: 'r', iteration: 12, iterations: 300, loss: 0.04321, task: 'trajectory', nfeForward: 62, nfeBackward: 124, iterationSeconds: 0.033, lr: 1e-3 };

describe('runs formatting', () => {
  it('formats losses to 4 significant digits, tiny and huge ones as exponents', () => {
    assert.equal(formatLoss(0.012345), '0.01235');
    assert.equal(formatLoss(1.5), '1.5');
    assert.equal(formatLoss(2.5e-5), '2.50e-5');
    assert.equal(formatLoss(3e6), '3.00e+6');
    assert.equal(formatLoss(0), '0');
    assert.equal(formatLoss(NaN), 'NaN');
    assert.equal(formatLoss(null), '—');
  });

  it('formats durations in the unit people use', () => {
    assert.equal(formatDuration(0.0331), '33 ms');
    assert.equal(formatDuration(9.84), '9.8 s');
    assert.equal(formatDuration(125), '2 min 05 s');
    assert.equal(formatDuration(3725), '1 h 02 min');
    assert.equal(formatDuration(null), '—');
  });

  it('describes a run by status, last loss, iterations and time', () => {
    assert.equal(runDescription(run()), 'finished · loss 0.01235 · it 300 · 9.8 s');
    // With the iteration the run trains to (an override, or a resume's new total).
    assert.equal(runDescription(run({ status: 'cancelled', lastIteration: 120 }), 500), 'cancelled · loss 0.01235 · it 120/500 · 9.8 s');
    assert.equal(iterationText(120, 300), 'it 120/300');
    assert.equal(iterationText(120, undefined), 'it 120');
    assert.match(runLabel(run()), /^spiral 11-2[12] \d\d:\d\d$/); // local time
    assert.equal(runDescription(run({ status: 'running', lastIteration: null, lastLoss: null, wallSeconds: null })), 'running');
    const tip = runTooltip(run({ status: 'failed', message: 'The solver failed in iteration 7: step size underflow.' }));
    assert.match(tip, /^spiral: failed\nrun 20261122-084427-spiral-ded0\n/);
    assert.match(tip, /The solver failed in iteration 7/);
  });

  it('marks a run whose config.json is damaged, and says how its weights still export', () => {
    const damaged = run({ status: 'interrupted', damaged: 'config.json is missing' });
    assert.equal(runDescription(damaged), 'interrupted · config.json damaged · loss 0.01235 · it 300 · 9.8 s');
    assert.match(runTooltip(damaged), /config\.json is missing: it cannot be resumed; its weights export from a terminal: neural-ode export <experiment file> --run 20261122-084427-spiral-ded0/);
  });

  it("names a run by its own name, tags and note where it has them", () => {
    assert.match(runLabel(run(), 'wide lr'), /^spiral · wide lr 11-2[12] \d\d:\d\d$/);
    const tip = runTooltip(run(), { name: 'wide lr', tags: ['sweep', 'lr'], note: 'lr 3e-2, to compare with 1e-2' });
    assert.match(tip, /^spiral · wide lr: finished\ntags: sweep, lr\nlr 3e-2, to compare with 1e-2\n/);
    assert.deepEqual(parseTags(' sweep, , lr 1e-2 ,'), ['sweep', 'lr 1e-2']);
  });

  it('gives every status an icon and lets all but running runs resume', () => {
    const statuses = ['running', 'finished', 'failed', 'cancelled', 'interrupted'] as const;
    assert.equal(new Set(statuses.map(statusIcon)).size, statuses.length);
    assert.deepEqual(statuses.filter(isResumable), ['finished', 'failed', 'cancelled', 'interrupted']);
  });

  it('shows iteration, loss and NFE while training', () => {
    assert.equal(statusBarText('spiral', progress), '$(sync~spin) spiral it 12/300 · loss 0.04321 · NFE 62/124');
    // The total is the run's own: here an override of the experiment's 300.
    assert.equal(statusBarText('spiral', { ...progress, iteration: 120, iterations: 500 }), '$(sync~spin) spiral it 120/500 · loss 0.04321 · NFE 62/124');
    assert.match(statusBarText('spiral', undefined), /starting/);
    assert.equal(progressMessage({ ...progress, evalLoss: 0.5 }), 'it 12/300 · loss 0.04321 (trajectory loss 0.5) · NFE 62 fwd, 124 bwd · 33 ms/it');
    assert.equal(
      progressMessage({ ...progress, task: 'density', evalLoss: 3.1 }),
      'it 12/300 · loss 0.04321 (negative log-likelihood of every point 3.1) · NFE 62 fwd, 124 bwd · 33 ms/it',
    );
  });

  it('says how a run ended in one short line, with the engine message when it failed', () => {
    const o: TrainOutcome = { runId: 'r1', runDir: '/d', status: 'finished', iteration: 300, loss: 0.012345, evalLoss: 0.015, task: 'trajectory' };
    assert.equal(
      outcomeMessage('spiral', o, { iterations: 300, startIteration: 0, seconds: 16.2 }),
      'Neural ODE: spiral finished — loss 0.01235 (eval 0.015) after 300 iterations in 16.2 s',
    );
    assert.equal(outcomeMessage('spiral', { ...o, evalLoss: null }), 'Neural ODE: spiral finished — loss 0.01235 after 300 iterations');
    // A resumed run: the time is that of the iterations it did now.
    assert.equal(
      outcomeMessage('spiral', { ...o, iteration: 500 }, { iterations: 500, startIteration: 300, seconds: 11 }),
      'Neural ODE: spiral finished — loss 0.01235 (eval 0.015) after iterations 301–500 in 11.0 s',
    );
    assert.equal(
      outcomeMessage('circles', { ...o, task: 'classification', evalLoss: 0.2, evalAccuracy: 0.9312 }, { seconds: 3 }),
      'Neural ODE: circles finished — loss 0.01235 (eval 0.2, accuracy 93.1 %) after 300 iterations in 3.0 s',
    );
    assert.equal(
      outcomeMessage('spiral', { ...o, status: 'cancelled', iteration: 40, evalLoss: null }, { iterations: 500 }),
      'Neural ODE: spiral stopped at it 40/500 — loss 0.01235; Resume continues it',
    );
    assert.equal(
      outcomeMessage('spiral', { ...o, status: 'failed', message: 'Training diverged at iteration 9: the loss is NaN.' }),
      'Neural ODE: spiral failed: Training diverged at iteration 9: the loss is NaN.',
    );
    // No run id, no long evaluation names: the notification keeps to one line.
    assert.ok(outcomeMessage('spiral', { ...o, task: 'density' }, { seconds: 16 }).length < 90);
  });
});

describe('run config for resuming', () => {
  it('reads the file, the target iteration, and the solver and gradient the run used', () => {
    const info = parseRunConfig({
      id: 'x',
      experiment: 'spiral',
      config: { file: '/w/spiral.ode.ts', solver: { method: 'tsit5', rtol: 1e-5 }, gradient: { method: 'adjoint' }, train: { iterations: 150 } },
    });
    assert.deepEqual(info, { experiment: 'spiral', file: '/w/spiral.ode.ts', iterations: 150, defaults: { solver: { method: 'tsit5', rtol: 1e-5 }, gradient: 'adjoint' } });
  });

  it('leaves out what is missing or malformed', () => {
    const info = parseRunConfig({ experiment: 3, config: { file: '', gradient: 'magic', train: { iterations: -1 } } });
    assert.deepEqual(info, { experiment: 'experiment', file: undefined, iterations: undefined, defaults: { solver: undefined, gradient: undefined } });
    assert.equal(parseRunConfig(null).experiment, 'experiment');
  });
});
