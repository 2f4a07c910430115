/**
 * The Modified-Equation Diagnostics panel (extension side): one per window. Opened on an
 * experiment, it asks the engine worker for `analysis/diagnostics` and asks again when the file
 * is saved, the shown run writes a checkpoint (the SourceFeed every experiment panel shares: a
 * file opened without a run follows the first run of it that writes one), or the panel asks
 * (refresh, another scheme). The last result is
 * replayed whenever the webview says `panel/ready` (a reload, a hidden panel shown again).
 */
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
import { ExperimentPanel } from './experimentPanel';
import { PanelHost } from './panelHost';
import type { PreviewDeps } from './previewPanel';

const SPEC = {
  viewType: 'neuralOde.diagnostics',
  title: 'Modified-Equation Diagnostics',
  label: 'Diagnostics',
  bundle: 'diagnostics',
  command: 'Modified-Equation Diagnostics',
  failure: 'Could not compute the diagnostics',
  validate: validateDiagnosticsWebviewMessage,
};

type SchemeChoice = { scheme: string; k: number | null };

export class DiagnosticsPanel extends ExperimentPanel<DiagnosticsHostToWebview, DiagnosticsWebviewMessage, ExperimentDiagnostics> {
  static readonly viewType = SPEC.viewType;
  private scheme: SchemeChoice | null = null;
  private result: DiagnosticsResult | undefined;

  static createOrShow(context: vscode.ExtensionContext, deps: PreviewDeps, source: FieldSource): DiagnosticsPanel {
    const existing = PanelHost.openPanel<DiagnosticsPanel>(SPEC.viewType);
    const shown = existing ?? new DiagnosticsPanel(PanelHost.createWebviewPanel(SPEC, context), context, deps);
    if (existing) existing.reveal();
    shown.show(source, existing?.scheme ?? null);
    return shown;
  }

  static revive(panel: vscode.WebviewPanel, context: vscode.ExtensionContext, deps: PreviewDeps, state: unknown): DiagnosticsPanel {
    const saved = PanelHost.revivedState(panel, context, deps.log, SPEC, state, validateDiagnosticsViewState);
    const revived = new DiagnosticsPanel(panel, context, deps);
    if (saved?.source) revived.show(saved.source, saved.scheme);
    return revived;
  }

  private constructor(
    panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    private readonly deps: PreviewDeps,
  ) {
    super(panel, context, deps, SPEC);
  }

  protected evaluate(source: FieldSource, runsRoot: string): Promise<ExperimentDiagnostics> {
    const scheme = this.scheme;
    return this.deps.engine.request('analysis/diagnostics', {
      file: source.file,
      runsRoot,
      runId: source.runId ?? undefined,
      ...(scheme ? { scheme: scheme.scheme, ...(scheme.k === null ? {} : { k: scheme.k }) } : {}),
    });
  }

  protected describe(r: ExperimentDiagnostics): string {
    return `${r.experiment} (${r.model}), ${r.order.scheme} slope ${r.order.slope?.toFixed(2) ?? '—'}`;
  }

  protected showResult(source: FieldSource, result: ExperimentDiagnostics): void {
    this.result = toDiagnosticsResult(source, result);
    this.replayResult();
  }

  protected replayResult(): boolean {
    if (!this.result) return false;
    this.post('diagnostics/result', this.result);
    return true;
  }

  show(source: FieldSource, scheme: SchemeChoice | null): void {
    this.scheme = scheme;
    this.showSource(source);
  }

  protected handleOwn(message: DiagnosticsWebviewMessage): void {
    if (message.type === 'diagnostics/scheme' && this.feed.source) this.show(this.feed.source, message.payload);
  }
}
