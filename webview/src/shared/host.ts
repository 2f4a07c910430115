/**
 * The page's side of the channel to the extension host: typed posts, validated receipt, and
 * the saved state VS Code keeps for the serializer. `acquireVsCodeApi` may be called only once.
 */
import {
  validateHostMessage,
  type HostMessage,
  type WebviewToHost,
} from '../protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export function post<K extends keyof WebviewToHost>(type: K, payload: WebviewToHost[K]): void {
  api.postMessage({ type, payload });
}

/** Listens for host messages; one that fails validation is reported and dropped. */
export function onHostMessage(handle: (message: HostMessage) => void, onInvalid: (error: string) => void): void {
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const checked = validateHostMessage(event.data);
    if (checked.ok) handle(checked.value);
    else onInvalid(checked.error);
  });
}

export function getState(): unknown {
  return api.getState();
}

export function setState(state: unknown): void {
  api.setState(state);
}
