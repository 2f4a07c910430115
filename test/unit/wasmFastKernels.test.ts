// The engine's replacements for slow tfjs-backend-wasm kernels (Tanh, transposed BatchMatMul,
// leading-axis Sum, narrow Slice, SplitV and Concat, small Add, Sub and Multiply, Sin and Cos) give
// the cpu backend's results on every shape they take and on the ones they hand back to the original
// kernels, and leak no tensor.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { selectBackend, tf } from '../../engine/src/backend/index';
import { registerFastWasmKernels } from '../../engine/src/backend/wasmFastKernels';

const values = (n: number, seed: number): number[] => Array.from({ length: n }, (_, i) => Math.sin(1.7 * i + seed) + 0.1 * Math.cos(0.3 * i * seed));

/** Runs `fn` on cpu and on wasm: both results as plain arrays, with their shapes. */
async function onBoth(fn: () => tf.Tensor | tf.Tensor[]): Promise<{ cpu: number[][]; wasm: number[][]; shapes: number[][] }> {
  const run = () => {
    const before = tf.memory().numTensors;
    const out = tf.tidy(fn);
    const list = Array.isArray(out) ? out : [out];
    const arrays = list.map((t) => Array.from(t.dataSync()));
    const shapes = list.map((t) => t.shape);
    tf.dispose(list);
    assert.equal(tf.memory().numTensors, before, 'no tensor may leak');
    return { arrays, shapes };
  };
  await selectBackend('cpu');
  const cpu = run();
  await selectBackend('wasm');
  const wasm = run();
  assert.deepEqual(wasm.shapes, cpu.shapes, 'shapes');
  return { cpu: cpu.arrays, wasm: wasm.arrays, shapes: wasm.shapes };
}

function assertClose(actual: number[][], expected: number[][], what: string, tol = 2e-6): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, k) => {
    assert.equal(a.length, expected[k].length, `${what}: output ${k} length`);
    const scale = expected[k].reduce((m, v) => Math.max(m, Math.abs(v)), 1);
    a.forEach((v, i) => assert.ok(Math.abs(v - expected[k][i]) <= tol * scale, `${what}: output ${k}[${i}]: ${v} vs cpu ${expected[k][i]}`));
  });
}

describe('faster wasm kernels', () => {
  before(async () => {
    await selectBackend('wasm');
  });

  it('are registered once, and again is a no-op', () => {
    const first = registerFastWasmKernels('wasm');
    assert.deepEqual(registerFastWasmKernels('wasm'), first);
    assert.equal(first.length, 4, first.join('; '));
  });

  it('tanh: float32 within 1.5e-7 of cpu, ±0, large |x|, NaN', async () => {
    const xs = [...values(1000, 3).map((v) => 12 * v), 0, -0, 1e-6, -1e-6, 30, -30, 9.6, NaN];
    const { cpu, wasm } = await onBoth(() => [tf.tanh(tf.tensor1d(xs)), tf.tanh(tf.tensor2d(values(6, 1), [2, 3]))]);
    assert.ok(Number.isNaN(wasm[0][xs.length - 1]));
    assert.ok(Object.is(wasm[0][1001], -0), 'tanh(-0) = -0');
    assertClose(
      wasm.map((a) => a.map((v) => (Number.isNaN(v) ? 0 : v))),
      cpu.map((a) => a.map((v) => (Number.isNaN(v) ? 0 : v))),
      'tanh',
      1.5e-7,
    );
  });

  it('matMul with every transpose flag, batched and broadcast, equals cpu (the shapes copied and those left to the backend)', async () => {
    const cases: [number[], number[], boolean, boolean][] = [
      [[1024, 1], [256, 1], false, true], // dY·Wᵀ of a one-output layer: B copied
      [[64, 256], [64, 32], true, false], // Xᵀ·dY: A copied
      [[256, 64], [32, 64], false, true],
      [[64, 256], [32, 64], true, true],
      [[512, 48], [512, 1], true, false], // one output column: left to the backend
      [[3, 40, 20], [3, 30, 20], false, true], // batched
      [[2, 20, 40], [20, 30], true, false], // broadcast batch
      [[5, 7], [7, 3], false, false], // plain
    ];
    for (const [sa, sb, ta, tb] of cases) {
      const { cpu, wasm } = await onBoth(() => tf.matMul(tf.tensor(values(tf.util.sizeFromShape(sa), 1), sa), tf.tensor(values(tf.util.sizeFromShape(sb), 2), sb), ta, tb));
      assertClose(wasm, cpu, `matMul ${JSON.stringify(sa)}${ta ? 'ᵀ' : ''}·${JSON.stringify(sb)}${tb ? 'ᵀ' : ''}`, 1e-5);
    }
  });

  it('sum over leading axes (the batch), with keepDims, several and negative axes, equals cpu; other reductions unchanged', async () => {
    const x = (shape: number[]) => tf.tensor(values(tf.util.sizeFromShape(shape), 4), shape);
    const { cpu, wasm } = await onBoth(() => [
      tf.sum(x([1024, 64]), 0),
      tf.sum(x([1024, 64]), 0, true),
      tf.sum(x([16, 32, 24]), [1, 0]),
      tf.sum(x([300, 40]), -2),
      tf.sum(x([300, 40]), 1),
      tf.sum(x([300, 40])),
      tf.sum(x([8, 4]), 0), // small: the backend's own
      tf.sum(tf.tensor2d(Array.from({ length: 8192 }, (_, i) => i % 7), [4096, 2], 'int32'), 0),
    ]);
    assertClose(wasm, cpu, 'sum', 1e-5);
  });

  it('narrow slices, splits and concatenations (a physics model’s columns), int32 and bool too, equal cpu', async () => {
    const y = () => tf.tensor2d(values(256 * 3, 5), [256, 3]);
    const { cpu, wasm } = await onBoth(() => [
      tf.slice(y(), [0, 1], [-1, 1]),
      tf.slice(y(), [10, 0], [20, 2]),
      tf.slice(y(), [5, 0], [7, 3]), // whole rows: one block
      tf.slice(tf.tensor2d(values(40 * 64, 6), [40, 64]), [1, 2], [30, 40]), // wide rows
      tf.concat([tf.slice(y(), [0, 1], [-1, 1]), tf.slice(y(), [0, 0], [-1, 1]), tf.ones([256, 2])], 1),
      tf.concat([tf.ones([3, 2]), tf.zeros([4, 2])], 0),
      tf.concat([tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), tf.tensor2d([5, 6], [2, 1], 'int32')], 1),
      tf.cast(tf.concat([tf.tensor2d([true, false], [2, 1], 'bool'), tf.tensor2d([false, true], [2, 1], 'bool')], 1), 'float32'),
      tf.concat([tf.zeros([2, 0]), tf.ones([2, 3])], 1),
      ...tf.split(y(), [1, 2], 1), // concat's gradient
      ...tf.split(tf.tensor2d(values(6 * 4, 7), [6, 4]), 3, 0),
    ]);
    assertClose(wasm, cpu, 'slice / concat', 0);
  });

  it('small sums, differences and products (equal shapes, a scalar either side, a bias either side) are the cpu bits; sin and cos are Math.sin and Math.cos', async () => {
    const x = () => tf.tensor2d(values(16 * 8, 2), [16, 8]);
    const bias = () => tf.tensor1d(values(8, 4));
    const s = () => tf.scalar(0.75);
    const big = () => tf.tensor2d(values(80 * 64, 3), [80, 64]); // above the size taken here: the backend's
    const { cpu, wasm } = await onBoth(() => [
      ...[tf.add, tf.sub, tf.mul].flatMap((op) => [op(x(), x().reverse(0)), op(x(), s()), op(s(), x()), op(x(), bias()), op(bias(), x()), op(big(), big())]),
      tf.sub(x(), tf.tensor2d(values(16, 5), [16, 1])), // a column: the backend's broadcast
      tf.add(tf.tensor1d([1, 2, 3], 'int32'), tf.tensor1d([4, 5, 6], 'int32')),
      tf.sin(tf.tensor1d([...values(500, 9).map((v) => 40 * v), 0, -0, NaN])),
      tf.cos(tf.tensor2d(values(12, 6), [3, 4])),
    ]);
    // the same bits as cpu's float32 arithmetic, NaN included
    wasm.forEach((a, k) => a.forEach((v, i) => assert.ok(Object.is(v, cpu[k][i]), `output ${k}[${i}]: ${v} vs cpu ${cpu[k][i]}`)));
  });

  it("a pendulum-style field's VJP (slice, dense tanh layer, concat, sin) equals cpu's", async () => {
    const { cpu, wasm } = await onBoth(() => {
      const y = tf.tensor2d(values(512 * 2, 7), [512, 2]);
      const w1 = tf.tensor2d(values(2 * 64, 8), [2, 64]);
      const b1 = tf.tensor1d(values(64, 9));
      const w2 = tf.tensor2d(values(64, 10), [64, 1]);
      const f = (yy: tf.Tensor, a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
        const theta = tf.slice(yy, [0, 0], [-1, 1]);
        const omega = tf.slice(yy, [0, 1], [-1, 1]);
        const friction = tf.matMul(tf.tanh(tf.add(tf.matMul(yy, a), b)), c);
        return tf.sum(tf.mul(tf.concat([omega, tf.sub(friction, tf.sin(theta))], 1), tf.linspace(-1, 1, 1024).reshape([512, 2])));
      };
      return tf.grads(f)([y, w1, b1, w2]);
    });
    // float32: the products sum 512 rows in another order than cpu's
    assertClose(wasm, cpu, 'the VJP', 1e-4);
  });
});
