/**
 * The page's side of the channel to the extension host: typed posts, validated receipt, and
 * the saved state VS Code keeps for the serializer. Each panel's messages have their own
 * validator (`hostChannel`); `acquireVsCodeApi` may be called only once per page, so every
 * channel shares one handle.
 */
import { validateHostMessage, type HostMessage, type Validation, type WebviewToHost } from '../protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

let handle: VsCodeApi | undefined;
const api = (): VsCodeApi => (handle ??= acquireVsCodeApi());

export interface HostChannel<ToHost, FromHost> {
  post<K extends keyof ToHost>(type: K, payload: ToHost[K]): void;
  /** Listens for host messages; one that fails validation is reported and dropped. */
  onHostMessage(handle: (message: FromHost) => void, onInvalid: (error: string) => void): void;
}

/** A channel whose received messages `validate` checks. */
export function hostChannel<ToHost, FromHost>(validate: (data: unknown) => Validation<FromHost>): HostChannel<ToHost, FromHost> {
  return {
    post: (type, payload) => api().postMessage({ type, payload }),
    onHostMessage: (handle, onInvalid) =>
      window.addEventListener('message', (event: MessageEvent<unknown>) => {
        const checked = validate(event.data);
        if (checked.ok) handle(checked.value);
        else onInvalid(checked.error);
      }),
  };
}

/** The channel of the panels that share webview/src/protocol.ts. */
export const { post, onHostMessage } = hostChannel<WebviewToHost, HostMessage>(validateHostMessage);

export const getState = (): unknown => api().getState();
export const setState = (state: unknown): void => api().setState(state);
