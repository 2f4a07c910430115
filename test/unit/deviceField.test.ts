// A user's TensorFlow.js field where tensors are read only asynchronously (WebGPU): the solve and
// every gradient method run on tensor states, with the host path's results within float32
// tolerance, and an experiment trains there to the host's losses. No GPU here, so a backend
// registered under the name 'webgpu' runs the cpu kernels: the engine decides by the name alone
// (the real adapter is tested in webgpuTraining.test.ts).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dampedOscillator, defineExperiment, readMetrics, selectBackend, tensorField, tf, trainExperiment, type ExperimentSpec } from '../../engine/src/index';
import { deviceTensorField } from '../../engine/src/device/deviceField';
import { modelsOnDevice } from '../../engine/src/device/placement';
import { BackendSelector } from '../../engine/src/backend/index';
import { ModuleNotInstalled, type ModuleLoader } from '../../engine/src/backend/optionalModule';
import { isDeviceField } from '../../engine/src/device/types';
import type { TensorField } from '../../engine/src/fields/field';
import { tensorNativeField } from '../../engine/src/fields/tensorNative';
import { odeintGrad, type GradientMethod, type NativeGradResult } from '../../engine/src/gradients/index';
import type { NativeField } from '../../engine/src/fields/field';
import { buildAnyTrainable } from '../../engine/src/experiments/modelSource';
import { modelNote } from '../../engine/src/experiments/tensorModel';
import { previewExperiment } from '../../engine/src/experiments/preview';
import { resolveModel } from '../../engine/src/inspect/resolveModel';
import { experimentDiagnostics } from '../../engine/src/analysis/experimentDiagnostics';

/** A tanh network with time input and a transposed kernel, weights from a seed. */
function netField(): TensorField {
  const w1 = tf.variable(tf.randomNormal([2, 12], 0, 0.5, 'float32', 1));
  const wt = tf.variable(tf.randomNormal([12], 0, 0.5, 'float32', 2));
  const b1 = tf.variable(tf.randomNormal([12], 0, 0.1, 'float32', 3));
  const w2 = tf.variable(tf.randomNormal([12, 2], 0, 0.5, 'float32', 4));
  const f = tensorField((t, y) => tf.matMul(tf.tanh(tf.add(tf.add(tf.matMul(y, w1), tf.mul(wt, t)), b1)), w2), { w1, wt, b1, w2 });
  // w2 travels as [out, in], as a tf.layers Dense kernel does
  return { ...f, transposedParams: [false, false, false, true] };
}

const y0 = Float64Array.from({ length: 16 }, (_, i) => Math.sin(1.3 * i + 0.2));
const times = [0, 0.4, 1];
/** L = ½Σ y(t_i)² at the later times: cotangents are the outputs themselves. */
const cotangents = (ys: readonly Float64Array[]) => ys.map((y, i) => (i === 0 ? null : y));
const opts = { method: 'dopri5', rtol: 1e-6, atol: 1e-8 };
const methods: GradientMethod[] = ['backprop', 'checkpoint', 'adjoint'];

function assertClose(got: Float64Array, want: Float64Array, what: string, rel = 2e-3): void {
  assert.equal(got.length, want.length, what);
  const scale = Math.max(...Array.from(want, Math.abs));
  const worst = Math.max(...Array.from(got, (v, i) => Math.abs(v - want[i])));
  assert.ok(worst <= rel * scale, `${what}: differs by ${worst} (scale ${scale})`);
}

describe('a tensor field on a backend that reads only asynchronously', { timeout: 300_000 }, () => {
  const field = netField();
  const host = new Map<string, NativeGradResult>();
  let device: NativeField;

  before(async () => {
    await selectBackend('cpu');
    const native = tensorNativeField(field, 2);
    for (const gradient of methods) host.set(gradient, await odeintGrad(native, y0, times, cotangents, { ...opts, gradient }));
    const CpuBackend = tf.findBackend('cpu').constructor as new () => tf.KernelBackend;
    tf.copyRegisteredKernels('cpu', 'webgpu');
    // firstUse: false keeps the cpu backend's Node.js banner off the test output.
    tf.registerBackend('webgpu', () => Object.assign(new CpuBackend(), { firstUse: false }));
    assert.equal(await tf.setBackend('webgpu'), true);
    device = await deviceTensorField(field, 2);
  });

  after(async () => {
    await tf.setBackend('cpu');
    tf.removeBackend('webgpu');
  });

  for (const gradient of methods) {
    it(`${gradient}: outputs and gradients equal the host's, and no tensor is left behind`, async () => {
      const before = tf.memory().numTensors;
      const r = await odeintGrad(device, y0, times, cotangents, { ...opts, gradient });
      assert.equal(tf.memory().numTensors, before);
      const h = host.get(gradient)!;
      r.ys.forEach((y, i) => assertClose(y, h.ys[i], `y(t${i})`, 1e-4));
      assertClose(r.gradY0, h.gradY0, 'dL/dy0');
      assertClose(r.gradParams, h.gradParams, 'dL/dθ');
      assert.ok(r.stats.nfeForward > 0 && r.stats.nfeBackward > 0, JSON.stringify(r.stats));
    });
  }

  it("writes to θ on the host reach the device's variables before the next solve", async () => {
    const p = device.params;
    const saved = p.slice();
    try {
      const before = await odeintGrad(device, y0, times, cotangents, { ...opts, gradient: 'backprop' });
      p.forEach((v, i) => (p[i] = 0.5 * v));
      const after = await odeintGrad(device, y0, times, cotangents, { ...opts, gradient: 'backprop' });
      // half the weights: the field is smaller, so are the outputs' changes from y0
      const moved = (ys: Float64Array[]) => ys[2].reduce((s, v, i) => s + Math.abs(v - y0[i]), 0);
      assert.ok(moved(after.ys) < 0.8 * moved(before.ys), `${moved(before.ys)} → ${moved(after.ys)}`);
      const w2 = (await field.params[3].data()) as Float32Array;
      // w2 travels transposed: θ's [out, in] entry (0, 1) is the variable's [1, 0]
      const e = (device as unknown as { layout: { name: string; offset: number }[] }).layout.find((x) => x.name === 'w2')!;
      assert.equal(w2[1 * 2 + 0], Math.fround(p[e.offset + 1]));
    } finally {
      p.set(saved);
    }
  });

  it('says why where a single evaluation on the host is asked for', () => {
    assert.throws(() => device.f(0, y0), /runs on the GPU \(backend 'webgpu'\).*select the 'wasm' backend/);
  });

  it('the Solver Inspector, the debugger and the diagnostics say so at the experiment, before solving', async () => {
    const exp = defineExperiment(spec());
    for (const [run, who] of [
      [() => resolveModel(exp, {}, 'solverInspector'), 'The Solver Inspector'],
      [() => resolveModel(exp, {}, 'debugSolve'), 'The debugger'],
      [() => experimentDiagnostics(exp), 'The diagnostics view'],
    ] as const) {
      await assert.rejects(run(), (e: Error) => {
        assert.equal(e.name, 'ExperimentError');
        assert.match(e.message, new RegExp(`deviceField\\.test\\.ts:\\d+:\\d+: ${who} evaluates the model one call at a time on the host, but it runs on the GPU \\(backend 'webgpu'\\)`));
        return true;
      });
    }
  });

  it('an experiment with a tensorField builds on the device and trains to the host losses', async () => {
    const losses = async (): Promise<number[]> => {
      const out = await trainExperiment(defineExperiment(spec()), { runsRoot: fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-device-')) });
      assert.equal(out.status, 'finished', out.message);
      return readMetrics(out.runDir).records.flatMap((r) => [r.loss, r.evalLoss].filter((x) => x !== undefined).map(Number));
    };
    const built = await buildAnyTrainable(defineExperiment(spec()));
    assert.ok(isDeviceField(built.model), 'the model is a device field');
    assert.match(modelNote(built.model) ?? '', /runs on the GPU \(backend 'webgpu'\)/);
    const onDevice = await losses();
    await tf.setBackend('cpu');
    const onHost = await losses();
    await tf.setBackend('webgpu');
    assert.ok(onDevice.length >= 6, `${onDevice.length} losses`);
    assert.equal(onDevice.length, onHost.length);
    onDevice.forEach((l, i) => assert.ok(Math.abs(l - onHost[i]) <= 2e-3 * Math.abs(onHost[i]), `loss ${i}: ${l} on the device, ${onHost[i]} on the host`));
  });

  it('train.regularize, which reads the VJP back one call at a time, is refused at the experiment with what to select', async () => {
    const exp = defineExperiment({ ...spec(), train: { ...spec().train, regularize: { kinetic: 0.01 } } });
    await assert.rejects(trainExperiment(exp, { runsRoot: fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-device-')) }), (e: Error) => {
      assert.equal(e.name, 'ExperimentError');
      assert.match(e.message, /deviceField\.test\.ts:\d+:\d+: train\.regularize evaluates the model's VJP one call at a time on the host, which the GPU backend 'webgpu' cannot read back: select the 'wasm' backend/);
      return true;
    });
  });

  it('the preview draws the field and the trajectory from the device, as on the host', async () => {
    const exp = defineExperiment(spec());
    const onDevice = await previewExperiment(exp, { grid: 6 });
    await tf.setBackend('cpu');
    const onHost = await previewExperiment(exp, { grid: 6 });
    await tf.setBackend('webgpu');
    assert.equal(onDevice.predictedError, null);
    assertClose(onDevice.field.u, onHost.field.u, 'field u', 1e-5);
    assertClose(onDevice.field.v, onHost.field.v, 'field v', 1e-5);
    assertClose(onDevice.predicted!.x, onHost.predicted!.x, 'trajectory x', 1e-4);
  });
});

describe("a tensor field on TensorFlow's CUDA build (tfjs-node-gpu)", () => {
  it('goes on the device, and the views that step on the host still read it one call at a time', async () => {
    const CpuBackend = tf.findBackend('cpu').constructor as new () => tf.KernelBackend;
    // No CUDA here: a 'tensorflow' backend of cpu kernels, loaded as the GPU package would be.
    const fakeNodeGpu: ModuleLoader = (name) => {
      if (name !== '@tensorflow/tfjs-node-gpu') throw new ModuleNotInstalled(name, []);
      tf.copyRegisteredKernels('cpu', 'tensorflow');
      tf.registerBackend('tensorflow', () => Object.assign(new CpuBackend(), { firstUse: false }));
      return { version: { 'tfjs-node': '4.22.0' } };
    };
    try {
      assert.equal((await new BackendSelector({ load: fakeNodeGpu, env: {} }).select()).name, 'tensorflow');
      assert.equal(modelsOnDevice(), true);
      const field = netField();
      const device = await deviceTensorField(field, 2);
      const host = tensorNativeField(field, 2);
      assertClose(device.f(0.3, y0), host.f(0.3, y0), 'f', 1e-5);
      const a = y0.map((v) => 1 - v);
      const [gd, gh] = [device.vjp(0.3, y0, a), host.vjp(0.3, y0, a)];
      assertClose(gd.y, gh.y, 'aᵀ∂f/∂y', 1e-5);
      assertClose(gd.params, gh.params, 'aᵀ∂f/∂θ', 1e-5);
      const inspected = await resolveModel(defineExperiment(spec()), {}, 'solverInspector');
      assert.ok(isDeviceField(inspected.field));
    } finally {
      await tf.setBackend('cpu');
      tf.removeBackend('tensorflow');
    }
  });
});

const spec = (): ExperimentSpec => ({
  name: 'device-oscillator',
  data: () => dampedOscillator({ dataSize: 60, t1: 6 }),
  model: netOscillator,
  solver: { method: 'dopri5', rtol: 1e-5, atol: 1e-7 },
  gradient: 'adjoint',
  train: { iterations: 4, optimizer: { name: 'adam', lr: 2e-2 }, batchTime: 8, batchSize: 8, evalEvery: 2, checkpointEvery: 2 },
});

/** A small tanh network for the damped oscillator, the same weights on every backend. */
function netOscillator(): TensorField {
  const w1 = tf.variable(tf.randomNormal([2, 16], 0, 0.3, 'float32', 1));
  const b1 = tf.variable(tf.zeros([16]));
  const w2 = tf.variable(tf.randomNormal([16, 2], 0, 0.3, 'float32', 2));
  return tensorField((_t, y) => tf.matMul(tf.tanh(tf.add(tf.matMul(y, w1), b1)), w2), { w1, b1, w2 });
}
