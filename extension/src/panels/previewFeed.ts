/**
 * What every panel of an experiment shares on the extension side (vector field, trajectories,
 * solver inspector, diagnostics): the experiment evaluated by the engine worker (untrained or
 * from a run's latest checkpoint), evaluated again when the file is saved (the live preview,
 * neuralOde.preview.enabled) or the shown run writes a checkpoint (at most twice a second), one
 * evaluation at a time. Opened on a file (no run), the feed follows the first run of that file
 * that writes a checkpoint, so a panel follows training live.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CHECKPOINT_LATEST, CONFIG_FILE } from '../../../engine/src/train/runStore';
import type { FieldSource } from '../../../webview/src/protocol';
import { runsRootFor, workspaceRunsRoots } from '../experimentFiles';
import { previewSettings } from '../settings';
import { Coalescer } from './coalescer';

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

const sameFile = (a: string | undefined, b: string): boolean => a !== undefined && path.resolve(a) === path.resolve(b);

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
}

export class SourceFeed<R> implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly refreshes: Coalescer<true>;
  private current: FieldSource | undefined;
  /** Switch to a run of the shown file when it writes a checkpoint (opened on a file, untrained). */
  private follow = false;
  /** The shown run's checkpoint time, and the run folders already looked at while following. */
  private checkpointMtime = 0;
  private readonly seenRuns = new Set<string>();
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
    const poll = setInterval(() => this.pollCheckpoints(), POLL_MS);
    this.disposables.push({ dispose: () => clearInterval(poll) });
  }

  get source(): FieldSource | undefined {
    return this.current;
  }

  /**
   * Shows an experiment, untrained or from a run. Opened on an experiment file (no run), the
   * feed follows its training: the first checkpoint a run of that file writes is shown.
   */
  show(source: FieldSource): void {
    this.current = source;
    this.follow = source.runId === null;
    this.checkpointMtime = 0;
    // Runs that exist already are not followed: only those that write a checkpoint from now on.
    this.seenRuns.clear();
    if (this.follow) {
      for (const root of workspaceRunsRoots()) {
        try {
          for (const id of fs.readdirSync(root)) this.seenRuns.add(path.join(root, id));
        } catch {
          // no runs folder yet
        }
      }
    }
    void this.request();
  }

  /** Stops following: saves and checkpoints no longer evaluate anything (a debug session's solve is shown). */
  stop(): void {
    this.current = undefined;
    this.follow = false;
  }

  /** Evaluates again now (the panel's refresh button). */
  refresh(): void {
    void this.request();
  }

  /** Every run's latest checkpoint in every workspace folder: the shown run's, or a new run of the shown file. */
  private watchCheckpoints(folder: vscode.WorkspaceFolder): void {
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, `.neural-ode/runs/*/${CHECKPOINT_LATEST}`));
    const onChange = (uri: vscode.Uri) => {
      const source = this.current;
      if (!source) return;
      const runDir = path.dirname(uri.fsPath);
      const id = path.basename(runDir);
      if (source.runId === id) {
        this.refreshes.add(true);
      } else if (this.follow && sameFile(runExperimentFile(runDir), source.file)) {
        this.followRun(source.file, id);
      }
    };
    this.disposables.push(watcher, watcher.onDidCreate(onChange), watcher.onDidChange(onChange));
  }

  private followRun(file: string, id: string): void {
    this.opts.log.info(`${this.opts.label}: following run ${id} of ${path.basename(file)}`);
    this.current = { file, runId: id };
    this.refreshes.add(true);
  }

  private pollCheckpoints(): void {
    const source = this.current;
    if (!source) return;
    if (source.runId) {
      const dir = findRunDir(source.runId);
      const mtime = dir ? statMtime(path.join(dir, CHECKPOINT_LATEST)) : 0;
      if (mtime > this.checkpointMtime) {
        if (this.checkpointMtime > 0) this.refreshes.add(true);
        this.checkpointMtime = mtime;
      }
    }
    if (!this.follow) return;
    for (const root of workspaceRunsRoots()) {
      let ids: string[];
      try {
        ids = fs.readdirSync(root);
      } catch {
        continue;
      }
      for (const id of ids) {
        const dir = path.join(root, id);
        if (this.seenRuns.has(dir) || id === source.runId || statMtime(path.join(dir, CHECKPOINT_LATEST)) === 0) continue;
        this.seenRuns.add(dir);
        if (!sameFile(runExperimentFile(dir), source.file)) continue;
        this.checkpointMtime = statMtime(path.join(dir, CHECKPOINT_LATEST));
        this.followRun(source.file, id);
        return;
      }
    }
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
      const runDir = source.runId ? findRunDir(source.runId) : undefined;
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
