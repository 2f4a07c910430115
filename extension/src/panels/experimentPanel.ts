/**
 * A panel of one experiment (vector field, trajectories, solver inspector, diagnostics): a
 * PanelHost with a SourceFeed that asks the engine worker again on a save, a new checkpoint or a
 * newer run, the weights picker in its header, and the status, notice and refresh messages every
 * such panel has (webview/src/protocol.ts's `panel/*`). A panel says what it asks the engine
 * (`evaluate`) and how it shows the answer (`showResult`, replayed by `replayResult`).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FieldSource, HostToWebview, Validation } from '../../../webview/src/protocol';
import type { EngineClient } from '../engineClient';
import { PanelHost, type PanelSpec } from './panelHost';
import { SourceFeed } from './previewFeed';

export interface ExperimentPanelDeps {
  log: vscode.LogOutputChannel;
  engine: EngineClient;
}

export interface ExperimentPanelSpec<M> extends PanelSpec<M> {
  /** The command's palette name, for the empty panel's hint. */
  command: string;
  /** What a failed evaluation is called ("Could not trace the solve"). */
  failure: string;
}

/** The messages every experiment panel's webview understands. */
type Common = Pick<HostToWebview, 'panel/status' | 'panel/notice' | 'panel/weights'>;
/** And those it sends. */
type CommonMessage = { type: 'panel/ready' | 'panel/refresh' | 'panel/pickWeights'; payload?: unknown };

export abstract class ExperimentPanel<ToWebview extends Common, M extends { type: string }, R> extends PanelHost<ToWebview, M> {
  /** The experiment shown, following saves, checkpoints and newer runs; stopped while a debug session is shown. */
  protected readonly feed: SourceFeed<R>;
  private weights: HostToWebview['panel/weights'] | undefined;
  private busy = false;
  /** The last evaluation's failure, shown again to a webview that loads after it (opened on a model that fails). */
  private error: string | null = null;

  protected constructor(panel: vscode.WebviewPanel, context: vscode.ExtensionContext, deps: ExperimentPanelDeps, protected readonly experimentSpec: ExperimentPanelSpec<M>) {
    super(panel, context, deps.log, experimentSpec);
    this.feed = new SourceFeed<R>({
      log: deps.log,
      label: experimentSpec.label,
      evaluate: (source, runsRoot) => this.evaluate(source, runsRoot),
      describe: (r) => this.describe(r),
      onBusy: () => this.status(true, null),
      onResult: (source, result) => {
        this.showResult(source, result);
        this.status(false, null);
      },
      onError: (message) => this.status(false, `${experimentSpec.failure}: ${message}`),
      onChoices: (choices, selected) => {
        this.weights = { choices, selected };
        this.post('panel/weights', this.weights);
      },
    });
    this.disposables.push(this.feed);
  }

  /** Asks the engine about the shown experiment (`runsRoot` holds its run, or would hold a new one). */
  protected abstract evaluate(source: FieldSource, runsRoot: string): Promise<R>;
  /** What the log says about a result. */
  protected abstract describe(result: R): string;
  /** Shows a result in the webview (and keeps it for `replayResult`). */
  protected abstract showResult(source: FieldSource, result: R): void;
  /** Sends the last result again, if any; false when there is none. */
  protected abstract replayResult(): boolean;
  /** A message of this panel's own (not `panel/*`). */
  protected abstract handleOwn(message: M): void;

  /** Shows an experiment with the weights its pick names (opened on a file: the file's newest run, followed). */
  showSource(source: FieldSource): void {
    this.panel.title = `${this.spec.title}: ${path.basename(source.file).replace(/\.ode\.[cm]?[jt]s$/, '')}`;
    // A new object: an evaluation of the previous source still under way is then not shown.
    this.feed.show({ ...source });
  }

  protected status(busy: boolean, error: string | null): void {
    this.busy = busy;
    if (error !== null || !busy) this.error = error;
    this.post('panel/status', { busy, error });
  }

  protected replay(): void {
    if (this.weights) this.post('panel/weights', this.weights);
    if (this.replayResult() && this.error === null) return;
    if (!this.feed.source) this.post('panel/notice', { level: 'info', text: `Open an experiment file (*.ode.ts) and run Neural ODE: ${this.experimentSpec.command}.` });
    else this.post('panel/status', { busy: this.busy, error: this.error });
  }

  protected handle(message: M): void {
    const common = message as unknown as CommonMessage;
    if (common.type === 'panel/refresh') this.feed.refresh();
    else if (common.type === 'panel/pickWeights') this.feed.pickWeights((common.payload as { value: string }).value);
    else this.handleOwn(message);
  }
}

export type { Validation };
