// The activation tape: an MLP field keeps the hidden activations of its forward evaluations for
// the vjps of backprop's reverse sweep. Everything it gives must be bit for bit what f and vjp
// give, and every record must be freed whatever way the gradient computation ends.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { augmentedMlpField, mapInput, mlpField } from '../../engine/src/fields/index';
import type { ActivationTape, NativeField } from '../../engine/src/fields/field';
import { odeintGrad, type GradientMethod, type OdeintGradOptions } from '../../engine/src/gradients/index';
import { mlpVjp, type MlpGradsOut } from '../../engine/src/kernels/mlpVjpKernel';
import { assertSameBits, randomArray, uniform, untaped } from './gradientProblems';

/** The field with its tapes watched: how many were opened and closed, records made, and records left after close. */
function watched(field: NativeField, failF?: (calls: number) => boolean, ignoreInto = false) {
  const log = { opened: 0, closed: 0, leftAfterClose: 0, records: 0, calls: 0 };
  const wrapped: NativeField = {
    ...untaped(field),
    tape: () => {
      const inner = field.tape!();
      if (!inner) return null;
      log.opened++;
      const tape: ActivationTape = {
        f: (t, y) => {
          if (failF?.(++log.calls)) throw new Error('f failed on purpose');
          const r = inner.f(t, y);
          if (r.record >= 0) log.records++;
          return r;
        },
        matches: (rec, t, y) => inner.matches(rec, t, y),
        vjp: (rec, t, y, a, into) => inner.vjp(rec, t, y, a, ignoreInto ? undefined : into),
        free: (rec) => inner.free(rec),
        close: () => {
          log.closed++;
          inner.close();
          log.leftAfterClose += inner.size + inner.bytes;
        },
        get size() {
          return inner.size;
        },
        get bytes() {
          return inner.bytes;
        },
      };
      return tape;
    },
  };
  return { field: wrapped, log };
}

const batchOf = (n: number, d: number, seed: number) => randomArray(n * d, uniform(seed), 1.5);

describe('mlpField tape', () => {
  for (const [d, H, batch] of [
    [2, 64, 256],
    [2, 50, 21],
    [3, 7, 5],
    [5, 9, 4],
  ] as const) {
    it(`f and vjp from a record equal f and vjp bit for bit: sizes [${d}, ${H}, ${d}], batch ${batch}`, () => {
      const field = mlpField({ sizes: [d, H, d], seed: H + batch });
      const tape = field.tape();
      assert.ok(tape, 'a one-hidden-layer tanh MLP has a tape where WebAssembly SIMD runs (Node 20)');
      const y = batchOf(batch, d, 1);
      const a = batchOf(batch, d, 2);
      const { f, record } = tape.f(0.3, y);
      assert.ok(record >= 0);
      assertSameBits(f, field.f(0.3, y), 'f');
      const g = tape.vjp(record, 0.3, y, a);
      const ref = field.vjp(0.3, y, a);
      assertSameBits(g.y, ref.y, 'dL/dy');
      assertSameBits(g.params, ref.params, 'dL/dθ');
      // added into an accumulator: acc + dL/dθ, as adding the returned params would give
      const acc = randomArray(field.params.length, uniform(3));
      const expected = acc.map((v, i) => v + ref.params[i]);
      const added = tape.vjp(record, 0.3, y, a, acc);
      assert.equal(added.params, acc);
      assertSameBits(acc, expected, 'acc + dL/dθ');
      assertSameBits(added.y, ref.y, 'dL/dy (accumulating)');
      assert.equal(tape.size, 1);
      assert.ok(tape.bytes >= batch * H * 8, `${tape.bytes} bytes hold ${batch}×${H} activations`);
      tape.close();
      assert.equal(tape.size, 0);
      assert.equal(tape.bytes, 0);
    });
  }

  it('matches only the exact t and values a record was made at', () => {
    const field = mlpField({ sizes: [2, 8, 2], seed: 1 });
    const tape = field.tape()!;
    const y = Float64Array.of(0.5, 0, -1, 2);
    const { record } = tape.f(1, y);
    assert.equal(tape.matches(record, 1, y.slice()), true);
    assert.equal(tape.matches(record, 1 + 2 ** -52, y), false);
    const moved = y.slice();
    moved[3] = 2 + 2 ** -51;
    assert.equal(tape.matches(record, 1, moved), false);
    const negZero = y.slice();
    negZero[1] = -0;
    assert.equal(tape.matches(record, 1, negZero), false);
    tape.free(record);
    assert.equal(tape.matches(record, 1, y), false);
    tape.close();
  });

  it('recomputes when params changed since the record was made, giving the new weights’ vjp', () => {
    const field = mlpField({ sizes: [2, 16, 2], seed: 4 });
    const tape = field.tape()!;
    const y = batchOf(6, 2, 3);
    const a = batchOf(6, 2, 4);
    const { record } = tape.f(0, y);
    field.params[5] += 0.25;
    const g = tape.vjp(record, 0, y, a);
    const ref = field.vjp(0, y, a);
    assertSameBits(g.y, ref.y, 'dL/dy');
    assertSameBits(g.params, ref.params, 'dL/dθ');
    tape.close();
  });

  it('fields without the SIMD kernel have none; mapInput and augmented fields pass their base’s on', () => {
    assert.equal(mlpField({ sizes: [2, 8, 2], simd: false }).tape(), null);
    assert.equal(mlpField({ sizes: [2, 8, 8, 2] }).tape(), null);
    assert.equal(mlpField({ sizes: [2, 8, 2], timeDependent: true }).tape(), null);
    const base = mlpField({ sizes: [2, 12, 2], seed: 2 });
    const cubed = mapInput(base, (x) => x ** 3, (x) => 3 * x * x);
    const y = batchOf(5, 2, 5);
    const a = batchOf(5, 2, 6);
    const tape = cubed.tape!()!;
    const { f, record } = tape.f(0, y);
    assertSameBits(f, cubed.f(0, y), 'mapInput f');
    const g = tape.vjp(record, 0, y, a);
    assertSameBits(g.y, cubed.vjp(0, y, a).y, 'mapInput dL/dy');
    assertSameBits(g.params, cubed.vjp(0, y, a).params, 'mapInput dL/dθ');
    tape.close();
    const aug = augmentedMlpField({ sizes: [2, 12, 2], extraDims: 1, seed: 3 });
    const ya = batchOf(4, 3, 7);
    const augTape = aug.tape!()!;
    const r = augTape.f(0, ya);
    assertSameBits(augTape.vjp(r.record, 0, ya, ya).params, aug.vjp(0, ya, ya).params, 'augmented dL/dθ');
    augTape.close();
  });
});

describe('mlpVjp records', () => {
  const weights = (d: number, H: number) => {
    const rand = uniform(d * 31 + H);
    return { W1: randomArray(H * d, rand), b1: randomArray(H, rand), W2: randomArray(d * H, rand), b2: randomArray(d, rand) };
  };
  const views = (g: Float64Array, d: number, H: number): MlpGradsOut => ({
    W1: g.subarray(0, H * d),
    b1: g.subarray(H * d, H * d + H),
    W2: g.subarray(H * d + H, 2 * H * d + H),
    b2: g.subarray(2 * H * d + H),
  });

  for (const [d, H, batch] of [
    [2, 64, 255],
    [1, 6, 7],
    [4, 5, 2],
    [6, 10, 3],
  ] as const) {
    it(`a batch's sums are the sample-by-sample sums, bit for bit, from a record or not: d = ${d}, H = ${H}, batch ${batch}`, () => {
      const kernel = mlpVjp(weights(d, H))!;
      const P = 2 * H * d + H + d;
      const y = batchOf(batch, d, 8);
      const a = batchOf(batch, d, 9);
      // one sample per call, the sums added up in sample order: the reference order
      const gyRef = new Float64Array(y.length);
      const gRef = new Float64Array(P);
      for (let s = 0; s < batch; s++) {
        const gy = new Float64Array(d);
        const g = new Float64Array(P);
        kernel.vjp(y.subarray(s * d, (s + 1) * d), a.subarray(s * d, (s + 1) * d), gy, views(g, d, H));
        gyRef.set(gy, s * d);
        for (let i = 0; i < P; i++) gRef[i] = s === 0 ? g[i] : gRef[i] + g[i];
      }
      const gy = new Float64Array(y.length);
      const g = new Float64Array(P);
      kernel.vjp(y, a, gy, views(g, d, H));
      assertSameBits(gy, gyRef, 'dL/dy');
      assertSameBits(g.subarray(0, P - d), gRef.subarray(0, P - d), 'dL/d(W1, b1, W2)');
      const f = new Float64Array(y.length);
      const rec = kernel.record(y, f);
      assert.ok(rec >= 0);
      assertSameBits(kernel.recordedInput(rec), y, 'recorded y');
      const gyT = new Float64Array(y.length);
      const gT = new Float64Array(P);
      assert.equal(kernel.vjpRecorded(rec, a, gyT, views(gT, d, H)), true);
      assertSameBits(gyT, gy, 'taped dL/dy');
      assertSameBits(gT, g, 'taped dL/dθ');
      kernel.freeRecord(rec);
      assert.equal(kernel.records, 0);
    });
  }

  it('reuses freed records, keeps records valid while the batch grows, and refuses them after setWeights', () => {
    const w = weights(2, 8);
    const kernel = mlpVjp(w)!;
    const y = batchOf(3, 2, 1);
    const a = batchOf(3, 2, 2);
    const f = new Float64Array(6);
    const first = kernel.record(y, f);
    const second = kernel.record(y, f);
    kernel.freeRecord(first);
    assert.equal(kernel.record(y, f), first, 'the freed record is handed out again');
    // a larger batch moves the I/O region above the live records; they stay intact
    const big = batchOf(500, 2, 3);
    kernel.vjp(big, big, new Float64Array(1000), views(new Float64Array(2 * 16 + 8 + 2), 2, 8));
    assertSameBits(kernel.recordedInput(second), y, 'record after growth');
    const gy = new Float64Array(6);
    const g = new Float64Array(42);
    assert.equal(kernel.vjpRecorded(second, a, gy, views(g, 2, 8)), true);
    const ref = new Float64Array(6);
    kernel.vjp(y, a, ref, views(new Float64Array(42), 2, 8));
    assertSameBits(gy, ref, 'dL/dy after growth');
    kernel.setWeights(w);
    assert.equal(kernel.vjpRecorded(second, a, gy, views(g, 2, 8)), false);
    kernel.freeRecord(first);
    kernel.freeRecord(second);
    assert.equal(kernel.records, 0);
  });
});

describe('backprop with a tape', () => {
  const cases: { name: string; method: string; t: number[]; options?: OdeintGradOptions['options'] }[] = [
    { name: 'dopri5, several outputs', method: 'dopri5', t: [0, 0.4, 1.1, 2] },
    { name: 'dopri5, backwards, with a jump', method: 'dopri5', t: [2, 1, 0], options: { jumpT: [1.5] } },
    { name: 'tsit5', method: 'tsit5', t: [0, 3] },
    { name: 'bosh3', method: 'bosh3', t: [0, 1] },
    { name: 'fehlberg2 (not FSAL)', method: 'fehlberg2', t: [0, 1] },
    { name: 'rk4 on a fixed grid', method: 'rk4', t: [0, 0.5, 1], options: { stepSize: 0.1 } },
  ];
  const fields: [string, () => NativeField][] = [
    ['mlpField', () => mlpField({ sizes: [2, 32, 2], seed: 9 })],
    ['mapInput(mlpField, y³)', () => mapInput(mlpField({ sizes: [2, 32, 2], seed: 9 }), (x) => x ** 3, (x) => 3 * x * x)],
  ];
  for (const [fieldName, make] of fields) {
    for (const c of cases) {
      for (const gradient of ['backprop', 'checkpoint'] as GradientMethod[]) {
        it(`${gradient}, ${fieldName}, ${c.name}: the same bits as without the tape, every record freed`, async () => {
          const { field, log } = watched(make());
          const y0 = batchOf(17, 2, 11);
          const rand = uniform(12);
          const cots = c.t.map(() => randomArray(34, rand));
          const opts = { method: c.method, rtol: 1e-6, atol: 1e-8, options: c.options, gradient, checkpoints: 2 };
          const taped = await odeintGrad(field, y0, c.t, cots, opts);
          const plain = await odeintGrad(untaped(field), y0, c.t, cots, opts);
          assertSameBits(taped.gradY0, plain.gradY0, 'dL/dy0');
          assertSameBits(taped.gradParams, plain.gradParams, 'dL/dθ');
          taped.ys.forEach((y, i) => assertSameBits(y, plain.ys[i], `ys[${i}]`));
          assert.equal(taped.stats.nfeForward, plain.stats.nfeForward);
          assert.equal(taped.stats.nVjpBackward, plain.stats.nVjpBackward);
          assert.ok(log.records > 0, 'the tape kept records');
          assert.deepEqual([log.opened, log.closed, log.leftAfterClose], [1, 1, 0]);
        });
      }
    }
  }

  it('gives the same bits when the tape runs out of room and later stages recompute', async () => {
    const base = mlpField({ sizes: [2, 16, 2], seed: 6 });
    const y0 = batchOf(9, 2, 7);
    const cots = [null, y0, y0];
    const room = 5 * (9 * 16 * 8 + 9 * 2 * 8); // five records of this batch
    let made = 0;
    let refused = 0;
    const small: NativeField = {
      ...untaped(base),
      tape: () => {
        const inner = base.tape(room)!;
        return {
          ...inner,
          f: (t, y) => {
            const r = inner.f(t, y);
            if (r.record >= 0) made++;
            else refused++;
            return r;
          },
          matches: inner.matches,
          vjp: inner.vjp,
          free: inner.free,
          close: inner.close,
          get size() {
            return inner.size;
          },
          get bytes() {
            return inner.bytes;
          },
        };
      },
    };
    const taped = await odeintGrad(small, y0, [0, 1, 2], cots, { gradient: 'backprop' });
    const plain = await odeintGrad(untaped(base), y0, [0, 1, 2], cots, { gradient: 'backprop' });
    assert.ok(made > 0 && refused > 0, `${made} records made, ${refused} refused`);
    assertSameBits(taped.gradParams, plain.gradParams, 'dL/dθ');
    assertSameBits(taped.gradY0, plain.gradY0, 'dL/dy0');
  });

  it('gives the same bits with a tape whose vjp ignores the accumulator it may add into', async () => {
    const base = mlpField({ sizes: [2, 16, 2], seed: 5 });
    const y0 = batchOf(9, 2, 6);
    const cots = [null, y0, y0];
    const lazy = await odeintGrad(watched(base, undefined, true).field, y0, [0, 1, 2], cots, { gradient: 'backprop' });
    const plain = await odeintGrad(untaped(base), y0, [0, 1, 2], cots, { gradient: 'backprop' });
    assertSameBits(lazy.gradParams, plain.gradParams, 'dL/dθ');
    assertSameBits(lazy.gradY0, plain.gradY0, 'dL/dy0');
  });

  it('closes the tape, every record freed, when the sweep is cancelled or f throws', async () => {
    const base = mlpField({ sizes: [2, 16, 2], seed: 3 });
    const y0 = batchOf(9, 2, 4);
    const t = [0, 1, 2];
    // cancelled between the forward solve and the reverse sweep (from the cotangent function)
    const cancelled = watched(base);
    const controller = new AbortController();
    await assert.rejects(
      odeintGrad(cancelled.field, y0, t, (ys) => (controller.abort(), ys.map((y) => y.slice())), { gradient: 'backprop', signal: controller.signal }),
      /cancelled/,
    );
    assert.ok(cancelled.log.records > 0);
    assert.deepEqual([cancelled.log.opened, cancelled.log.closed, cancelled.log.leftAfterClose], [1, 1, 0]);
    // f throws in the middle of the forward solve
    const failing = watched(base, (calls) => calls === 9);
    await assert.rejects(odeintGrad(failing.field, y0, t, [null, y0, y0], { gradient: 'backprop' }), /f failed on purpose/);
    assert.ok(failing.log.records > 0);
    assert.deepEqual([failing.log.opened, failing.log.closed, failing.log.leftAfterClose], [1, 1, 0]);
    // and the field still differentiates, bit for bit as without a tape
    const again = await odeintGrad(base, y0, t, [null, y0, y0], { gradient: 'backprop' });
    const plain = await odeintGrad(untaped(base), y0, t, [null, y0, y0], { gradient: 'backprop' });
    assertSameBits(again.gradParams, plain.gradParams, 'dL/dθ after the failures');
  });
});
