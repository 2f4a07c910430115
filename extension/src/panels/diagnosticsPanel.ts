/**
 * The Modified-Equation Diagnostics panel (extension side): one per window. Opened on an
 * experiment, it asks the engine worker for `analysis/diagnostics` and asks again when the file
 * is saved, the shown run writes a checkpoint (a file opened without a run follows the first run
 * of it that writes one), or the panel asks (refresh, another scheme). The last result is
 * replayed whenever the webview says `panel/ready` (a reload, a hidden panel shown again).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CHECKPOINT_LATEST } from '../../../engine/src/train/runStore';
import {
  validateDiagnosticsViewState,
  validateDiagnosticsWebviewMessage,
  type DiagnosticsHostToWebview,
  type DiagnosticsResult,
  type DiagnosticsWebviewMessage,
} from '../../../webview/src/diagnostics/protocol';
import type { FieldSource } from '../../../webview/src/protocol';
import { runsRootFor, workspaceRunsRoots } from '../experimentFiles';
import { Coalescer } from './coalescer';
import { toDiagnosticsResult } from './diagnosticsMessages';
import { findRunDir, runExperimentFile } from './previewFeed';
import type { PreviewDeps } from './previewPanel';
import { panelHtml, panelOptions } from './webviewHtml';

const TITLE = 'Modified-Equation Diagnostics';
/** Saves and checkpoints can come in bursts: compute at most twice a second. */
const REFRESH_INTERVAL_MS = 500;
const POLL_MS = 1500;

type SchemeChoice = { scheme: string; k: number | null };

export class DiagnosticsPanel {
  static readonly viewType = 'neuralOde.diagnostics';
  private static current: DiagnosticsPanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private readonly refreshes: Coalescer<true>;
  private source: FieldSource | undefined;
  private scheme: SchemeChoice | null = null;
  private result: DiagnosticsResult | undefined;
  private ready = false;
  private inFlight = false;
  private again = false;
  private checkpointMtime = 0;
  private follow = false;
  private readonly seenRuns = new Set<string>();
  private disposed = false;

  static createOrShow(context: vscode.ExtensionContext, deps: PreviewDeps, source: FieldSource): DiagnosticsPanel {
    const existing = DiagnosticsPanel.current;
    if (existing) {
      existing.panel.reveal(undefined, true);
      existing.show(source, existing.scheme);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(DiagnosticsPanel.viewType, TITLE, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, panelOptions(context.extensionUri));
    const created = new DiagnosticsPanel(panel, context, deps);
    created.show(source, null);
    return created;
  }

  static revive(panel: vscode.WebviewPanel, context: vscode.ExtensionContext, deps: PreviewDeps, state: unknown): DiagnosticsPanel {
    DiagnosticsPanel.current?.panel.dispose();
    const saved = validateDiagnosticsViewState(state);
    if (!saved.ok && state !== undefined && state !== null) deps.log.warn(`Diagnostics: ignoring saved panel state (${saved.error})`);
    panel.webview.options = panelOptions(context.extensionUri);
    const revived = new DiagnosticsPanel(panel, context, deps);
    if (saved.ok && saved.value.source) revived.show(saved.value.source, saved.value.scheme);
    return revived;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    private readonly deps: PreviewDeps,
  ) {
    DiagnosticsPanel.current = this;
    this.refreshes = new Coalescer(() => void this.compute(), REFRESH_INTERVAL_MS);
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
    panel.webview.html = panelHtml(panel.webview, context.extensionUri, { bundle: 'diagnostics', stylesheet: 'diagnostics.css', title: TITLE });
    const poll = setInterval(() => this.pollCheckpoint(), POLL_MS);
    this.disposables.push(
      this.refreshes,
      { dispose: () => clearInterval(poll) },
      vscode.workspace.onDidSaveTextDocument((doc) => {
        if (this.source && doc.uri.fsPath === this.source.file) this.refreshes.add(true);
      }),
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((data: unknown) => this.receive(data)),
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.ready = false;
      }),
    );
  }

  show(source: FieldSource, scheme: SchemeChoice | null): void {
    this.source = source;
    this.scheme = scheme;
    this.checkpointMtime = 0;
    this.follow = source.runId === null;
    this.seenRuns.clear();
    if (this.follow) for (const dir of runDirs()) this.seenRuns.add(dir);
    this.panel.title = `${TITLE}: ${path.basename(source.file).replace(/\.ode\.[cm]?[jt]s$/, '')}`;
    void this.compute();
  }

  private post<K extends keyof DiagnosticsHostToWebview>(type: K, payload: DiagnosticsHostToWebview[K]): void {
    if (!this.ready) return; // replayed on the next panel/ready
    void this.panel.webview.postMessage({ type, payload });
  }

  /** A new checkpoint of the shown run, or (opened on a file) a new run of that file writing its first. */
  private pollCheckpoint(): void {
    const source = this.source;
    if (!source) return;
    if (source.runId) {
      const dir = findRunDir(source.runId);
      const mtime = dir ? checkpointTime(dir) : 0;
      if (mtime > this.checkpointMtime) {
        if (this.checkpointMtime > 0) this.refreshes.add(true);
        this.checkpointMtime = mtime;
      }
    }
    if (!this.follow) return;
    for (const dir of runDirs()) {
      if (this.seenRuns.has(dir) || checkpointTime(dir) === 0) continue;
      this.seenRuns.add(dir);
      if (path.resolve(runExperimentFile(dir) ?? '') !== path.resolve(source.file)) continue;
      this.deps.log.info(`Diagnostics: following run ${path.basename(dir)} of ${path.basename(source.file)}`);
      this.source = { file: source.file, runId: path.basename(dir) };
      this.follow = false;
      this.checkpointMtime = checkpointTime(dir);
      this.refreshes.add(true);
      return;
    }
  }

  /** One computation at a time; a request while one runs is served once it finishes. */
  private async compute(): Promise<void> {
    const source = this.source;
    if (!source || this.disposed) return;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = true;
    this.post('diagnostics/status', { busy: true, error: null });
    const started = Date.now();
    const scheme = this.scheme;
    try {
      const runDir = source.runId ? findRunDir(source.runId) : undefined;
      if (source.runId && !runDir) throw new Error(`run ${source.runId} is not under .neural-ode/runs/ of this workspace any more.`);
      const runsRoot = runDir ? path.dirname(runDir) : runsRootFor(vscode.Uri.file(source.file));
      const result = await this.deps.engine.request('analysis/diagnostics', {
        file: source.file,
        runsRoot,
        runId: source.runId ?? undefined,
        ...(scheme ? { scheme: scheme.scheme, ...(scheme.k === null ? {} : { k: scheme.k }) } : {}),
      });
      if (this.disposed) return;
      if (this.source !== source || this.scheme !== scheme) {
        this.again = true;
        return;
      }
      this.deps.log.info(`Diagnostics: ${result.experiment} (${result.model}), ${result.order.scheme} slope ${result.order.slope?.toFixed(2) ?? '—'}, in ${Date.now() - started} ms`);
      this.result = toDiagnosticsResult(source, result);
      this.post('diagnostics/result', this.result);
      this.post('diagnostics/status', { busy: false, error: null });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.deps.log.error(`Diagnostics: ${message}`);
      this.post('diagnostics/status', { busy: false, error: `Could not compute the diagnostics: ${message}` });
    } finally {
      this.inFlight = false;
      if (this.again && !this.disposed) {
        this.again = false;
        this.refreshes.add(true);
      }
    }
  }

  private receive(data: unknown): void {
    const checked = validateDiagnosticsWebviewMessage(data);
    if (!checked.ok) {
      this.deps.log.warn(`Diagnostics: ignored a malformed message from the panel: ${checked.error}`);
      return;
    }
    this.handle(checked.value);
  }

  private handle(message: DiagnosticsWebviewMessage): void {
    switch (message.type) {
      case 'panel/ready':
        this.ready = true;
        if (this.result) this.post('diagnostics/result', this.result);
        else if (!this.source) this.post('diagnostics/notice', { level: 'info', text: 'Open an experiment file (*.ode.ts) and run Neural ODE: Modified-Equation Diagnostics.' });
        else this.post('diagnostics/status', { busy: this.inFlight, error: null });
        break;
      case 'diagnostics/refresh':
        void this.compute();
        break;
      case 'diagnostics/scheme':
        this.scheme = message.payload;
        void this.compute();
        break;
      default:
        break;
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (DiagnosticsPanel.current === this) DiagnosticsPanel.current = undefined;
    while (this.disposables.length > 0) this.disposables.pop()?.dispose();
    this.panel.dispose();
  }
}

/** Every run folder of the workspace. */
function runDirs(): string[] {
  return workspaceRunsRoots().flatMap((root) => {
    try {
      return fs.readdirSync(root).map((id) => path.join(root, id));
    } catch {
      return []; // no runs folder yet
    }
  });
}

/** When the run's latest checkpoint was written (0: none yet). */
function checkpointTime(runDir: string): number {
  try {
    return fs.statSync(path.join(runDir, CHECKPOINT_LATEST)).mtimeMs;
  } catch {
    return 0;
  }
}

/** The command and the serializer that restores the panel after a reload. */
export function registerDiagnostics(
  context: vscode.ExtensionContext,
  deps: PreviewDeps,
  sourceFromArgs: (args: readonly unknown[]) => FieldSource | undefined,
): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('neuralOde.openDiagnostics', (...args: unknown[]) => {
      const source = sourceFromArgs(args);
      if (source) DiagnosticsPanel.createOrShow(context, deps, source);
    }),
    vscode.window.registerWebviewPanelSerializer(DiagnosticsPanel.viewType, {
      deserializeWebviewPanel: async (panel, state: unknown) => {
        DiagnosticsPanel.revive(panel, context, deps, state);
      },
    }),
  ];
}
