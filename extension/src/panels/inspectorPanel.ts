/**
 * The Solver inspector panel (extension side): one per window. Opened on an experiment, it asks
 * the engine worker to trace the model's forward solve (`experiment/trace`) and traces again when
 * the file is saved, the shown run writes a checkpoint (the SourceFeed every experiment panel
 * shares), or the panel asks (refresh, another starting sample). A debug session's solve takes
 * the panel over through `showDebugSolve` and `appendSteps`. The last solve and its steps are replayed whenever the webview says
 * `panel/ready` (a reload, a hidden panel shown again).
 */
import * as vscode from 'vscode';
import type { ExperimentTrace } from '../../../engine/src/inspect/experimentTrace';
import {
  validateInspectorViewState,
  validateInspectorWebviewMessage,
  type InspectorHostToWebview,
  type InspectorSolve,
  type InspectorStep,
  type InspectorWebviewMessage,
} from '../../../webview/src/inspector/protocol';
import type { FieldSource } from '../../../webview/src/protocol';
import { toInspectorSolve, toInspectorSteps } from './inspectorMessages';
import { ExperimentPanel } from './experimentPanel';
import { PanelHost } from './panelHost';
import type { PreviewDeps } from './previewPanel';

const SPEC = {
  viewType: 'neuralOde.solverInspector',
  title: 'Solver Inspector',
  label: 'Solver inspector',
  bundle: 'inspector',
  command: 'Open Solver Inspector',
  failure: 'Could not trace the solve',
  validate: validateInspectorWebviewMessage,
};

export class InspectorPanel extends ExperimentPanel<InspectorHostToWebview, InspectorWebviewMessage, ExperimentTrace> {
  static readonly viewType = SPEC.viewType;
  private sample = 0;
  private solve: InspectorSolve | undefined;
  private steps: InspectorStep[] = [];

  /** The open panel, if any (a debug session feeds it). */
  static get active(): InspectorPanel | undefined {
    return PanelHost.openPanel<InspectorPanel>(SPEC.viewType);
  }

  private static readonly opened = new vscode.EventEmitter<InspectorPanel>();
  /** Fires when the command opens the panel (a debug session in progress then takes it over). */
  static readonly onDidOpen = InspectorPanel.opened.event;

  static createOrShow(context: vscode.ExtensionContext, deps: PreviewDeps, source?: FieldSource): InspectorPanel {
    const existing = InspectorPanel.active;
    const shown = existing ?? new InspectorPanel(PanelHost.createWebviewPanel(SPEC, context), context, deps);
    if (existing) existing.reveal();
    if (source) shown.show(source, 0);
    InspectorPanel.opened.fire(shown);
    return shown;
  }

  static revive(panel: vscode.WebviewPanel, context: vscode.ExtensionContext, deps: PreviewDeps, state: unknown): InspectorPanel {
    const saved = PanelHost.revivedState(panel, context, deps.log, SPEC, state, validateInspectorViewState);
    const revived = new InspectorPanel(panel, context, deps);
    if (saved?.source) revived.show(saved.source, saved.sample);
    return revived;
  }

  private constructor(
    panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    private readonly deps: PreviewDeps,
  ) {
    super(panel, context, deps, SPEC);
  }

  protected evaluate(source: FieldSource, runsRoot: string): Promise<ExperimentTrace> {
    return this.deps.engine.request('experiment/trace', { file: source.file, runsRoot, runId: source.runId ?? undefined, sample: this.sample });
  }

  protected describe(r: ExperimentTrace): string {
    return `${r.experiment} ${r.method}, ${r.steps.length} attempts, NFE ${r.nfe}`;
  }

  protected showResult(source: FieldSource, result: ExperimentTrace): void {
    this.startSolve(toInspectorSolve(source, result));
    this.appendSteps(toInspectorSteps(result));
  }

  protected replayResult(): boolean {
    if (!this.solve) return false;
    this.post('inspector/solve', this.solve);
    this.post('inspector/steps', { steps: this.steps });
    return true;
  }

  /** Traces an experiment (with the weights its pick names) from observation `sample`. */
  show(source: FieldSource, sample: number): void {
    this.sample = sample;
    this.showSource(source);
  }

  /**
   * Shows a debug session's solve instead of a traced one: no tracing on saves or checkpoints
   * until the panel is pointed at an experiment again; its steps follow through `appendSteps`.
   */
  showDebugSolve(solve: InspectorSolve, steps: InspectorStep[]): void {
    this.feed.stop();
    this.panel.title = `${SPEC.title}: ${solve.title}`;
    this.startSolve(solve);
    this.appendSteps(steps);
    this.status(false, null);
  }

  /** Starts showing a solve whose steps follow through `appendSteps`. */
  startSolve(solve: InspectorSolve): void {
    this.solve = solve;
    this.steps = [];
    this.post('inspector/solve', solve);
  }

  appendSteps(steps: InspectorStep[]): void {
    this.steps.push(...steps);
    this.post('inspector/steps', { steps });
  }

  protected handleOwn(message: InspectorWebviewMessage): void {
    if (message.type === 'inspector/sample' && this.feed.source) this.show(this.feed.source, message.payload.sample);
  }
}
