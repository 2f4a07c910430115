/**
 * A panel that shows a model evaluated by the engine (`experiment/preview`): one per window and
 * per kind (vector field, trajectories). Everything but the preview message and the grid asked
 * for is an ExperimentPanel's.
 */
import * as vscode from 'vscode';
import type { ExperimentPreview } from '../../../engine/src/protocol';
import { validateWebviewMessage, type FieldSource, type HostToWebview, type WebviewMessage } from '../../../webview/src/protocol';
import type { EngineClient } from '../engineClient';
import type { PanelDeps } from './curvesPanel';
import { previewSettings } from '../settings';
import { ExperimentPanel } from './experimentPanel';
import { PanelHost } from './panelHost';

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
  /** The message carrying the preview. */
  preview: 'vectorField/preview' | 'trajectories/preview';
  /** The engine's result as the webview's payload (typed arrays become plain arrays for JSON). */
  toPreview(source: FieldSource, p: ExperimentPreview): P;
  /** Checks the state the webview saved, for a panel restored after a reload. */
  validateState(state: unknown): { ok: true; value: { source?: FieldSource | null } } | { ok: false; error: string };
}

export class PreviewPanel<P> extends ExperimentPanel<HostToWebview, WebviewMessage, ExperimentPreview> {
  private lastPreview: P | undefined;

  static createOrShow<P>(kind: PreviewPanelKind<P>, context: vscode.ExtensionContext, deps: PreviewDeps, source: FieldSource): PreviewPanel<P> {
    const existing = PanelHost.openPanel<PreviewPanel<P>>(kind.viewType);
    const shown = existing ?? new PreviewPanel(kind, PanelHost.createWebviewPanel(spec(kind), context), context, deps);
    if (existing) existing.reveal();
    shown.showSource(source);
    return shown;
  }

  static revive<P>(kind: PreviewPanelKind<P>, panel: vscode.WebviewPanel, context: vscode.ExtensionContext, deps: PreviewDeps, state: unknown): PreviewPanel<P> {
    const saved = PanelHost.revivedState(panel, context, deps.log, spec(kind), state, kind.validateState);
    const revived = new PreviewPanel(kind, panel, context, deps);
    if (saved?.source) revived.showSource(saved.source);
    return revived;
  }

  private constructor(
    private readonly kind: PreviewPanelKind<P>,
    panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    private readonly deps: PreviewDeps,
  ) {
    super(panel, context, deps, spec(kind));
  }

  protected evaluate(shown: FieldSource, runsRoot: string): Promise<ExperimentPreview> {
    return this.deps.engine.request('experiment/preview', {
      file: shown.file,
      runsRoot,
      runId: shown.runId ?? undefined,
      grid: this.kind.grid,
      maxCost: previewSettings(vscode.Uri.file(shown.file)).maxCost,
    });
  }

  protected describe(r: ExperimentPreview): string {
    return `${r.experiment}${r.iteration === null ? '' : ` iteration ${r.iteration}`}${r.predictedError ? ` (${r.predictedError})` : ''}`;
  }

  protected showResult(shown: FieldSource, result: ExperimentPreview): void {
    this.lastPreview = this.kind.toPreview(shown, result);
    this.replayResult();
  }

  protected replayResult(): boolean {
    if (!this.lastPreview) return false;
    // The kind's message name and payload type are paired in its definition (vectorFieldPanel.ts, trajectoriesPanel.ts).
    this.post(this.kind.preview, this.lastPreview as unknown as HostToWebview[typeof this.kind.preview]);
    return true;
  }

  override showSource(source: FieldSource): void {
    this.lastPreview = undefined;
    super.showSource(source);
  }

  protected handleOwn(message: WebviewMessage): void {
    this.log.warn(`${this.kind.label}: the panel sent ${message.type}, which it does not handle`);
  }
}

function spec<P>(kind: PreviewPanelKind<P>) {
  return { ...kind, validate: validateWebviewMessage, failure: 'Could not evaluate the model' };
}
