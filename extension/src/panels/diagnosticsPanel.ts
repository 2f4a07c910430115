/**
 * The Modified-Equation Diagnostics panel (extension side): one per window. Opened on an
 * experiment, it asks the engine worker for `analysis/diagnostics` and asks again when the file
 * is saved, the shown run writes a checkpoint (the SourceFeed every experiment panel shares: a
 * file opened without a run follows the first run of it that writes one), or the panel asks
 * (refresh, another scheme). The last result is
 * replayed whenever the webview says `panel/ready` (a reload, a hidden panel shown again).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExperimentDiagnostics } from '../../../engine/src/analysis/experimentDiagnostics';
import {
  validateDiagnosticsViewState,
  validateDiagnosticsWebviewMessage,
  type DiagnosticsHostToWebview,
  type DiagnosticsResult,
  type DiagnosticsWebviewMessage,
} from '../../../webview/src/diagnostics/protocol';
import type { FieldSource } from '../../../webview/src/protocol';
import { toDiagnosticsResult } from './diagnosticsMessages';
import { registerPanelCommand } from './panelCommand';
import { SourceFeed } from './previewFeed';
import type { PreviewDeps } from './previewPanel';
import { panelHtml, panelOptions } from './webviewHtml';

const TITLE = 'Modified-Equation Diagnostics';

type SchemeChoice = { scheme: string; k: number | null };

export class DiagnosticsPanel {
  static readonly viewType = 'neuralOde.diagnostics';
  private static current: DiagnosticsPanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  /** The experiment analysed, following saves and checkpoints. */
  private readonly feed: SourceFeed<ExperimentDiagnostics>;
  private scheme: SchemeChoice | null = null;
  private result: DiagnosticsResult | undefined;
  private weights: DiagnosticsHostToWebview['panel/weights'] | undefined;
  private ready = false;
  private busy = false;
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
    this.feed = new SourceFeed<ExperimentDiagnostics>({
      log: deps.log,
      label: 'Diagnostics',
      evaluate: (source, runsRoot) => {
        const scheme = this.scheme;
        return deps.engine.request('analysis/diagnostics', {
          file: source.file,
          runsRoot,
          runId: source.runId ?? undefined,
          ...(scheme ? { scheme: scheme.scheme, ...(scheme.k === null ? {} : { k: scheme.k }) } : {}),
        });
      },
      describe: (r) => `${r.experiment} (${r.model}), ${r.order.scheme} slope ${r.order.slope?.toFixed(2) ?? '—'}`,
      onBusy: () => this.status(true, null),
      onResult: (source, result) => {
        this.result = toDiagnosticsResult(source, result);
        this.post('diagnostics/result', this.result);
        this.status(false, null);
      },
      onError: (message) => this.status(false, `Could not compute the diagnostics: ${message}`),
      onChoices: (choices, selected) => {
        this.weights = { choices, selected };
        this.post('panel/weights', this.weights);
      },
    });
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
    panel.webview.html = panelHtml(panel.webview, context.extensionUri, { bundle: 'diagnostics', stylesheet: 'diagnostics.css', title: TITLE });
    this.disposables.push(
      this.feed,
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((data: unknown) => this.receive(data)),
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.ready = false;
      }),
    );
  }

  private status(busy: boolean, error: string | null): void {
    this.busy = busy;
    this.post('diagnostics/status', { busy, error });
  }

  show(source: FieldSource, scheme: SchemeChoice | null): void {
    this.scheme = scheme;
    this.panel.title = `${TITLE}: ${path.basename(source.file).replace(/\.ode\.[cm]?[jt]s$/, '')}`;
    // A new object: a computation for the previous scheme still under way is then not shown.
    this.feed.show({ ...source });
  }

  private post<K extends keyof DiagnosticsHostToWebview>(type: K, payload: DiagnosticsHostToWebview[K]): void {
    if (!this.ready) return; // replayed on the next panel/ready
    void this.panel.webview.postMessage({ type, payload });
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
        if (this.weights) this.post('panel/weights', this.weights);
        if (this.result) this.post('diagnostics/result', this.result);
        else if (!this.feed.source) this.post('diagnostics/notice', { level: 'info', text: 'Open an experiment file (*.ode.ts) and run Neural ODE: Modified-Equation Diagnostics.' });
        else this.post('diagnostics/status', { busy: this.busy, error: null });
        break;
      case 'panel/pickWeights':
        this.feed.pickWeights(message.payload.value);
        break;
      case 'diagnostics/refresh':
        this.feed.refresh();
        break;
      case 'diagnostics/scheme':
        if (this.feed.source) this.show(this.feed.source, message.payload);
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

/** The command and the serializer that restores the panel after a reload. */
export function registerDiagnostics(
  context: vscode.ExtensionContext,
  deps: PreviewDeps,
  sourceFromArgs: (args: readonly unknown[]) => FieldSource | undefined,
): vscode.Disposable[] {
  return registerPanelCommand(
    'neuralOde.openDiagnostics',
    DiagnosticsPanel.viewType,
    sourceFromArgs,
    (source) => DiagnosticsPanel.createOrShow(context, deps, source),
    (panel, state) => DiagnosticsPanel.revive(panel, context, deps, state),
  );
}
