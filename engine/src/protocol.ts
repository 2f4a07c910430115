/**
 * Messages between the extension host and the engine worker: a typed map from method name to
 * params and result. Payloads are plain data (numbers, strings, arrays, typed arrays) so they
 * cross `postMessage` by structured clone; never tensors or class instances.
 */
import type { BackendPreference, EngineInfo } from './backend/index';

export type { BackendPreference, BackendReport, EngineInfo } from './backend/index';

// A type alias (not an interface) so that it satisfies RpcMap's index signature.
export type EngineMethods = {
  /** Engine version and the backend it selected, with the availability of every backend. */
  'engine/info': { params: { backend?: BackendPreference }; result: EngineInfo };
};

/** Any method map of the same shape (the webview protocol will have its own). */
export type RpcMap = Record<string, { params: unknown; result: unknown }>;

export type EngineMethod = keyof EngineMethods;
export type ParamsOf<M extends RpcMap, K extends keyof M> = M[K]['params'];
export type ResultOf<M extends RpcMap, K extends keyof M> = M[K]['result'];

export interface RpcRequest {
  id: number;
  method: string;
  params: unknown;
}

/** A failure as data: `kind` is the error's class of failure (e.g. a SolverError kind). */
export interface RpcErrorPayload {
  message: string;
  kind: string;
}

export type RpcResponse = { id: number; result: unknown } | { id: number; error: RpcErrorPayload };
