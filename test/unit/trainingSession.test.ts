// Training in the engine worker as the extension host drives it: progress events, the outcome,
// stop within an iteration and resume to the end, one run at a time, load errors, and the
// editor's solver defaults filling only what an experiment leaves unset.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { TrainProgress } from '../../engine/src/protocol';
import { readMetrics } from '../../engine/src/train/runStore';
import { EngineClient, EngineRequestError } from '../../extension/src/engineClient';
import { TrainingSession } from '../../extension/src/trainingSession';

const root = path.resolve(import.meta.dirname, '../..');
const experiments = path.join(root, 'test', 'fixtures', 'experiments');
const tiny = path.join(experiments, 'tiny.ode.ts');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-session-'));
const runsRoot = path.join(scratch, 'runs');
const client = new EngineClient({ workerPath: path.join(import.meta.dirname, 'fixtures', 'engineWorker.mjs') });
const session = new TrainingSession(client);
const engineLog: string[] = [];
client.on('engine/log', (e) => engineLog.push(`${e.level}: ${e.message}`));

after(async () => {
  session.dispose();
  await client.dispose();
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe('training session', { timeout: 120_000 }, () => {
  it('trains to the end with a progress event per iteration', async () => {
    const seen: TrainProgress[] = [];
    const sub = session.onDidProgress((_run, p) => seen.push(p));
    const before = Date.now();
    const run = await session.start({ file: tiny, runsRoot, iterations: 6 }, 'tiny');
    assert.equal(session.busy, true);
    assert.equal(run.startIteration, 0);
    // The override, not the experiment's 400: what the status bar and the notification show.
    assert.equal(run.iterations, 6);
    assert.ok(run.startedAt >= before && run.startedAt <= Date.now());
    const end = await run.done;
    sub.dispose();
    assert.equal(end.outcome?.status, 'finished');
    assert.equal(end.outcome?.iteration, 6);
    assert.deepEqual(seen.map((p) => p.iteration), [1, 2, 3, 4, 5, 6]);
    assert.ok(seen.every((p) => p.runId === run.runId && Number.isFinite(p.loss) && p.nfeForward > 0 && p.nfeBackward > 0));
    assert.equal(end.outcome?.loss, seen[5].loss);
    assert.equal(readMetrics(run.runDir).records.length, 6);
    assert.equal(session.busy, false);
    assert.ok(engineLog.some((l) => l.includes(`run ${run.runId} started: tiny`)), engineLog.join('\n'));
    assert.ok(engineLog.some((l) => l.includes(`run ${run.runId} finished at iteration 6`)), engineLog.join('\n'));
  });

  it('stops within an iteration, keeps the run, and resumes it to the end', async () => {
    const run = await session.start({ file: tiny, runsRoot, iterations: 300 }, 'tiny');
    let stopAnswer: Promise<{ stopping: boolean; iteration?: number }> | undefined;
    const sub = session.onDidProgress((_r, p) => {
      if (p.iteration === 3 && !stopAnswer) stopAnswer = session.stop();
    });
    const end = await run.done;
    sub.dispose();
    assert.equal(end.outcome?.status, 'cancelled');
    const kept = end.outcome!.iteration;
    // Within one iteration of the one the worker had finished when the request arrived.
    const answer = await stopAnswer!;
    assert.equal(answer.stopping, true);
    assert.ok(answer.iteration !== undefined && answer.iteration >= 3);
    assert.ok(kept >= answer.iteration && kept <= answer.iteration + 1, `stopped at iteration ${kept}, asked after ${answer.iteration}`);
    assert.ok(kept < 300);
    assert.equal(readMetrics(run.runDir).records.length, kept);

    const iterationsSeen: number[] = [];
    const totalsSeen: number[] = [];
    const sub2 = session.onDidProgress((_r, p) => {
      iterationsSeen.push(p.iteration);
      totalsSeen.push(p.iterations);
    });
    const target = kept + 5;
    const again = await session.start({ file: tiny, runsRoot, iterations: target, resume: run.runId }, 'tiny');
    assert.equal(again.runId, run.runId);
    assert.equal(again.startIteration, kept);
    assert.equal(again.iterations, target, 'a resume to a new total');
    const end2 = await again.done;
    sub2.dispose();
    assert.equal(end2.outcome?.status, 'finished');
    assert.equal(end2.outcome?.iteration, target);
    assert.equal(iterationsSeen[0], kept + 1);
    assert.ok(totalsSeen.every((n) => n === target), `progress totals ${[...new Set(totalsSeen)]}`);
    assert.deepEqual(readMetrics(run.runDir).records.map((r) => r.iteration), Array.from({ length: target }, (_, i) => i + 1));
  });

  it('trains one run at a time: the session and the worker both refuse a second', async () => {
    const run = await session.start({ file: tiny, runsRoot, iterations: 300 }, 'tiny');
    await assert.rejects(session.start({ file: tiny, runsRoot }, 'tiny'), /already training/);
    const err = await client.request('train/start', { file: tiny, runsRoot }).then(
      () => assert.fail('the worker started a second run'),
      (e: unknown) => e as EngineRequestError,
    );
    assert.equal(err.kind, 'busy');
    assert.match(err.message, new RegExp(`already training run ${run.runId}\\. Stop it`));
    assert.equal((await client.request('train/stop', { runId: 'no-such-run' })).stopping, false);
    assert.equal((await session.stop()).stopping, true);
    assert.equal((await run.done).outcome?.status, 'cancelled');
  });

  it('rejects the start when the experiment cannot be loaded, and stays free', async () => {
    const missing = path.join(experiments, 'nope.ode.ts');
    await assert.rejects(session.start({ file: missing, runsRoot }, 'nope'), (e: unknown) => {
      assert.ok(e instanceof EngineRequestError);
      assert.match(e.message, /nope\.ode\.ts: no such file/);
      return true;
    });
    assert.equal(session.busy, false);
    assert.ok(engineLog.some((l) => l.startsWith('error: could not start training') && l.includes('nope.ode.ts')));
  });

  it("fills an experiment's unset solver and gradient from the defaults, and only those", async () => {
    const defaults = { solver: { method: 'bosh3' as const, rtol: 1e-4, atol: 1e-6 }, gradient: 'adjoint' as const };
    const a = await session.start({ file: path.join(experiments, 'tinyNoSolver.ode.ts'), runsRoot, defaults }, 'tinyNoSolver');
    assert.equal((await a.done).outcome?.status, 'finished');
    const configA = JSON.parse(fs.readFileSync(path.join(a.runDir, 'config.json'), 'utf8')).config;
    assert.deepEqual(configA.solver, defaults.solver);
    assert.equal(configA.gradient, 'adjoint');

    const b = await session.start({ file: tiny, runsRoot, iterations: 2, defaults }, 'tiny');
    assert.equal((await b.done).outcome?.status, 'finished');
    const configB = JSON.parse(fs.readFileSync(path.join(b.runDir, 'config.json'), 'utf8')).config;
    assert.deepEqual(configB.solver, { method: 'dopri5', rtol: 1e-6, atol: 1e-8 });
    assert.equal(configB.gradient, 'adjoint'); // tiny sets no gradient
  });

  it('Stop while the experiment is still loading stops it at once; the next run starts in a new worker', async () => {
    const loops = path.join(experiments, 'loops.ode.ts');
    const loading = new Promise<void>((resolve) => {
      const sub = client.on('engine/loading', (e) => {
        if (e.file === loops) {
          sub.dispose();
          resolve();
        }
      });
    });
    const starting = session.start({ file: loops, runsRoot }, 'loops');
    assert.equal(session.busy, true);
    await loading;
    const asked = Date.now();
    assert.deepEqual(await session.stop(), { stopping: true });
    await assert.rejects(starting, (e: unknown) => {
      assert.ok(e instanceof EngineRequestError);
      assert.equal(e.kind, 'loadCancelled');
      assert.equal(e.message, `stopped while loading ${loops}`);
      return true;
    });
    assert.ok(Date.now() - asked < 2000, `stopped ${Date.now() - asked} ms after the request`);
    assert.equal(session.busy, false);
    const run = await session.start({ file: tiny, runsRoot, iterations: 2 }, 'tiny');
    assert.equal((await run.done).outcome?.status, 'finished');
  });

  it('Stop asked before the engine began loading still stops the run', async () => {
    const starting = session.start({ file: tiny, runsRoot, iterations: 300 }, 'tiny');
    assert.deepEqual(await session.stop(), { stopping: true });
    // Stopped while loading, or at its first iteration once it started: never trained to the end.
    const end = await starting.then(
      (run) => run.done,
      (e: unknown) => e as EngineRequestError,
    );
    if (end instanceof EngineRequestError) assert.equal(end.kind, 'loadCancelled');
    else assert.equal(end.outcome?.status, 'cancelled', JSON.stringify(end));
    assert.equal(session.busy, false);
  });
});
