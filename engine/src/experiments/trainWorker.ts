/**
 * Training in a worker thread: the caller's thread stays free (a terminal's Ctrl-C, an editor's
 * UI) while the experiment trains. Messages are plain data: progress, the outcome, or an error
 * with its kind and message. Until the experiment file has loaded, stopping terminates the
 * worker (a top level that never returns cannot be interrupted otherwise) and a load timeout
 * applies; after, cancellation crosses as a message and is checked between iterations and
 * solver steps.
 */
import * as path from 'node:path';
import type { MessagePort } from 'node:worker_threads';
import { loadExperiment } from './load';
import { trainExperiment, type RunLabel, type TrainOutcome, type TrainProgress, type TrainStart } from './trainer';
import { runWorkerJob, serveJob } from './workerJob';

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

type FromWorker = { type: 'start'; start: TrainStart } | { type: 'progress'; progress: TrainProgress };

/** The worker's side: loads the experiment, trains, reports. */
export async function serveTrainJob(port: MessagePort, job: TrainJob): Promise<void> {
  const stop = new AbortController();
  port.on('message', (m: { type: string }) => m.type === 'cancel' && stop.abort());
  const send = (m: FromWorker): void => port.postMessage(m);
  await serveJob(port, async () => {
    const exp = await loadExperiment(job.experiment);
    return trainExperiment(exp, {
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
  });
}

export interface WorkerTrainOptions {
  runsRoot: string;
  iterations?: number;
  resume?: string;
  allowChanges?: boolean;
  takeOver?: boolean;
  label?: RunLabel;
  /**
   * Stops the run: while the experiment loads, at once (a JobStoppedError `loadCancelled`);
   * after, at the end of the current iteration (the outcome's status is `cancelled`).
   */
  signal?: AbortSignal;
  /** Give up loading the experiment after this many ms (a JobStoppedError `loadTimeout`); undefined or 0: no limit. */
  loadTimeoutMs?: number;
  /** How the timeout's message says to give loading more time (default: the command line's flag). */
  raiseTimeout?: string;
  /** Once the experiment file has loaded. */
  onLoaded?: () => void;
  /** Once the run exists, before its first iteration (its warnings: a checkpoint skipped). */
  onStart?: (s: TrainStart) => void;
  onProgress?: (p: TrainProgress) => void;
  /** The script the worker runs: one that serves the TrainJob in its workerData (cli/commandWorker.ts). */
  workerScript: string;
  /** Node flags for the worker. */
  execArgv?: string[];
}

/** How `neural-ode` gives loading more time. */
export const RAISE_LOAD_TIMEOUT_FLAG = 'Give it more time with --load-timeout SECONDS (0: no limit).';

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
  return runWorkerJob<TrainOutcome>(job, {
    workerScript: opts.workerScript,
    execArgv: opts.execArgv,
    file: experiment,
    loadTimeoutMs: opts.loadTimeoutMs,
    raiseTimeout: opts.raiseTimeout ?? RAISE_LOAD_TIMEOUT_FLAG,
    signal: opts.signal,
    cancel: (worker) => worker.postMessage({ type: 'cancel' }),
    onLoaded: opts.onLoaded,
    onMessage: (m) => {
      const msg = m as FromWorker;
      if (msg.type === 'start') opts.onStart?.(msg.start);
      else if (msg.type === 'progress') opts.onProgress?.(msg.progress);
    },
  });
}
