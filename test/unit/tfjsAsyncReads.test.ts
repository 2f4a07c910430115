/**
 * The algebra's asynchronous path, used where `dataSync` is unavailable (WebGPU). No GPU here,
 * so a backend registered under the name 'webgpu' runs the cpu kernels: the algebra only
 * looks at the name to decide how to read, and the values can be checked exactly.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { tf } from '../../engine/src/backend/index';
import { releaseToleranceTensors, tfjsAlgebra as A } from '../../engine/src/state/tfjs';
import { rmsReference } from './problems';

type Tensor = tf.Tensor;

const shape = [5, 2];
const raw = [0, 1, 2].map((s) => Array.from({ length: 10 }, (_, i) => Math.cos(0.9 * i + s) * (1 + i)));
const f32 = (xs: number[]) => xs.map(Math.fround);

function close(a: number, b: number, rel = 1e-6): void {
  assert.ok(Math.abs(a - b) <= rel * Math.abs(b), `${a} vs ${b}`);
}

describe('tfjsAlgebra where reads are asynchronous', () => {
  let xs: Tensor[] = [];

  before(async () => {
    const CpuBackend = tf.findBackend('cpu').constructor as new () => tf.KernelBackend;
    tf.copyRegisteredKernels('cpu', 'webgpu');
    // firstUse: false keeps the cpu backend's Node.js banner off the test output.
    tf.registerBackend('webgpu', () => Object.assign(new CpuBackend(), { firstUse: false }));
    assert.equal(await tf.setBackend('webgpu'), true);
    xs = raw.map((v) => tf.tensor(v, shape));
  });

  after(async () => {
    tf.dispose(xs);
    await tf.setBackend('cpu');
    tf.removeBackend('webgpu');
  });

  it('weightedRms returns a Promise of the same number, leaving no tensor', async () => {
    const before = tf.memory().numTensors;
    const p = A.weightedRms(xs[0], 1e-3, 1e-6, xs[1], xs[2]);
    assert.ok(p instanceof Promise);
    close(await p, rmsReference(f32(raw[0]), 1e-3, 1e-6, f32(raw[1]), f32(raw[2])));
    close(await A.weightedRms(xs[0], 1e-2, 1e-4, xs[1]), rmsReference(f32(raw[0]), 1e-2, 1e-4, f32(raw[1])));
    assert.equal(tf.memory().numTensors, before);
  });

  it('weightedRms over the first count components (a seminorm), leaving no tensor', async () => {
    const before = tf.memory().numTensors;
    const expected = rmsReference(f32(raw[0]).slice(0, 7), 1e-3, 1e-6, f32(raw[1]).slice(0, 7), f32(raw[2]).slice(0, 7));
    close(await A.weightedRms(xs[0], 1e-3, 1e-6, xs[1], xs[2], 7), expected);
    assert.equal(tf.memory().numTensors, before);
  });

  it('per-component tolerances become tensors once, kept until released', async () => {
    const rtol = Float64Array.from({ length: 10 }, (_, i) => 1e-3 / (1 + i));
    const atol = Float64Array.from({ length: 10 }, (_, i) => 1e-6 * (1 + i));
    const before = tf.memory().numTensors;
    const expected = rmsReference(f32(raw[0]), Array.from(rtol), Array.from(atol), f32(raw[1]), f32(raw[2]));
    close(await A.weightedRms(xs[0], rtol, atol, xs[1], xs[2]), expected);
    assert.equal(tf.memory().numTensors, before + 2, 'one cached tensor per tolerance array');
    close(await A.weightedRms(xs[0], rtol, atol, xs[1], xs[2]), expected);
    assert.equal(tf.memory().numTensors, before + 2, 'reused, not rebuilt');
    releaseToleranceTensors();
    assert.equal(tf.memory().numTensors, before);
    close(await A.weightedRms(xs[0], rtol, atol, xs[1], xs[2]), expected);
    releaseToleranceTensors();
  });

  it('firstNonFinite and read return Promises with the synchronous answers', async () => {
    const before = tf.memory().numTensors;
    assert.equal(await A.firstNonFinite(xs[0]), -1);
    const bad = tf.tensor(raw[0].map((v, i) => (i === 6 ? NaN : i === 8 ? -Infinity : v)), shape);
    const found = A.firstNonFinite(bad);
    assert.ok(found instanceof Promise);
    assert.equal(await found, 6);
    bad.dispose();
    const r = await A.read(xs[1]);
    assert.ok(r instanceof Float64Array);
    assert.deepEqual(Array.from(r), f32(raw[1]));
    assert.equal(tf.memory().numTensors, before);
  });

  it('lincomb runs as tensor ops (no fused kernel) with the same values', () => {
    const before = tf.memory().numTensors;
    const out = A.lincomb(xs[0], [0.25, -4], [xs[1], xs[2]]);
    assert.equal(tf.memory().numTensors, before + 1);
    const f = raw.map(f32);
    Array.from(out.dataSync()).forEach((v, i) => close(v, f[0][i] + 0.25 * f[1][i] - 4 * f[2][i], 1e-6));
    out.dispose();
  });

  it('lincomb of many terms (dopri8 has 13 stages) sums in groups with the same values', () => {
    const k = 13;
    const termsRaw = Array.from({ length: k }, (_, j) => raw[j % 3].map((v) => v * (1 + j / 7)));
    const terms = termsRaw.map((v) => tf.tensor(v, shape));
    const coeffs = Array.from({ length: k }, (_, j) => (j % 4 === 3 ? 0 : (j + 1) / 10 - 0.6));
    const before = tf.memory().numTensors;
    const out = A.lincomb(xs[0], coeffs, terms);
    assert.equal(tf.memory().numTensors, before + 1);
    const base = f32(raw[0]);
    const expected = base.map((b, i) => b + coeffs.reduce((acc, c, j) => acc + c * Math.fround(termsRaw[j][i]), 0));
    Array.from(out.dataSync()).forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= 1e-5 * Math.max(1, Math.abs(expected[i])), `[${i}]`));
    tf.dispose([out, ...terms]);
  });
});
