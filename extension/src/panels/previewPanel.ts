/**
 * A panel that shows a model evaluated by the engine (`experiment/preview`): one per window and
 * per kind (vector field, trajectories). A SourceFeed asks the engine worker again when the
 * experiment file is saved or the shown run writes a new checkpoint, so the panel follows
 * training live; the latest preview is replayed whenever the webview says `panel/ready`.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExperimentPreview } from '../../../engine/src/protocol';
import { validateWebviewMessage, type FieldSource, type HostToWebview, type WebviewMessage } from '../../../webview/src/protocol';
import type { EngineClient } from '../engineClient';
import type { PanelDeps } from './curvesPanel';
import { previewSettings } from '../settings';
import { SourceFeed } from './previewFeed';
import { panelHtml, panelOptions } from './webviewHtml';

export interface PreviewDeps extends PanelDeps {
  engine: EngineClient;
}

/** What distinguishes one preview panel from another. */
export interface PreviewPanelKind<P> {
  viewType: string;
  /** The tab title (followed by the experiment's name). */
  title: string;
  /** How log lines name the panel. */
  label: string;
  /** Its webview bundle and stylesheet: dist/webview/<bundle>.js, media/<bundle>.css. */
  bundle: string;
  /** Grid points per axis asked of the engine. */
  grid: number;
  /** The command's palette name, for the empty panel's hint. */
  command: string;
  messages: {
    preview: 'vectorField/preview' | 'trajectories/preview';
    status: 'vectorField/status' | 'trajectories/status';
    refresh: 'vectorField/refresh' | 'trajectories/refresh';
  };
  /** The engine's result as the webview's payload (typed arrays become plain arrays for JSON). */
  toPreview(source: FieldSource, p: ExperimentPreview): P;
  /** Checks the state the webview saved, for a panel restored after a reload. */
  validateState(state: unknown): { ok: true; value: { source?: FieldSource | null } } | { ok: false; error: string };
}

export class PreviewPanel<P> {
  private static readonly current = new Map<string, PreviewPanel<unknown>>();

  private readonly disposables: vscode.Disposable[] = [];
  private readonly feed: SourceFeed<ExperimentPreview>;
  private lastPreview: P | undefined;
  private weights: HostToWebview['panel/weights'] | undefined;
  private ready = false;
  private disposed = false;

  static createOrShow<P>(kind: PreviewPanelKind<P>, context: vscode.ExtensionContext, deps: PreviewDeps, source: FieldSource): PreviewPanel<P> {
    const existing = PreviewPanel.current.get(kind.viewType) as PreviewPanel<P> | undefined;
    if (existing) {
      existing.panel.reveal(undefined, true);
      existing.show(source);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(kind.viewType, kind.title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      ...panelOptions(context.extensionUri),
    });
    return new PreviewPanel(kind, panel, context, deps, source);
  }

  static revive<P>(kind: PreviewPanelKind<P>, panel: vscode.WebviewPanel, context: vscode.ExtensionContext, deps: PreviewDeps, state: unknown): PreviewPanel<P> {
    PreviewPanel.current.get(kind.viewType)?.panel.dispose();
    const saved = kind.validateState(state);
    if (!saved.ok && state !== undefined && state !== null) deps.log.warn(`${kind.label}: ignoring saved panel state (${saved.error})`);
    panel.webview.options = panelOptions(context.extensionUri);
    return new PreviewPanel(kind, panel, context, deps, saved.ok ? (saved.value.source ?? undefined) : undefined);
  }

  private constructor(
    private readonly kind: PreviewPanelKind<P>,
    private readonly panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    private readonly deps: PreviewDeps,
    source: FieldSource | undefined,
  ) {
    PreviewPanel.current.set(kind.viewType, this as PreviewPanel<unknown>);
    const { messages } = kind;
    this.feed = new SourceFeed<ExperimentPreview>({
      log: deps.log,
      label: kind.label,
      evaluate: (shown, runsRoot) =>
        deps.engine.request('experiment/preview', {
          file: shown.file,
          runsRoot,
          runId: shown.runId ?? undefined,
          grid: kind.grid,
          maxCost: previewSettings(vscode.Uri.file(shown.file)).maxCost,
        }),
      describe: (r) => `${r.experiment}${r.iteration === null ? '' : ` iteration ${r.iteration}`}${r.predictedError ? ` (${r.predictedError})` : ''}`,
      onBusy: () => this.post(messages.status, { busy: true, error: null }),
      onResult: (shown, result) => {
        this.lastPreview = kind.toPreview(shown, result);
        this.post(messages.preview, this.lastPreview);
        this.post(messages.status, { busy: false, error: null });
      },
      onError: (message) => this.post(messages.status, { busy: false, error: `Could not evaluate the model: ${message}` }),
      onChoices: (choices, selected) => {
        this.weights = { choices, selected };
        this.post('panel/weights', this.weights);
      },
    });
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
    panel.webview.html = panelHtml(panel.webview, context.extensionUri, { bundle: kind.bundle, stylesheet: `${kind.bundle}.css`, title: kind.title });
    this.disposables.push(
      this.feed,
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((data: unknown) => this.receive(data)),
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.ready = false;
      }),
    );
    if (source) this.show(source);
  }

  /** Shows an experiment with the weights its pick names (opened on a file: the file's newest run, followed). */
  show(source: FieldSource): void {
    this.lastPreview = undefined;
    this.panel.title = `${this.kind.title}: ${path.basename(source.file).replace(/\.ode\.[cm]?[jt]s$/, '')}`;
    this.feed.show(source);
  }

  /** Posts a typed message; the kind's message names are checked against the protocol's map. */
  private post<K extends keyof HostToWebview>(type: K, payload: HostToWebview[K] | P): void {
    if (!this.ready) return; // the last preview is replayed on the next panel/ready
    void this.panel.webview.postMessage({ type, payload });
  }

  private receive(data: unknown): void {
    const checked = validateWebviewMessage(data);
    if (!checked.ok) {
      this.deps.log.warn(`${this.kind.label}: ignored a malformed message from the panel: ${checked.error}`);
      return;
    }
    this.handle(checked.value);
  }

  private handle(message: WebviewMessage): void {
    if (message.type === 'panel/ready') {
      this.ready = true;
      if (this.weights) this.post('panel/weights', this.weights);
      if (this.lastPreview) this.post(this.kind.messages.preview, this.lastPreview);
      else if (!this.feed.source) {
        this.post('panel/notice', { level: 'info', text: `Open an experiment file (*.ode.ts) and run Neural ODE: ${this.kind.command}.` });
      }
    } else if (message.type === 'panel/pickWeights') {
      this.feed.pickWeights(message.payload.value);
    } else if (message.type === this.kind.messages.refresh) {
      this.feed.refresh();
    } else {
      this.deps.log.warn(`${this.kind.label}: the panel sent ${message.type}, which it does not handle`);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (PreviewPanel.current.get(this.kind.viewType) === this) PreviewPanel.current.delete(this.kind.viewType);
    while (this.disposables.length > 0) this.disposables.pop()?.dispose();
    this.panel.dispose();
  }
}
