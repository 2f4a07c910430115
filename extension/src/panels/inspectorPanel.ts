/**
 * The Solver inspector panel (extension side): one per window. Opened on an experiment, it asks
 * the engine worker to trace the model's forward solve (`experiment/trace`) and traces again when
 * the file is saved, the shown run writes a checkpoint, or the panel asks (refresh, another
 * starting sample). Any other producer of steps (a debug session) feeds it through `startSolve`
 * and `appendSteps`. The last solve and its steps are replayed whenever the webview says
 * `panel/ready` (a reload, a hidden panel shown again).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CHECKPOINT_LATEST } from '../../../engine/src/train/runStore';
import {
  validateInspectorViewState,
  validateInspectorWebviewMessage,
  type InspectorHostToWebview,
  type InspectorSolve,
  type InspectorStep,
  type InspectorWebviewMessage,
} from '../../../webview/src/inspector/protocol';
import type { FieldSource } from '../../../webview/src/protocol';
import { runsRootFor, workspaceRunsRoots } from '../experimentFiles';
import { Coalescer } from './coalescer';
import { toInspectorSolve, toInspectorSteps } from './inspectorMessages';
import { findRunDir, runExperimentFile } from './previewFeed';
import type { PreviewDeps } from './previewPanel';
import { panelHtml, panelOptions } from './webviewHtml';

const TITLE = 'Solver Inspector';
/** Saves and checkpoints can come in bursts: trace at most twice a second. */
const REFRESH_INTERVAL_MS = 500;
const POLL_MS = 1500;

export class InspectorPanel {
  static readonly viewType = 'neuralOde.solverInspector';
  private static current: InspectorPanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private readonly refreshes: Coalescer<true>;
  private source: FieldSource | undefined;
  private sample = 0;
  private solve: InspectorSolve | undefined;
  private steps: InspectorStep[] = [];
  private ready = false;
  private inFlight = false;
  private again = false;
  private checkpointMtime = 0;
  /** Opened on a file (no run): switch to the first run of it that writes a checkpoint from now on. */
  private follow = false;
  private readonly seenRuns = new Set<string>();
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
    this.refreshes = new Coalescer(() => void this.trace(), REFRESH_INTERVAL_MS);
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
    panel.webview.html = panelHtml(panel.webview, context.extensionUri, { bundle: 'inspector', stylesheet: 'inspector.css', title: TITLE });
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

  /** Traces an experiment (untrained or a run's latest checkpoint) from observation `sample`. */
  show(source: FieldSource, sample: number): void {
    this.source = source;
    this.sample = sample;
    this.checkpointMtime = 0;
    this.follow = source.runId === null;
    this.seenRuns.clear();
    if (this.follow) for (const dir of runDirs()) this.seenRuns.add(dir);
    this.panel.title = `${TITLE}: ${path.basename(source.file).replace(/\.ode\.[cm]?[jt]s$/, '')}`;
    void this.trace();
  }

  /**
   * Shows a debug session's solve instead of a traced one: no tracing on saves or checkpoints
   * until the panel is pointed at an experiment again; its steps follow through `appendSteps`.
   */
  showDebugSolve(solve: InspectorSolve, steps: InspectorStep[]): void {
    this.source = undefined;
    this.follow = false;
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

  /**
   * A new checkpoint of the shown run: trace its weights; opened on a file, a new run of that
   * file: trace it from its first checkpoint on (file events can be missed: polled).
   */
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
      this.deps.log.info(`Solver inspector: following run ${path.basename(dir)} of ${path.basename(source.file)}`);
      this.source = { file: source.file, runId: path.basename(dir) };
      this.follow = false;
      this.checkpointMtime = checkpointTime(dir);
      this.refreshes.add(true);
      return;
    }
  }

  /** One trace at a time; a request while one runs is served once it finishes. */
  private async trace(): Promise<void> {
    const source = this.source;
    if (!source || this.disposed) return;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = true;
    this.post('inspector/status', { busy: true, error: null });
    const started = Date.now();
    try {
      const runDir = source.runId ? findRunDir(source.runId) : undefined;
      if (source.runId && !runDir) throw new Error(`run ${source.runId} is not under .neural-ode/runs/ of this workspace any more.`);
      const runsRoot = runDir ? path.dirname(runDir) : runsRootFor(vscode.Uri.file(source.file));
      const result = await this.deps.engine.request('experiment/trace', { file: source.file, runsRoot, runId: source.runId ?? undefined, sample: this.sample });
      if (this.disposed) return;
      if (this.source !== source) {
        this.again = true;
        return;
      }
      this.deps.log.info(
        `Solver inspector: ${result.experiment} ${result.method}, ${result.steps.length} attempts, NFE ${result.nfe}, traced in ${Date.now() - started} ms`,
      );
      this.startSolve(toInspectorSolve(source, result));
      this.appendSteps(toInspectorSteps(result));
      this.post('inspector/status', { busy: false, error: null });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.deps.log.error(`Solver inspector: ${message}`);
      this.post('inspector/status', { busy: false, error: `Could not trace the solve: ${message}` });
    } finally {
      this.inFlight = false;
      if (this.again && !this.disposed) {
        this.again = false;
        this.refreshes.add(true);
      }
    }
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
        if (this.solve) {
          this.post('inspector/solve', this.solve);
          this.post('inspector/steps', { steps: this.steps });
        } else if (!this.source) {
          this.post('inspector/notice', { level: 'info', text: 'Open an experiment file (*.ode.ts) and run Neural ODE: Open Solver Inspector.' });
        }
        break;
      case 'inspector/refresh':
        void this.trace();
        break;
      case 'inspector/sample':
        if (this.source) this.show(this.source, message.payload.sample);
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
export function registerInspector(
  context: vscode.ExtensionContext,
  deps: PreviewDeps,
  sourceFromArgs: (args: readonly unknown[]) => FieldSource | undefined,
): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('neuralOde.openSolverInspector', (...args: unknown[]) => {
      const source = sourceFromArgs(args);
      if (source) InspectorPanel.createOrShow(context, deps, source);
    }),
    vscode.window.registerWebviewPanelSerializer(InspectorPanel.viewType, {
      deserializeWebviewPanel: async (panel, state: unknown) => {
        InspectorPanel.revive(panel, context, deps, state);
      },
    }),
  ];
}
