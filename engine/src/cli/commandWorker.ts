/**
 * `solve` and `export` run in a worker thread, as `train` does: the file they load is the
 * user's code, and a top level that never returns can only be stopped by terminating its thread
 * (Ctrl-C, `--load-timeout`). Functions cannot cross threads, so the whole command runs there and
 * only its plain-data result comes back. Threads share the working directory, so relative paths
 * mean the same there and stay as given, in messages too.
 */
import * as path from 'node:path';
import type { MessagePort } from 'node:worker_threads';
import { serveTrainJob, RAISE_LOAD_TIMEOUT_FLAG, type TrainJob } from '../experiments/trainWorker';
import { runWorkerJob, serveJob } from '../experiments/workerJob';
import { exportCommand, type ExportArgs, type ExportResult } from './exportCommand';
import { solveCommand, type SolveArgs, type SolveOutput } from './solveCommand';

interface SolveJob {
  role: 'neural-ode-solve';
  args: SolveArgs;
}

interface ExportJob {
  role: 'neural-ode-export';
  args: ExportArgs;
}

export type CommandJob = TrainJob | SolveJob | ExportJob;

const roles: readonly string[] = ['neural-ode-train', 'neural-ode-solve', 'neural-ode-export'];

/** Whether a worker's workerData is one of the command line's jobs. */
export const isCommandJob = (data: unknown): data is CommandJob => roles.includes((data as { role?: unknown } | null)?.role as string);

/** The worker's side of every command's job. */
export function serveCommandJob(port: MessagePort, job: CommandJob): Promise<void> {
  if (job.role === 'neural-ode-train') return serveTrainJob(port, job);
  if (job.role === 'neural-ode-solve') return serveJob(port, () => solveCommand(job.args));
  return serveJob(port, () => exportCommand(job.args));
}

/**
 * The worker script: this very bundle (dist/cli.js answers a job when it is started as a worker),
 * or, from the TypeScript source, a shim that loads the source through tsx.
 */
export const commandWorkerScript = (): string =>
  __filename.endsWith('.ts') ? path.join(__dirname, 'commandWorkerFromSource.mjs') : __filename;

export interface InWorkerOptions {
  /** Give up loading the file after this many ms; undefined or 0: no limit. */
  loadTimeoutMs?: number;
  /** Stops the command at once, terminating its worker. */
  signal?: AbortSignal;
}

/** `neural-ode solve` in a worker thread. */
export function solveInWorker(args: SolveArgs, opts: InWorkerOptions): Promise<SolveOutput> {
  const job: SolveJob = { role: 'neural-ode-solve', args };
  return runWorkerJob(job, { workerScript: commandWorkerScript(), file: args.module, raiseTimeout: RAISE_LOAD_TIMEOUT_FLAG, ...opts });
}

/** `neural-ode export` in a worker thread. */
export function exportInWorker(args: ExportArgs, opts: InWorkerOptions): Promise<ExportResult> {
  const job: ExportJob = { role: 'neural-ode-export', args };
  return runWorkerJob(job, { workerScript: commandWorkerScript(), file: args.experiment, raiseTimeout: RAISE_LOAD_TIMEOUT_FLAG, ...opts });
}
