/**
 * WebGPU in Node through the `webgpu` package (Dawn). The engine registers the tfjs 'webgpu'
 * backend itself, on the adapter it examined, instead of relying on `navigator.gpu` (absent in
 * Node 20; present without `gpu` in later Node).
 */
import { prepareGpuEnvironment } from './gpuEnvironment';
import { tf } from './tf';

export interface GpuAdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

export interface GpuAdapterLike {
  info?: GpuAdapterInfoLike;
  isFallbackAdapter?: boolean;
  features: { has(name: string): boolean };
  limits: Record<string, number>;
  requestAdapterInfo?: () => Promise<GpuAdapterInfoLike>;
  requestDevice(descriptor?: unknown): Promise<unknown>;
}

export interface GpuLike {
  requestAdapter(options?: unknown): Promise<GpuAdapterLike | null>;
}

export interface DawnModule {
  create(flags: string[]): GpuLike;
  /** GPUBufferUsage, GPUMapMode, … that tfjs-backend-webgpu expects as globals. */
  globals?: Record<string, unknown>;
}

async function adapterInfo(adapter: GpuAdapterLike): Promise<GpuAdapterInfoLike> {
  if (adapter.info) return adapter.info;
  if (adapter.requestAdapterInfo) return adapter.requestAdapterInfo();
  return {};
}

const SOFTWARE_NAMES = /llvmpipe|lavapipe|swiftshader|software|microsoft basic render/i;

/** A CPU emulation of a GPU (Mesa llvmpipe/lavapipe, SwiftShader, WARP). */
export async function isSoftwareAdapter(adapter: GpuAdapterLike): Promise<boolean> {
  const info = await adapterInfo(adapter);
  if (info.architecture === 'software' || adapter.isFallbackAdapter || info.isFallbackAdapter) return true;
  return SOFTWARE_NAMES.test([info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' '));
}

export async function describeAdapter(adapter: GpuAdapterLike): Promise<string> {
  const info = await adapterInfo(adapter);
  const parts = [info.vendor, info.architecture, info.device, info.description].filter((s) => s && s.length > 0);
  return parts.length > 0 ? `'${[...new Set(parts)].join(' / ')}'` : '(no adapter info)';
}

/**
 * The best adapter Dawn offers: its default backend (Vulkan on Linux) first, then OpenGL ES at
 * WebGPU's compatibility level, which is all that some drivers (Mesa's GL without a Vulkan
 * loader) provide. Mesa needs a surfaceless EGL platform when there is no display
 * (gpuEnvironment.ts: set here on the main thread, by the worker's starter otherwise).
 */
export async function requestAdapter(
  dawn: DawnModule,
  env: Record<string, string | undefined>,
): Promise<{ gpu: GpuLike; adapter: GpuAdapterLike } | null> {
  const gpu = dawn.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter) return { gpu, adapter };
  prepareGpuEnvironment(env as NodeJS.ProcessEnv);
  const gles = dawn.create(['backend=opengles']);
  const compat = await gles.requestAdapter({ featureLevel: 'compatibility' });
  return compat ? { gpu: gles, adapter: compat } : null;
}

/**
 * tfjs-backend-webgpu checks `navigator.gpu` when its backend is constructed. Node 20 has no
 * `navigator`, later versions one without `gpu`: give it Dawn's, only once the backend is used.
 */
function installNavigatorGpu(gpu: GpuLike): void {
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (g.navigator === undefined) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  } else if (!g.navigator.gpu) {
    Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  }
}

/** Limits raised to what the adapter allows (the defaults are WebGPU's minimum guarantees). */
const DEVICE_LIMITS = [
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeInvocationsPerWorkgroup',
  'maxStorageBuffersPerShaderStage',
];

/** Registers tfjs's 'webgpu' backend on `adapter` (the device is requested on activation). */
export async function registerWebGpuBackend(dawn: DawnModule, gpu: GpuLike, adapter: GpuAdapterLike): Promise<void> {
  if (tf.findBackendFactory('webgpu')) return;
  for (const [key, value] of Object.entries(dawn.globals ?? {})) {
    if (!(key in globalThis)) (globalThis as Record<string, unknown>)[key] = value;
  }
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  tf.registerBackend('webgpu', async () => {
    // The backend sizes its buffers and workgroups from these; ask for what the adapter has.
    const requiredLimits: Record<string, number> = {};
    for (const key of DEVICE_LIMITS) if (typeof adapter.limits[key] === 'number') requiredLimits[key] = adapter.limits[key];
    const requiredFeatures = ['timestamp-query'].filter((f) => adapter.features.has(f));
    const device = await adapter.requestDevice({ requiredFeatures, requiredLimits });
    const info = await adapterInfo(adapter);
    installNavigatorGpu(gpu);
    return new WebGPUBackend(device as never, info as never);
  });
}
