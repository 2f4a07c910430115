import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { odeintEvent, SolverError, tf } from '../../engine/src/index';
import { solveToEvent } from '../../engine/src/events';
import { tfjsAlgebra } from '../../engine/src/state/tfjs';

// A ball dropped from height 10: y = [height, velocity], it lands at t* = sqrt(2·10/g).
const g = 9.81;
const fall = (_t: number, y: Float64Array) => Float64Array.of(y[1], -g);
const tLand = Math.sqrt((2 * 10) / g);

describe('odeintEvent', () => {
  it('locates a zero crossing to the precision of t, with the state there', async () => {
    for (const method of ['dopri5', 'tsit5', 'bosh3', 'kvaerno3']) {
      const r = await odeintEvent(fall, Float64Array.of(10, 0), 0, { eventFn: (_t, y) => y[0], method });
      assert.ok(r.tEvent !== null);
      assert.ok(Math.abs(r.tEvent - tLand) < 1e-9, `${method}: ${r.tEvent} vs ${tLand}`);
      assert.ok(Math.abs(r.ys[1][0]) < 1e-8, `${method}: height ${r.ys[1][0]} at the event`);
      assert.ok(Math.abs(r.ys[1][1] + g * tLand) < 1e-8);
      assert.deepEqual(r.ys[0], Float64Array.of(10, 0));
    }
  });

  it('integrates backwards with reverseTime', async () => {
    // y' = 1 from y(0) = 0 going back in time reaches y = -2 at t = -2.
    const r = await odeintEvent((_t, _y) => Float64Array.of(1), Float64Array.of(0), 0, {
      eventFn: (_t, y) => y[0] + 2,
      reverseTime: true,
    });
    assert.ok(r.tEvent !== null && Math.abs(r.tEvent + 2) < 1e-12, `tEvent ${r.tEvent}`);
  });

  it('returns tEvent null and the state at tMax when no crossing happens first', async () => {
    const r = await odeintEvent(fall, Float64Array.of(10, 0), 0, { eventFn: (_t, y) => y[0], tMax: 1 });
    assert.equal(r.tEvent, null);
    assert.ok(Math.abs(r.ys[1][0] - (10 - g / 2)) < 1e-9);
  });

  it('works on a fixed grid, within the interpolation error', async () => {
    const r = await odeintEvent(fall, Float64Array.of(10, 0), 0, {
      eventFn: (_t, y) => y[0],
      method: 'rk4',
      tMax: 3,
      options: { stepSize: 0.01, interp: 'cubic' },
    });
    assert.ok(r.tEvent !== null && Math.abs(r.tEvent - tLand) < 1e-8, `tEvent ${r.tEvent}`);
  });

  it('an event already at t0 returns at once', async () => {
    const r = await odeintEvent(fall, Float64Array.of(0, 0), 0, { eventFn: (_t, y) => y[0] });
    assert.equal(r.tEvent, 0);
    assert.equal(r.stats.nfe, 0);
  });

  it('never hangs without an event: maxNumSteps ends the solve', async () => {
    await assert.rejects(
      odeintEvent((_t, _y) => Float64Array.of(1), Float64Array.of(0), 0, {
        eventFn: () => 1,
        options: { maxNumSteps: 50 },
      }),
      (e: unknown) => e instanceof SolverError && e.kind === 'maxSteps' && /maxNumSteps \(50\)/.test(e.message),
    );
  });

  it('a non-finite event function is an error naming t', async () => {
    await assert.rejects(
      odeintEvent(fall, Float64Array.of(10, 0), 0, { eventFn: (t) => (t > 0.5 ? NaN : 1) }),
      (e: unknown) => e instanceof SolverError && e.kind === 'nonFinite' && /eventFn returned NaN at t = /.test(e.message),
    );
  });

  it('solves tensor states too, without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const y0 = tf.tensor1d([10, 0]);
    const r = await solveToEvent(tfjsAlgebra, (_t, y) => tf.stack([y.gather(1), tf.scalar(-g)]), y0, 0, {
      eventFn: (_t, y) => y[0],
      rtol: 1e-6,
      atol: 1e-6,
    });
    assert.ok(r.tEvent !== null && Math.abs(r.tEvent - tLand) < 1e-4, `tEvent ${r.tEvent}`);
    r.ys.forEach((y) => y.dispose());
    y0.dispose();
    assert.equal(tf.memory().numTensors, before);
  });
});
