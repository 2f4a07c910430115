import * as path from 'node:path';
import type { RunLabel, TrainOutcome, TrainProgress } from '../experiments/trainer';
import { trainInWorker } from '../experiments/trainWorker';
import { defaultRunsRoot } from '../train/runStore';
import { progressLine } from './progress';

export interface TrainArgs {
  experiment: string;
  iterations?: number;
  out?: string;
  resume?: string;
  /** Resume although what defines the run changed (recorded in the run). */
  allowChanges?: boolean;
  /** With resume: take the run from a lock this machine cannot check. */
  takeOver?: boolean;
  /** A new run's name, tags and note (config.json). */
  label?: RunLabel;
  json: boolean;
}

/**
 * The worker script: this very bundle (dist/cli.js answers a train job when it is started as a
 * worker), or, from the TypeScript source, a shim that loads the source through tsx.
 */
const workerScript = (): string =>
  __filename.endsWith('.ts') ? path.join(__dirname, '..', 'experiments', 'trainWorkerFromSource.mjs') : __filename;

/**
 * `neural-ode train`: trains in a worker thread with a progress bar here. The first Ctrl-C
 * stops at the end of the current iteration, keeping the run (resumable), and the command exits
 * 130 (main.ts); a second one exits at once, 130 too.
 */
export async function trainCommand(args: TrainArgs): Promise<TrainOutcome> {
  const runsRoot = path.resolve(args.out ?? defaultRunsRoot(process.cwd()));
  const stop = new AbortController();
  const onSigint = (): void => {
    if (stop.signal.aborted) process.exit(130);
    stop.abort();
    process.stderr.write('\nStopping after this iteration (Ctrl-C again to quit now)…\n');
  };
  process.on('SIGINT', onSigint);
  const tty = process.stderr.isTTY === true && !args.json;
  let lastPrinted = 0;
  const onProgress = (p: TrainProgress): void => {
    if (args.json) {
      process.stdout.write(JSON.stringify({ progress: p }) + '\n');
    } else if (tty) {
      process.stderr.write(`\r${progressLine(p)}\x1b[K`);
    } else if (p.evalLoss !== undefined || p.iteration === p.iterations || Date.now() - lastPrinted > 5000) {
      lastPrinted = Date.now();
      process.stderr.write(`${progressLine(p)}\n`);
    }
  };
  try {
    return await trainInWorker(args.experiment, {
      runsRoot,
      iterations: args.iterations,
      resume: args.resume,
      allowChanges: args.allowChanges,
      takeOver: args.takeOver,
      label: args.label,
      signal: stop.signal,
      // Said before the first iteration, on stderr also with --json (stdout holds only JSON lines).
      onStart: (s) => {
        if (s.model && !args.json) process.stderr.write(`neural-ode: ${s.model}\n`);
        s.warnings.forEach((w) => process.stderr.write(`neural-ode: warning: ${w}\n`));
      },
      onProgress,
      workerScript: workerScript(),
    });
  } finally {
    process.off('SIGINT', onSigint);
    if (tty) process.stderr.write('\n');
  }
}
