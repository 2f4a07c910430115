import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { BackendSelector, engineInfo, selectBackend, tf } from '../../engine/src/backend/index';
import { loadOptionalModule, ModuleNotInstalled, type ModuleLoader } from '../../engine/src/backend/optionalModule';
import { ENGINE_VERSION } from '../../engine/src/version';

const repoRoot = path.resolve(__dirname, '../..');

/** A loader that finds nothing: the situation of a machine without tfjs-node and webgpu. */
const nothingInstalled: ModuleLoader = (name) => {
  throw new ModuleNotInstalled(name, ['/nowhere']);
};

/** Whether `name` can be resolved from the repository (tfjs-node / webgpu cannot be installed here). */
function resolvable(name: string): boolean {
  try {
    createRequire(path.join(repoRoot, 'package.json')).resolve(name);
    return true;
  } catch {
    return false;
  }
}

function report(sel: { reports: { name: string; available: boolean; detail: string }[] }, name: string) {
  const r = sel.reports.find((x) => x.name === name);
  assert.ok(r, `no report for ${name} in ${JSON.stringify(sel.reports)}`);
  return r;
}

after(async () => {
  await tf.setBackend('cpu');
});

describe('backend selection', () => {
  it('falls back to wasm when tfjs-node and webgpu are absent, saying why', async () => {
    const sel = await new BackendSelector({ load: nothingInstalled, env: {} }).select();
    assert.equal(sel.name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    assert.deepEqual(
      sel.reports.map((r) => r.name),
      ['tensorflow', 'webgpu', 'wasm'],
    );
    const tensorflow = report(sel, 'tensorflow');
    assert.equal(tensorflow.available, false);
    assert.match(tensorflow.detail, /not installed/);
    assert.match(tensorflow.detail, /@tensorflow\/tfjs-node/);
    const webgpu = report(sel, 'webgpu');
    assert.equal(webgpu.available, false);
    assert.match(webgpu.detail, /not installed/);
    assert.match(report(sel, 'wasm').detail, /^selected: /);
    // The backend really runs.
    const s = tf.tidy(() => tf.sum(tf.tensor1d([1, 2, 3.5])).dataSync()[0]);
    assert.equal(s, 6.5);
  });

  it("reports this machine's real backends: no tfjs-node, and webgpu (a devDependency) chosen only on a hardware adapter", async (t) => {
    if (resolvable('@tensorflow/tfjs-node') || resolvable('@tensorflow/tfjs-node-gpu')) {
      t.skip('tfjs-node is installed here');
      return;
    }
    const info = await engineInfo('auto');
    // the tests below register fake adapters under this name
    if (info.backend !== 'webgpu') tf.removeBackend('webgpu');
    const [tensorflow, webgpu, wasm, cpu] = info.backends;
    assert.deepEqual(info.backends.map((b) => b.name), ['tensorflow', 'webgpu', 'wasm', 'cpu']);
    assert.equal(tensorflow.available, false);
    assert.match(tensorflow.detail, /not installed/);
    const hardware = webgpu.available && !/software adapter/.test(webgpu.detail);
    assert.equal(info.backend, hardware ? 'webgpu' : 'wasm', webgpu.detail);
    if (webgpu.available && !hardware) assert.match(webgpu.detail, /software adapter .*used only when asked for/);
    if (!webgpu.available) assert.match(webgpu.detail, /no WebGPU adapter/);
    assert.equal(wasm.available, true);
    assert.match(wasm.detail, /SIMD/);
    assert.equal(cpu.available, true);
  });

  it('honours an explicit preference: cpu, then wasm, in one process', async () => {
    const cpu = await selectBackend('cpu');
    assert.equal(cpu.name, 'cpu');
    assert.equal(tf.getBackend(), 'cpu');
    assert.equal(cpu.requestedBy, 'argument');
    const wasm = await selectBackend('wasm');
    assert.equal(wasm.name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    // Memoised per preference: the same decision object, the backend switched back.
    assert.equal(await selectBackend('cpu'), cpu);
    assert.equal(tf.getBackend(), 'cpu');
  });

  it('honours NEURAL_ODE_BACKEND, and an argument overrides it', async () => {
    const selector = new BackendSelector({ load: nothingInstalled, env: { NEURAL_ODE_BACKEND: 'cpu' } });
    const fromEnv = await selector.select();
    assert.equal(fromEnv.name, 'cpu');
    assert.equal(fromEnv.requestedBy, 'NEURAL_ODE_BACKEND');
    // 'auto' (a setting's default) is no preference: the variable still applies.
    assert.equal((await selector.select('auto')).name, 'cpu');
    assert.equal((await selector.select('wasm')).name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
  });

  it('chooses automatically, and says so, when NEURAL_ODE_BACKEND names no backend', async () => {
    const sel = await new BackendSelector({ load: nothingInstalled, env: { NEURAL_ODE_BACKEND: 'cuda' } }).select();
    assert.equal(sel.name, 'wasm');
    assert.match(report(sel, 'wasm').detail, /NEURAL_ODE_BACKEND=cuda is not a backend/);
  });

  it('rejects an unknown preference argument with the list of backends', async () => {
    await assert.rejects(
      () => new BackendSelector({ load: nothingInstalled, env: {} }).select('gpu' as never),
      /Unknown backend 'gpu': use one of auto, tensorflow, webgpu, wasm, cpu/,
    );
  });

  it('falls back from an unavailable preferred backend and reports the reason', async () => {
    const sel = await new BackendSelector({ load: nothingInstalled, env: {} }).select('tensorflow');
    assert.equal(sel.name, 'wasm');
    const asked = report(sel, 'tensorflow');
    assert.equal(asked.available, false);
    assert.match(asked.detail, /^requested by the caller, but not installed .*; fell back to wasm$/);
  });

  it('reports a tfjs-node that is installed but fails to load, and goes on', async () => {
    const broken: ModuleLoader = (name) => {
      if (name === '@tensorflow/tfjs-node') throw new Error('libtensorflow.so.2: cannot open shared object file\n  at stack');
      throw new ModuleNotInstalled(name, []);
    };
    const sel = await new BackendSelector({ load: broken, env: {} }).select();
    assert.equal(sel.name, 'wasm');
    const r = report(sel, 'tensorflow');
    assert.equal(r.available, false);
    assert.equal(r.detail, '@tensorflow/tfjs-node failed to load: libtensorflow.so.2: cannot open shared object file');
  });

  it('prefers a working tensorflow backend over wasm', async () => {
    let loads = 0;
    const CpuBackend = tf.findBackend('cpu').constructor as new () => tf.KernelBackend;
    const fakeNode: ModuleLoader = (name) => {
      if (name !== '@tensorflow/tfjs-node') throw new ModuleNotInstalled(name, []);
      loads++;
      tf.registerBackend('tensorflow', () => new CpuBackend());
      return { version: { 'tfjs-node': '4.22.0' } };
    };
    try {
      const selector = new BackendSelector({ load: fakeNode, env: {} });
      const sel = await selector.select();
      assert.equal(sel.name, 'tensorflow');
      assert.equal(tf.getBackend(), 'tensorflow');
      assert.match(report(sel, 'tensorflow').detail, /^selected: @tensorflow\/tfjs-node 4\.22\.0/);
      await selector.select();
      await selector.select('cpu');
      assert.equal(loads, 1, 'probes run once per selector');
    } finally {
      await tf.setBackend('cpu');
      tf.removeBackend('tensorflow');
    }
  });

  it('never picks a software WebGPU adapter automatically, but uses it when asked', async () => {
    let deviceRequests = 0;
    const llvmpipe = {
      info: { vendor: 'mesa', architecture: 'software', device: 'llvmpipe', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' },
      features: new Set<string>(),
      limits: {},
      requestDevice: async () => {
        deviceRequests++;
        throw new Error('no Vulkan 1.3 device');
      },
    };
    const fakeDawn: ModuleLoader = (name) => {
      if (name !== 'webgpu') throw new ModuleNotInstalled(name, []);
      return { create: () => ({ requestAdapter: async () => llvmpipe }), globals: {} };
    };
    try {
      const selector = new BackendSelector({ load: fakeDawn, env: {} });
      const auto = await selector.select();
      assert.equal(auto.name, 'wasm');
      assert.equal(deviceRequests, 0, 'a software adapter must not even be initialised automatically');
      const w = report(auto, 'webgpu');
      assert.match(w.detail, /software adapter 'mesa \/ software \/ llvmpipe/);
      assert.match(w.detail, /used only when asked for/);

      const asked = await selector.select('webgpu');
      assert.equal(deviceRequests, 1);
      assert.equal(asked.name, 'wasm');
      assert.match(report(asked, 'webgpu').detail, /failed to initialise: no Vulkan 1\.3 device; fell back to wasm$/);
    } finally {
      tf.removeBackend('webgpu');
    }
  });

  it('reports a webgpu package that finds no adapter, after trying Vulkan and OpenGL ES', async () => {
    const tried: string[][] = [];
    const noDriver: ModuleLoader = (name) => {
      if (name !== 'webgpu') throw new ModuleNotInstalled(name, []);
      return {
        create: (flags: string[]) => {
          tried.push(flags);
          return { requestAdapter: async () => null };
        },
      };
    };
    const sel = await new BackendSelector({ load: noDriver, env: { DISPLAY: ':0' } }).select();
    assert.equal(sel.name, 'wasm');
    assert.deepEqual(tried, [[], ['backend=opengles']]);
    const w = report(sel, 'webgpu');
    assert.equal(w.available, false);
    assert.match(w.detail, /^no WebGPU adapter \(Dawn found neither a Vulkan nor an OpenGL ES driver\)$/);
  });

  it('tries a hardware WebGPU adapter before wasm', async () => {
    const gpu = {
      info: { vendor: 'nvidia', architecture: 'ampere', device: '', description: 'NVIDIA RTX A4000' },
      features: new Set<string>(),
      limits: { maxBufferSize: 1 << 30 },
      requestDevice: async (desc: { requiredLimits: Record<string, number> }) => {
        assert.equal(desc.requiredLimits.maxBufferSize, 1 << 30);
        throw new Error('device lost');
      },
    };
    const fakeDawn: ModuleLoader = (name) => {
      if (name !== 'webgpu') throw new ModuleNotInstalled(name, []);
      return { create: () => ({ requestAdapter: async () => gpu }), globals: {} };
    };
    try {
      const sel = await new BackendSelector({ load: fakeDawn, env: {} }).select();
      assert.equal(sel.name, 'wasm');
      assert.match(report(sel, 'webgpu').detail, /^adapter 'nvidia \/ ampere \/ NVIDIA RTX A4000'; failed to initialise: device lost$/);
    } finally {
      tf.removeBackend('webgpu');
    }
  });
});

describe('engineInfo', () => {
  it('gives the package version, the selected backend and all four reports', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    assert.equal(ENGINE_VERSION, manifest.version);
    const info = await engineInfo('cpu');
    assert.equal(info.version, manifest.version);
    assert.equal(info.backend, 'cpu');
    assert.deepEqual(
      info.backends.map((b) => b.name),
      ['tensorflow', 'webgpu', 'wasm', 'cpu'],
    );
    const cpu = info.backends[3];
    assert.equal(cpu.available, true);
    assert.match(cpu.detail, /^selected: /);
    assert.equal(tf.getBackend(), 'cpu');
  });
});

describe('optional modules', () => {
  it('loads a package from the working directory against the engine’s own tfjs', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-backend-'));
    const pkg = path.join(dir, 'node_modules', 'fake-tfjs-plugin');
    fs.mkdirSync(pkg, { recursive: true });
    fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'fake-tfjs-plugin', main: 'index.js' }));
    fs.writeFileSync(
      path.join(pkg, 'index.js'),
      "module.exports = { core: require('@tensorflow/tfjs-core'), tfjs: require('@tensorflow/tfjs') };",
    );
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const loaded = loadOptionalModule('fake-tfjs-plugin') as { core: unknown; tfjs: unknown };
      assert.equal(loaded.core, tf);
      assert.equal(loaded.tfjs, tf);
      assert.throws(() => loadOptionalModule('surely-not-installed-package'), ModuleNotInstalled);
    } finally {
      process.chdir(cwd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("loads a package from the editor's workspace folders (NEURAL_ODE_WORKSPACE), whatever the working directory", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-backend-ws-'));
    const pkg = path.join(dir, 'node_modules', 'fake-workspace-plugin');
    fs.mkdirSync(pkg, { recursive: true });
    fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'fake-workspace-plugin', main: 'index.js' }));
    fs.writeFileSync(path.join(pkg, 'index.js'), 'module.exports = { found: true };');
    const saved = process.env.NEURAL_ODE_WORKSPACE;
    try {
      assert.throws(() => loadOptionalModule('fake-workspace-plugin'), ModuleNotInstalled);
      process.env.NEURAL_ODE_WORKSPACE = [os.tmpdir(), dir].join(path.delimiter);
      assert.deepEqual(loadOptionalModule('fake-workspace-plugin'), { found: true });
    } finally {
      if (saved === undefined) delete process.env.NEURAL_ODE_WORKSPACE;
      else process.env.NEURAL_ODE_WORKSPACE = saved;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
