/**
 * The Vector field panel (extension side): one panel per window showing an experiment's field,
 * untrained or from a run's latest checkpoint. The engine worker evaluates the model; the panel
 * asks again when the experiment file is saved or the run writes a new checkpoint (at most
 * twice a second), so it follows training live.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExperimentPreview } from '../../../engine/src/protocol';
import { CHECKPOINT_LATEST, CONFIG_FILE } from '../../../engine/src/train/runStore';
import {
  validateVectorFieldViewState,
  validateWebviewMessage,
  type FieldPreview,
  type FieldSource,
  type HostToWebview,
  type WebviewMessage,
} from '../../../webview/src/protocol';
import type { EngineClient } from '../engineClient';
import { runsRootFor, workspaceRunsRoots } from '../experimentFiles';
import { Coalescer } from './coalescer';
import type { PanelDeps } from './curvesPanel';
import { panelHtml, panelOptions } from './webviewHtml';

export interface VectorFieldDeps extends PanelDeps {
  engine: EngineClient;
}

/** Grid points per axis: 24² arrows read well in a panel beside the editor. */
const GRID = 24;
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

/** Typed arrays become plain arrays: webview messages go through JSON. */
export function toFieldPreview(source: FieldSource, p: ExperimentPreview): FieldPreview {
  return {
    source,
    experiment: p.experiment,
    iteration: p.iteration,
    dim: p.dim,
    slice: p.slice,
    bounds: p.bounds,
    n: p.field.n,
    u: Array.from(p.field.u),
    v: Array.from(p.field.v),
    data: { x: Array.from(p.data.x), y: Array.from(p.data.y) },
    predicted: p.predicted ? { x: Array.from(p.predicted.x), y: Array.from(p.predicted.y) } : null,
    predictedError: p.predictedError,
  };
}

export class VectorFieldPanel {
  static readonly viewType = 'neuralOde.vectorField';
  static readonly title = 'Vector Field';
  private static current: VectorFieldPanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  /** Switch to a run of the shown file when it writes a checkpoint (opened on a file, untrained). */
  private follow = false;
  private readonly refreshes: Coalescer<true>;
  private source: FieldSource | undefined;
  private lastPreview: FieldPreview | undefined;
  private ready = false;
  private inFlight = false;
  private again = false;
  private disposed = false;

  static createOrShow(context: vscode.ExtensionContext, deps: VectorFieldDeps, source: FieldSource): VectorFieldPanel {
    const existing = VectorFieldPanel.current;
    if (existing) {
      existing.panel.reveal(undefined, true);
      existing.show(source);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(VectorFieldPanel.viewType, VectorFieldPanel.title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      ...panelOptions(context.extensionUri),
    });
    return new VectorFieldPanel(panel, context, deps, source);
  }

  static revive(panel: vscode.WebviewPanel, context: vscode.ExtensionContext, deps: VectorFieldDeps, state: unknown): VectorFieldPanel {
    VectorFieldPanel.current?.panel.dispose();
    const saved = validateVectorFieldViewState(state);
    if (!saved.ok && state !== undefined && state !== null) deps.log.warn(`Vector field: ignoring saved panel state (${saved.error})`);
    panel.webview.options = panelOptions(context.extensionUri);
    return new VectorFieldPanel(panel, context, deps, saved.ok ? (saved.value.source ?? undefined) : undefined);
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    private readonly deps: VectorFieldDeps,
    source: FieldSource | undefined,
  ) {
    VectorFieldPanel.current = this;
    this.refreshes = new Coalescer(() => void this.requestPreview(), REFRESH_INTERVAL_MS);
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
    panel.webview.html = panelHtml(panel.webview, context.extensionUri, { bundle: 'vectorField', stylesheet: 'vectorField.css', title: VectorFieldPanel.title });
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((data: unknown) => this.receive(data)),
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.ready = false;
      }),
      vscode.workspace.onDidSaveTextDocument((doc) => {
        if (this.source && doc.uri.fsPath === this.source.file) this.refreshes.add(true);
      }),
    );
    for (const folder of vscode.workspace.workspaceFolders ?? []) this.watchCheckpoints(folder);
    const poll = setInterval(() => this.pollCheckpoints(), POLL_MS);
    this.disposables.push({ dispose: () => clearInterval(poll) });
    if (source) this.show(source);
  }

  /**
   * Shows an experiment, untrained or from a run. Opened on an experiment file (no run), the
   * panel follows its training: the first checkpoint a run of that file writes is shown.
   */
  show(source: FieldSource): void {
    this.source = source;
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
    this.lastPreview = undefined;
    this.panel.title = `${VectorFieldPanel.title}: ${path.basename(source.file).replace(/\.ode\.[cm]?[jt]s$/, '')}`;
    void this.requestPreview();
  }

  /** Every run's latest checkpoint in every workspace folder: the shown run's, or a new run of the shown file. */
  private watchCheckpoints(folder: vscode.WorkspaceFolder): void {
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, `.neural-ode/runs/*/${CHECKPOINT_LATEST}`));
    const onChange = (uri: vscode.Uri) => {
      const source = this.source;
      if (!source) return;
      const runDir = path.dirname(uri.fsPath);
      const id = path.basename(runDir);
      if (source.runId === id) {
        this.refreshes.add(true);
      } else if (this.follow && sameFile(runExperimentFile(runDir), source.file)) {
        this.deps.log.info(`Vector field: following run ${id} of ${path.basename(source.file)}`);
        this.source = { file: source.file, runId: id };
        this.refreshes.add(true);
      }
    };
    this.disposables.push(watcher, watcher.onDidCreate(onChange), watcher.onDidChange(onChange));
  }

  /** The shown run's checkpoint time, and the run folders already looked at while following. */
  private checkpointMtime = 0;
  private readonly seenRuns = new Set<string>();

  private pollCheckpoints(): void {
    const source = this.source;
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
        this.deps.log.info(`Vector field: following run ${id} of ${path.basename(source.file)}`);
        this.source = { file: source.file, runId: id };
        this.checkpointMtime = statMtime(path.join(dir, CHECKPOINT_LATEST));
        this.refreshes.add(true);
        return;
      }
    }
  }

  private post<K extends keyof HostToWebview>(type: K, payload: HostToWebview[K]): void {
    if (!this.ready) return; // the last preview is replayed on the next panel/ready
    void this.panel.webview.postMessage({ type, payload });
  }

  private receive(data: unknown): void {
    const checked = validateWebviewMessage(data);
    if (!checked.ok) {
      this.deps.log.warn(`Vector field: ignored a malformed message from the panel: ${checked.error}`);
      return;
    }
    this.handle(checked.value);
  }

  private handle(message: WebviewMessage): void {
    switch (message.type) {
      case 'panel/ready':
        this.ready = true;
        if (this.lastPreview) this.post('vectorField/preview', this.lastPreview);
        else if (!this.source) this.post('panel/notice', { level: 'info', text: 'Open an experiment file (*.ode.ts) and run Neural ODE: Open Vector Field.' });
        return;
      case 'vectorField/refresh':
        void this.requestPreview();
        return;
      default:
        this.deps.log.warn(`Vector field: the panel sent ${message.type}, which it does not handle`);
    }
  }

  /** One evaluation at a time; a request while one runs is served once it finishes. */
  private async requestPreview(): Promise<void> {
    const source = this.source;
    if (!source || this.disposed) return;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = true;
    this.post('vectorField/status', { busy: true, error: null });
    const started = Date.now();
    try {
      const runDir = source.runId ? findRunDir(source.runId) : undefined;
      if (source.runId && !runDir) throw new Error(`run ${source.runId} is not under .neural-ode/runs/ of this workspace any more.`);
      const runsRoot = runDir ? path.dirname(runDir) : runsRootFor(vscode.Uri.file(source.file));
      const result = await this.deps.engine.request('experiment/preview', { file: source.file, runsRoot, runId: source.runId ?? undefined, grid: GRID });
      if (this.source !== source) {
        this.again = true; // the source changed while the engine worked: show the new one
        return;
      }
      this.lastPreview = toFieldPreview(source, result);
      this.deps.log.info(`Vector field: ${result.experiment} ${result.iteration === null ? 'untrained' : `run ${source.runId} iteration ${result.iteration}`} evaluated in ${Date.now() - started} ms`);
      this.post('vectorField/preview', this.lastPreview);
      this.post('vectorField/status', { busy: false, error: null });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.deps.log.error(`Vector field: ${message}`);
      this.post('vectorField/status', { busy: false, error: `Could not evaluate the model: ${message}` });
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
    if (VectorFieldPanel.current === this) VectorFieldPanel.current = undefined;
    this.refreshes.dispose();
    while (this.disposables.length > 0) this.disposables.pop()?.dispose();
    this.panel.dispose();
  }
}
