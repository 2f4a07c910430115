/**
 * The Trajectories panel (extension side): one panel per window showing y(t) per component and
 * the phase portrait, data against the model's solve from y0, untrained or from a run's latest
 * checkpoint. The same PreviewFeed as the vector field keeps it following training live.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExperimentPreview } from '../../../engine/src/protocol';
import {
  validateTrajectoriesViewState,
  validateWebviewMessage,
  type FieldSource,
  type HostToWebview,
  type TrajectoryPreview,
  type WebviewMessage,
} from '../../../webview/src/protocol';
import { PreviewFeed } from './previewFeed';
import { panelHtml, panelOptions } from './webviewHtml';
import type { VectorFieldDeps } from './vectorFieldPanel';

/** The panel draws no field: the smallest grid keeps each evaluation to the solve. */
const GRID = 2;

/** Typed arrays become plain arrays: webview messages go through JSON. */
export function toTrajectoryPreview(source: FieldSource, p: ExperimentPreview): TrajectoryPreview {
  return {
    source,
    experiment: p.experiment,
    iteration: p.iteration,
    dim: p.dim,
    t: Array.from(p.data.t),
    data: p.components.data.map((c) => Array.from(c)),
    predicted: p.components.predicted ? p.components.predicted.map((c) => Array.from(c)) : null,
    predictedError: p.predictedError,
  };
}

export class TrajectoriesPanel {
  static readonly viewType = 'neuralOde.trajectories';
  static readonly title = 'Trajectories';
  private static current: TrajectoriesPanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private readonly feed: PreviewFeed;
  private lastPreview: TrajectoryPreview | undefined;
  private ready = false;
  private disposed = false;

  static createOrShow(context: vscode.ExtensionContext, deps: VectorFieldDeps, source: FieldSource): TrajectoriesPanel {
    const existing = TrajectoriesPanel.current;
    if (existing) {
      existing.panel.reveal(undefined, true);
      existing.show(source);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(TrajectoriesPanel.viewType, TrajectoriesPanel.title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      ...panelOptions(context.extensionUri),
    });
    return new TrajectoriesPanel(panel, context, deps, source);
  }

  static revive(panel: vscode.WebviewPanel, context: vscode.ExtensionContext, deps: VectorFieldDeps, state: unknown): TrajectoriesPanel {
    TrajectoriesPanel.current?.panel.dispose();
    const saved = validateTrajectoriesViewState(state);
    if (!saved.ok && state !== undefined && state !== null) deps.log.warn(`Trajectories: ignoring saved panel state (${saved.error})`);
    panel.webview.options = panelOptions(context.extensionUri);
    return new TrajectoriesPanel(panel, context, deps, saved.ok ? (saved.value.source ?? undefined) : undefined);
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    private readonly deps: VectorFieldDeps,
    source: FieldSource | undefined,
  ) {
    TrajectoriesPanel.current = this;
    this.feed = new PreviewFeed({
      engine: deps.engine,
      log: deps.log,
      label: 'Trajectories',
      grid: GRID,
      onBusy: () => this.post('trajectories/status', { busy: true, error: null }),
      onPreview: (shown, result) => {
        this.lastPreview = toTrajectoryPreview(shown, result);
        this.post('trajectories/preview', this.lastPreview);
        this.post('trajectories/status', { busy: false, error: null });
      },
      onError: (message) => this.post('trajectories/status', { busy: false, error: `Could not evaluate the model: ${message}` }),
    });
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
    panel.webview.html = panelHtml(panel.webview, context.extensionUri, { bundle: 'trajectories', stylesheet: 'trajectories.css', title: TrajectoriesPanel.title });
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
    this.panel.title = `${TrajectoriesPanel.title}: ${path.basename(source.file).replace(/\.ode\.[cm]?[jt]s$/, '')}`;
    this.feed.show(source);
  }

  private post<K extends keyof HostToWebview>(type: K, payload: HostToWebview[K]): void {
    if (!this.ready) return; // the last preview is replayed on the next panel/ready
    void this.panel.webview.postMessage({ type, payload });
  }

  private receive(data: unknown): void {
    const checked = validateWebviewMessage(data);
    if (!checked.ok) {
      this.deps.log.warn(`Trajectories: ignored a malformed message from the panel: ${checked.error}`);
      return;
    }
    this.handle(checked.value);
  }

  private handle(message: WebviewMessage): void {
    switch (message.type) {
      case 'panel/ready':
        this.ready = true;
        if (this.lastPreview) this.post('trajectories/preview', this.lastPreview);
        else if (!this.feed.source) this.post('panel/notice', { level: 'info', text: 'Open an experiment file (*.ode.ts) and run Neural ODE: Open Trajectories.' });
        return;
      case 'trajectories/refresh':
        this.feed.refresh();
        return;
      default:
        this.deps.log.warn(`Trajectories: the panel sent ${message.type}, which it does not handle`);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (TrajectoriesPanel.current === this) TrajectoriesPanel.current = undefined;
    while (this.disposables.length > 0) this.disposables.pop()?.dispose();
    this.panel.dispose();
  }
}
