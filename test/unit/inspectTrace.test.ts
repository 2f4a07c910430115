// traceSolve: the step records of the solver inspector are the solver's own steps. The trace
// runs the same OdeSolve loop as odeint, so its outputs and NFE must equal odeint's bit for bit,
// and its records must equal the StepReports a plain odeint hands to its onStep hook.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nativeAlgebra, odeint, type StateAlgebra, type StepReport } from '../../engine/src/index';
import { traceSolve } from '../../engine/src/inspect/trace';
import { linspace, nonlinear } from './problems';

/** Van der Pol with μ = 5: stiff enough that dopri5 rejects steps at rtol 1e-6. */
const vanDerPol = (_t: number, y: Float64Array): Float64Array => Float64Array.of(y[1], 5 * (1 - y[0] * y[0]) * y[1] - y[0]);

/** The float64 algebra, typed for Float64Array states. */
const f64 = (y: Float64Array) => nativeAlgebra(y) as StateAlgebra<Float64Array>;

const bits = (ys: readonly Float64Array[]): string[] => ys.map((y) => Buffer.from(y.buffer, y.byteOffset, y.byteLength).toString('hex'));

describe('traceSolve', () => {
  for (const [name, f, y0, t, opts] of [
    ['dopri5 on Van der Pol', vanDerPol, [2, 0], linspace(0, 10, 41), { method: 'dopri5', rtol: 1e-6, atol: 1e-8 }],
    ['bosh3 on the nonlinear problem', nonlinear.f, [1, 1], linspace(0, 3, 7), { method: 'bosh3', rtol: 1e-5, atol: 1e-7 }],
    ['rk4 on a fixed grid', nonlinear.f, [1, 1], linspace(0, 2, 5), { method: 'rk4', options: { stepSize: 0.1 } }],
    ['kvaerno3 on Van der Pol', vanDerPol, [2, 0], linspace(0, 4, 9), { method: 'kvaerno3', rtol: 1e-5, atol: 1e-7 }],
  ] as const) {
    it(`${name}: the same steps, NFE and outputs as odeint`, async () => {
      const reports: StepReport[] = [];
      const plain = await odeint(f, Float64Array.from(y0), t, { ...opts, hooks: { onStep: (r) => void reports.push(r) } });
      const start = Float64Array.from(y0);
      const trace = await traceSolve(f64(start), f, start, t, opts);
      assert.equal(trace.failure, null);
      assert.equal(trace.stats.nfe, plain.stats.nfe);
      assert.deepEqual(bits(trace.ys as Float64Array[]), bits(plain.ys));
      assert.equal(trace.steps.length, reports.length);
      assert.equal(trace.steps.length, plain.stats.nAccepted + plain.stats.nRejected);
      trace.steps.forEach((s, i) => {
        const { stages: _stages, y: _y, ...report } = s;
        assert.deepEqual(report, { ...reports[i] }, `step ${i + 1}`);
      });
      assert.equal(trace.steps.at(-1)!.nfe <= plain.stats.nfe, true);
      // Rejected steps carry no state; the last accepted one ends at the final output.
      for (const s of trace.steps) assert.equal(s.y === null, !s.accepted);
      const last = trace.steps.filter((s) => s.accepted).at(-1)!;
      assert.deepEqual(Array.from(last.y!), Array.from(plain.ys.at(-1)!));
      if (name.startsWith('dopri5')) assert.ok(plain.stats.nRejected > 0, 'the problem rejects steps (so rejected records are tested)');
    });
  }

  it('records the selected sample of a batched state', async () => {
    // Two samples of y' = −k·y with different rates: sample 1's record is its own exp(−2t).
    const f = (_t: number, y: Float64Array) => Float64Array.of(-y[0], -y[1], -2 * y[2], -2 * y[3]);
    const y0 = Float64Array.of(1, 2, 3, 4);
    const trace = await traceSolve(f64(y0), f, y0, [0, 1], { rtol: 1e-8, atol: 1e-10, sample: { index: 1, dim: 2 } });
    const s = trace.steps.filter((x) => x.accepted).at(-1)!;
    assert.equal(s.y!.length, 2);
    assert.ok(Math.abs(s.y![0] - 3 * Math.exp(-2)) < 1e-7);
    assert.ok(Math.abs(s.y![1] - 4 * Math.exp(-2)) < 1e-7);
    assert.ok(s.stages > 0);
    await assert.rejects(traceSolve(f64(y0), f, y0, [0, 1], { sample: { index: 2, dim: 2 } }), /outside the state/);
  });

  it('keeps the steps up to a failure and says what failed', async () => {
    const f = (t: number, y: Float64Array) => (t > 0.5 ? Float64Array.of(NaN) : Float64Array.of(-y[0]));
    const y0 = Float64Array.of(1);
    const streamed: number[] = [];
    const trace = await traceSolve(f64(y0), f, y0, [0, 1], { onTraceStep: (s) => void streamed.push(s.n) });
    assert.ok(trace.failure, 'the solve failed');
    assert.equal(trace.failure.kind, 'nonFinite');
    assert.ok(trace.steps.length > 0);
    assert.deepEqual(streamed, trace.steps.map((s) => s.n));
    assert.ok(trace.steps.some((s) => !s.accepted && s.t + s.h > 0.5), 'the rejected attempts into the NaN are recorded');
  });
});
