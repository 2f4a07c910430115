// Debugging the continuous adjoint: the runtime's backward solves are adjointGrad's, bit for
// bit (dL/dy0 and dL/dθ equal), and a stop shows the adjoint state and the dL/dθ accumulator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { trajectoryLoss } from 'neural-ode-studio';
import { loadExperiment } from '../../engine/src/experiments/load';
import { adjointGrad } from '../../engine/src/gradients/adjoint';
import { SolveRuntime, type StopEvent, type StepRecord } from '../../engine/src/debug/runtime';
import { debugTarget, solvePlan } from '../../engine/src/debug/target';
import { frameScopes, stackFrames, evaluateExpression } from '../../engine/src/debug/view';

const SPIRAL = path.resolve(__dirname, '../fixtures/debug/spiral.ode.ts');

test("the adjoint's backward solves give adjointGrad's gradients, bit for bit", async () => {
  const target = await debugTarget(await loadExperiment(SPIRAL), { rtol: 1e-6, atol: 1e-8 });
  const plan = solvePlan(target, 'adjoint');
  const rt = new SolveRuntime(target, { stopOn: [] }, plan);
  const steps: StepRecord[] = [];
  rt.on('step', (s) => steps.push(s));
  await rt.start();
  assert.ok(plan.result);
  const expected = await adjointGrad(target.field, Float64Array.from(target.y0), Array.from(target.times), (ys) => trajectoryLoss('l1', ys, target.observed!).grads, {
    method: target.method, rtol: target.rtol, atol: target.atol, options: target.options,
  });
  assert.deepEqual(plan.result.gradY0, expected.gradY0);
  assert.deepEqual(plan.result.gradParams, expected.gradParams);
  // Every backward step is reported, integrating towards t0, numbered across the intervals.
  assert.equal(steps.filter((s) => s.accepted).length, expected.stats.nAcceptedBackward);
  assert.equal(steps.filter((s) => !s.accepted).length, expected.stats.nRejectedBackward);
  assert.ok(steps.every((s) => s.solve === 'adjoint' && s.h < 0));
  assert.deepEqual(steps.map((s) => s.n), steps.map((_, i) => i + 1));
  assert.deepEqual([...new Set(steps.map((s) => s.interval))], Array.from({ length: target.times.length - 1 }, (_, i) => target.times.length - 1 - i));
});

test('a stop in the backward solve shows the adjoint state and the dL/dθ accumulator', async () => {
  const target = await debugTarget(await loadExperiment(SPIRAL), {});
  const rt = new SolveRuntime(target, { stopOnEntry: true }, solvePlan(target, 'adjoint'));
  const seen: { ev: StopEvent; frames: string[]; state: string[]; a: unknown; g: unknown }[] = [];
  const script = [(r: SolveRuntime) => r.stepOver(), (r: SolveRuntime) => r.stepOut(), (r: SolveRuntime) => r.terminate()];
  rt.on('stopped', (ev) => {
    seen.push({
      ev,
      frames: stackFrames(rt).map((f) => f.name),
      state: frameScopes(rt, 'step').find((s) => s.name === 'State')!.variables().map((v) => v.name),
      a: evaluateExpression(rt, 'norm(a)'),
      g: evaluateExpression(rt, 'len(dLdTheta)'),
    });
    setImmediate(() => script.shift()!(rt));
  });
  await rt.start();
  const n = target.times.length - 1;
  assert.equal(seen[0].ev.reason, 'entry');
  assert.match(seen[0].frames[1], new RegExp(`^backward over output interval ${n} of ${n} \\[2 → 1\\.8\\]`));
  assert.match(seen[0].frames[2], /^adjoint solve dopri5/);
  assert.deepEqual(seen[0].state.filter((x) => !x.startsWith('‖')), ['y', 'a', 'dL/dθ', 'tNow']);
  assert.ok((seen[0].a as number) > 0, 'the last output time put its cotangent into a');
  assert.equal(seen[0].g, target.field.params.length);
  assert.match(seen[1].frames[0], /^step 1 /);
  // Step out: to the end of this backward interval (t = 1.8).
  assert.match(seen[2].ev.description, new RegExp(`End of output interval ${n}`));
  assert.ok(rt.t <= 1.8 + 1e-12);
});
