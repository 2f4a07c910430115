/**
 * How responsive the extension host stays while a run trains: its event-loop delay, sampled by
 * perf_hooks from each run's start to its end and logged with the outcome. Training runs in the
 * engine worker, so the delay should stay near the timer resolution (target: p99 < 50 ms).
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { TrainingSession } from './trainingSession';

export interface EventLoopDelay {
  runId?: string;
  /** True while the run is still training. */
  live: boolean;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  samples: number;
}

const ms = (ns: number): number => Math.round(ns / 1e4) / 100;

function summary(h: IntervalHistogram, runId: string | undefined, live: boolean): EventLoopDelay {
  return { runId, live, p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), maxMs: ms(h.max), samples: h.count };
}

export function registerHostResponsiveness(session: TrainingSession, log: vscode.LogOutputChannel): vscode.Disposable {
  let histogram: IntervalHistogram | undefined;
  let runId: string | undefined;
  let last: EventLoopDelay | undefined;
  const finish = (): void => {
    if (!histogram) return;
    histogram.disable();
    if (histogram.count > 0) {
      last = summary(histogram, runId, false);
      log.info(`extension host event-loop delay while run ${runId ?? '?'} trained: p50 ${last.p50Ms} ms, p99 ${last.p99Ms} ms, max ${last.maxMs} ms (${last.samples} samples)`);
    }
    histogram = undefined;
  };
  const sub = session.onDidChange((run) => {
    if (run && !histogram) {
      runId = run.runId;
      histogram = monitorEventLoopDelay({ resolution: 10 });
      histogram.enable();
    } else if (!run && !session.busy) {
      finish();
    }
  });
  // Not in the palette: for tests and for measuring from the developer tools.
  const command = vscode.commands.registerCommand('neuralOde.internal.eventLoopDelay', (): EventLoopDelay | undefined =>
    histogram && histogram.count > 0 ? summary(histogram, runId, true) : last,
  );
  return vscode.Disposable.from(sub, command, { dispose: finish });
}
