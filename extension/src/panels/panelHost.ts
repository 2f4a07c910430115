/**
 * What every webview panel's host does alike: one panel per view type and window, its HTML shell
 * and icon, messages from the webview checked before they are handled, posts held back until the
 * webview says `panel/ready` (the host then replays what it shows: a reload, or a hidden panel
 * shown again, starts the page afresh), and disposal. A panel is this, its protocol file under
 * webview/src/, and its webview folder; docs/panels.md says how to add one.
 */
import * as vscode from 'vscode';
import type { Validation } from '../../../webview/src/protocol';
import { panelHtml, panelOptions } from './webviewHtml';

export interface PanelSpec<M> {
  viewType: string;
  /** The tab title, before the shown experiment's name. */
  title: string;
  /** How the log names the panel ("Solver inspector"). */
  label: string;
  /** Its webview bundle and stylesheet: dist/webview/<bundle>.js, media/<bundle>.css. */
  bundle: string;
  /** The panel's validator of messages from its webview. */
  validate(data: unknown): Validation<M>;
}

/** The open panel of each view type. */
const open = new Map<string, PanelHost<object, { type: string }>>();

export abstract class PanelHost<ToWebview extends object, M extends { type: string }> implements vscode.Disposable {
  protected readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private disposed = false;

  /** The open panel of a view type, if any. */
  static openPanel<T>(viewType: string): T | undefined {
    return open.get(viewType) as T | undefined;
  }

  /** A new webview panel beside the active editor, keeping the focus where it is. */
  static createWebviewPanel(spec: PanelSpec<unknown>, context: vscode.ExtensionContext, preserveFocus = true): vscode.WebviewPanel {
    return vscode.window.createWebviewPanel(spec.viewType, spec.title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus }, panelOptions(context.extensionUri));
  }

  /**
   * The state a restored panel's webview saved, checked (a panel restored after a reload); an
   * earlier panel of the type is closed, and the webview gets this extension's options again.
   */
  static revivedState<S>(panel: vscode.WebviewPanel, context: vscode.ExtensionContext, log: vscode.LogOutputChannel, spec: PanelSpec<unknown>, state: unknown, check: (s: unknown) => Validation<S>): S | undefined {
    open.get(spec.viewType)?.dispose();
    const saved = check(state);
    if (!saved.ok && state !== undefined && state !== null) log.warn(`${spec.label}: ignoring saved panel state (${saved.error})`);
    panel.webview.options = panelOptions(context.extensionUri);
    return saved.ok ? saved.value : undefined;
  }

  protected constructor(
    protected readonly panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    protected readonly log: vscode.LogOutputChannel,
    protected readonly spec: PanelSpec<M>,
  ) {
    open.set(spec.viewType, this as unknown as PanelHost<object, { type: string }>);
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
    panel.webview.html = panelHtml(panel.webview, context.extensionUri, { bundle: spec.bundle, stylesheet: `${spec.bundle}.css`, title: spec.title });
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((data: unknown) => this.receive(data)),
      // A hidden webview is torn down; shown again, it says panel/ready and is sent everything.
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.ready = false;
      }),
    );
  }

  /** Whether the webview has said `panel/ready` since it was last loaded. */
  protected get isReady(): boolean {
    return this.ready && !this.disposed;
  }

  /** Sends everything the panel shows (after `panel/ready`). */
  protected abstract replay(): void;

  /** A checked message from the webview other than `panel/ready`. */
  protected abstract handle(message: M): void | Promise<void>;

  /** Posts a message; dropped while the webview is not ready, since `replay` sends the state then. */
  protected post<K extends keyof ToWebview & string>(type: K, payload: ToWebview[K]): void {
    if (!this.ready || this.disposed) return;
    void this.panel.webview.postMessage({ type, payload });
  }

  /** Shows the panel, keeping the focus where it is unless asked. */
  reveal(preserveFocus = true): void {
    this.panel.reveal(undefined, preserveFocus);
  }

  private receive(data: unknown): void {
    const checked = this.spec.validate(data);
    if (!checked.ok) {
      this.log.warn(`${this.spec.label}: ignored a malformed message from the panel: ${checked.error}`);
      return;
    }
    if (checked.value.type === 'panel/ready') {
      this.ready = true;
      this.replay();
      return;
    }
    void Promise.resolve()
      .then(() => this.handle(checked.value))
      .catch((err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        this.log.error(`${this.spec.label}: ${checked.value.type} failed: ${message}`);
        void vscode.window.showErrorMessage(`Neural ODE: the ${this.spec.title} panel could not do that: ${message}`);
      });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (open.get(this.spec.viewType) === (this as unknown)) open.delete(this.spec.viewType);
    while (this.disposables.length > 0) this.disposables.pop()?.dispose();
    this.panel.dispose();
  }
}
