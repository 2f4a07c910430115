/** The backends the engine knows, in the order `auto` tries them. */
export const BACKEND_ORDER = ['tensorflow', 'webgpu', 'wasm', 'cpu'] as const;

export type BackendName = (typeof BACKEND_ORDER)[number];

/** What a user may ask for: one backend, or `auto` for the best available. */
export type BackendPreference = 'auto' | BackendName;

export interface BackendReport {
  name: BackendName;
  available: boolean;
  detail: string;
}

export interface EngineInfo {
  version: string;
  backend: string;
  backends: BackendReport[];
  /** Threads a large batch is shared among (NEURAL_ODE_THREADS, default every core). */
  threads: number;
}

export function isBackendPreference(value: unknown): value is BackendPreference {
  return value === 'auto' || (BACKEND_ORDER as readonly unknown[]).includes(value);
}
