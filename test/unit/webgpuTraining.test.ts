// The webgpu backend on a real WebGPU adapter: Dawn (the 'webgpu' package) on the machine's
// driver, a software one (Mesa's llvmpipe through OpenGL ES) where there is no GPU. Never chosen
// automatically there; asked for here, the pendulum example, the user's own TensorFlow.js model,
// trains on it unchanged, to the wasm backend's losses within float32 tolerance.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { engineInfo, readMetrics, selectBackend, trainExperiment } from '../../engine/src/index';
import { loadExperiment } from '../../engine/src/experiments/load';

const PENDULUM = path.resolve('examples/pendulum.ode.ts');

/** Every loss the run logged (training and evaluation), in order. */
async function losses(backend: 'wasm' | 'webgpu', gradient: 'backprop' | 'adjoint'): Promise<number[]> {
  await selectBackend(backend);
  const exp = await loadExperiment(PENDULUM);
  const out = await trainExperiment(
    { ...exp, gradient, train: { ...exp.train, evalEvery: 2 } },
    { runsRoot: fs.mkdtempSync(path.join(os.tmpdir(), `neural-ode-${backend}-`)), iterations: 4 },
  );
  assert.equal(out.status, 'finished', out.message);
  return readMetrics(out.runDir).records.flatMap((r) => [r.loss, r.evalLoss].filter((x) => x !== undefined).map(Number));
}

describe('training on a WebGPU adapter', { timeout: 600_000 }, () => {
  it('finds an adapter, and reports a software one as never chosen by itself', async () => {
    const info = await engineInfo('webgpu');
    const webgpu = info.backends.find((b) => b.name === 'webgpu')!;
    assert.equal(
      info.backend,
      'webgpu',
      `no WebGPU adapter: ${webgpu.detail}. Without a GPU, Dawn needs Mesa's EGL and OpenGL ES drivers (Debian: apt-get install libegl1 libegl-mesa0 libgles2).`,
    );
    if (/software/.test(webgpu.detail)) assert.match(webgpu.detail, /used only when asked for/);
  });

  for (const gradient of ['backprop', 'adjoint'] as const) {
    it(`the pendulum example trains with ${gradient} to the wasm backend's losses`, async () => {
      const onWasm = await losses('wasm', gradient);
      const onGpu = await losses('webgpu', gradient);
      assert.equal(onGpu.length, onWasm.length);
      assert.ok(onGpu.length >= 6, `${onGpu.length} losses`);
      onGpu.forEach((l, i) => assert.ok(Math.abs(l - onWasm[i]) <= 1e-4 * Math.abs(onWasm[i]), `loss ${i}: ${l} on webgpu, ${onWasm[i]} on wasm`));
    });
  }
});
