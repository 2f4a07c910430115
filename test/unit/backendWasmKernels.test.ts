import assert from 'node:assert/strict';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { selectBackend, tf } from '../../engine/src/backend/index';
import { MISSING_ON_WASM } from '../../engine/src/backend/wasmKernels';
import { locateWasmDirectory } from '../../engine/src/backend/wasmPaths';

/** Deterministic inputs without ties (sin of a scrambled index). */
function values(n: number, seed: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.sin(1.7 * i + seed) + 0.1 * Math.cos(0.3 * i * seed));
}

/** Runs `fn` on cpu and on wasm and returns both results as plain arrays. */
async function onBoth(fn: () => tf.Tensor | tf.Tensor[]): Promise<{ cpu: number[][]; wasm: number[][] }> {
  const run = () => {
    const before = tf.memory().numTensors;
    const out = tf.tidy(fn);
    const list = Array.isArray(out) ? out : [out];
    const arrays = list.map((t) => Array.from(t.dataSync()));
    tf.dispose(list);
    assert.equal(tf.memory().numTensors, before, 'no tensor may leak');
    return arrays;
  };
  await selectBackend('cpu');
  const cpu = run();
  await selectBackend('wasm');
  const wasm = run();
  return { cpu, wasm };
}

function assertClose(actual: number[][], expected: number[][], tol = 1e-4): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, k) => {
    assert.equal(a.length, expected[k].length);
    const scale = Math.max(1, ...expected[k].map(Math.abs));
    a.forEach((v, i) => assert.ok(Math.abs(v - expected[k][i]) <= tol * scale, `output ${k}[${i}]: ${v} vs ${expected[k][i]}`));
  });
}

describe('wasm kernels served by cpu', () => {
  before(async () => {
    await selectBackend('wasm');
  });

  it('registers every kernel wasm lacks', () => {
    for (const name of MISSING_ON_WASM) assert.ok(tf.getKernel(name, 'wasm'), `${name} missing on wasm`);
  });

  it("conv2d's gradient (input and filter) on wasm matches cpu", async () => {
    const { cpu, wasm } = await onBoth(() => {
      const x = tf.tensor4d(values(2 * 6 * 6 * 3, 1), [2, 6, 6, 3]);
      const w = tf.tensor4d(values(3 * 3 * 3 * 4, 2), [3, 3, 3, 4]);
      const loss = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')));
      return tf.grads(loss)([x, w]);
    });
    assertClose(wasm, cpu);
  });

  it("strided conv2d and depthwiseConv2d gradients on wasm match cpu", async () => {
    const { cpu, wasm } = await onBoth(() => {
      const x = tf.tensor4d(values(1 * 7 * 7 * 2, 3), [1, 7, 7, 2]);
      const w = tf.tensor4d(values(3 * 3 * 2 * 3, 4), [3, 3, 2, 3]);
      const d = tf.tensor4d(values(3 * 3 * 2 * 2, 5), [3, 3, 2, 2]);
      const loss = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        tf.add(
          tf.sum(tf.tanh(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'valid'))),
          tf.sum(tf.square(tf.depthwiseConv2d(a as tf.Tensor4D, c as tf.Tensor4D, 1, 'same'))),
        );
      return tf.grads(loss)([x, w, d]);
    });
    assertClose(wasm, cpu);
  });

  it("gather's gradient (UnsortedSegmentSum) on wasm matches cpu", async () => {
    const { cpu, wasm } = await onBoth(() => {
      const table = tf.tensor2d(values(5 * 3, 6), [5, 3]);
      const idx = tf.tensor1d([4, 0, 4, 2, 4], 'int32');
      return tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.gather(t, idx))))(table);
    });
    assertClose(wasm, cpu);
    // Row 4 was gathered three times: its gradient is the sum of three contributions.
    const t4 = values(15, 6).slice(12, 15);
    assertClose([cpu[0].slice(12, 15)], [t4.map((v) => 6 * v)]);
  });

  it('maxPool routes the gradient of tied maxima like cpu', async () => {
    const tied = Array.from({ length: 6 * 6 * 2 }, (_, i) => Math.max(0, Math.round(2 * Math.sin(1.3 * i))));
    const { cpu, wasm } = await onBoth(() => {
      const x = tf.tensor4d(tied, [1, 6, 6, 2]);
      const weights = tf.range(1, 1 + 3 * 3 * 2).reshape([1, 3, 3, 2]);
      return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 3, 2, 'same'), weights)))(x);
    });
    assert.deepEqual(wasm, cpu);
  });

  it('einsum runs on wasm', async () => {
    const { cpu, wasm } = await onBoth(() =>
      tf.einsum('ij,jk->ik', tf.tensor2d(values(6, 7), [2, 3]), tf.tensor2d(values(12, 8), [3, 4])),
    );
    assertClose(wasm, cpu);
  });
});

describe('wasm binaries', () => {
  it('are found in the package when run from source, and NEURAL_ODE_WASM_DIR overrides', () => {
    const found = locateWasmDirectory({});
    assert.ok(!('error' in found), JSON.stringify(found));
    assert.equal(found.source, 'package');
    assert.match(found.dir, /tfjs-backend-wasm[\\/]dist$/);
    const explicit = locateWasmDirectory({ NEURAL_ODE_WASM_DIR: found.dir });
    assert.deepEqual(explicit, { dir: found.dir, source: 'NEURAL_ODE_WASM_DIR' });
  });

  it('an override without binaries is an error naming the variable, not a silent fallback', () => {
    const missing = locateWasmDirectory({ NEURAL_ODE_WASM_DIR: path.join(__dirname, 'no-such-dir') });
    assert.ok('error' in missing);
    assert.match(missing.error, /NEURAL_ODE_WASM_DIR=.*no-such-dir holds no tfjs-backend-wasm-simd\.wasm/);
  });
});
