/**
 * One probe per backend: can it be used here, and why not. A probe loads and registers what
 * the backend needs without switching to it; `activate` switches, and is where wasm's binaries
 * and a WebGPU device are actually created (and may still fail).
 */
import { errorLine, ModuleNotInstalled, type ModuleLoader } from './optionalModule';
import { tf } from './tf';
import type { BackendName } from './types';
import { asPrefix, locateWasmDirectory } from './wasmPaths';
import { registerCpuBackedKernels } from './wasmKernels';
import { registerFastWasmKernels } from './wasmFastKernels';
import { describeAdapter, isSoftwareAdapter, registerWebGpuBackend, requestAdapter, type DawnModule } from './webgpu';

export interface ProbeContext {
  load: ModuleLoader;
  env: Record<string, string | undefined>;
}

export interface Probe {
  available: boolean;
  detail: string;
  /** webgpu only: the adapter is a CPU emulation, never chosen automatically. */
  software?: boolean;
}

const TFJS_NODE = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

let tensorflowGpu = false;
/** Whether the 'tensorflow' backend is TensorFlow's CUDA build (tfjs-node-gpu). */
export const tensorflowOnGpu = (): boolean => tensorflowGpu;

async function probeTensorflow(ctx: ProbeContext): Promise<Probe> {
  const failures: string[] = [];
  for (const name of TFJS_NODE) {
    let loaded: { version?: Record<string, string> };
    try {
      loaded = (await ctx.load(name)) as typeof loaded;
    } catch (err) {
      if (!(err instanceof ModuleNotInstalled)) failures.push(`${name} failed to load: ${errorLine(err)}`);
      continue;
    }
    if (!tf.findBackendFactory('tensorflow')) {
      failures.push(`${name} loaded but registered no 'tensorflow' backend with this engine's TensorFlow.js`);
      continue;
    }
    tensorflowGpu = name === '@tensorflow/tfjs-node-gpu';
    const version = loaded?.version?.['tfjs-node'];
    return { available: true, detail: `${name}${version ? ` ${version}` : ''} (native TensorFlow kernels)` };
  }
  if (failures.length > 0) return { available: false, detail: failures.join('; ') };
  return {
    available: false,
    detail: `not installed (${TFJS_NODE.join(' or ')}; install one next to your experiments to use TensorFlow's native kernels)`,
  };
}

async function probeWebGpu(ctx: ProbeContext): Promise<Probe> {
  let dawn: DawnModule;
  try {
    dawn = (await ctx.load('webgpu')) as DawnModule;
  } catch (err) {
    if (err instanceof ModuleNotInstalled) {
      return { available: false, detail: "not installed (the 'webgpu' package, Dawn for Node.js, is needed: npm install webgpu)" };
    }
    return { available: false, detail: `the 'webgpu' package failed to load: ${errorLine(err)}` };
  }
  let found: Awaited<ReturnType<typeof requestAdapter>>;
  try {
    found = await requestAdapter(dawn, ctx.env);
  } catch (err) {
    return { available: false, detail: `no WebGPU adapter: ${errorLine(err)}` };
  }
  if (!found) return { available: false, detail: 'no WebGPU adapter (Dawn found neither a Vulkan nor an OpenGL ES driver)' };
  const { gpu, adapter } = found;
  const software = await isSoftwareAdapter(adapter);
  const label = await describeAdapter(adapter);
  await registerWebGpuBackend(dawn, gpu, adapter);
  return software
    ? { available: true, software, detail: `software adapter ${label}: slower than wasm, used only when asked for (backend 'webgpu')` }
    : { available: true, software, detail: `adapter ${label}` };
}

let wasmConfigured: Probe | null = null;

async function probeWasm(ctx: ProbeContext): Promise<Probe> {
  if (wasmConfigured) return wasmConfigured;
  let wasm: typeof import('@tensorflow/tfjs-backend-wasm');
  try {
    wasm = await import('@tensorflow/tfjs-backend-wasm');
  } catch (err) {
    return { available: false, detail: `@tensorflow/tfjs-backend-wasm failed to load: ${errorLine(err)}` };
  }
  const where = locateWasmDirectory(ctx.env);
  if ('error' in where) return { available: false, detail: where.error };
  try {
    wasm.setWasmPaths(asPrefix(where.dir));
  } catch (err) {
    // Already initialised by someone else (a user's own setBackend('wasm')): keep their paths.
    if (!tf.engine().registry.wasm) return { available: false, detail: `setWasmPaths failed: ${errorLine(err)}` };
  }
  const cpuKernels = registerCpuBackedKernels('wasm');
  const faster = registerFastWasmKernels('wasm');
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
  const fromWhere = where.source === 'package' ? where.dir : `${where.dir} (${where.source})`;
  wasmConfigured = {
    available: true,
    detail: `${simd ? 'SIMD' : 'no SIMD'}; binaries from ${fromWhere}; ${cpuKernels.length} kernels served by cpu (${cpuKernels.join(', ')})${faster.map((f) => `; ${f}`).join('')}`,
  };
  return wasmConfigured;
}

async function probeCpu(): Promise<Probe> {
  return { available: true, detail: 'plain JavaScript kernels (always available, slowest)' };
}

export function probe(name: BackendName, ctx: ProbeContext): Promise<Probe> {
  switch (name) {
    case 'tensorflow':
      return probeTensorflow(ctx);
    case 'webgpu':
      return probeWebGpu(ctx);
    case 'wasm':
      return probeWasm(ctx);
    case 'cpu':
      return probeCpu();
  }
}

function isThenable<T>(x: T | Promise<T>): x is Promise<T> {
  return typeof (x as { then?: unknown } | null)?.then === 'function';
}

/**
 * Makes `name` the active tfjs backend, initialising it on first use. Returns null on success,
 * or why it failed (tfjs itself only logs the cause, so the factory is wrapped to keep it).
 */
export async function activate(name: BackendName): Promise<string | null> {
  const entry = tf.engine().registryFactory[name];
  if (!entry) return `no '${name}' backend is registered`;
  let failure: unknown = null;
  const factory = entry.factory;
  if (!tf.engine().registry[name]) {
    entry.factory = () => {
      try {
        const made = factory();
        return isThenable(made)
          ? made.catch((err: unknown) => {
              failure = err;
              throw err;
            })
          : made;
      } catch (err) {
        failure = err;
        throw err;
      }
    };
  }
  // tfjs logs a failed initialisation with its stack; the reason goes into the report instead.
  const quiet = tf.env().getBool('PROD');
  tf.env().set('PROD', true);
  try {
    const ok = await tf.setBackend(name);
    if (ok) return null;
    return failure ? `failed to initialise: ${errorLine(failure)}` : 'failed to initialise';
  } catch (err) {
    return `failed to initialise: ${errorLine(err)}`;
  } finally {
    entry.factory = factory;
    tf.env().set('PROD', quiet);
  }
}

/** A line about a backend once it runs (threads are only known after initialisation). */
export async function runningDetail(name: BackendName): Promise<string> {
  if (name !== 'wasm') return '';
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const threads = wasm.getThreadsCount();
  return `${threads} thread${threads === 1 ? '' : 's'}`;
}
