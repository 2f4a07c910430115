/**
 * Training in a worker thread: the caller's thread stays free (a terminal's Ctrl-C, an editor's
 * UI) while the experiment trains. Messages are plain data: progress, the outcome, or an error
 * with its kind and message; cancellation crosses as a message and is checked between
 * iterations and solver steps.
 */
import * as path from 'node:path';
import { Worker, type MessagePort } from 'node:worker_threads';
import { SolverError } from '../solvers/errors';
import { ExperimentError } from './define';
import { loadExperiment } from './load';
import { trainExperiment, type RunLabel, type TrainOutcome, type TrainProgress, type TrainStart } from './trainer';

export interface TrainJob {
  role: 'neural-ode-train';
  experiment: string;
  runsRoot: string;
  iterations?: number;
  resume?: string;
  allowChanges?: boolean;
  takeOver?: boolean;
  label?: RunLabel;
}

type FromWorker =
  | { type: 'start'; start: TrainStart }
  | { type: 'progress'; progress: TrainProgress }
  | { type: 'done'; outcome: TrainOutcome }
  | { type: 'error'; name: string; kind?: string; message: string };

/** The worker's side: loads the experiment, trains, reports. */
export async function serveTrainJob(port: MessagePort, job: TrainJob): Promise<void> {
  const stop = new AbortController();
  port.on('message', (m: { type: string }) => m.type === 'cancel' && stop.abort());
  const send = (m: FromWorker): void => port.postMessage(m);
  try {
    const exp = await loadExperiment(job.experiment);
    const outcome = await trainExperiment(exp, {
      runsRoot: job.runsRoot,
      iterations: job.iterations,
      resume: job.resume,
      allowChanges: job.allowChanges,
      takeOver: job.takeOver,
      label: job.label,
      signal: stop.signal,
      onStart: (start) => send({ type: 'start', start }),
      onProgress: (progress) => send({ type: 'progress', progress }),
    });
    send({ type: 'done', outcome });
  } catch (e) {
    const err = e as Error & { kind?: string };
    send({ type: 'error', name: err.name, kind: err.kind, message: err.message });
  } finally {
    port.close();
  }
}

export interface WorkerTrainOptions {
  runsRoot: string;
  iterations?: number;
  resume?: string;
  allowChanges?: boolean;
  takeOver?: boolean;
  label?: RunLabel;
  signal?: AbortSignal;
  /** Once the run exists, before its first iteration (its warnings: a checkpoint skipped). */
  onStart?: (s: TrainStart) => void;
  onProgress?: (p: TrainProgress) => void;
  /** The script the worker runs: one that calls serveTrainJob for a TrainJob in workerData. */
  workerScript: string;
  /** Node flags for the worker. */
  execArgv?: string[];
}

/** Trains an experiment file in a new worker thread; resolves with the outcome, rejects with its error. */
export function trainInWorker(experiment: string, opts: WorkerTrainOptions): Promise<TrainOutcome> {
  const job: TrainJob = {
    role: 'neural-ode-train',
    experiment: path.resolve(experiment),
    runsRoot: opts.runsRoot,
    iterations: opts.iterations,
    resume: opts.resume,
    allowChanges: opts.allowChanges,
    takeOver: opts.takeOver,
    label: opts.label,
  };
  return new Promise((resolve, reject) => {
    const worker = new Worker(opts.workerScript, { workerData: job, execArgv: opts.execArgv });
    let settled = false;
    const cancel = (): void => worker.postMessage({ type: 'cancel' });
    opts.signal?.addEventListener('abort', cancel);
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', cancel);
      fn();
    };
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'start') opts.onStart?.(m.start);
      else if (m.type === 'progress') opts.onProgress?.(m.progress);
      else if (m.type === 'done') finish(() => resolve(m.outcome));
      else {
        const error =
          m.name === 'ExperimentError'
            ? new ExperimentError(m.message)
            : new SolverError((m.kind as SolverError['kind']) ?? 'input', m.message);
        finish(() => reject(error));
      }
    });
    worker.on('error', (e) => finish(() => reject(e)));
    worker.on('exit', (code) =>
      finish(() => reject(new Error(`The training worker exited (code ${code}) before it reported an outcome.`))),
    );
  });
}
