/**
 * The Solver inspector panel (extension side): one per window. Opened on an experiment, it asks
 * the engine worker to trace the model's forward solve (`experiment/trace`) and traces again when
 * the file is saved, the shown run writes a checkpoint (the SourceFeed every experiment panel
 * shares), or the panel asks (refresh, another starting sample). A debug session's solve takes
 * the panel over through `showDebugSolve` and `appendSteps`. The last solve and its steps are replayed whenever the webview says
 * `panel/ready` (a reload, a hidden panel shown again).
 */
import * as path from 'node:path';
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
import { registerPanelCommand } from './panelCommand';
import { SourceFeed } from './previewFeed';
import type { PreviewDeps } from './previewPanel';
import { panelHtml, panelOptions } from './webviewHtml';

const TITLE = 'Solver Inspector';

export class InspectorPanel {
  static readonly viewType = 'neuralOde.solverInspector';
  private static current: InspectorPanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  /** The experiment traced, following saves and checkpoints; stopped while a debug session is shown. */
  private readonly feed: SourceFeed<ExperimentTrace>;
  private sample = 0;
  private solve: InspectorSolve | undefined;
  private steps: InspectorStep[] = [];
  private weights: InspectorHostToWebview['panel/weights'] | undefined;
  private ready = false;
  private disposed = false;

  /** The open panel, if any (a debug session feeds it). */
  static get active(): InspectorPanel | undefined {
    return InspectorPanel.current;
  }

  private static readonly opened = new vscode.EventEmitter<InspectorPanel>();
  /** Fires when the command opens the panel (a debug session in progress then takes it over). */
  static readonly onDidOpen = InspectorPanel.opened.event;

  static createOrShow(context: vscode.ExtensionContext, deps: PreviewDeps, source?: FieldSource): InspectorPanel {
    const existing = InspectorPanel.current;
    if (existing) {
      existing.panel.reveal(undefined, true);
      if (source) existing.show(source, 0);
      InspectorPanel.opened.fire(existing);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(InspectorPanel.viewType, TITLE, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, panelOptions(context.extensionUri));
    const created = new InspectorPanel(panel, context, deps);
    if (source) created.show(source, 0);
    InspectorPanel.opened.fire(created);
    return created;
  }

  static revive(panel: vscode.WebviewPanel, context: vscode.ExtensionContext, deps: PreviewDeps, state: unknown): InspectorPanel {
    InspectorPanel.current?.panel.dispose();
    const saved = validateInspectorViewState(state);
    if (!saved.ok && state !== undefined && state !== null) deps.log.warn(`Solver inspector: ignoring saved panel state (${saved.error})`);
    panel.webview.options = panelOptions(context.extensionUri);
    const revived = new InspectorPanel(panel, context, deps);
    if (saved.ok && saved.value.source) revived.show(saved.value.source, saved.value.sample);
    return revived;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    private readonly deps: PreviewDeps,
  ) {
    InspectorPanel.current = this;
    this.feed = new SourceFeed<ExperimentTrace>({
      log: deps.log,
      label: 'Solver inspector',
      evaluate: (source, runsRoot) => deps.engine.request('experiment/trace', { file: source.file, runsRoot, runId: source.runId ?? undefined, sample: this.sample }),
      describe: (r) => `${r.experiment} ${r.method}, ${r.steps.length} attempts, NFE ${r.nfe}`,
      onBusy: () => this.post('inspector/status', { busy: true, error: null }),
      onResult: (source, result) => {
        this.startSolve(toInspectorSolve(source, result));
        this.appendSteps(toInspectorSteps(result));
        this.post('inspector/status', { busy: false, error: null });
      },
      onError: (message) => this.post('inspector/status', { busy: false, error: `Could not trace the solve: ${message}` }),
      onChoices: (choices, selected) => {
        this.weights = { choices, selected };
        this.post('panel/weights', this.weights);
      },
    });
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
    panel.webview.html = panelHtml(panel.webview, context.extensionUri, { bundle: 'inspector', stylesheet: 'inspector.css', title: TITLE });
    this.disposables.push(
      this.feed,
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((data: unknown) => this.receive(data)),
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.ready = false;
      }),
    );
  }

  /** Traces an experiment (untrained or a run's latest checkpoint) from observation `sample`. */
  show(source: FieldSource, sample: number): void {
    this.sample = sample;
    this.panel.title = `${TITLE}: ${path.basename(source.file).replace(/\.ode\.[cm]?[jt]s$/, '')}`;
    // A new object: a trace of the previous sample still under way is then not shown.
    this.feed.show({ ...source });
  }

  /**
   * Shows a debug session's solve instead of a traced one: no tracing on saves or checkpoints
   * until the panel is pointed at an experiment again; its steps follow through `appendSteps`.
   */
  showDebugSolve(solve: InspectorSolve, steps: InspectorStep[]): void {
    this.feed.stop();
    this.panel.title = `${TITLE}: ${solve.title}`;
    this.startSolve(solve);
    this.appendSteps(steps);
    this.post('inspector/status', { busy: false, error: null });
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

  private post<K extends keyof InspectorHostToWebview>(type: K, payload: InspectorHostToWebview[K]): void {
    if (!this.ready) return; // replayed on the next panel/ready
    void this.panel.webview.postMessage({ type, payload });
  }

  private receive(data: unknown): void {
    const checked = validateInspectorWebviewMessage(data);
    if (!checked.ok) {
      this.deps.log.warn(`Solver inspector: ignored a malformed message from the panel: ${checked.error}`);
      return;
    }
    this.handle(checked.value);
  }

  private handle(message: InspectorWebviewMessage): void {
    switch (message.type) {
      case 'panel/ready':
        this.ready = true;
        if (this.weights) this.post('panel/weights', this.weights);
        if (this.solve) {
          this.post('inspector/solve', this.solve);
          this.post('inspector/steps', { steps: this.steps });
        } else if (!this.feed.source) {
          this.post('inspector/notice', { level: 'info', text: 'Open an experiment file (*.ode.ts) and run Neural ODE: Open Solver Inspector.' });
        }
        break;
      case 'panel/pickWeights':
        this.feed.pickWeights(message.payload.value);
        break;
      case 'inspector/refresh':
        this.feed.refresh();
        break;
      case 'inspector/sample':
        if (this.feed.source) this.show(this.feed.source, message.payload.sample);
        break;
      default:
        break;
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (InspectorPanel.current === this) InspectorPanel.current = undefined;
    while (this.disposables.length > 0) this.disposables.pop()?.dispose();
    this.panel.dispose();
  }
}

/** The command and the serializer that restores the panel after a reload. */
export function registerInspector(
  context: vscode.ExtensionContext,
  deps: PreviewDeps,
  sourceFromArgs: (args: readonly unknown[]) => FieldSource | undefined,
): vscode.Disposable[] {
  return registerPanelCommand(
    'neuralOde.openSolverInspector',
    InspectorPanel.viewType,
    sourceFromArgs,
    (source) => InspectorPanel.createOrShow(context, deps, source),
    (panel, state) => InspectorPanel.revive(panel, context, deps, state),
  );
}
