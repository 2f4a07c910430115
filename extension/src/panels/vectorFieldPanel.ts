/**
 * The Vector field panel (extension side): one panel per window showing an experiment's field,
 * untrained or from a run's latest checkpoint. A PreviewFeed asks the engine worker again when
 * the experiment file is saved or the run writes a new checkpoint, so it follows training live.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExperimentPreview } from '../../../engine/src/protocol';
import {
  validateVectorFieldViewState,
  validateWebviewMessage,
  type FieldPreview,
  type FieldSource,
  type HostToWebview,
  type WebviewMessage,
} from '../../../webview/src/protocol';
import type { EngineClient } from '../engineClient';
import type { PanelDeps } from './curvesPanel';
import { PreviewFeed } from './previewFeed';
import { panelHtml, panelOptions } from './webviewHtml';

export { findRunDir, runExperimentFile } from './previewFeed';

export interface VectorFieldDeps extends PanelDeps {
  engine: EngineClient;
}

/** Grid points per axis: 24² arrows read well in a panel beside the editor. */
const GRID = 24;

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
  private readonly feed: PreviewFeed;
  private lastPreview: FieldPreview | undefined;
  private ready = false;
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
    this.feed = new PreviewFeed({
      engine: deps.engine,
      log: deps.log,
      label: 'Vector field',
      grid: GRID,
      onBusy: () => this.post('vectorField/status', { busy: true, error: null }),
      onPreview: (shown, result) => {
        this.lastPreview = toFieldPreview(shown, result);
        this.post('vectorField/preview', this.lastPreview);
        this.post('vectorField/status', { busy: false, error: null });
      },
      onError: (message) => this.post('vectorField/status', { busy: false, error: `Could not evaluate the model: ${message}` }),
    });
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
    panel.webview.html = panelHtml(panel.webview, context.extensionUri, { bundle: 'vectorField', stylesheet: 'vectorField.css', title: VectorFieldPanel.title });
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

  /** Shows an experiment, untrained or from a run (opened on a file, it follows the file's next run). */
  show(source: FieldSource): void {
    this.lastPreview = undefined;
    this.panel.title = `${VectorFieldPanel.title}: ${path.basename(source.file).replace(/\.ode\.[cm]?[jt]s$/, '')}`;
    this.feed.show(source);
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
        else if (!this.feed.source) this.post('panel/notice', { level: 'info', text: 'Open an experiment file (*.ode.ts) and run Neural ODE: Open Vector Field.' });
        return;
      case 'vectorField/refresh':
        this.feed.refresh();
        return;
      default:
        this.deps.log.warn(`Vector field: the panel sent ${message.type}, which it does not handle`);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (VectorFieldPanel.current === this) VectorFieldPanel.current = undefined;
    while (this.disposables.length > 0) this.disposables.pop()?.dispose();
    this.panel.dispose();
  }
}
