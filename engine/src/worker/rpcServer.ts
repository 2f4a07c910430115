/**
 * Answers RPC requests by method name on a message port. A handler that throws (or rejects)
 * produces an error response `{ message, kind }`; the port keeps serving, so one bad request
 * never takes the worker down. Events go the other way, unasked (`rpcEmitter`).
 */
import type { EventMap, RpcErrorPayload, RpcEvent, RpcMap, RpcRequest, RpcResponse } from '../protocol';

/** The part of `MessagePort` / `parentPort` that the server uses. */
export interface RpcPort {
  on(event: 'message', listener: (message: unknown) => void): unknown;
  postMessage(message: unknown): void;
}

export type RpcHandlers<M extends RpcMap> = {
  [K in keyof M]: (params: M[K]['params']) => M[K]['result'] | Promise<M[K]['result']>;
};

function isRequest(message: unknown): message is RpcRequest {
  const m = message as Partial<RpcRequest> | null;
  return typeof m === 'object' && m !== null && typeof m.id === 'number' && typeof m.method === 'string';
}

/** Turns anything thrown into plain data; `kind` is the error's `kind` field, else its name. */
export function toErrorPayload(err: unknown): RpcErrorPayload {
  if (err instanceof Error) {
    const kind = (err as { kind?: unknown }).kind;
    return { message: err.message, kind: typeof kind === 'string' ? kind : err.name };
  }
  return { message: String(err), kind: 'Error' };
}

export function serveRpc<M extends RpcMap>(port: RpcPort, handlers: RpcHandlers<M>): void {
  const known = Object.keys(handlers);
  port.on('message', (message) => {
    if (!isRequest(message)) return; // not ours: nothing to answer to
    const { id, method, params } = message;
    const reply = (response: RpcResponse) => port.postMessage(response);
    if (!Object.hasOwn(handlers, method)) {
      reply({
        id,
        error: {
          kind: 'unknownMethod',
          message: `The engine has no method "${method}" (it knows ${known.join(', ')}). The extension and its engine worker may be from different builds: rebuild with \`npm run build\`.`,
        },
      });
      return;
    }
    const handler = handlers[method] as (p: unknown) => unknown;
    Promise.resolve()
      .then(() => handler(params))
      .then(
        (result) => reply({ id, result }),
        (err: unknown) => reply({ id, error: toErrorPayload(err) }),
      )
      .catch((err: unknown) => {
        // The result itself could not be posted (not cloneable): say so instead of going silent.
        reply({ id, error: { kind: 'notCloneable', message: `The result of "${method}" cannot be sent: ${toErrorPayload(err).message}` } });
      });
  });
}

export type Emit<E extends EventMap> = <K extends keyof E & string>(event: K, payload: E[K]) => void;

/**
 * Posts one-way events (progress, outcomes, log lines) on the port. A payload that cannot be
 * cloned is replaced by an `engine/log`-style note rather than throwing inside a training loop.
 */
export function rpcEmitter<E extends EventMap>(port: Pick<RpcPort, 'postMessage'>): Emit<E> {
  return (event, payload) => {
    const message: RpcEvent = { event, payload };
    try {
      port.postMessage(message);
    } catch (err) {
      port.postMessage({ event: 'engine/log', payload: { level: 'error', message: `The event "${event}" could not be sent: ${toErrorPayload(err).message}` } });
    }
  };
}
