/**
 * What every panel of an experiment shares on the extension side (vector field, trajectories,
 * solver inspector, diagnostics): the experiment evaluated by the engine worker with the weights
 * the panel's picker names (experimentRuns.ts: the newest run by default, its best checkpoint,
 * the untrained model, or one run), evaluated again when the file is saved (the live preview,
 * neuralOde.preview.enabled), the shown run writes a checkpoint, or a newer run of the file
 * writes its first (at most twice a second), one evaluation at a time.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseRunRef } from '../../../engine/src/train/runRef';
import { CHECKPOINT_BEST, CHECKPOINT_LATEST, CONFIG_FILE } from '../../../engine/src/train/runStore';
import type { FieldSource, WeightsChoice } from '../../../webview/src/protocol';
import { runsRootFor, watchRuns, workspaceRunsRoots } from '../experimentFiles';
import { previewSettings } from '../settings';
import { Coalescer } from './coalescer';
import { experimentRuns, pickOfValue, resolvePick, weightsChoices, weightsValue, type ExperimentRun } from './experimentRuns';

/** Checkpoints can come every iteration: re-evaluate at most twice a second. */
const REFRESH_INTERVAL_MS = 500;
/** A safety net for file events that never come (new run folders, network drives). */
const POLL_MS = 1500;

/** The runs folder holding `runId`, searched in every workspace folder. */
export function findRunDir(runId: string): string | undefined {
  for (const root of workspaceRunsRoots()) {
    const dir = path.join(root, runId);
    if (fs.existsSync(path.join(dir, CONFIG_FILE))) return dir;
  }
  return undefined;
}

/** The experiment file a run was trained from (config.json's `config.file`). */
export function runExperimentFile(runDir: string): string | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(runDir, CONFIG_FILE), 'utf8')) as { config?: { file?: unknown } };
    return typeof parsed.config?.file === 'string' ? parsed.config.file : undefined;
  } catch {
    return undefined;
  }
}

const statMtime = (file: string): number => {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
};

export interface SourceFeedOptions<R> {
  log: vscode.LogOutputChannel;
  /** Names the panel in the log ("Vector field"). */
  label: string;
  /** The engine's evaluation of a source (`runsRoot` holds its run, or would hold a new one). */
  evaluate(source: FieldSource, runsRoot: string): Promise<R>;
  /** What the log says about a result (after "evaluated in … ms"). */
  describe(result: R): string;
  onBusy(): void;
  onResult(source: FieldSource, result: R): void;
  onError(message: string): void;
  /** The weights picker's choices changed (runs came or went, or the pick resolved otherwise). */
  onChoices?(choices: WeightsChoice[], selected: string): void;
}

export class SourceFeed<R> implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly refreshes: Coalescer<true>;
  /** What is shown: the file, the pick, and the run reference it resolved to. */
  private current: FieldSource | undefined;
  /** The shown checkpoint's time, to evaluate again when the run writes a new one. */
  private checkpointMtime = 0;
  /** The picker's last choices, posted again only when they change. */
  private choicesKey = '';
  private inFlight = false;
  private again = false;
  private disposed = false;

  constructor(private readonly opts: SourceFeedOptions<R>) {
    this.refreshes = new Coalescer(() => void this.request(), REFRESH_INTERVAL_MS);
    this.disposables.push(
      vscode.workspace.onDidSaveTextDocument((doc) => {
        // The live preview (neuralOde.preview.enabled): a save re-evaluates the shown experiment.
        if (this.current && doc.uri.fsPath === this.current.file && previewSettings(doc.uri).enabled) this.refreshes.add(true);
      }),
    );
    for (const folder of vscode.workspace.workspaceFolders ?? []) this.watchCheckpoints(folder);
    const poll = setInterval(() => this.follow(), POLL_MS);
    this.disposables.push({ dispose: () => clearInterval(poll) });
  }

  get source(): FieldSource | undefined {
    return this.current;
  }

  /**
   * Shows an experiment with the weights its pick names: 'latest' (the default on a file)
   * follows the file's newest run, so the next run is shown from its first checkpoint on.
   */
  show(source: FieldSource): void {
    const pick = source.pick ?? (source.runId === null ? 'untrained' : 'run');
    const runs = experimentRuns(workspaceRunsRoots(), source.file);
    this.current = { file: source.file, pick, runId: resolvePick(runs, pick, source.runId) };
    this.checkpointMtime = this.shownCheckpointMtime();
    this.choicesKey = '';
    this.offerChoices(runs);
    void this.request();
  }

  /** The picker's choice (a WeightsChoice value). */
  pickWeights(value: string): void {
    if (this.current) this.show({ file: this.current.file, ...pickOfValue(value) });
  }

  /** Stops following: saves and checkpoints no longer evaluate anything (a debug session's solve is shown). */
  stop(): void {
    this.current = undefined;
  }

  /** Evaluates again now (the panel's refresh button). */
  refresh(): void {
    void this.request();
  }

  /** Every run's checkpoints in every workspace folder: the shown run's, or a newer run of the shown file. */
  private watchCheckpoints(folder: vscode.WorkspaceFolder): void {
    const watcher = watchRuns(folder, '*/checkpoint-{latest,best}.ckpt');
    const onChange = () => this.follow();
    this.disposables.push(watcher, watcher.onDidCreate(onChange), watcher.onDidChange(onChange));
  }

  /**
   * Follows the pick: a newer run of the file for 'latest' and 'best', a new checkpoint of the
   * shown run; and keeps the picker's list of runs current.
   */
  private follow(): void {
    const source = this.current;
    if (!source) return;
    const runs = experimentRuns(workspaceRunsRoots(), source.file);
    this.offerChoices(runs);
    const runId = resolvePick(runs, source.pick ?? 'run', source.runId);
    if (runId !== source.runId) {
      this.opts.log.info(`${this.opts.label}: following ${runId === null ? 'the untrained model' : `run ${runId}`} of ${path.basename(source.file)}`);
      this.current = { ...source, runId };
      this.checkpointMtime = this.shownCheckpointMtime();
      this.refreshes.add(true);
      return;
    }
    const mtime = this.shownCheckpointMtime();
    if (mtime !== this.checkpointMtime) {
      this.checkpointMtime = mtime;
      this.refreshes.add(true);
    }
  }

  private shownCheckpointMtime(): number {
    const runId = this.current?.runId;
    if (!runId) return 0;
    const { id, checkpoint } = parseRunRef(runId);
    const dir = findRunDir(id);
    return dir ? statMtime(path.join(dir, checkpoint === 'best' ? CHECKPOINT_BEST : CHECKPOINT_LATEST)) : 0;
  }

  private offerChoices(runs: ExperimentRun[]): void {
    if (!this.current || !this.opts.onChoices) return;
    const choices = weightsChoices(runs);
    const selected = weightsValue(this.current);
    const key = JSON.stringify([choices, selected]);
    if (key === this.choicesKey) return;
    this.choicesKey = key;
    this.opts.onChoices(choices, selected);
  }

  /** One evaluation at a time; a request while one runs is served once it finishes. */
  private async request(): Promise<void> {
    const source = this.current;
    if (!source || this.disposed) return;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = true;
    this.opts.onBusy();
    const started = Date.now();
    try {
      const runDir = source.runId ? findRunDir(parseRunRef(source.runId).id) : undefined;
      if (source.runId && !runDir) throw new Error(`run ${source.runId} is not under .neural-ode/runs/ of this workspace any more.`);
      const runsRoot = runDir ? path.dirname(runDir) : runsRootFor(vscode.Uri.file(source.file));
      const result = await this.opts.evaluate(source, runsRoot);
      if (this.current !== source) {
        if (this.current) this.again = true; // the source changed while the engine worked: show the new one
        return;
      }
      this.opts.log.info(`${this.opts.label}: ${source.runId === null ? 'untrained' : `run ${source.runId}`} evaluated in ${Date.now() - started} ms: ${this.opts.describe(result)}`);
      if (!this.disposed) this.opts.onResult(source, result);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.opts.log.error(`${this.opts.label}: ${message}`);
      if (!this.disposed) this.opts.onError(message);
    } finally {
      this.inFlight = false;
      if (this.again && !this.disposed) {
        this.again = false;
        this.refreshes.add(true);
      }
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.refreshes.dispose();
    while (this.disposables.length > 0) this.disposables.pop()?.dispose();
  }
}
