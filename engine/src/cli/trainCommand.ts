import * as path from 'node:path';
import type { RunLabel, TrainOutcome, TrainProgress } from '../experiments/trainer';
import { trainInWorker } from '../experiments/trainWorker';
import { defaultRunsRoot } from '../train/runStore';
import { commandWorkerScript } from './commandWorker';
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
  /** Give up loading the experiment after this many ms; undefined or 0: no limit. */
  loadTimeoutMs?: number;
  json: boolean;
}

/**
 * `neural-ode train`: trains in a worker thread with a progress bar here. While the experiment
 * file loads, Ctrl-C terminates the worker at once (a JobStoppedError `loadCancelled`: "stopped
 * while loading …", exit 130). After, the first Ctrl-C stops at the end of the current iteration,
 * keeping the run (resumable), and the command exits 130 (main.ts); a second one exits at once,
 * 130 too.
 */
export async function trainCommand(args: TrainArgs): Promise<TrainOutcome> {
  const runsRoot = path.resolve(args.out ?? defaultRunsRoot(process.cwd()));
  const stop = new AbortController();
  let loaded = false;
  const onSigint = (): void => {
    if (stop.signal.aborted) process.exit(130);
    stop.abort();
    if (loaded) process.stderr.write('\nStopping after this iteration (Ctrl-C again to quit now)…\n');
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
    // said once, on its own line, also with --json (where the progress line carries it too)
    if (p.slowdown) {
      const fixes = p.slowdown.suggestions.map((s) => `  - ${s.title}: ${s.edits.map((e) => `${e.path.join('.')}: ${e.value}`).join(', ')} (${s.why})`);
      process.stderr.write(`${tty ? '\n' : ''}neural-ode: warning: ${p.slowdown.text}\n${fixes.join('\n')}${fixes.length ? '\n' : ''}`);
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
      loadTimeoutMs: args.loadTimeoutMs,
      onLoaded: () => (loaded = true),
      // Said before the first iteration, on stderr also with --json (stdout holds only JSON lines).
      onStart: (s) => {
        if (s.model && !args.json) process.stderr.write(`neural-ode: ${s.model}\n`);
        s.warnings.forEach((w) => process.stderr.write(`neural-ode: warning: ${w}\n`));
      },
      onProgress,
      workerScript: commandWorkerScript(),
    });
  } finally {
    process.off('SIGINT', onSigint);
    if (tty) process.stderr.write('\n');
  }
}
