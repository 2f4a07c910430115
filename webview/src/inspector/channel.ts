/**
 * The inspector page's side of the channel to the extension host: typed posts, validated
 * receipt and the saved state. Its own (not ../shared/host.ts) because its messages are its own;
 * `acquireVsCodeApi` may be called once per page, and this page calls it only here.
 */
import { validateInspectorHostMessage, type InspectorHostMessage, type InspectorWebviewToHost } from './protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export function post<K extends keyof InspectorWebviewToHost>(type: K, payload: InspectorWebviewToHost[K]): void {
  api.postMessage({ type, payload });
}

/** Listens for host messages; one that fails validation is reported and dropped. */
export function onHostMessage(handle: (message: InspectorHostMessage) => void, onInvalid: (error: string) => void): void {
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const checked = validateInspectorHostMessage(event.data);
    if (checked.ok) handle(checked.value);
    else onInvalid(checked.error);
  });
}

export const getState = (): unknown => api.getState();
export const setState = (state: unknown): void => api.setState(state);
