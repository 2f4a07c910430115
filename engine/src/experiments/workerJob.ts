/**
 * A job (train, solve, export) in a worker thread whose loading of a user's file is timed and can
 * be stopped. A module whose top level never returns holds its thread for good: no message
 * reaches it, so the only way out is to terminate the thread. The worker says when a load starts
 * and ends (`reportLoads`); this side times the load and terminates the worker when the time is
 * up, or when asked to stop before the load has finished.
 */
import { Worker, type MessagePort } from 'node:worker_threads';
import { prepareGpuEnvironment } from '../backend/gpuEnvironment';
import { SolverError } from '../solvers/errors';
import { ExperimentError } from './define';
import { loadCancelledMessage, loadTimeoutMessage } from './loadMessages';
import { observeLoads } from './loadModule';

/** A job that stopped because its file did not finish loading in time (`loadTimeout`) or because it was asked to stop (`loadCancelled`, `cancelled`). */
export class JobStoppedError extends Error {
  constructor(
    readonly kind: 'loadTimeout' | 'loadCancelled' | 'cancelled',
    message: string,
  ) {
    super(message);
    this.name = 'JobStoppedError';
  }
}

/** What a job worker posts besides its job's own messages. */
export type JobMessage =
  | { type: 'loading'; file: string }
  | { type: 'loaded' }
  | { type: 'done'; result: unknown }
  | { type: 'error'; name: string; kind?: string; message: string; context?: Record<string, unknown> };

/** The worker's side: says on `port` when this thread starts and ends loading a user's file. */
export function reportLoads(port: MessagePort): void {
  observeLoads((file) => {
    port.postMessage({ type: 'loading', file } satisfies JobMessage);
    return () => port.postMessage({ type: 'loaded' } satisfies JobMessage);
  });
}

/** The worker's side: runs the job, posts its result or its error as plain data, closes the port. */
export async function serveJob(port: MessagePort, job: () => Promise<unknown>): Promise<void> {
  reportLoads(port);
  try {
    port.postMessage({ type: 'done', result: await job() } satisfies JobMessage);
  } catch (e) {
    const err = e as Error & { kind?: string; context?: Record<string, unknown> };
    let context: Record<string, unknown> | undefined;
    try {
      context = err.context === undefined ? undefined : structuredClone(err.context);
    } catch {
      context = undefined; // not plain data: the message says enough
    }
    port.postMessage({ type: 'error', name: err?.name ?? 'Error', kind: err?.kind, message: err?.message ?? String(e), context } satisfies JobMessage);
  } finally {
    observeLoads(undefined);
    port.close();
  }
}

export interface WorkerJobOptions {
  /** The script the worker runs: one that serves the job in its workerData. */
  workerScript: string;
  /** Node flags for the worker. */
  execArgv?: string[];
  /** The file the job loads, as its messages name it. */
  file: string;
  /** Terminate the worker when a load takes longer (ms); undefined or 0: no limit. */
  loadTimeoutMs?: number;
  /** The end of the timeout's message: how to give the load more time. */
  raiseTimeout: string;
  /**
   * Stops the job: before its file has loaded, by terminating the worker at once (a
   * JobStoppedError `loadCancelled`); after, by `cancel` when given, else by terminating it too
   * (`cancelled`).
   */
  signal?: AbortSignal;
  /** Asks a loaded job to stop (a message it checks between steps), instead of terminating it. */
  cancel?: (worker: Worker) => void;
  /** Once the file has loaded. */
  onLoaded?: () => void;
  /** The job's own messages (progress, …). */
  onMessage?: (message: { type: string }) => void;
}

/** Runs `workerData` in a new worker; resolves with the job's result, rejects with its error (rebuilt) or a JobStoppedError. */
export function runWorkerJob<T>(workerData: unknown, opts: WorkerJobOptions): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    prepareGpuEnvironment();
    const worker = new Worker(opts.workerScript, { workerData, execArgv: opts.execArgv });
    let settled = false;
    let loaded = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const stop = (error: JobStoppedError): void =>
      finish(() => {
        // Rejected at once; the thread goes when the terminate completes.
        void worker.terminate();
        reject(error);
      });
    function onAbort(): void {
      if (!loaded) stop(new JobStoppedError('loadCancelled', loadCancelledMessage(opts.file)));
      else if (opts.cancel) opts.cancel(worker);
      else stop(new JobStoppedError('cancelled', 'stopped'));
    }
    if (opts.signal?.aborted) {
      onAbort();
      return;
    }
    opts.signal?.addEventListener('abort', onAbort);
    worker.on('message', (m: JobMessage | { type: string }) => {
      if (m.type === 'loading') {
        loaded = false;
        const ms = opts.loadTimeoutMs;
        if (ms !== undefined && ms > 0) {
          clearTimeout(timer);
          timer = setTimeout(() => stop(new JobStoppedError('loadTimeout', loadTimeoutMessage(opts.file, ms, opts.raiseTimeout))), ms);
        }
      } else if (m.type === 'loaded') {
        clearTimeout(timer);
        loaded = true;
        opts.onLoaded?.();
      } else if (m.type === 'done') {
        finish(() => resolve((m as Extract<JobMessage, { type: 'done' }>).result as T));
      } else if (m.type === 'error') {
        const e = m as Extract<JobMessage, { type: 'error' }>;
        finish(() => reject(rebuildError(e)));
      } else {
        opts.onMessage?.(m);
      }
    });
    worker.on('error', (e) => finish(() => reject(e)));
    worker.on('exit', (code) => finish(() => reject(new Error(`The worker exited (code ${code}) before it reported an outcome.`))));
  });
}

/** The worker's error on this side: its class where the engine has it, its kind, message and context. */
function rebuildError(e: Extract<JobMessage, { type: 'error' }>): Error {
  if (e.name === 'ExperimentError') return new ExperimentError(e.message);
  if (e.kind !== undefined) return new SolverError(e.kind as SolverError['kind'], e.message, e.context ?? {});
  const error = new Error(e.message);
  error.name = e.name;
  return error;
}
