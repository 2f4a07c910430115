/**
 * The engine's TensorFlow.js backend: which one runs, and a report of all of them.
 * Selection is async (wasm and webgpu initialise asynchronously) and happens once per process.
 */
import { threadCount } from '../threads/pool';
import { ENGINE_VERSION } from '../version';
import { BackendSelector, type BackendSelection } from './select';
import { tf } from './tf';
import type { BackendPreference, EngineInfo } from './types';

export { tf } from './tf';
export { BackendSelector, type BackendSelection, type SelectorOptions } from './select';
export { BACKEND_ORDER, type BackendName, type BackendPreference, type BackendReport, type EngineInfo } from './types';

const selector = new BackendSelector();

/**
 * Selects the backend (argument, else NEURAL_ODE_BACKEND, else auto) and makes it tfjs's active
 * backend. Repeated calls with the same preference reuse the first decision.
 */
export function selectBackend(preference?: BackendPreference): Promise<BackendSelection> {
  return selector.select(preference);
}

/**
 * Makes sure the engine has chosen a backend before tensors are solved; after the first
 * selection it leaves the active backend alone (a user's own tf.setBackend wins).
 */
export async function ensureBackend(): Promise<string> {
  if (!selector.selected) await selector.select();
  return tf.getBackend();
}

/** Version, selected backend, and the availability of every backend with the reason. */
export async function engineInfo(preference?: BackendPreference): Promise<EngineInfo> {
  const selection = await selector.select(preference);
  return { version: ENGINE_VERSION, backend: selection.name, backends: await selector.reportAll(selection), threads: threadCount() };
}
