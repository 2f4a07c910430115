/**
 * The extension host's side of the engine worker: one long-lived worker thread per window,
 * typed requests by method name, one-way events from the worker (training progress), and a
 * fresh worker only after a crash. Loading a user's file is timed (the worker announces each
 * load): a top level that never returns holds the worker's thread, so the worker is terminated
 * when the load takes longer than the load timeout, or when the load is stopped, and the next
 * request starts a new one. Free of `vscode`, so it is tested without VS Code.
 */
import { Worker } from 'node:worker_threads';
import { prepareGpuEnvironment } from '../../engine/src/backend/gpuEnvironment';
import { loadCancelledMessage, loadTimeoutMessage } from '../../engine/src/experiments/loadMessages';
import {
  isRpcEvent,
  type EngineEvents, type EngineMethods, type EventMap, type ParamsOf, type ResultOf, type RpcMap, type RpcResponse, type WorkerMessage,
} from '../../engine/src/protocol';

export type LogLevel = 'info' | 'warn' | 'error';

export interface EngineClientOptions {
  /** The worker script: dist/engineWorker.js in the packaged extension. */
  workerPath: string;
  /** Extra Node flags for the worker (tests use it to run the TypeScript source). */
  execArgv?: string[];
  /** Receives the worker's lifecycle events and its stdout/stderr lines. */
  onLog?: (level: LogLevel, message: string) => void;
  /** The load timeout in ms, read when a load starts (a setting); undefined, 0 or less: no limit. */
  loadTimeoutMs?: () => number;
  /** Environment variables the worker gets besides the host's, read when it starts (settings). */
  env?: () => Record<string, string>;
}

/** How the timeout's message says to give loading more time. */
const RAISE_LOAD_TIMEOUT = 'Raise neuralOde.engine.loadTimeoutSeconds if it needs longer (0: no limit). The engine worker was restarted.';


/** A request that failed in the engine (`kind` from the engine), or because the worker died. */
export class EngineRequestError extends Error {
  readonly kind: string;
  readonly method: string;

  constructor(method: string, kind: string, message: string) {
    super(message);
    this.name = 'EngineRequestError';
    this.kind = kind;
    this.method = method;
  }
}

interface Pending {
  method: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export interface Disposable {
  dispose(): void;
}

/** A client for the engine's methods and events (`M`, `E` are other maps only in tests). */
export class EngineClient<M extends RpcMap = EngineMethods, E extends EventMap = EngineEvents> {
  private worker: Worker | undefined;
  private readonly listeners = new Map<string, Set<(payload: never) => void>>();
  private readonly crashListeners = new Set<(message: string) => void>();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private disposed = false;
  private crashed = false;
  /** The uncaught error of the current worker, if it had one (it then exits). */
  private lastError: Error | undefined;
  /** The current worker's loads in progress (`engine/loading` without its `engine/loaded`) and their timers. */
  private readonly loads = new Map<number, { file: string; timer?: NodeJS.Timeout }>();
  /** How many workers were started after one stopped (a crash, a load that timed out or was stopped). */
  restarts = 0;

  constructor(private readonly options: EngineClientOptions) {}

  request<K extends keyof M & string>(method: K, params: ParamsOf<M, K>): Promise<ResultOf<M, K>> {
    if (this.disposed) {
      return Promise.reject(new EngineRequestError(method, 'disposed', `The engine was shut down before "${method}" could run.`));
    }
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject });
      try {
        worker.postMessage({ id, method, params });
      } catch (err) {
        this.pending.delete(id);
        reject(new EngineRequestError(method, 'notCloneable', `The parameters of "${method}" cannot be sent to the engine: ${(err as Error).message}`));
      }
    });
  }

  /** Calls `listener` for every `event` the worker posts, until disposed. */
  on<K extends keyof E & string>(event: K, listener: (payload: E[K]) => void): Disposable {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const entry = listener as (payload: never) => void;
    set.add(entry);
    return { dispose: () => void set.delete(entry) };
  }

  /**
   * Calls `listener` when a worker stops unexpectedly: work it had started without a pending
   * request (a training run) ends there, and nothing else would say so.
   */
  onCrash(listener: (message: string) => void): Disposable {
    this.crashListeners.add(listener);
    return { dispose: () => void this.crashListeners.delete(listener) };
  }

  /** Whether the worker is loading `file` (absolute) now. */
  isLoading(file: string): boolean {
    return [...this.loads.values()].some((l) => l.file === file);
  }

  /**
   * Stops a load of `file` that is in progress: the worker is terminated at once (its thread may
   * be in a loop that never returns), its requests are rejected (`loadCancelled`), and the next
   * request starts a new one. False when `file` is not loading.
   */
  stopLoading(file: string): boolean {
    if (!this.isLoading(file)) return false;
    this.stopWorker('loadCancelled', loadCancelledMessage(file));
    return true;
  }

  /** Stops the worker; requests still running are rejected. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const worker = this.worker;
    this.worker = undefined;
    this.clearLoads();
    this.rejectAll('disposed', (method) => `The engine was shut down while "${method}" was running.`);
    if (worker) await worker.terminate();
  }

  private log(level: LogLevel, message: string): void {
    this.options.onLog?.(level, message);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    this.lastError = undefined;
    if (this.crashed) {
      this.crashed = false;
      this.restarts++;
      this.log('warn', `restarting the engine worker (restart ${this.restarts})`);
    }
    prepareGpuEnvironment();
    const worker = new Worker(this.options.workerPath, {
      execArgv: this.options.execArgv,
      env: { ...process.env, ...this.options.env?.() },
      stdout: true,
      stderr: true,
    });
    worker.stdout.setEncoding('utf8').on('data', (text: string) => this.forward('info', text));
    worker.stderr.setEncoding('utf8').on('data', (text: string) => this.forward('warn', text));
    worker.on('message', (message: WorkerMessage) => {
      if (this.worker !== worker) return; // a terminated worker's last words
      if (!isRpcEvent(message)) this.settle(message);
      else {
        this.trackLoad(message.event, message.payload);
        this.dispatch(message.event, message.payload);
      }
    });
    worker.on('error', (err) => {
      this.lastError = err;
      this.log('error', `engine worker error: ${err.stack ?? err.message}`);
    });
    worker.on('exit', (code) => this.onExit(worker, code));
    this.worker = worker;
    this.log('info', `engine worker started (${this.options.workerPath})`);
    return worker;
  }

  /** Times each load the worker announces. */
  private trackLoad(event: string, payload: unknown): void {
    if (event === 'engine/loading') {
      const { id, file } = payload as EngineEvents['engine/loading'];
      const ms = this.options.loadTimeoutMs?.() ?? 0;
      const timer = Number.isFinite(ms) && ms > 0 ? setTimeout(() => this.stopWorker('loadTimeout', loadTimeoutMessage(file, ms, RAISE_LOAD_TIMEOUT)), ms) : undefined;
      this.loads.set(id, { file, timer });
    } else if (event === 'engine/loaded') {
      const { id } = payload as EngineEvents['engine/loaded'];
      clearTimeout(this.loads.get(id)?.timer);
      this.loads.delete(id);
    }
  }

  private clearLoads(): void {
    for (const l of this.loads.values()) clearTimeout(l.timer);
    this.loads.clear();
  }

  /**
   * Terminates the current worker for `reason` (a load that did not end or was stopped): its
   * requests are rejected with `kind` and the reason, and the work it had started without a
   * request (a training run) is told, as after a crash. The next request starts a new worker.
   */
  private stopWorker(kind: string, reason: string): void {
    const worker = this.worker;
    if (!worker || this.disposed) return;
    this.worker = undefined;
    this.crashed = true;
    this.clearLoads();
    this.log(kind === 'loadCancelled' ? 'info' : 'error', `engine worker terminated: ${reason}`);
    this.rejectAll(kind, () => reason);
    for (const listener of [...this.crashListeners]) listener(`The engine worker was stopped: ${reason}`);
    void worker.terminate();
  }

  private forward(level: LogLevel, text: string): void {
    for (const line of text.split('\n')) if (line.trim() !== '') this.log(level, `[engine] ${line}`);
  }

  private dispatch(event: string, payload: unknown): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      try {
        (listener as (p: unknown) => void)(payload);
      } catch (err) {
        this.log('error', `a listener of the engine event "${event}" failed: ${(err as Error).stack ?? String(err)}`);
      }
    }
  }

  private settle(message: RpcResponse): void {
    const entry = this.pending.get(message.id);
    if (!entry) return;
    this.pending.delete(message.id);
    if ('error' in message) entry.reject(new EngineRequestError(entry.method, message.error.kind, message.error.message));
    else entry.resolve(message.result);
  }

  private onExit(worker: Worker, code: number): void {
    if (this.worker !== worker) return; // an old worker, already replaced or disposed
    this.worker = undefined;
    this.clearLoads();
    if (this.disposed) return;
    const cause = this.lastError?.message ?? `exit code ${code}`;
    this.crashed = true;
    this.log('error', `engine worker stopped unexpectedly (${cause}); the next request starts a new one`);
    this.rejectAll(
      'workerCrashed',
      (method) => `The engine worker stopped unexpectedly (${cause}) while running "${method}". Run the command again; the "Neural ODE" output has details.`,
    );
    for (const listener of [...this.crashListeners]) listener(`The engine worker stopped unexpectedly (${cause}).`);
  }

  private rejectAll(kind: string, message: (method: string) => string): void {
    for (const [id, entry] of this.pending) {
      this.pending.delete(id);
      entry.reject(new EngineRequestError(entry.method, kind, message(entry.method)));
    }
  }
}
