/**
 * The window's training run as the host sees it: started in the engine worker, followed by
 * its `train/*` events, ended by its outcome, an error, or the worker's crash. Free of
 * `vscode`, so it is unit-tested against the real engine worker.
 */
import { resolve } from 'node:path';
import type { EngineEvents, RpcErrorPayload, TrainOutcome, TrainProgress, TrainStartParams } from '../../engine/src/protocol';
import type { Disposable, EngineClient } from './engineClient';

export type RunEnd = { runId: string; outcome: TrainOutcome; error?: undefined } | { runId: string; outcome?: undefined; error: RpcErrorPayload };

export interface ActiveRun {
  runId: string;
  runDir: string;
  file: string;
  experiment: string;
  startIteration: number;
  /** What the engine said before the first iteration: a checkpoint that did not verify and the one used instead. */
  warnings?: string[];
  /** The iteration this training goes to: the experiment's, an override's, or a resume's new total. */
  iterations: number;
  /** When the engine started it (Date.now()), after the experiment loaded: how long training took. */
  startedAt: number;
  /** The newest progress, once the first iteration is done. */
  latest?: TrainProgress;
  /** Settles (never rejects) when the run ends, however it ends. */
  done: Promise<RunEnd>;
  stopRequested: boolean;
}

type Listener = (run: ActiveRun, progress: TrainProgress) => void;

export class TrainingSession {
  private active: (ActiveRun & { end: (e: RunEnd) => void }) | undefined;
  private starting = false;
  /** While starting: the experiment file (absolute), and whether Stop was asked before the run existed. */
  private startingFile: string | undefined;
  private stopWanted = false;
  /** Events that arrive before `train/start` answers (they should not, but order is not promised). */
  private readonly early = new Map<string, { latest?: TrainProgress; end?: RunEnd }>();
  private readonly progressListeners = new Set<Listener>();
  private readonly changeListeners = new Set<(run: ActiveRun | undefined) => void>();
  private readonly subscriptions: Disposable[];

  constructor(private readonly engine: EngineClient) {
    this.subscriptions = [
      engine.on('train/progress', (e) => this.onProgress(e)),
      engine.on('train/done', (e) => this.onDone(e)),
      // Stop asked before the engine began loading the experiment: stopped as soon as it does.
      engine.on('engine/loading', ({ file }) => {
        if (this.starting && this.stopWanted && file === this.startingFile) engine.stopLoading(file);
      }),
      engine.onCrash((message) => {
        if (this.active) this.finish({ runId: this.active.runId, error: { kind: 'workerCrashed', message: `${message} The run keeps its last checkpoint: Resume Run continues it.` } });
      }),
    ];
  }

  get current(): ActiveRun | undefined {
    return this.active;
  }

  /** True from the start request until the run ends. */
  get busy(): boolean {
    return this.starting || this.active !== undefined;
  }

  /** Starts a run; rejects (EngineRequestError) when the experiment cannot be loaded or started. */
  async start(params: TrainStartParams, experiment: string): Promise<ActiveRun> {
    if (this.busy) {
      throw new Error(`Another run is already training (${this.active?.runId ?? 'starting'}). Stop it first (Neural ODE: Stop Training).`);
    }
    this.starting = true;
    this.startingFile = resolve(params.file);
    this.stopWanted = false;
    this.emitChange();
    try {
      const r = await this.engine.request('train/start', params);
      let end!: (e: RunEnd) => void;
      const done = new Promise<RunEnd>((resolve) => (end = resolve));
      const run: ActiveRun & { end: (e: RunEnd) => void } = { ...r, file: params.file, experiment, startedAt: Date.now(), done, end, stopRequested: false };
      this.active = run;
      const early = this.early.get(r.runId);
      this.early.clear();
      if (early?.latest) run.latest = early.latest;
      if (early?.end) this.finish(early.end);
      // Stop was asked once loading was over, before the run existed: it stops now.
      else if (this.stopWanted) void this.stop().catch(() => undefined);
      return run;
    } finally {
      this.starting = false;
      this.startingFile = undefined;
      this.stopWanted = false;
      this.emitChange();
    }
  }

  /**
   * Asks the current run to stop; it ends (as `cancelled`) within its current iteration. A run
   * still loading its experiment stops at once: the engine worker is terminated (a top level
   * that never returns cannot be interrupted otherwise) and the start rejects (`loadCancelled`).
   */
  async stop(): Promise<{ stopping: boolean; iteration?: number }> {
    const run = this.active;
    if (!run && this.starting && this.startingFile !== undefined) {
      this.stopWanted = true;
      this.engine.stopLoading(this.startingFile);
      return { stopping: true };
    }
    if (!run) return { stopping: false };
    run.stopRequested = true;
    return this.engine.request('train/stop', { runId: run.runId });
  }

  onDidProgress(listener: Listener): Disposable {
    this.progressListeners.add(listener);
    return { dispose: () => void this.progressListeners.delete(listener) };
  }

  /** Called when a run starts or ends (or a start begins), with the current run. */
  onDidChange(listener: (run: ActiveRun | undefined) => void): Disposable {
    this.changeListeners.add(listener);
    return { dispose: () => void this.changeListeners.delete(listener) };
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.progressListeners.clear();
    this.changeListeners.clear();
  }

  private onProgress({ runId, progress }: EngineEvents['train/progress']): void {
    if (this.active?.runId !== runId) {
      if (this.starting) this.early.set(runId, { ...this.early.get(runId), latest: progress });
      return;
    }
    this.active.latest = progress;
    for (const l of [...this.progressListeners]) l(this.active, progress);
  }

  private onDone(e: EngineEvents['train/done']): void {
    const end: RunEnd = e.outcome ? { runId: e.runId, outcome: e.outcome } : { runId: e.runId, error: e.error ?? { kind: 'Error', message: 'The run ended without an outcome.' } };
    if (this.active?.runId !== e.runId) {
      if (this.starting) this.early.set(e.runId, { ...this.early.get(e.runId), end });
      return;
    }
    this.finish(end);
  }

  private finish(end: RunEnd): void {
    const run = this.active;
    if (!run) return;
    this.active = undefined;
    run.end(end);
    this.emitChange();
  }

  private emitChange(): void {
    for (const l of [...this.changeListeners]) l(this.active);
  }
}
