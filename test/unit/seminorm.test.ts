import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { odeint, SolverError, tf } from '../../engine/src/index';
import { nativeAlgebra } from '../../engine/src/state/native';
import { tfjsAlgebra } from '../../engine/src/state/tfjs';
import { rmsReference } from './problems';

// y' = -y is the part under error control; z' = 50·cos(50·t)·y oscillates fast and would
// force small steps if it were controlled too (as an adjoint's parameter part does).
const f = (t: number, s: Float64Array) => Float64Array.of(-s[0], 50 * Math.cos(50 * t) * s[0]);

describe('errorComponents: a seminorm for error control', () => {
  it('the native and tensor norms count only the first components', () => {
    const x = [3, -1, 4, 1e6];
    const r0 = [1, 2, 3, 4];
    const expected = rmsReference(x.slice(0, 3), 1e-3, 1e-6, r0.slice(0, 3));
    const native = nativeAlgebra(Float64Array.of(0)).weightedRms(Float64Array.from(x), 1e-3, 1e-6, Float64Array.from(r0), undefined, 3);
    assert.ok(Math.abs((native as number) - expected) <= 1e-12 * expected);
    const [tx, tr] = [tf.tensor1d(x), tf.tensor1d(r0)];
    const tensor = tfjsAlgebra.weightedRms(tx, 1e-3, 1e-6, tr, undefined, 3) as number;
    assert.ok(Math.abs(tensor - expected) <= 1e-6 * expected, `${tensor} vs ${expected}`);
    tf.dispose([tx, tr]);
  });

  it('leaves the uncontrolled components out of step-size control, keeping the rest accurate', async () => {
    const y0 = Float64Array.of(1, 0);
    const full = await odeint(f, y0, [0, 2], { rtol: 1e-6, atol: 1e-8 });
    const semi = await odeint(f, y0, [0, 2], { rtol: 1e-6, atol: 1e-8, options: { errorComponents: 1 } });
    assert.ok(semi.stats.nAccepted < full.stats.nAccepted / 2, `${semi.stats.nAccepted} vs ${full.stats.nAccepted} steps`);
    assert.ok(Math.abs(semi.ys[1][0] - Math.exp(-2)) < 1e-6);
  });

  it('must name between 1 and all components', async () => {
    for (const bad of [0, 3, 1.5]) {
      await assert.rejects(
        odeint(f, Float64Array.of(1, 0), [0, 1], { options: { errorComponents: bad } }),
        (e: unknown) => e instanceof SolverError && e.kind === 'input' && /errorComponents is/.test(e.message),
      );
    }
  });
});
